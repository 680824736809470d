/**
 * A {@linkcode Bucket} in a local directory, for `slrs dev` and self-hosted Deno and Node.
 *
 * A key maps to a path inside the directory and never outside it: it is split at `/` into segments, one folder each,
 * and every segment is percent-encoded except `a`–`z`, `0`–`9`, `.`, `_` and `-` (so `..`, `\`, `:`, NUL, upper case,
 * which a case-insensitive file system would fold, and non-ASCII, which one may normalise, all become plain ASCII),
 * a segment of only dots or none at all gets an encoding no other segment has, and a folder's name ends in `~`, which
 * no encoded segment holds, so `a` and `a/b` are both objects. Each object has a sidecar `<name>~meta` (JSON: HTTP
 * and custom metadata, etag, upload time). Writes go to a temporary file first and are renamed into place, so a
 * reader sees the old object or the new one, never half of one.
 *
 * Configuration, from the environment record passed in: `SLRS_<NAME>_DIR` (the directory; created when missing).
 *
 * @example A bucket under .slrs/
 * ```ts ignore
 * import { localBucket } from "./local_bucket.ts";
 *
 * const uploads = localBucket("UPLOADS", { SLRS_UPLOADS_DIR: ".slrs/buckets/UPLOADS" });
 * await uploads.put("hello.txt", "hello");
 * ```
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat, writeFile } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import { Readable } from "node:stream";
import {
  BindingError,
  type Bucket,
  type BucketGetOptions,
  type BucketHttpMetadata,
  type BucketListOptions,
  type BucketListResult,
  type BucketObject,
  type BucketObjectBody,
  type BucketPutOptions,
  type BucketValue,
} from "../src/bindings.ts";
import { bucketObject, withBody } from "./_bucket_objects.ts";
import { bytesOf, type EnvRecord, fromBase64, toBase64, utf8Length } from "./_bytes.ts";
import { localBucketVariable } from "../src/binding_variables.ts";

export type { EnvRecord };
export type * from "../src/bindings.ts";

/** The backend's limits: R2's key length and list page, and the longest file name most file systems hold. */
export const LOCAL_BUCKET_LIMITS: {
  readonly keyBytes: number;
  readonly listLimit: number;
  readonly segmentBytes: number;
} = { keyBytes: 1024, listLimit: 1000, segmentBytes: 255 };

/**
 * A bucket in a directory; configuration is read, and its absence reported, at the first call.
 *
 * @param binding The binding's name, e.g. `UPLOADS`.
 * @param env The environment to read configuration from.
 * @returns The bucket.
 *
 * @example Serve an object
 * ```ts ignore
 * import { localBucket } from "./local_bucket.ts";
 *
 * const object = await localBucket("UPLOADS", { SLRS_UPLOADS_DIR: "./uploads" }).get("avatar.png");
 * ```
 */
export function localBucket(binding: string, env: EnvRecord): Bucket {
  return new LocalBucket(binding, env);
}

const FOLDER = "~";
const SIDECAR = "~meta";
const TEMPORARY = "~tmp";

/**
 * The file name of one key segment.
 *
 * @param segment The segment.
 * @returns Its encoding: plain ASCII without `~`, never `.`, `..` or empty.
 *
 * @example
 * ```ts
 * import { encodeSegment } from "./local_bucket.ts";
 *
 * console.assert(encodeSegment("..") === "%2E%2E");
 * console.assert(encodeSegment("Ab c") === "%41b%20c");
 * ```
 */
export function encodeSegment(segment: string): string {
  if (segment === "") return "%";
  if (/^\.+$/.test(segment)) return "%2E".repeat(segment.length);
  let out = "";
  for (const byte of Buffer.from(segment, "utf8")) {
    const char = String.fromCharCode(byte);
    out += /^[a-z0-9._-]$/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function decodeSegment(name: string): string {
  if (name === "%") return "";
  const bytes: number[] = [];
  for (let i = 0; i < name.length; i++) {
    if (name[i] === "%") {
      bytes.push(parseInt(name.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(name.charCodeAt(i));
  }
  return Buffer.from(bytes).toString("utf8");
}

interface Sidecar {
  etag: string;
  uploaded: string;
  httpMetadata: Omit<BucketHttpMetadata, "cacheExpiry"> & { cacheExpiry?: string };
  customMetadata: Record<string, string>;
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

class LocalBucket implements Bucket {
  readonly #binding: string;
  readonly #env: EnvRecord;
  #root: string | undefined;

  constructor(binding: string, env: EnvRecord) {
    this.#binding = binding;
    this.#env = env;
  }

  async head(key: string): Promise<BucketObject | null> {
    const path = this.#path("head", key);
    const described = await this.#describe(key, path);
    return described?.object ?? null;
  }

  async get(key: string, options: BucketGetOptions = {}): Promise<BucketObjectBody | null> {
    const path = this.#path("get", key);
    const described = await this.#describe(key, path);
    if (!described) return null;
    const { size } = described.object;
    let start = 0;
    let end = size; // exclusive
    const range = options.range;
    if (range) {
      if ("suffix" in range) start = Math.max(0, size - this.#whole(range.suffix));
      else {
        start = Math.min(size, this.#whole(range.offset ?? 0));
        if (range.length !== undefined) end = Math.min(size, start + this.#whole(range.length));
      }
    }
    const body = end > start
      ? Readable.toWeb(createReadStream(path, { start, end: end - 1 })) as ReadableStream<Uint8Array>
      : new Blob().stream();
    const object = range
      ? bucketObject({ ...fieldsOf(described.object), range: { offset: start, length: end - start } })
      : described.object;
    return withBody(object, body);
  }

  async put(key: string, value: BucketValue, options: BucketPutOptions = {}): Promise<BucketObject> {
    const path = this.#path("put", key);
    const root = this.#configure();
    await mkdir(join(path, ".."), { recursive: true });
    const temporary = `${path}${TEMPORARY}${crypto.randomUUID()}`;
    const hash = createHash("md5");
    let size = 0;
    const file = await open(temporary, "w");
    try {
      const write = async (chunk: Uint8Array) => {
        hash.update(chunk);
        size += chunk.byteLength;
        await file.write(chunk);
      };
      if (value instanceof ReadableStream) {
        for await (const chunk of value as ReadableStream<Uint8Array>) await write(chunk);
      } else await write((await bytesOf(value, Infinity))!);
      await file.close();
    } catch (error) {
      await file.close().catch(() => {});
      await rm(temporary, { force: true });
      throw this.#error("put", `could not write under ${root}: ${(error as Error).message}`, error);
    }
    const sidecar: Sidecar = {
      etag: hash.digest("hex"),
      uploaded: new Date().toISOString(),
      httpMetadata: storedHttpMetadata(options.httpMetadata ?? {}),
      customMetadata: { ...options.customMetadata },
    };
    const sidecarTemporary = `${temporary}${SIDECAR}`;
    await writeFile(sidecarTemporary, JSON.stringify(sidecar));
    await rename(sidecarTemporary, `${path}${SIDECAR}`);
    await rename(temporary, path);
    return objectOf(key, size, sidecar);
  }

  async delete(keys: string | string[]): Promise<void> {
    const paths = (typeof keys === "string" ? [keys] : keys).map((key) => this.#path("delete", key));
    const root = this.#configure();
    for (const path of paths) {
      await rm(path, { force: true });
      await rm(`${path}${SIDECAR}`, { force: true });
      // Empty folders go too, up to the root, so a listing does not walk them forever.
      for (let dir = join(path, ".."); dir.startsWith(root + sep); dir = join(dir, "..")) {
        if (!(await rmdir(dir).then(() => true, () => false))) break;
      }
    }
  }

  async list(options: BucketListOptions = {}): Promise<BucketListResult> {
    const limit = options.limit ?? LOCAL_BUCKET_LIMITS.listLimit;
    if (!Number.isInteger(limit) || limit < 1 || limit > LOCAL_BUCKET_LIMITS.listLimit) {
      throw this.#error("list", `limit is ${limit}; give a whole number from 1 to ${LOCAL_BUCKET_LIMITS.listLimit}`);
    }
    const prefix = options.prefix ?? "";
    const after = options.cursor === undefined ? undefined : this.#fromCursor(options.cursor);
    const root = this.#configure();
    // Walk only below the folders the prefix names whole.
    const folders = prefix.split("/").slice(0, -1);
    const start = join(root, ...folders.map((segment) => encodeSegment(segment) + FOLDER));
    const keys = (await walk(start, folders.map((s) => s + "/").join(""))).filter((key) => key.startsWith(prefix));
    keys.sort(compareBytes);
    const entries: { key: string; prefix?: string }[] = [];
    for (const key of keys) {
      const cut = options.delimiter ? key.indexOf(options.delimiter, prefix.length) : -1;
      if (cut === -1) entries.push({ key });
      else {
        const grouped = key.slice(0, cut + options.delimiter!.length);
        if (entries.at(-1)?.prefix !== grouped) entries.push({ key: grouped, prefix: grouped });
      }
    }
    const remaining = after === undefined ? entries : entries.filter((entry) => compareBytes(entry.key, after) > 0);
    const page = remaining.slice(0, limit);
    const objects: BucketObject[] = [];
    const delimitedPrefixes: string[] = [];
    for (const entry of page) {
      if (entry.prefix !== undefined) delimitedPrefixes.push(entry.prefix);
      else {
        const described = await this.#describe(entry.key, this.#path("list", entry.key));
        if (!described) continue;
        const { key, size, etag, uploaded } = described.object;
        objects.push(bucketObject({ key, size, etag, uploaded }));
      }
    }
    if (remaining.length > limit) {
      return { objects, delimitedPrefixes, truncated: true, cursor: toCursor(page.at(-1)!.key) };
    }
    return { objects, delimitedPrefixes, truncated: false };
  }

  async #describe(key: string, path: string): Promise<{ object: BucketObject } | undefined> {
    const [info, text] = await Promise.all([
      stat(path).catch(() => undefined),
      readFile(`${path}${SIDECAR}`, "utf8").catch(() => undefined),
    ]);
    if (!info?.isFile() || text === undefined) return undefined;
    return { object: objectOf(key, info.size, JSON.parse(text) as Sidecar) };
  }

  /** The file of `key`: inside the root whatever the key holds, since every segment is encoded. */
  #path(operation: string, key: string): string {
    if (typeof key !== "string") throw this.#error(operation, "the key is not a string");
    if (utf8Length(key) > LOCAL_BUCKET_LIMITS.keyBytes) {
      throw this.#error(operation, `the key is ${utf8Length(key)} bytes; a bucket key holds at most 1024`);
    }
    const names = key.split("/").map(encodeSegment);
    // The longest name on disk is a sidecar's temporary file: the name, ~tmp, a UUID and ~meta.
    const long = names.find((name) =>
      name.length + TEMPORARY.length + 36 + SIDECAR.length > LOCAL_BUCKET_LIMITS.segmentBytes
    );
    if (long !== undefined) {
      throw this.#error(
        operation,
        `a segment of the key is ${long.length} characters once encoded for the file system; keep each part between ` +
          `slashes to at most ${
            LOCAL_BUCKET_LIMITS.segmentBytes - TEMPORARY.length - 36 - SIDECAR.length
          } once encoded (a lowercase ASCII ` +
          `character is 1, an upper-case or punctuation one 3, a non-ASCII one 6 to 12)`,
      );
    }
    const root = this.#configure();
    const path = join(root, ...names.slice(0, -1).map((name) => name + FOLDER), names.at(-1)!);
    if (!path.startsWith(root + sep)) {
      throw this.#error(operation, `the key ${JSON.stringify(key)} maps outside the bucket`);
    }
    return path;
  }

  #whole(value: number): number {
    if (!Number.isInteger(value) || value < 0) {
      throw this.#error("get", `the range holds ${value}; give whole numbers of bytes, 0 or more`);
    }
    return value;
  }

  #fromCursor(cursor: string): string {
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(
        fromBase64(cursor.replaceAll("-", "+").replaceAll("_", "/")),
      );
    } catch (cause) {
      throw this.#error("list", `the cursor ${JSON.stringify(cursor)} is not one list() returned`, cause);
    }
  }

  #configure(): string {
    if (this.#root) return this.#root;
    const variable = localBucketVariable(this.#binding);
    const dir = this.#env[variable];
    if (!dir) {
      throw new BindingError({
        kind: "bucket",
        backend: "local",
        binding: this.#binding,
        operation: "configure",
        message: `${variable} is not set; set it to the directory that holds this bucket (created when missing)`,
      });
    }
    this.#root = resolve(dir);
    return this.#root;
  }

  #error(operation: string, message: string, cause?: unknown): BindingError {
    return new BindingError({
      kind: "bucket",
      backend: "local",
      binding: this.#binding,
      operation,
      message,
      ...(cause === undefined ? {} : { cause }),
    });
  }
}

/** Every key stored under `dir`, whose folders spell `prefix`. */
async function walk(dir: string, prefix: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const keys: string[] = [];
  for (const entry of entries) {
    if (entry.isDirectory() && entry.name.endsWith(FOLDER)) {
      keys.push(...await walk(join(dir, entry.name), `${prefix}${decodeSegment(entry.name.slice(0, -1))}/`));
    } else if (entry.isFile() && !entry.name.includes("~")) {
      keys.push(prefix + decodeSegment(entry.name));
    }
  }
  return keys;
}

function objectOf(key: string, size: number, sidecar: Sidecar): BucketObject {
  const { cacheExpiry, ...http } = sidecar.httpMetadata;
  return bucketObject({
    key,
    size,
    etag: sidecar.etag,
    uploaded: new Date(sidecar.uploaded),
    httpMetadata: { ...http, ...(cacheExpiry ? { cacheExpiry: new Date(cacheExpiry) } : {}) },
    customMetadata: sidecar.customMetadata,
  });
}

function storedHttpMetadata(http: BucketHttpMetadata): Sidecar["httpMetadata"] {
  const { cacheExpiry, ...rest } = http;
  return cacheExpiry ? { ...rest, cacheExpiry: cacheExpiry.toISOString() } : rest;
}

function fieldsOf(object: BucketObject) {
  return {
    key: object.key,
    size: object.size,
    etag: object.etag,
    uploaded: object.uploaded,
    ...(object.httpMetadata ? { httpMetadata: object.httpMetadata } : {}),
    ...(object.customMetadata ? { customMetadata: object.customMetadata } : {}),
  };
}

function toCursor(key: string): string {
  return toBase64(new TextEncoder().encode(key)).replaceAll("+", "-").replaceAll("/", "_");
}
