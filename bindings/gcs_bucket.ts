/**
 * A {@linkcode Bucket} on Google Cloud Storage, over its JSON API and plain `fetch`.
 *
 * `put` of bytes, text or a `Blob` is one multipart upload (metadata and media in one request); `put` of a stream is
 * a resumable upload in parts of {@linkcode GCS_BUCKET_LIMITS.partBytes}, so at most one part is held in memory (or
 * one multipart upload when the stream ends within the first part). `get` reads the object's metadata, then its media
 * of that same generation (with `Range` for a range), streamed. `list` maps to the objects list with `prefix`,
 * `delimiter`, `maxResults` and `pageToken`; `delete` of many keys is one `DELETE` per key, eight at a time.
 *
 * Configuration, from the environment record passed in: `SLRS_<NAME>_BUCKET` (the bucket), and for tests
 * `STORAGE_EMULATOR_HOST` (an emulator; no token) or `SLRS_GCP_ENDPOINT`. On Google Cloud the token comes from the
 * metadata server (`GCE_METADATA_HOST` moves it).
 *
 * @example Point a bucket at a storage emulator
 * ```ts ignore
 * import { gcsBucket } from "./gcs_bucket.ts";
 *
 * const uploads = gcsBucket("UPLOADS", { SLRS_UPLOADS_BUCKET: "uploads", STORAGE_EMULATOR_HOST: "127.0.0.1:9023" });
 * await uploads.put("hello.txt", "hi", { httpMetadata: { contentType: "text/plain" } });
 * ```
 *
 * @module
 */

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
import { gcsBucketVariable } from "../src/binding_variables.ts";
import { bucketObject, readPart, withBody } from "./_bucket_objects.ts";
import { bytesOf, concat, type EnvRecord, utf8Length } from "./_bytes.ts";
import { requiredVariable } from "./_config.ts";
import { type GcpConfig, gcpConfig, gcpError, gcpFetch } from "./_gcp.ts";
import { contentRange, rangeHeader } from "./_http_range.ts";

export type { EnvRecord };
export type * from "../src/bindings.ts";

/**
 * Cloud Storage's limits, checked before a request, and the part size of streamed uploads (a multiple of the 256 KiB
 * a resumable upload's parts must be).
 */
export const GCS_BUCKET_LIMITS: {
  readonly keyBytes: number;
  readonly listLimit: number;
  readonly partBytes: number;
  readonly deleteConcurrency: number;
} = { keyBytes: 1024, listLimit: 1000, partBytes: 8 * 1024 * 1024, deleteConcurrency: 8 };

/**
 * The custom metadata name that holds `httpMetadata.cacheExpiry`, which Cloud Storage has no field for; it is hidden
 * from `customMetadata` and refused there.
 */
export const GCS_EXPIRES_METADATA = "slrs-expires";

/**
 * A bucket over Cloud Storage; configuration is read, and its absence reported, at the first call.
 *
 * @param binding The binding's name, e.g. `UPLOADS`.
 * @param env The environment to read configuration from.
 * @returns The bucket.
 *
 * @example Serve an object
 * ```ts ignore
 * import { gcsBucket } from "./gcs_bucket.ts";
 *
 * const uploads = gcsBucket("UPLOADS", process.env);
 * const object = await uploads.get("avatar.png");
 * ```
 */
export function gcsBucket(binding: string, env: EnvRecord): Bucket {
  return new GcsBucket(binding, env);
}

/** An object resource, as the JSON API returns it (the fields the backend reads). */
interface GcsObject {
  name: string;
  size: string;
  etag: string;
  generation: string;
  timeCreated: string;
  contentType?: string;
  contentLanguage?: string;
  contentDisposition?: string;
  contentEncoding?: string;
  cacheControl?: string;
  metadata?: Record<string, string>;
}

const HTTP_FIELDS = [
  "contentType",
  "contentLanguage",
  "contentDisposition",
  "contentEncoding",
  "cacheControl",
] as const;

class GcsBucket implements Bucket {
  readonly #target: { kind: "bucket"; backend: string; binding: string };
  readonly #env: EnvRecord;
  #config: (GcpConfig & { bucket: string }) | undefined;

  constructor(binding: string, env: EnvRecord) {
    this.#target = { kind: "bucket", backend: "gcs", binding };
    this.#env = env;
  }

  async head(key: string): Promise<BucketObject | null> {
    this.#checkKey("head", key);
    const resource = await this.#resource("head", key);
    return resource && describe(resource);
  }

  async get(key: string, options: BucketGetOptions = {}): Promise<BucketObjectBody | null> {
    this.#checkKey("get", key);
    let range: string | undefined;
    if (options.range) {
      const header = rangeHeader(options.range);
      if ("invalid" in header) {
        throw this.#error("get", `the range ${JSON.stringify(options.range)} is invalid: ${header.invalid}`);
      }
      range = header.header;
    }
    const resource = await this.#resource("get", key);
    if (!resource) return null;
    const config = this.#configure();
    const url = `${this.#objectUrl(key)}?alt=media&generation=${resource.generation}`;
    const response = await gcpFetch(config, this.#target, "get", url, range ? { headers: { range } } : {});
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    if (!response.ok) throw await gcpError(this.#target, "get", "Cloud Storage", response);
    const covered = response.status === 206 ? contentRange(response.headers.get("content-range")) : undefined;
    const described = describe(resource, covered);
    return withBody(described, response.body ?? new Blob([]).stream());
  }

  async put(key: string, value: BucketValue, options: BucketPutOptions = {}): Promise<BucketObject> {
    this.#checkKey("put", key);
    const resource = this.#metadata(key, options);
    if (value instanceof ReadableStream) return await this.#putStream(resource, value);
    const bytes = (await bytesOf(value, Infinity))!;
    return describe(await this.#upload(resource, bytes));
  }

  async delete(keys: string | string[]): Promise<void> {
    const list = typeof keys === "string" ? [keys] : [...keys];
    for (const key of list) this.#checkKey("delete", key);
    const config = list.length > 0 ? this.#configure() : undefined;
    for (let i = 0; i < list.length; i += GCS_BUCKET_LIMITS.deleteConcurrency) {
      await Promise.all(
        list.slice(i, i + GCS_BUCKET_LIMITS.deleteConcurrency).map(async (key) => {
          const response = await gcpFetch(config!, this.#target, "delete", this.#objectUrl(key), { method: "DELETE" });
          if (!response.ok && response.status !== 404) {
            throw await gcpError(this.#target, "delete", "Cloud Storage", response);
          }
          await response.body?.cancel();
        }),
      );
    }
  }

  async list(options: BucketListOptions = {}): Promise<BucketListResult> {
    const limit = options.limit ?? GCS_BUCKET_LIMITS.listLimit;
    if (!Number.isInteger(limit) || limit < 1 || limit > GCS_BUCKET_LIMITS.listLimit) {
      throw this.#error("list", `limit is ${limit}; give a whole number from 1 to ${GCS_BUCKET_LIMITS.listLimit}`);
    }
    const config = this.#configure();
    const query = new URLSearchParams({ maxResults: String(limit) });
    if (options.prefix) query.set("prefix", options.prefix);
    if (options.delimiter) query.set("delimiter", options.delimiter);
    if (options.cursor) query.set("pageToken", options.cursor);
    const url = `${config.endpoint}/storage/v1/b/${encodeURIComponent(config.bucket)}/o?${query}`;
    const response = await gcpFetch(config, this.#target, "list", url);
    if (!response.ok) throw await this.#failure("list", response);
    const page = await response.json() as { items?: GcsObject[]; prefixes?: string[]; nextPageToken?: string };
    const objects = (page.items ?? []).map((item) => describe(item, undefined, false));
    const delimitedPrefixes = page.prefixes ?? [];
    if (page.nextPageToken) return { objects, delimitedPrefixes, truncated: true, cursor: page.nextPageToken };
    return { objects, delimitedPrefixes, truncated: false };
  }

  async #resource(operation: string, key: string): Promise<GcsObject | null> {
    const config = this.#configure();
    const response = await gcpFetch(config, this.#target, operation, this.#objectUrl(key));
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    if (!response.ok) throw await this.#failure(operation, response);
    return await response.json() as GcsObject;
  }

  /** One multipart upload: the metadata as JSON, then the media, in a `multipart/related` body. */
  async #upload(resource: Record<string, unknown>, bytes: Uint8Array<ArrayBuffer>): Promise<GcsObject> {
    const config = this.#configure();
    const boundary = `slrs-${crypto.randomUUID()}`;
    const media = String(resource.contentType ?? "application/octet-stream");
    const head = `--${boundary}\r\ncontent-type: application/json; charset=UTF-8\r\n\r\n${JSON.stringify(resource)}` +
      `\r\n--${boundary}\r\ncontent-type: ${media}\r\n\r\n`;
    const tail = `\r\n--${boundary}--\r\n`;
    const encoder = new TextEncoder();
    const parts = [encoder.encode(head), bytes, encoder.encode(tail)];
    const body = concat(parts, parts.reduce((n, part) => n + part.byteLength, 0));
    const url = `${config.endpoint}/upload/storage/v1/b/${encodeURIComponent(config.bucket)}/o?uploadType=multipart`;
    const response = await gcpFetch(config, this.#target, "put", url, {
      method: "POST",
      headers: { "content-type": `multipart/related; boundary=${boundary}` },
      body,
    });
    if (!response.ok) throw await this.#failure("put", response);
    return await response.json() as GcsObject;
  }

  /** A resumable upload, one part at a time; a stream that ends within the first part is one multipart upload. */
  async #putStream(resource: Record<string, unknown>, stream: ReadableStream<Uint8Array>): Promise<BucketObject> {
    const reader = stream.getReader();
    const size = GCS_BUCKET_LIMITS.partBytes;
    let part = await readPart(reader, size);
    if (part.done) return describe(await this.#upload(resource, part.bytes));
    const config = this.#configure();
    const start = `${config.endpoint}/upload/storage/v1/b/${encodeURIComponent(config.bucket)}/o?uploadType=resumable`;
    const opened = await gcpFetch(config, this.#target, "put", start, {
      method: "POST",
      headers: { "content-type": "application/json; charset=UTF-8" },
      body: JSON.stringify(resource),
    });
    if (!opened.ok) {
      await reader.cancel();
      throw await this.#failure("put", opened);
    }
    await opened.body?.cancel();
    const session = opened.headers.get("location");
    if (!session) throw this.#error("put", "Cloud Storage opened a resumable upload without a Location");
    let offset = 0;
    let carry = new Uint8Array();
    for (;;) {
      // A part is a whole number of chunks; what a chunk left over starts the next part.
      const bytes = carry.byteLength
        ? concat([carry, part.bytes], carry.byteLength + part.bytes.byteLength)
        : part.bytes;
      const last = part.done;
      const length = last ? bytes.byteLength : bytes.byteLength - (bytes.byteLength % (256 * 1024));
      const chunk = bytes.subarray(0, length);
      carry = bytes.slice(length);
      const total = last ? String(offset + length) : "*";
      const range = length > 0 ? `bytes ${offset}-${offset + length - 1}/${total}` : `bytes */${total}`;
      const response = await gcpFetch(config, this.#target, "put", session, {
        method: "PUT",
        headers: { "content-range": range },
        body: chunk.slice(),
      });
      if (last) {
        if (!response.ok) throw await this.#failure("put", response);
        return describe(await response.json() as GcsObject);
      }
      if (response.status !== 308) {
        await reader.cancel();
        await fetch(session, { method: "DELETE" }).then((r) => r.body?.cancel()).catch(() => {});
        throw await this.#failure("put", response);
      }
      await response.body?.cancel();
      offset += length;
      part = await readPart(reader, size);
    }
  }

  #metadata(key: string, options: BucketPutOptions): Record<string, unknown> {
    const resource: Record<string, unknown> = { name: key };
    const http = options.httpMetadata ?? {};
    for (const field of HTTP_FIELDS) if (http[field] !== undefined) resource[field] = http[field];
    const custom: Record<string, string> = { ...options.customMetadata };
    if (GCS_EXPIRES_METADATA in custom) {
      throw this.#error("put", `the custom metadata name ${GCS_EXPIRES_METADATA} is reserved for cacheExpiry`);
    }
    if (http.cacheExpiry) custom[GCS_EXPIRES_METADATA] = http.cacheExpiry.toUTCString();
    if (Object.keys(custom).length > 0) resource.metadata = custom;
    return resource;
  }

  #objectUrl(key: string): string {
    const config = this.#configure();
    return `${config.endpoint}/storage/v1/b/${encodeURIComponent(config.bucket)}/o/${encodeURIComponent(key)}`;
  }

  #checkKey(operation: string, key: string): void {
    if (typeof key !== "string" || key === "" || key === "." || key === ".." || /[\r\n]/.test(key)) {
      throw this.#error(
        operation,
        `the key ${JSON.stringify(key)} is not allowed; Cloud Storage names are non-empty, not . or .., ` +
          `and hold no carriage return or line feed`,
      );
    }
    if (utf8Length(key) > GCS_BUCKET_LIMITS.keyBytes) {
      throw this.#error(operation, `the key is ${utf8Length(key)} bytes of UTF-8; Cloud Storage holds at most 1024`);
    }
  }

  #configure(): GcpConfig & { bucket: string } {
    if (this.#config) return this.#config;
    const bucket = requiredVariable(
      this.#target,
      this.#env,
      gcsBucketVariable(this.#target.binding),
      "the name of the Cloud Storage bucket of this binding",
    );
    this.#config = { ...gcpConfig(this.#target, "storage", this.#env), bucket };
    return this.#config;
  }

  async #failure(operation: string, response: Response): Promise<BindingError> {
    const hint = response.status === 403 || response.status === 404
      ? `Check that ${gcsBucketVariable(this.#target.binding)} names a bucket the function's service account can use`
      : "";
    return await gcpError(this.#target, operation, "Cloud Storage", response, hint);
  }

  #error(operation: string, message: string): BindingError {
    return new BindingError({ ...this.#target, operation, message });
  }
}

function describe(resource: GcsObject, range?: { offset: number; length: number }, full = true): BucketObject {
  if (!full) {
    return bucketObject({
      key: resource.name,
      size: Number(resource.size),
      etag: resource.etag,
      uploaded: new Date(resource.timeCreated),
    });
  }
  const httpMetadata: BucketHttpMetadata = {};
  for (const field of HTTP_FIELDS) if (resource[field] !== undefined) httpMetadata[field] = resource[field];
  const customMetadata: Record<string, string> = { ...resource.metadata };
  const expires = customMetadata[GCS_EXPIRES_METADATA];
  if (expires !== undefined) {
    httpMetadata.cacheExpiry = new Date(expires);
    delete customMetadata[GCS_EXPIRES_METADATA];
  }
  return bucketObject({
    key: resource.name,
    size: Number(resource.size),
    etag: resource.etag,
    uploaded: new Date(resource.timeCreated),
    httpMetadata,
    customMetadata,
    ...(range ? { range } : {}),
  });
}
