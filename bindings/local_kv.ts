/**
 * A {@linkcode KvNamespace} in one local JSON file, for `slrs dev` and small self-hosted Deno and Node setups.
 *
 * The file holds `{"slrs-kv": 1, "entries": {key: {"v": base64, "m"?: metadata JSON, "e"?: expiry}}}`. It is read
 * at the first call and kept in memory; each write replaces the file through a temporary one renamed into place, one
 * write at a time, so the file is always whole. One process owns a file: a second one writing the same file would
 * not see the first one's writes. Expired keys are left out of `get` and `list` and dropped at the next write.
 *
 * Configuration, from the environment record passed in: `SLRS_<NAME>_FILE` (the JSON file; created when missing).
 *
 * @example A KV under .slrs/
 * ```ts ignore
 * import { localKv } from "./local_kv.ts";
 *
 * const counter = localKv("COUNTER", { SLRS_COUNTER_FILE: ".slrs/kv/COUNTER.json" });
 * await counter.put("count", "1");
 * ```
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import {
  BindingError,
  type KvListKey,
  type KvListOptions,
  type KvListResult,
  type KvNamespace,
  type KvPutOptions,
  type KvValue,
  type KvValueType,
  type KvValueWithMetadata,
} from "../src/bindings.ts";
import { bytesOf, type EnvRecord, fromBase64, toBase64 } from "./_bytes.ts";
import { localKvVariable } from "../src/binding_variables.ts";
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

export type { EnvRecord };
export type * from "../src/bindings.ts";

/** The backend's limits: Workers KV's key (512 bytes) and value (25 MiB). */
export const LOCAL_KV_LIMITS: { readonly keyBytes: number; readonly valueBytes: number } = {
  keyBytes: 512,
  valueBytes: 25 * 1024 * 1024,
};

/**
 * A KV namespace in a JSON file; configuration is read, and its absence reported, at the first call.
 *
 * @param binding The binding's name, e.g. `COUNTER`.
 * @param env The environment to read configuration from.
 * @returns The namespace.
 *
 * @example Read a counter
 * ```ts ignore
 * import { localKv } from "./local_kv.ts";
 *
 * const counter = localKv("COUNTER", { SLRS_COUNTER_FILE: "counter.json" });
 * const count = Number(await counter.get("count") ?? 0);
 * ```
 */
export function localKv(binding: string, env: EnvRecord): KvNamespace {
  return new LocalKv(binding, env) as KvNamespace;
}

interface Entry {
  v: string;
  m?: string;
  e?: number;
}

const encoder = new TextEncoder();

function compareBytes(a: string, b: string): number {
  const [x, y] = [encoder.encode(a), encoder.encode(b)];
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

function live(entry: Entry | undefined): entry is Entry {
  return entry !== undefined && (entry.e === undefined || entry.e > nowSeconds());
}

class LocalKv {
  readonly #target: KvTarget;
  readonly #env: EnvRecord;
  #file = "";
  #entries: Promise<Map<string, Entry>> | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(binding: string, env: EnvRecord) {
    this.#target = { kind: "kv", backend: "local", binding };
    this.#env = env;
  }

  async get(key: string, type: KvValueType = "text"): Promise<unknown> {
    return (await this.getWithMetadata(key, type)).value;
  }

  async getWithMetadata(key: string, type: KvValueType = "text"): Promise<KvValueWithMetadata<unknown, unknown>> {
    checkKvKey(this.#target, "get", key, LOCAL_KV_LIMITS.keyBytes);
    const entry = (await this.#load()).get(key);
    if (!live(entry)) return { value: null, metadata: null };
    const bytes = Buffer.from(entry.v, "base64");
    return {
      value: decodeKvValue(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength).slice(), type),
      metadata: entry.m ? JSON.parse(entry.m) : null,
    };
  }

  async put(key: string, value: KvValue, options: KvPutOptions = {}): Promise<void> {
    checkKvKey(this.#target, "put", key, LOCAL_KV_LIMITS.keyBytes);
    const metadata = kvMetadataJson(this.#target, options.metadata);
    const expiration = kvExpiration(this.#target, options);
    const max = LOCAL_KV_LIMITS.valueBytes;
    const bytes = await bytesOf(value, max);
    if (bytes === undefined || bytes.byteLength > max) {
      const size = bytes === undefined ? `more than ${max}` : String(bytes.byteLength);
      throw kvError(this.#target, "put", `the value is ${size} bytes; this backend holds at most ${max} (25 MiB)`);
    }
    // Buffer's base64 is native; a 25 MiB value takes milliseconds, not seconds.
    const entry: Entry = { v: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64") };
    if (metadata !== undefined) entry.m = metadata;
    if (expiration !== undefined) entry.e = expiration;
    const entries = await this.#load();
    entries.set(key, entry);
    await this.#save(entries);
  }

  async delete(key: string): Promise<void> {
    checkKvKey(this.#target, "delete", key, LOCAL_KV_LIMITS.keyBytes);
    const entries = await this.#load();
    if (entries.delete(key)) await this.#save(entries);
  }

  async list(options: KvListOptions = {}): Promise<KvListResult> {
    const limit = kvListLimit(this.#target, options.limit);
    const prefix = options.prefix ?? "";
    const after = options.cursor ? this.#fromCursor(options.cursor) : undefined;
    const names = [...(await this.#load())].filter(([name, entry]) =>
      name.startsWith(prefix) && live(entry) && (after === undefined || compareBytes(name, after) > 0)
    ).sort(([a], [b]) => compareBytes(a, b));
    const keys = names.slice(0, limit).map(([name, entry]): KvListKey => {
      const key: KvListKey = { name };
      if (entry.e !== undefined) key.expiration = entry.e;
      if (entry.m !== undefined) key.metadata = JSON.parse(entry.m);
      return key;
    });
    if (names.length <= limit) return { list_complete: true, keys };
    return { list_complete: false, keys, cursor: toCursor(keys.at(-1)!.name) };
  }

  #load(): Promise<Map<string, Entry>> {
    this.#entries ??= this.#read();
    return this.#entries;
  }

  async #read(): Promise<Map<string, Entry>> {
    const variable = localKvVariable(this.#target.binding);
    const file = this.#env[variable];
    if (!file) {
      this.#entries = undefined;
      throw new BindingError({
        ...this.#target,
        operation: "configure",
        message: `${variable} is not set; set it to the JSON file that holds this namespace (created when missing)`,
      });
    }
    this.#file = resolve(file);
    let text: string;
    try {
      text = await readFile(this.#file, "utf8");
    } catch {
      return new Map();
    }
    try {
      const stored = JSON.parse(text) as { "slrs-kv"?: number; entries?: Record<string, Entry> };
      if (stored["slrs-kv"] !== 1 || typeof stored.entries !== "object") throw new Error("not a namespace file");
      return new Map(Object.entries(stored.entries));
    } catch (cause) {
      this.#entries = undefined;
      throw kvError(
        this.#target,
        "configure",
        `${this.#file} is not a namespace file this backend wrote; point ${variable} at another file, or delete it`,
        cause,
      );
    }
  }

  /** Writes the whole namespace, one write at a time, leaving out what has expired. */
  #save(entries: Map<string, Entry>): Promise<void> {
    const write = async () => {
      const kept: Record<string, Entry> = Object.create(null);
      for (const [name, entry] of entries) if (live(entry)) kept[name] = entry;
      const temporary = `${this.#file}.${crypto.randomUUID()}.tmp`;
      try {
        await mkdir(dirname(this.#file), { recursive: true });
        await writeFile(temporary, JSON.stringify({ "slrs-kv": 1, entries: kept }));
        await rename(temporary, this.#file);
      } catch (cause) {
        throw kvError(this.#target, "put", `could not write ${this.#file}: ${(cause as Error).message}`, cause);
      }
    };
    const done = this.#writing.then(write, write);
    this.#writing = done.catch(() => {});
    return done;
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
  return toBase64(encoder.encode(key)).replaceAll("+", "-").replaceAll("/", "_");
}
