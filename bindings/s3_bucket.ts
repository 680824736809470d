/**
 * A {@linkcode Bucket} on Amazon S3 (or any S3-compatible service) over SigV4-signed `fetch`.
 *
 * Bodies stream both ways: `get` hands over the response body as it arrives, and `put` of a stream sends it in
 * parts of {@linkcode S3_BUCKET_LIMITS.partBytes} (one `PutObject` when it fits in one part, a multipart upload
 * otherwise), so at most one part is held in memory. S3 needs each request's length up front, which a stream of
 * unknown length cannot give; parts are how the AWS SDK's own `Upload` streams too.
 *
 * Configuration, from the environment record passed in: `SLRS_<NAME>_BUCKET` (the bucket), `AWS_REGION`,
 * `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` (Lambda sets those four) and optionally
 * `AWS_ENDPOINT_URL_S3` (a local server such as s3rver, or an S3-compatible service; requests then use path-style
 * URLs, `<endpoint>/<bucket>/<key>`, instead of `https://<bucket>.s3.<region>.amazonaws.com/<key>`).
 *
 * @example Point a bucket at a local S3
 * ```ts ignore
 * import { s3Bucket } from "./s3_bucket.ts";
 *
 * const uploads = s3Bucket("UPLOADS", {
 *   SLRS_UPLOADS_BUCKET: "uploads",
 *   AWS_REGION: "us-east-1",
 *   AWS_ACCESS_KEY_ID: "S3RVER",
 *   AWS_SECRET_ACCESS_KEY: "S3RVER",
 *   AWS_ENDPOINT_URL_S3: "http://127.0.0.1:4568",
 * });
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
  type BucketRange,
  type BucketValue,
} from "../src/bindings.ts";
import {
  type AwsConfig,
  awsConfig,
  type AwsResponse,
  type AwsTarget,
  type AwsTransport,
  bytesOf,
  type EnvRecord,
  fetchTransport,
  required,
  send,
  toBase64,
  utf8Length,
} from "./_aws.ts";
import { blocks, escapeXml, field } from "./_xml.ts";
import { bucketObject, HTTP_METADATA_HEADERS, readPart, unquote, withBody } from "./_bucket_objects.ts";
import { s3BucketVariable } from "../src/binding_variables.ts";
import { contentRange, rangeHeader } from "./_http_range.ts";

export type { AwsTransport, EnvRecord };
export type * from "../src/bindings.ts";

/** S3's limits, checked before a request, and the part size of streamed uploads. */
export const S3_BUCKET_LIMITS: {
  readonly keyBytes: number;
  readonly listLimit: number;
  readonly deleteBatch: number;
  readonly partBytes: number;
} = { keyBytes: 1024, listLimit: 1000, deleteBatch: 1000, partBytes: 8 * 1024 * 1024 };

/**
 * A bucket over S3; configuration is read, and its absence reported, at the first call.
 *
 * @param binding The binding's name, e.g. `UPLOADS`.
 * @param env The environment to read configuration from.
 * @param transport What sends the requests: `fetch` unless given (the Node entry `build` generates calls
 *   {@linkcode s3BucketOver} with `nodeHttpTransport` instead, see `node_http_transport.ts`).
 * @returns The bucket.
 *
 * @example Serve an object
 * ```ts ignore
 * import { s3Bucket } from "./s3_bucket.ts";
 *
 * const uploads = s3Bucket("UPLOADS", process.env);
 * const object = await uploads.get("avatar.png");
 * ```
 */
export function s3Bucket(binding: string, env: EnvRecord, transport: AwsTransport = fetchTransport): Bucket {
  return s3BucketOver(binding, env, transport);
}

/**
 * {@linkcode s3Bucket} over the transport given, which has no default: the entry `build` writes for Node passes
 * `nodeHttpTransport` to this one, so that the `fetch` transport, which that bundle never uses, stays out of it.
 *
 * @param binding The binding's name, e.g. `UPLOADS`.
 * @param env The environment to read configuration from.
 * @param transport What sends the requests.
 * @returns A bucket.
 *
 * @example On Node, over node:http
 * ```ts ignore
 * import { s3BucketOver } from "./s3_bucket.ts";
 * import { viaNodeHttp } from "./node_http_transport.ts";
 *
 * const binding = viaNodeHttp(s3BucketOver)("UPLOADS", process.env);
 * ```
 */
export function s3BucketOver(binding: string, env: EnvRecord, transport: AwsTransport): Bucket {
  return new S3Bucket(binding, env, transport);
}

class S3Bucket implements Bucket {
  readonly #target: AwsTarget;
  readonly #env: EnvRecord;
  readonly #transport: AwsTransport;
  #config: (AwsConfig & { bucket: string }) | undefined;

  constructor(binding: string, env: EnvRecord, transport: AwsTransport) {
    this.#target = { kind: "bucket", backend: "s3", binding };
    this.#env = env;
    this.#transport = transport;
  }

  async head(key: string): Promise<BucketObject | null> {
    this.#checkKey("head", key);
    const response = await this.#request("head", "HEAD", key);
    if (response.status === 404) return null;
    await this.#ensureOk("head", response);
    return describe(key, response.headers);
  }

  async get(key: string, options: BucketGetOptions = {}): Promise<BucketObjectBody | null> {
    this.#checkKey("get", key);
    const headers: Record<string, string> = {};
    if (options.range) headers.range = this.#rangeHeader(options.range);
    const response = await this.#request("get", "GET", key, { headers, stream: true });
    if (response.status === 404) {
      await response.text();
      return null;
    }
    await this.#ensureOk("get", response);
    return withBody(describe(key, response.headers), response.body!);
  }

  async put(key: string, value: BucketValue, options: BucketPutOptions = {}): Promise<BucketObject> {
    this.#checkKey("put", key);
    const headers = this.#putHeaders(options);
    if (value instanceof ReadableStream) return await this.#putStream(key, value, headers);
    const bytes = (await bytesOf(value, Infinity))!;
    const response = await this.#request("put", "PUT", key, { headers, body: bytes });
    await this.#ensureOk("put", response);
    return this.#written(key, bytes.byteLength, response.headers, options);
  }

  async delete(keys: string | string[]): Promise<void> {
    if (typeof keys === "string") {
      this.#checkKey("delete", keys);
      const response = await this.#request("delete", "DELETE", keys);
      if (response.status !== 404) await this.#ensureOk("delete", response);
      return;
    }
    for (const key of keys) this.#checkKey("delete", key);
    for (let i = 0; i < keys.length; i += S3_BUCKET_LIMITS.deleteBatch) {
      await this.#deleteMany(keys.slice(i, i + S3_BUCKET_LIMITS.deleteBatch));
    }
  }

  async list(options: BucketListOptions = {}): Promise<BucketListResult> {
    const limit = options.limit ?? S3_BUCKET_LIMITS.listLimit;
    if (!Number.isInteger(limit) || limit < 1 || limit > S3_BUCKET_LIMITS.listLimit) {
      throw this.#error("list", `limit is ${limit}; give a whole number from 1 to ${S3_BUCKET_LIMITS.listLimit}`);
    }
    const query = new URLSearchParams({ "list-type": "2", "max-keys": String(limit) });
    if (options.prefix) query.set("prefix", options.prefix);
    if (options.delimiter) query.set("delimiter", options.delimiter);
    if (options.cursor) query.set("continuation-token", options.cursor);
    const response = await this.#request("list", "GET", "", { query });
    await this.#ensureOk("list", response);
    const xml = await response.text();
    const objects = blocks(xml, "Contents").map((block): BucketObject => {
      const etag = unquote(field(block, "ETag") ?? "");
      return bucketObject({
        key: field(block, "Key") ?? "",
        size: Number(field(block, "Size") ?? 0),
        etag,
        uploaded: new Date(field(block, "LastModified") ?? 0),
      });
    });
    const delimitedPrefixes = blocks(xml, "CommonPrefixes").map((block) => field(block, "Prefix") ?? "");
    const cursor = field(xml, "NextContinuationToken");
    if (field(xml, "IsTruncated") === "true" && cursor) {
      return { objects, delimitedPrefixes, truncated: true, cursor };
    }
    return { objects, delimitedPrefixes, truncated: false };
  }

  async #putStream(key: string, stream: ReadableStream, headers: Record<string, string>): Promise<BucketObject> {
    const reader = (stream as ReadableStream<Uint8Array>).getReader();
    let part = await readPart(reader, S3_BUCKET_LIMITS.partBytes);
    if (part.done) {
      const response = await this.#request("put", "PUT", key, { headers, body: part.bytes });
      await this.#ensureOk("put", response);
      return this.#written(key, part.bytes.byteLength, response.headers, { headers });
    }
    const created = await this.#request("put", "POST", key, { headers, query: new URLSearchParams("uploads=") });
    await this.#ensureOk("put", created);
    const uploadId = field(await created.text(), "UploadId");
    if (!uploadId) throw this.#error("put", "S3 started a multipart upload without an UploadId");
    const etags: string[] = [];
    let size = 0;
    try {
      for (let number = 1;; number++) {
        const query = new URLSearchParams({ partNumber: String(number), uploadId });
        const uploaded = await this.#request("put", "PUT", key, { query, body: part.bytes });
        await this.#ensureOk("put", uploaded);
        etags.push(uploaded.headers.etag ?? "");
        size += part.bytes.byteLength;
        if (part.done) break;
        part = await readPart(reader, S3_BUCKET_LIMITS.partBytes);
        if (part.bytes.byteLength === 0 && part.done) break;
      }
      const body = `<CompleteMultipartUpload>${
        etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${escapeXml(etag)}</ETag></Part>`)
          .join("")
      }</CompleteMultipartUpload>`;
      const completed = await this.#request("put", "POST", key, {
        query: new URLSearchParams({ uploadId }),
        headers: { "content-type": "application/xml" },
        body,
      });
      await this.#ensureOk("put", completed);
      // S3 can answer 200 and still fail the completion, with an <Error> body.
      const result = await completed.text();
      if (result.includes("<Error>")) {
        throw this.#error("put", `S3 did not complete the upload: ${result.slice(0, 300)}`);
      }
      const etag = unquote(field(result, "ETag") ?? "");
      return bucketObject({ key, size, etag, uploaded: new Date(), ...this.#metadataOf(headers) });
    } catch (error) {
      await reader.cancel().catch(() => {});
      await this.#request("put", "DELETE", key, { query: new URLSearchParams({ uploadId }) }).catch(() => {});
      throw error;
    }
  }

  async #deleteMany(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const body = new TextEncoder().encode(
      `<Delete><Quiet>true</Quiet>${
        keys.map((key) => `<Object><Key>${escapeXml(key)}</Key></Object>`).join("")
      }</Delete>`,
    );
    // DeleteObjects must carry a checksum; SHA-256 is the one Web Crypto has (MD5 is not in it).
    const checksum = toBase64(new Uint8Array(await crypto.subtle.digest("SHA-256", body)));
    const response = await this.#request("delete", "POST", "", {
      query: new URLSearchParams("delete="),
      headers: {
        "content-type": "application/xml",
        "x-amz-sdk-checksum-algorithm": "SHA256",
        "x-amz-checksum-sha256": checksum,
      },
      body,
    });
    await this.#ensureOk("delete", response);
    const errors = blocks(await response.text(), "Error");
    if (errors.length > 0) {
      const first = errors[0]!;
      throw this.#error(
        "delete",
        `S3 did not delete ${errors.length} of ${keys.length} objects; the first, ${
          JSON.stringify(field(first, "Key"))
        }: ${field(first, "Code")} ${field(first, "Message")}`,
      );
    }
  }

  #written(
    key: string,
    size: number,
    headers: Readonly<Record<string, string>>,
    options: BucketPutOptions | { headers: Record<string, string> },
  ) {
    const etag = unquote(headers.etag ?? "");
    const metadata = "headers" in options ? this.#metadataOf(options.headers) : metadataFields(options);
    return bucketObject({ key, size, etag, uploaded: new Date(headers.date ?? Date.now()), ...metadata });
  }

  #metadataOf(headers: Record<string, string>) {
    return {
      httpMetadata: httpMetadataOf(headers),
      customMetadata: customMetadataOf(headers),
    };
  }

  #putHeaders(options: BucketPutOptions): Record<string, string> {
    const headers: Record<string, string> = Object.create(null);
    const http = options.httpMetadata ?? {};
    for (const [field, header] of Object.entries(HTTP_METADATA_HEADERS)) {
      const value = http[field as keyof typeof HTTP_METADATA_HEADERS];
      if (value !== undefined) headers[header] = value;
    }
    if (http.cacheExpiry) headers.expires = http.cacheExpiry.toUTCString();
    for (const [name, value] of Object.entries(options.customMetadata ?? {})) {
      if (!/^[a-z0-9_-]+$/.test(name)) {
        throw this.#error(
          "put",
          `the custom metadata name ${JSON.stringify(name)} does not survive S3 (which lowercases names and allows ` +
            `only header characters); use lowercase letters, digits, - and _`,
        );
      }
      if (!/^[\x20-\x7e]*$/.test(value)) {
        throw this.#error(
          "put",
          `the custom metadata value of ${name} holds characters outside printable ASCII, which S3 headers ` +
            `cannot carry; encode it (e.g. with encodeURIComponent)`,
        );
      }
      headers[`x-amz-meta-${name}`] = value;
    }
    return headers;
  }

  #rangeHeader(range: BucketRange): string {
    const header = rangeHeader(range);
    if ("header" in header) return header.header;
    throw this.#error("get", `the range ${JSON.stringify(range)} is invalid: ${header.invalid}`);
  }

  #checkKey(operation: string, key: string): void {
    if (typeof key !== "string" || key === "") throw this.#error(operation, "the key must be a non-empty string");
    const size = utf8Length(key);
    if (size > S3_BUCKET_LIMITS.keyBytes) {
      throw this.#error(
        operation,
        `the key is ${size} bytes of UTF-8; S3 keys hold at most ${S3_BUCKET_LIMITS.keyBytes}`,
      );
    }
    // S3 lists keys in XML, and XML 1.0 cannot carry most control characters.
    // deno-lint-ignore no-control-regex
    if (/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/.test(key)) {
      throw this.#error(operation, `the key ${JSON.stringify(key)} holds a control character S3 cannot list`);
    }
  }

  #configure(): AwsConfig & { bucket: string } {
    if (this.#config) return this.#config;
    const variable = s3BucketVariable(this.#target.binding);
    const bucket = required(this.#target, this.#env, variable, "the name of the S3 bucket of this binding");
    this.#config = { ...awsConfig(this.#target, "s3", this.#env, this.#transport), bucket };
    return this.#config;
  }

  #url(config: AwsConfig & { bucket: string }, key: string, query?: URLSearchParams): URL {
    const path = key.split("/").map(encodeSegment).join("/");
    const url = config.overridden
      ? new URL(`${config.endpoint.pathname.replace(/\/$/, "")}/${config.bucket}/${path}`, config.endpoint)
      : new URL(`https://${config.bucket}.s3.${config.region}.amazonaws.com/${path}`);
    if (query) url.search = query.toString().replace(/=(&|$)/g, "$1");
    return url;
  }

  async #request(
    operation: string,
    method: string,
    key: string,
    init: {
      headers?: Record<string, string>;
      query?: URLSearchParams;
      body?: Uint8Array<ArrayBuffer> | string;
      stream?: boolean;
    } = {},
  ): Promise<AwsResponse> {
    const config = this.#configure();
    return await send(config, this.#target, operation, {
      method,
      url: this.#url(config, key, init.query),
      headers: init.headers ?? {},
      body: init.body,
      stream: init.stream,
    });
  }

  async #ensureOk(operation: string, response: AwsResponse): Promise<void> {
    if (response.status >= 200 && response.status < 300) return;
    const text = await response.text();
    const code = field(text, "Code") ?? (response.status === 416 ? "InvalidRange" : "UnknownError");
    const message = field(text, "Message") ?? "no message";
    const config = this.#configure();
    const hint = code === "NoSuchBucket"
      ? ` Check that ${s3BucketVariable(this.#target.binding)}=${config.bucket} names a bucket in ${config.region}.`
      : "";
    throw this.#error(operation, `S3 answered ${response.status} ${code}: ${message}.${hint}`, text);
  }

  #error(operation: string, message: string, cause?: unknown): BindingError {
    return new BindingError({ ...this.#target, operation, message, ...(cause === undefined ? {} : { cause }) });
  }
}

/** Encodes a key segment the way SigV4 canonicalises S3 paths (RFC 3986: `!'()*` too). */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function httpMetadataOf(headers: Readonly<Record<string, string>>): BucketHttpMetadata {
  const out: BucketHttpMetadata = {};
  for (const [field, header] of Object.entries(HTTP_METADATA_HEADERS)) {
    const value = headers[header];
    if (value !== undefined) out[field as keyof typeof HTTP_METADATA_HEADERS] = value;
  }
  const expires = headers.expires;
  if (expires !== undefined) out.cacheExpiry = new Date(expires);
  return out;
}

function customMetadataOf(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith("x-amz-meta-")) out[name.slice("x-amz-meta-".length)] = value;
  }
  return out;
}

function metadataFields(options: BucketPutOptions) {
  return { httpMetadata: { ...options.httpMetadata }, customMetadata: { ...options.customMetadata } };
}

/** An object described by a HEAD or GET response; a ranged GET's size is the whole object's, from Content-Range. */
function describe(key: string, headers: Readonly<Record<string, string>>): BucketObject {
  const total = headers["content-range"]?.match(/\/(\d+)$/);
  const range = contentRange(headers["content-range"] ?? null);
  return bucketObject({
    key,
    size: Number(total ? total[1] : headers["content-length"] ?? 0),
    etag: unquote(headers.etag ?? ""),
    uploaded: new Date(headers["last-modified"] ?? 0),
    httpMetadata: httpMetadataOf(headers),
    customMetadata: customMetadataOf(headers),
    ...(range ? { range } : {}),
  });
}
