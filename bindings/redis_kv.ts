/**
 * A {@linkcode KvNamespace} on Redis, for self-hosted Deno and Node.
 *
 * Each key is a hash `<prefix>k:<key>` with fields `v` (the value, any bytes), `m` (the metadata as JSON) and `e` (the
 * expiry in epoch seconds), written in one `MULTI` with `EXPIREAT`, so Redis itself deletes it on time. A sorted set
 * `<prefix>keys` indexes the keys with one score, which Redis orders byte by byte: `list` is a `ZRANGE … BYLEX` page in
 * UTF-8 byte order, as on Workers KV, rather than `SCAN`'s hash order. An expired key leaves the index when a `list`
 * meets it.
 *
 * Configuration, from the environment record passed in: `SLRS_<NAME>_REDIS_URL`, else `REDIS_URL` (such as
 * `redis://127.0.0.1:6379/0`; `rediss://` for TLS), and optionally `SLRS_<NAME>_REDIS_PREFIX` (default
 * `slrs:<NAME>:`), so several bindings can share one database.
 *
 * @example Count visits on a local Redis
 * ```ts ignore
 * import { redisKv } from "./redis_kv.ts";
 *
 * const counter = redisKv("COUNTER", { REDIS_URL: "redis://127.0.0.1:6379" });
 * await counter.put("count", "1");
 * await counter.close();
 * ```
 *
 * @module
 */

import { Buffer } from "node:buffer";
import type {
  KvListKey,
  KvListOptions,
  KvListResult,
  KvNamespace,
  KvPutOptions,
  KvValue,
  KvValueType,
  KvValueWithMetadata,
} from "../src/bindings.ts";
import { bytesOf, type EnvRecord, fromBase64, toBase64 } from "./_bytes.ts";
import {
  checkKvKey,
  decodeKvValue,
  kvError,
  kvExpiration,
  kvListLimit,
  kvMetadataJson,
  type KvTarget,
  nowSeconds,
} from "./_kv_rules.ts";
import { redisKeyPrefix } from "../src/binding_variables.ts";
import { type RedisArgument, type RedisConnection, redisConnection, utf8 } from "./_redis.ts";

export type { EnvRecord };
export type * from "../src/bindings.ts";

/** The backend's limits: Workers KV's key (512 bytes) and value (25 MiB), so code moves between them unchanged. */
export const REDIS_KV_LIMITS: { readonly keyBytes: number; readonly valueBytes: number } = {
  keyBytes: 512,
  valueBytes: 25 * 1024 * 1024,
};

/** A KV namespace on Redis, with the connection's `close`. */
export interface RedisKv extends KvNamespace {
  /** Closes the connection (a long-running server never needs to; a script or a test does). */
  close(): Promise<void>;
}

/**
 * A KV namespace on Redis; the connection opens, and missing configuration is reported, at the first call.
 *
 * @param binding The binding's name, e.g. `COUNTER`.
 * @param env The environment to read configuration from.
 * @returns The namespace.
 *
 * @example Read a counter
 * ```ts ignore
 * import { redisKv } from "./redis_kv.ts";
 *
 * const counter = redisKv("COUNTER", process.env);
 * const count = Number(await counter.get("count") ?? 0);
 * ```
 */
export function redisKv(binding: string, env: EnvRecord): RedisKv {
  return new RedisKvNamespace(binding, env) as unknown as RedisKv;
}

const HIGHEST = Buffer.from([0xff]); // No UTF-8 text holds this byte, so it ends every key range.

class RedisKvNamespace {
  readonly #target: KvTarget;
  readonly #redis: RedisConnection;
  readonly #prefix: string;

  constructor(binding: string, env: EnvRecord) {
    this.#target = { kind: "kv", backend: "redis", binding };
    this.#redis = redisConnection({ kind: "kv", backend: "redis", binding }, env);
    this.#prefix = redisKeyPrefix(binding, env);
  }

  async get(key: string, type: KvValueType = "text"): Promise<unknown> {
    return (await this.getWithMetadata(key, type)).value;
  }

  async getWithMetadata(key: string, type: KvValueType = "text"): Promise<KvValueWithMetadata<unknown, unknown>> {
    checkKvKey(this.#target, "get", key, REDIS_KV_LIMITS.keyBytes);
    const [value, metadata, expiry] = await this.#redis.send("get", ["HMGET", this.#item(key), "v", "m", "e"]) as (
      Buffer | null
    )[];
    if (!value || (expiry && Number(expiry.toString()) <= nowSeconds())) return { value: null, metadata: null };
    const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength) as Uint8Array<ArrayBuffer>;
    return {
      value: decodeKvValue(bytes.slice(), type),
      metadata: metadata ? JSON.parse(metadata.toString("utf8")) : null,
    };
  }

  async put(key: string, value: KvValue, options: KvPutOptions = {}): Promise<void> {
    checkKvKey(this.#target, "put", key, REDIS_KV_LIMITS.keyBytes);
    const metadata = kvMetadataJson(this.#target, options.metadata);
    const expiration = kvExpiration(this.#target, options);
    const max = REDIS_KV_LIMITS.valueBytes;
    const bytes = await bytesOf(value, max);
    if (bytes === undefined || bytes.byteLength > max) {
      const size = bytes === undefined ? `more than ${max}` : String(bytes.byteLength);
      throw kvError(this.#target, "put", `the value is ${size} bytes; this backend holds at most ${max} (25 MiB)`);
    }
    const item = this.#item(key);
    const fields: RedisArgument[] = ["v", Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)];
    if (metadata !== undefined) fields.push("m", metadata);
    if (expiration !== undefined) fields.push("e", String(expiration));
    const commands: RedisArgument[][] = [["DEL", item], ["HSET", item, ...fields]];
    if (expiration !== undefined) commands.push(["EXPIREAT", item, String(expiration)]);
    commands.push(["ZADD", this.#index(), "0", utf8(key)]);
    await this.#redis.transaction("put", commands);
  }

  async delete(key: string): Promise<void> {
    checkKvKey(this.#target, "delete", key, REDIS_KV_LIMITS.keyBytes);
    await this.#redis.transaction("delete", [["DEL", this.#item(key)], ["ZREM", this.#index(), utf8(key)]]);
  }

  async list(options: KvListOptions = {}): Promise<KvListResult> {
    const limit = kvListLimit(this.#target, options.limit);
    const prefix = options.prefix ?? "";
    const after = options.cursor ? this.#fromCursor(options.cursor) : undefined;
    const start = after !== undefined
      ? Buffer.concat([utf8("("), utf8(after)])
      : prefix
      ? Buffer.concat([utf8("["), utf8(prefix)])
      : utf8("-");
    const end = prefix ? Buffer.concat([utf8("("), utf8(prefix), HIGHEST]) : utf8("+");
    // One more than the page, to know whether another page follows.
    const names = (await this.#redis.send("list", [
      "ZRANGE",
      this.#index(),
      start,
      end,
      "BYLEX",
      "LIMIT",
      "0",
      String(limit + 1),
    ]) as Buffer[]).map((name) => name.toString("utf8"));
    const page = names.slice(0, limit);
    const keys: KvListKey[] = [];
    if (page.length > 0) {
      const replies = await this.#redis.transaction(
        "list",
        page.flatMap((name) => [["HMGET", this.#item(name), "m", "e"], ["EXISTS", this.#item(name)]]),
      );
      const gone: Buffer[] = [];
      page.forEach((name, i) => {
        const [metadata, expiry] = (replies[2 * i] ?? []) as (Buffer | null)[];
        const exists = replies[2 * i + 1] === 1;
        if (!exists || (expiry && Number(expiry.toString()) <= nowSeconds())) return void gone.push(utf8(name));
        const key: KvListKey = { name };
        if (expiry) key.expiration = Number(expiry.toString());
        if (metadata) key.metadata = JSON.parse(metadata.toString("utf8"));
        keys.push(key);
      });
      if (gone.length > 0) await this.#redis.send("list", ["ZREM", this.#index(), ...gone]);
    }
    if (names.length <= limit) return { list_complete: true, keys };
    return { list_complete: false, keys, cursor: toCursor(page[page.length - 1]!) };
  }

  close(): Promise<void> {
    return this.#redis.close();
  }

  #item(key: string): Buffer {
    return utf8(`${this.#prefix}k:${key}`);
  }

  #index(): Buffer {
    return utf8(`${this.#prefix}keys`);
  }

  #fromCursor(cursor: string): string {
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(
        fromBase64(cursor.replaceAll("-", "+").replaceAll("_", "/")),
      );
    } catch (cause) {
      throw kvError(this.#target, "list", `the cursor ${JSON.stringify(cursor)} is not one list() returned`, cause);
    }
  }
}

function toCursor(key: string): string {
  return toBase64(new TextEncoder().encode(key)).replaceAll("+", "-").replaceAll("/", "_");
}
