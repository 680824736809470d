/**
 * A local stand-in for a key-value binding in `cli.ts dev`, kept in a JSON file under `.slrs/` so data survives
 * reloads. Its methods follow the common subset of Workers KV.
 *
 * @module
 */

import { mkdir } from "node:fs/promises";
import { dirname, relative } from "node:path";
import { CliError } from "./errors.ts";
import type { Runtime } from "./runtime.ts";

/** Options for {@linkcode LocalKv.list}. */
export interface ListOptions {
  /** Only keys that start with this. */
  prefix?: string;
}

/** Options for {@linkcode LocalKv.put}, as in Workers KV: when the key expires, at most one of the two. */
export interface PutOptions {
  /** When the key expires, in seconds since the epoch. */
  expiration?: number;
  /** How long the key lives, in seconds from now (at least 60, as in Workers KV). */
  expirationTtl?: number;
}

/** A stored value, with when it expires (seconds since the epoch), if ever. */
interface Entry {
  value: string;
  expiration?: number;
}

/** Workers KV refuses expirations sooner than this, so the local store does too. */
const MIN_TTL_SECONDS = 60;

/** A key-value namespace persisted to one JSON file. */
export class LocalKv {
  readonly #file: string;
  readonly #runtime: Runtime;
  #data: Map<string, Entry>;
  #writing: Promise<void> = Promise.resolve();

  private constructor(runtime: Runtime, file: string, data: Map<string, Entry>) {
    this.#runtime = runtime;
    this.#file = file;
    this.#data = data;
  }

  /**
   * Opens (or creates) the namespace stored in `file`.
   *
   * @param runtime The runtime layer.
   * @param file The JSON file, e.g. `.slrs/kv/CACHE.json`.
   * @returns The namespace.
   * @throws {CliError} When the file is not a namespace this class wrote, naming it and how to start afresh.
   *
   * @example Usage
   * ```ts
   * import { LocalKv } from "./local_kv.ts";
   * import { currentRuntime } from "./runtime.ts";
   * const kv = await LocalKv.open(currentRuntime(), await Deno.makeTempFile());
   * await kv.put("a", "1");
   * console.assert(await kv.get("a") === "1");
   * ```
   */
  static async open(runtime: Runtime, file: string): Promise<LocalKv> {
    const text = await runtime.readText(file);
    return new LocalKv(runtime, file, text ? parseStore(text, relative(runtime.cwd(), file) || file) : new Map());
  }

  /**
   * Reads a value.
   *
   * @param key The key.
   * @param type `"text"` (default) or `"json"` to parse it.
   * @returns The value, or `null` when absent or expired.
   */
  get(key: string, type: "text" | "json" = "text"): Promise<unknown> {
    const entry = this.#live(key);
    if (entry === undefined) return Promise.resolve(null);
    return Promise.resolve(type === "json" ? JSON.parse(entry.value) : entry.value);
  }

  /**
   * Stores a value and writes the file.
   *
   * @param key The key.
   * @param value The value (a string, as in Workers KV).
   * @param options When it expires: `expirationTtl` (seconds from now) or `expiration` (seconds since the epoch).
   * @returns Once the file is written; a failed write rejects this call only, not later ones.
   * @throws {TypeError} For an expiration Workers KV would refuse (not a number, or under 60 s away).
   */
  put(key: string, value: string, options: PutOptions = {}): Promise<void> {
    let expiration: number | undefined;
    try {
      expiration = expirationOf(options);
    } catch (error) {
      return Promise.reject(error);
    }
    this.#data.set(key, { value: String(value), ...(expiration !== undefined && { expiration }) });
    return this.#save();
  }

  /**
   * Deletes a key and writes the file.
   *
   * @param key The key.
   * @returns Once the file is written.
   */
  delete(key: string): Promise<void> {
    this.#data.delete(key);
    return this.#save();
  }

  /**
   * Lists the keys that have not expired, sorted.
   *
   * @param options A prefix to filter by.
   * @returns The keys as `{ keys: [{ name, expiration? }] }`, like Workers KV.
   */
  list(options: ListOptions = {}): Promise<{ keys: { name: string; expiration?: number }[] }> {
    const prefix = options.prefix ?? "";
    const keys = [...this.#data.keys()].filter((k) => k.startsWith(prefix) && this.#live(k) !== undefined).sort()
      .map((name) => {
        const expiration = this.#data.get(name)!.expiration;
        return expiration === undefined ? { name } : { name, expiration };
      });
    return Promise.resolve({ keys });
  }

  #live(key: string): Entry | undefined {
    const entry = this.#data.get(key);
    if (entry?.expiration !== undefined && entry.expiration * 1000 <= Date.now()) return undefined;
    return entry;
  }

  // Writes are chained so two quick puts cannot interleave and leave the older value on disk. Each write waits for
  // the one before to settle, whether it worked or not: a failure belongs to its own call alone.
  #save(): Promise<void> {
    const now = Date.now();
    const kept = [...this.#data].filter(([, entry]) => entry.expiration === undefined || entry.expiration * 1000 > now);
    const snapshot = JSON.stringify(Object.fromEntries(kept.map(([key, entry]) => [key, stored(entry)])), null, 2);
    const write = this.#writing.then(async () => {
      await mkdir(dirname(this.#file), { recursive: true });
      await this.#runtime.writeText(this.#file, snapshot);
    });
    this.#writing = write.catch(() => {});
    return write;
  }
}

/** A value without an expiration is stored as the string itself, as older versions of this file did. */
function stored(entry: Entry): string | Entry {
  return entry.expiration === undefined ? entry.value : entry;
}

function parseStore(text: string, shown: string): Map<string, Entry> {
  const fix = "Fix it, or delete it to start with an empty namespace.";
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CliError(`The local KV file ${shown} is not valid JSON (${(error as Error).message}). ${fix}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new CliError(`The local KV file ${shown} must hold a JSON object of keys to values. ${fix}`);
  }
  const data = new Map<string, Entry>();
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value === "string") {
      data.set(key, { value });
    } else if (
      typeof value === "object" && value !== null && typeof value.value === "string" &&
      (value.expiration === undefined || Number.isFinite(value.expiration))
    ) {
      data.set(key, value.expiration === undefined ? { value: value.value } : value);
    } else {
      throw new CliError(
        `The local KV file ${shown}: key ${JSON.stringify(key)} holds ${JSON.stringify(value)}, ` +
          `not a string or { "value": string, "expiration": seconds }. ${fix}`,
      );
    }
  }
  return data;
}

function expirationOf(options: PutOptions): number | undefined {
  const now = Date.now() / 1000;
  const { expiration, expirationTtl } = options;
  const check = (name: string, value: unknown) => {
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new TypeError(`KV put: ${name} must be a number of seconds; got ${JSON.stringify(value)}.`);
    }
  };
  if (expirationTtl !== undefined) {
    check("expirationTtl", expirationTtl);
    if (expirationTtl < MIN_TTL_SECONDS) {
      throw new TypeError(
        `KV put: expirationTtl ${expirationTtl} is under ${MIN_TTL_SECONDS} seconds, which Workers KV refuses.`,
      );
    }
    return Math.floor(now + expirationTtl);
  }
  if (expiration !== undefined) {
    check("expiration", expiration);
    if (expiration < now + MIN_TTL_SECONDS) {
      throw new TypeError(
        `KV put: expiration ${expiration} is less than ${MIN_TTL_SECONDS} seconds from now, which Workers KV refuses.`,
      );
    }
    return Math.floor(expiration);
  }
  return undefined;
}
