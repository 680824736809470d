/**
 * A local stand-in for a key-value binding in `cli.ts dev`, kept in a JSON file under `.slrs/` so data survives
 * reloads. Its methods follow the common subset of Workers KV.
 *
 * @module
 */

import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { Runtime } from "./runtime.ts";

/** Options for {@linkcode LocalKv.list}. */
export interface ListOptions {
  /** Only keys that start with this. */
  prefix?: string;
}

/** A key-value namespace persisted to one JSON file. */
export class LocalKv {
  readonly #file: string;
  readonly #runtime: Runtime;
  #data: Map<string, string>;
  #writing: Promise<void> = Promise.resolve();

  private constructor(runtime: Runtime, file: string, data: Map<string, string>) {
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
    const data = new Map<string, string>(Object.entries(text ? JSON.parse(text) : {}));
    return new LocalKv(runtime, file, data);
  }

  /**
   * Reads a value.
   *
   * @param key The key.
   * @param type `"text"` (default) or `"json"` to parse it.
   * @returns The value, or `null` when absent.
   */
  get(key: string, type: "text" | "json" = "text"): Promise<unknown> {
    const value = this.#data.get(key);
    if (value === undefined) return Promise.resolve(null);
    return Promise.resolve(type === "json" ? JSON.parse(value) : value);
  }

  /**
   * Stores a value and writes the file.
   *
   * @param key The key.
   * @param value The value (a string, as in Workers KV).
   */
  put(key: string, value: string): Promise<void> {
    this.#data.set(key, String(value));
    return this.#save();
  }

  /**
   * Deletes a key and writes the file.
   *
   * @param key The key.
   */
  delete(key: string): Promise<void> {
    this.#data.delete(key);
    return this.#save();
  }

  /**
   * Lists keys, sorted.
   *
   * @param options A prefix to filter by.
   * @returns The keys as `{ keys: [{ name }] }`, like Workers KV.
   */
  list(options: ListOptions = {}): Promise<{ keys: { name: string }[] }> {
    const prefix = options.prefix ?? "";
    const keys = [...this.#data.keys()].filter((k) => k.startsWith(prefix)).sort().map((name) => ({ name }));
    return Promise.resolve({ keys });
  }

  // Writes are chained so two quick puts cannot interleave and leave the older value on disk.
  #save(): Promise<void> {
    const snapshot = JSON.stringify(Object.fromEntries(this.#data), null, 2);
    this.#writing = this.#writing.then(async () => {
      await mkdir(dirname(this.#file), { recursive: true });
      await this.#runtime.writeText(this.#file, snapshot);
    });
    return this.#writing;
  }
}
