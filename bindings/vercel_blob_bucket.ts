/**
 * A {@linkcode Bucket} on Vercel Blob, over the REST API `@vercel/blob` speaks and plain `fetch`.
 *
 * Every object is put under exactly its key (`x-add-random-suffix: 0`, `x-allow-overwrite: 1`), so keys mean what
 * they mean on R2 and S3. `put` is one `PUT` of the body (a stream is sent as it is read), then a metadata read for
 * the size and etag; `head` is the API's metadata read; `get` reads the metadata, then the blob itself with the token
 * (and `cache=0`, so an overwrite is read back at once), with `Range` for a range; `delete` posts the URLs to
 * delete; `list` pages with `prefix`, `limit` and `cursor`, in `folded` mode for the `/` delimiter. Vercel Blob keeps
 * no custom metadata and sets `Content-Disposition` itself, so those are refused (limit 25 of docs/bindings.md), as
 * is a `Cache-Control` other than `max-age=<seconds>`.
 *
 * Configuration, from the environment record passed in: `SLRS_<NAME>_BLOB_TOKEN`, else `BLOB_READ_WRITE_TOKEN`
 * (what connecting a Blob store to a Vercel project sets); `SLRS_<NAME>_BLOB_ACCESS`, `private` (the default: reads
 * need the token, as on R2 and S3) or `public` (anyone with an object's URL can read it); and for tests
 * `VERCEL_BLOB_API_URL` (the API) and `SLRS_VERCEL_BLOB_URL` (where blobs are read, instead of
 * `https://<store>.public.blob.vercel-storage.com`).
 *
 * @example Store an upload
 * ```ts ignore
 * import { vercelBlobBucket } from "./vercel_blob_bucket.ts";
 *
 * const uploads = vercelBlobBucket("UPLOADS", process.env);
 * await uploads.put("avatars/ada.png", request.body, { httpMetadata: { contentType: "image/png" } });
 * ```
 *
 * @module
 */

import {
  BindingError,
  type Bucket,
  type BucketGetOptions,
  type BucketListOptions,
  type BucketListResult,
  type BucketObject,
  type BucketObjectBody,
  type BucketPutOptions,
  type BucketValue,
} from "../src/bindings.ts";
import { bucketObject, withBody } from "./_bucket_objects.ts";
import { bytesOf, type EnvRecord } from "./_bytes.ts";
import { contentRange, rangeHeader } from "./_http_range.ts";
import { fetchWithRetry, type RetryTarget } from "./_retry.ts";

export type { EnvRecord };
export type * from "../src/bindings.ts";

/** Vercel Blob's limits, checked before a request: `@vercel/blob`'s 950-character pathnames, and list pages. */
export const VERCEL_BLOB_LIMITS: {
  readonly keyLength: number;
  readonly listLimit: number;
  readonly deleteBatch: number;
  readonly minCacheSeconds: number;
} = { keyLength: 950, listLimit: 1000, deleteBatch: 1000, minCacheSeconds: 60 };

/** The API version sent in `x-api-version`, the one current `@vercel/blob` clients send. */
export const VERCEL_BLOB_API_VERSION = "12";

/**
 * A bucket over a Vercel Blob store; configuration is read, and its absence reported, at the first call.
 *
 * @param binding The binding's name, e.g. `UPLOADS`.
 * @param env The environment to read configuration from.
 * @returns The bucket.
 *
 * @example Serve an object
 * ```ts ignore
 * import { vercelBlobBucket } from "./vercel_blob_bucket.ts";
 *
 * const object = await vercelBlobBucket("UPLOADS", process.env).get("avatars/ada.png");
 * ```
 */
export function vercelBlobBucket(binding: string, env: EnvRecord): Bucket {
  return new VercelBlobBucket(binding, env);
}

interface BlobResource {
  url: string;
  pathname: string;
  size: number;
  uploadedAt: string;
  etag?: string;
  contentType?: string;
  cacheControl?: string;
}

interface Config {
  token: string;
  api: string;
  blobs: string;
  access: "private" | "public";
}

class VercelBlobBucket implements Bucket {
  readonly #target: RetryTarget;
  readonly #env: EnvRecord;
  #config: Config | undefined;

  constructor(binding: string, env: EnvRecord) {
    this.#target = { kind: "bucket", backend: "vercel-blob", binding };
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
    const url = new URL(this.#blobUrl(key));
    url.searchParams.set("cache", "0");
    const response = await this.#send(
      "get",
      () =>
        new Request(url, {
          headers: { authorization: `Bearer ${this.#configure().token}`, ...(range ? { range } : {}) },
        }),
    );
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    if (!response.ok) throw await this.#failure("get", response);
    const covered = response.status === 206 ? contentRange(response.headers.get("content-range")) : undefined;
    return withBody(describe(resource, covered), response.body ?? new Blob([]).stream());
  }

  async put(key: string, value: BucketValue, options: BucketPutOptions = {}): Promise<BucketObject> {
    this.#checkKey("put", key);
    const headers = this.#putHeaders(options);
    const config = this.#configure();
    const url = `${config.api}/?${new URLSearchParams({ pathname: key })}`;
    let response: Response;
    if (value instanceof ReadableStream) {
      // A stream cannot be replayed, so it is sent once: a throttled streamed put fails rather than retries.
      response = await fetch(url, { method: "PUT", headers, body: value, duplex: "half" } as RequestInit);
    } else {
      const body = (await bytesOf(value, Infinity))!;
      response = await this.#send("put", () => new Request(url, { method: "PUT", headers, body }));
    }
    if (!response.ok) throw await this.#failure("put", response);
    await response.body?.cancel();
    const resource = await this.#resource("put", key);
    if (!resource) throw this.#error("put", "Vercel Blob accepted the object but does not describe it");
    return describe(resource);
  }

  async delete(keys: string | string[]): Promise<void> {
    const list = typeof keys === "string" ? [keys] : [...keys];
    for (const key of list) this.#checkKey("delete", key);
    for (let i = 0; i < list.length; i += VERCEL_BLOB_LIMITS.deleteBatch) {
      const urls = list.slice(i, i + VERCEL_BLOB_LIMITS.deleteBatch).map((key) => this.#blobUrl(key));
      const response = await this.#api("delete", "/delete", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ urls }),
      });
      if (!response.ok) throw await this.#failure("delete", response);
      await response.body?.cancel();
    }
  }

  async list(options: BucketListOptions = {}): Promise<BucketListResult> {
    const limit = options.limit ?? VERCEL_BLOB_LIMITS.listLimit;
    if (!Number.isInteger(limit) || limit < 1 || limit > VERCEL_BLOB_LIMITS.listLimit) {
      throw this.#error("list", `limit is ${limit}; give a whole number from 1 to ${VERCEL_BLOB_LIMITS.listLimit}`);
    }
    if (options.delimiter !== undefined && options.delimiter !== "/") {
      throw this.#error("list", `the delimiter is ${JSON.stringify(options.delimiter)}; Vercel Blob folds on / only`);
    }
    const query = new URLSearchParams({ limit: String(limit) });
    if (options.prefix) query.set("prefix", options.prefix);
    if (options.cursor) query.set("cursor", options.cursor);
    if (options.delimiter) query.set("mode", "folded");
    const response = await this.#api("list", `?${query}`, {});
    if (!response.ok) throw await this.#failure("list", response);
    const page = await response.json() as {
      blobs: BlobResource[];
      folders?: string[];
      cursor?: string;
      hasMore: boolean;
    };
    const objects = page.blobs.map((blob) => describe(blob, undefined, false));
    const delimitedPrefixes = page.folders ?? [];
    if (page.hasMore && page.cursor) return { objects, delimitedPrefixes, truncated: true, cursor: page.cursor };
    return { objects, delimitedPrefixes, truncated: false };
  }

  async #resource(operation: string, key: string): Promise<BlobResource | null> {
    const response = await this.#api(operation, `?${new URLSearchParams({ url: this.#blobUrl(key) })}`, {});
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    if (!response.ok) throw await this.#failure(operation, response);
    return await response.json() as BlobResource;
  }

  #putHeaders(options: BucketPutOptions): Record<string, string> {
    const custom = Object.keys(options.customMetadata ?? {});
    if (custom.length > 0) {
      throw this.#error("put", `Vercel Blob keeps no custom metadata (given ${custom.join(", ")}); store it elsewhere`);
    }
    const http = options.httpMetadata ?? {};
    const unsupported = (["contentLanguage", "contentDisposition", "contentEncoding", "cacheExpiry"] as const)
      .filter((field) => http[field] !== undefined);
    if (unsupported.length > 0) {
      throw this.#error(
        "put",
        `Vercel Blob keeps contentType and a cacheControl max-age only; it cannot store ${unsupported.join(", ")}`,
      );
    }
    const config = this.#configure();
    const headers: Record<string, string> = {
      authorization: `Bearer ${config.token}`,
      "x-api-version": VERCEL_BLOB_API_VERSION,
      "x-vercel-blob-access": config.access,
      "x-add-random-suffix": "0",
      "x-allow-overwrite": "1",
    };
    if (http.contentType) headers["x-content-type"] = http.contentType;
    if (http.cacheControl !== undefined) {
      const seconds = http.cacheControl.match(/^\s*max-age=(\d+)\s*$/)?.[1];
      if (seconds === undefined || Number(seconds) < VERCEL_BLOB_LIMITS.minCacheSeconds) {
        throw this.#error(
          "put",
          `cacheControl is ${JSON.stringify(http.cacheControl)}; Vercel Blob takes only max-age=<seconds>, at least ` +
            `${VERCEL_BLOB_LIMITS.minCacheSeconds}`,
        );
      }
      headers["x-cache-control-max-age"] = seconds;
    }
    return headers;
  }

  #api(operation: string, path: string, init: RequestInit): Promise<Response> {
    const config = this.#configure();
    return this.#send(operation, () => {
      const headers = new Headers(init.headers);
      headers.set("authorization", `Bearer ${config.token}`);
      headers.set("x-api-version", VERCEL_BLOB_API_VERSION);
      return new Request(`${config.api}${path}`, { ...init, headers });
    });
  }

  #send(operation: string, build: () => Request): Promise<Response> {
    return fetchWithRetry(
      this.#target,
      operation,
      build,
      (response) => Promise.resolve(response.status === 429 || response.status >= 500),
    );
  }

  #blobUrl(key: string): string {
    return `${this.#configure().blobs}/${key.split("/").map(encodeURIComponent).join("/")}`;
  }

  #checkKey(operation: string, key: string): void {
    if (typeof key !== "string" || key === "" || key.endsWith("/") || key.startsWith("/")) {
      throw this.#error(
        operation,
        `the key ${JSON.stringify(key)} is not allowed; Vercel Blob pathnames are non-empty and neither start nor ` +
          `end with / (one that ends with / is a folder)`,
      );
    }
    if (key.length > VERCEL_BLOB_LIMITS.keyLength) {
      throw this.#error(operation, `the key is ${key.length} characters; Vercel Blob holds at most 950`);
    }
  }

  #configure(): Config {
    if (this.#config) return this.#config;
    const binding = this.#target.binding;
    const variable = this.#env[`SLRS_${binding}_BLOB_TOKEN`] ? `SLRS_${binding}_BLOB_TOKEN` : "BLOB_READ_WRITE_TOKEN";
    const token = this.#env[variable];
    if (!token) {
      throw this.#error(
        "configure",
        "BLOB_READ_WRITE_TOKEN is not set; connect a Blob store to the Vercel project (its Storage tab sets it), " +
          `or set SLRS_${binding}_BLOB_TOKEN for this binding alone.`,
      );
    }
    const store = token.split("_")[3];
    if (!token.startsWith("vercel_blob_rw_") || !store) {
      throw this.#error("configure", `${variable} is not a read-write token (vercel_blob_rw_<store>_…)`);
    }
    const access = this.#env[`SLRS_${binding}_BLOB_ACCESS`] || "private";
    if (access !== "private" && access !== "public") {
      throw this.#error(
        "configure",
        `SLRS_${binding}_BLOB_ACCESS is ${JSON.stringify(access)}; give private or public`,
      );
    }
    const api = (this.#env.VERCEL_BLOB_API_URL || "https://vercel.com/api/blob").replace(/\/$/, "");
    const blobs = (this.#env.SLRS_VERCEL_BLOB_URL || `https://${store.toLowerCase()}.public.blob.vercel-storage.com`)
      .replace(/\/$/, "");
    this.#config = { token, api, blobs, access };
    return this.#config;
  }

  async #failure(operation: string, response: Response): Promise<BindingError> {
    const text = await response.text();
    let detail = text.slice(0, 300);
    try {
      const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
      if (body.error) detail = `${body.error.code ?? ""} ${body.error.message ?? ""}`.trim();
    } catch {
      // not JSON: keep the text
    }
    const hint = response.status === 401 || response.status === 403
      ? ". Check BLOB_READ_WRITE_TOKEN: it must be the read-write token of this binding's store"
      : "";
    return new BindingError({
      ...this.#target,
      operation,
      message: `Vercel Blob answered ${response.status}: ${detail}${hint}`,
      cause: text,
    });
  }

  #error(operation: string, message: string): BindingError {
    return new BindingError({ ...this.#target, operation, message });
  }
}

function describe(resource: BlobResource, range?: { offset: number; length: number }, full = true): BucketObject {
  const etag = (resource.etag ?? `${Date.parse(resource.uploadedAt).toString(16)}-${resource.size}`).replace(
    /^"|"$/g,
    "",
  );
  const fields = { key: resource.pathname, size: resource.size, etag, uploaded: new Date(resource.uploadedAt) };
  if (!full) return bucketObject(fields);
  return bucketObject({
    ...fields,
    httpMetadata: {
      ...(resource.contentType ? { contentType: resource.contentType } : {}),
      ...(resource.cacheControl ? { cacheControl: resource.cacheControl } : {}),
    },
    customMetadata: {},
    ...(range ? { range } : {}),
  });
}
