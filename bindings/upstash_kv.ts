/**
 * A {@linkcode KvNamespace} on Upstash Redis over its REST API, what Vercel's KV and Redis integrations provide, over
 * plain `fetch`.
 *
 * The layout is the Redis backend's (`bindings/redis_kv.ts`): each key is a hash `<prefix>k:<key>` with fields `v`
 * (the value), `m` (the metadata as JSON) and `e` (the expiry in epoch seconds), written in one transaction
 * (`/multi-exec`) with `EXPIREAT`, so Redis deletes it on time; a sorted set `<prefix>keys` indexes the keys with one
 * score, which Redis orders byte by byte, so `list` is a `ZRANGE … BYLEX` page in UTF-8 byte order (`SCAN` would walk
 * the whole keyspace in hash order for every page). The REST API carries commands as JSON strings, so the value is
 * stored as base64: a namespace written here is not read by the Redis backend, nor the other way round.
 *
 * Configuration, from the environment record passed in: the REST URL and token from `SLRS_<NAME>_REST_API_URL` and
 * `SLRS_<NAME>_REST_API_TOKEN`, else `KV_REST_API_URL` and `KV_REST_API_TOKEN` (what Vercel's integration sets), else
 * `UPSTASH_REDIS_REST_URL` and `UPSTASH_REDIS_REST_TOKEN` (what Upstash's console shows); and optionally
 * `SLRS_<NAME>_REDIS_PREFIX` (default `slrs:<NAME>:`), so several bindings can share one database.
 *
 * @example Count visits
 * ```ts ignore
 * import { upstashKv } from "./upstash_kv.ts";
 *
 * const counter = upstashKv("COUNTER", process.env);
 * await counter.put("count", "1");
 * ```
 *
 * @module
 */

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
import { redisKeyPrefix } from "../src/binding_variables.ts";
import { BindingError } from "../src/bindings.ts";
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
import { fetchWithRetry } from "./_retry.ts";

export type { EnvRecord };
export type * from "../src/bindings.ts";

/**
 * The backend's limits: Workers KV's 512-byte keys, and values of 7 MiB, which as base64 stay inside the 10 MB an
 * Upstash request holds on every plan.
 */
export const UPSTASH_KV_LIMITS: { readonly keyBytes: number; readonly valueBytes: number } = {
  keyBytes: 512,
  valueBytes: 7 * 1024 * 1024,
};

/** The variable pairs the REST URL and token are read from, first found first. */
const CREDENTIALS: readonly ((binding: string) => readonly [string, string])[] = [
  (binding) => [`SLRS_${binding}_REST_API_URL`, `SLRS_${binding}_REST_API_TOKEN`],
  () => ["KV_REST_API_URL", "KV_REST_API_TOKEN"],
  () => ["UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"],
];

/**
 * A KV namespace over Upstash Redis; configuration is read, and its absence reported, at the first call.
 *
 * @param binding The binding's name, e.g. `COUNTER`.
 * @param env The environment to read configuration from.
 * @returns The namespace.
 *
 * @example Read a counter
 * ```ts ignore
 * import { upstashKv } from "./upstash_kv.ts";
 *
 * const count = Number(await upstashKv("COUNTER", process.env).get("count") ?? 0);
 * ```
 */
export function upstashKv(binding: string, env: EnvRecord): KvNamespace {
  return new UpstashKv(binding, env) as KvNamespace;
}

type Command = string[];
type Reply = { result?: unknown; error?: string };

class UpstashKv {
  readonly #target: KvTarget;
  readonly #env: EnvRecord;
  #config: { url: string; token: string; prefix: string } | undefined;

  constructor(binding: string, env: EnvRecord) {
    this.#target = { kind: "kv", backend: "upstash", binding };
    this.#env = env;
  }

  async get(key: string, type: KvValueType = "text"): Promise<unknown> {
    return (await this.getWithMetadata(key, type)).value;
  }

  async getWithMetadata(key: string, type: KvValueType = "text"): Promise<KvValueWithMetadata<unknown, unknown>> {
    checkKvKey(this.#target, "get", key, UPSTASH_KV_LIMITS.keyBytes);
    const [fields] = await this.#send("get", "pipeline", [["HMGET", this.#item(key), "v", "m", "e"]]);
    const [value, metadata, expiry] = fields as (string | null)[];
    if (value === null || value === undefined || (expiry && Number(expiry) <= nowSeconds())) {
      return { value: null, metadata: null };
    }
    return { value: decodeKvValue(fromBase64(value), type), metadata: metadata ? JSON.parse(metadata) : null };
  }

  async put(key: string, value: KvValue, options: KvPutOptions = {}): Promise<void> {
    checkKvKey(this.#target, "put", key, UPSTASH_KV_LIMITS.keyBytes);
    const metadata = kvMetadataJson(this.#target, options.metadata);
    const expiration = kvExpiration(this.#target, options);
    const max = UPSTASH_KV_LIMITS.valueBytes;
    const bytes = await bytesOf(value, max);
    if (bytes === undefined || bytes.byteLength > max) {
      const size = bytes === undefined ? `more than ${max}` : String(bytes.byteLength);
      throw kvError(
        this.#target,
        "put",
        `the value is ${size} bytes; this backend stores at most ${max} (as base64 within an Upstash request's ` +
          `10 MB). Store large values in a bucket and keep their key here.`,
      );
    }
    const item = this.#item(key);
    const fields = ["v", toBase64(bytes)];
    if (metadata !== undefined) fields.push("m", metadata);
    if (expiration !== undefined) fields.push("e", String(expiration));
    const commands: Command[] = [["DEL", item], ["HSET", item, ...fields]];
    if (expiration !== undefined) commands.push(["EXPIREAT", item, String(expiration)]);
    commands.push(["ZADD", this.#index(), "0", key]);
    await this.#send("put", "multi-exec", commands);
  }

  async delete(key: string): Promise<void> {
    checkKvKey(this.#target, "delete", key, UPSTASH_KV_LIMITS.keyBytes);
    await this.#send("delete", "multi-exec", [["DEL", this.#item(key)], ["ZREM", this.#index(), key]]);
  }

  async list(options: KvListOptions = {}): Promise<KvListResult> {
    const limit = kvListLimit(this.#target, options.limit);
    const prefix = options.prefix ?? "";
    const start = options.cursor ? `(${this.#fromCursor(options.cursor)}` : prefix ? `[${prefix}` : "-";
    const [range] = await this.#send("list", "pipeline", [
      ["ZRANGE", this.#index(), start, "+", "BYLEX", "LIMIT", "0", String(limit + 1)],
    ]);
    const names = (range as string[]).filter((name) => name.startsWith(prefix));
    const page = names.slice(0, limit);
    const replies = page.length === 0 ? [] : await this.#send(
      "list",
      "pipeline",
      page.flatMap((name) => [["HMGET", this.#item(name), "m", "e"], ["EXISTS", this.#item(name)]]),
    );
    const keys: KvListKey[] = [];
    const stale: string[] = [];
    page.forEach((name, i) => {
      const [metadata = null, expiry = null] = replies[2 * i] as (string | null)[];
      const exists = replies[2 * i + 1] === 1;
      if (!exists || (expiry !== null && Number(expiry) <= nowSeconds())) stale.push(name);
      else keys.push(listKey(name, metadata, expiry));
    });
    // Expired keys leave the index as a list meets them; Redis has deleted (or will delete) their hashes.
    if (stale.length > 0) await this.#send("list", "pipeline", [["ZREM", this.#index(), ...stale]]);
    if (names.length <= limit) return { list_complete: true, keys };
    return { list_complete: false, keys, cursor: toCursor(page[page.length - 1]!) };
  }

  #fromCursor(cursor: string): string {
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(
        fromBase64(cursor.replaceAll("-", "+").replaceAll("_", "/")),
      );
    } catch (cause) {
      throw new BindingError({
        ...this.#target,
        operation: "list",
        message: `the cursor ${JSON.stringify(cursor)} is not one list() returned`,
        cause,
      });
    }
  }

  #item(key: string): string {
    return `${this.#configure().prefix}k:${key}`;
  }

  #index(): string {
    return `${this.#configure().prefix}keys`;
  }

  #configure(): { url: string; token: string; prefix: string } {
    if (this.#config) return this.#config;
    const binding = this.#target.binding;
    const pair = CREDENTIALS.map((names) => names(binding)).find(([url]) => this.#env[url]);
    if (!pair) {
      throw kvError(
        this.#target,
        "configure",
        "KV_REST_API_URL is not set; connect an Upstash Redis database to the project (Vercel's Storage tab sets " +
          "KV_REST_API_URL and KV_REST_API_TOKEN), or set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN, or " +
          `SLRS_${binding}_REST_API_URL and SLRS_${binding}_REST_API_TOKEN for this binding alone.`,
      );
    }
    const [urlVariable, tokenVariable] = pair;
    const token = this.#env[tokenVariable];
    if (!token) {
      throw kvError(this.#target, "configure", `${tokenVariable} is not set; set it to the REST token of the database`);
    }
    let url: string;
    try {
      url = new URL(this.#env[urlVariable]!).href.replace(/\/$/, "");
    } catch (cause) {
      throw kvError(this.#target, "configure", `${urlVariable} is not a URL; give https://<db>.upstash.io`, cause);
    }
    const prefix = redisKeyPrefix(binding, this.#env);
    this.#config = { url, token, prefix };
    return this.#config;
  }

  /** Sends commands to `/pipeline` (each on its own) or `/multi-exec` (one transaction); any error fails the call. */
  async #send(operation: string, endpoint: "pipeline" | "multi-exec", commands: Command[]): Promise<unknown[]> {
    const { url, token } = this.#configure();
    const body = JSON.stringify(commands);
    const response = await fetchWithRetry(this.#target, operation, () =>
      new Request(`${url}/${endpoint}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body,
      }), (r) => Promise.resolve(r.status === 429 || r.status >= 500));
    const text = await response.text();
    if (!response.ok) {
      const hint = response.status === 401 ? " Check the REST token (KV_REST_API_TOKEN)." : "";
      throw kvError(this.#target, operation, `Upstash answered ${response.status}: ${errorOf(text)}.${hint}`, text);
    }
    const replies = JSON.parse(text) as Reply[];
    const failed = replies.find((reply) => reply.error !== undefined);
    if (failed) throw kvError(this.#target, operation, `Upstash refused a command: ${failed.error}`, text);
    return replies.map((reply) => reply.result);
  }
}

function errorOf(text: string): string {
  try {
    return (JSON.parse(text) as { error?: string }).error ?? text.slice(0, 200);
  } catch {
    return text.slice(0, 200);
  }
}

function listKey(name: string, metadata: string | null, expiry: string | null): KvListKey {
  const key: KvListKey = { name };
  if (expiry !== null) key.expiration = Number(expiry);
  if (metadata !== null) key.metadata = JSON.parse(metadata);
  return key;
}

function toCursor(key: string): string {
  return toBase64(new TextEncoder().encode(key)).replaceAll("+", "-").replaceAll("/", "_");
}
