/**
 * The portable bindings: a key-value namespace, an object bucket and a queue producer that mean the same on every
 * platform. They follow Cloudflare's Workers bindings (`KVNamespace`, `R2Bucket`, `Queue`), cut to the subset every
 * backend honours: on Cloudflare the native binding satisfies these types as it is, and each other platform gets a
 * backend module under `bindings/` that implements them over its own service.
 *
 * @module
 */

/** How {@linkcode KvNamespace.get} returns a value. */
export type KvValueType = "text" | "json" | "arrayBuffer" | "stream";

/** What {@linkcode KvNamespace.put} stores: text, bytes, or a stream of bytes. */
export type KvValue = string | ArrayBuffer | ArrayBufferView | ReadableStream<Uint8Array>;

/** Options of {@linkcode KvNamespace.put}. Give `expiration` or `expirationTtl`, not both. */
export interface KvPutOptions {
  /** When the key expires, in seconds since the epoch; at least 60 s from now. */
  expiration?: number;
  /** How long the key lives, in seconds from now; at least 60. */
  expirationTtl?: number;
  /** Any JSON-serialisable value, returned by `getWithMetadata` and `list`. */
  metadata?: unknown;
}

/** What {@linkcode KvNamespace.getWithMetadata} resolves to; both are `null` for a missing key. */
export interface KvValueWithMetadata<Value, Metadata> {
  /** The value, or `null` when the key does not exist (or has expired). */
  value: Value | null;
  /** The metadata stored with the value, or `null` when none was. */
  metadata: Metadata | null;
}

/** Options of {@linkcode KvNamespace.list}. */
export interface KvListOptions {
  /** Only keys that start with this. */
  prefix?: string | null;
  /** At most this many keys per page, 1–1000 (1000 when absent). */
  limit?: number;
  /** The `cursor` of the previous page. */
  cursor?: string | null;
}

/** One key in a {@linkcode KvListResult}. */
export interface KvListKey<Metadata = unknown> {
  /** The key. */
  name: string;
  /** When it expires, in seconds since the epoch, if it does. */
  expiration?: number;
  /** The metadata stored with it, if any. */
  metadata?: Metadata;
}

/**
 * One page of {@linkcode KvNamespace.list}, in Cloudflare's shape: keys in UTF-8 byte order, and a `cursor` for the
 * next page until `list_complete`. A page may hold fewer than `limit` keys (even none) and still not be the last.
 */
export type KvListResult<Metadata = unknown> =
  | { list_complete: false; keys: KvListKey<Metadata>[]; cursor: string }
  | { list_complete: true; keys: KvListKey<Metadata>[] };

/**
 * A key-value namespace: Cloudflare's `KVNamespace`, without bulk `get`, `cacheTtl` and `cacheStatus`.
 *
 * @example Count visits
 * ```ts
 * import type { KvNamespace } from "./bindings.ts";
 *
 * async function visit(counter: KvNamespace): Promise<number> {
 *   const count = Number(await counter.get("count") ?? 0) + 1;
 *   await counter.put("count", String(count));
 *   return count;
 * }
 * ```
 */
export interface KvNamespace {
  /** The value as text, or `null` for a missing key. */
  get(key: string, type?: "text"): Promise<string | null>;
  /** The value parsed as JSON, or `null` for a missing key. */
  get<Value = unknown>(key: string, type: "json"): Promise<Value | null>;
  /** The value as bytes, or `null` for a missing key. */
  get(key: string, type: "arrayBuffer"): Promise<ArrayBuffer | null>;
  /** The value as a byte stream, or `null` for a missing key. */
  get(key: string, type: "stream"): Promise<ReadableStream | null>;
  /** The value as text, with its metadata. */
  getWithMetadata<Metadata = unknown>(key: string, type?: "text"): Promise<KvValueWithMetadata<string, Metadata>>;
  /** The value parsed as JSON, with its metadata. */
  getWithMetadata<Value = unknown, Metadata = unknown>(
    key: string,
    type: "json",
  ): Promise<KvValueWithMetadata<Value, Metadata>>;
  /** The value as bytes, with its metadata. */
  getWithMetadata<Metadata = unknown>(
    key: string,
    type: "arrayBuffer",
  ): Promise<KvValueWithMetadata<ArrayBuffer, Metadata>>;
  /** The value as a byte stream, with its metadata. */
  getWithMetadata<Metadata = unknown>(
    key: string,
    type: "stream",
  ): Promise<KvValueWithMetadata<ReadableStream, Metadata>>;
  /** Stores `value` under `key`, replacing what was there. */
  put(key: string, value: KvValue, options?: KvPutOptions): Promise<void>;
  /** Removes `key`; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** One page of keys, in UTF-8 byte order. */
  list<Metadata = unknown>(options?: KvListOptions): Promise<KvListResult<Metadata>>;
}

/** Standard HTTP headers stored with an object, as R2 names them. */
export interface BucketHttpMetadata {
  /** `Content-Type`. */
  contentType?: string;
  /** `Content-Language`. */
  contentLanguage?: string;
  /** `Content-Disposition`. */
  contentDisposition?: string;
  /** `Content-Encoding`. */
  contentEncoding?: string;
  /** `Cache-Control`. */
  cacheControl?: string;
  /** `Expires`. */
  cacheExpiry?: Date;
}

/** A byte range to read: from `offset` (for `length` bytes, or to the end), or the last `suffix` bytes. */
export type BucketRange =
  | { offset: number; length?: number }
  | { offset?: number; length: number }
  | { suffix: number };

/** An object's description, without its body: what `head`, `put` and `list` return. */
export interface BucketObject {
  /** The key. */
  readonly key: string;
  /** The size of the whole object in bytes. */
  readonly size: number;
  /** The entity tag, without quotes. */
  readonly etag: string;
  /** The entity tag as the `ETag` header carries it, in quotes. */
  readonly httpEtag: string;
  /** When it was written. */
  readonly uploaded: Date;
  /** Its standard HTTP headers; absent from `list` results. */
  readonly httpMetadata?: BucketHttpMetadata;
  /** Its custom metadata; absent from `list` results. */
  readonly customMetadata?: Record<string, string>;
  /** The range this body covers, on a ranged `get`. */
  readonly range?: BucketRange;
  /** Copies `httpMetadata` into response headers. */
  writeHttpMetadata(headers: Headers): void;
}

/** An object with its body, streamed: what `get` returns. */
export interface BucketObjectBody extends BucketObject {
  /** The body (or the requested range of it), streamed. */
  readonly body: ReadableStream;
  /** Whether the body has been read. */
  readonly bodyUsed: boolean;
  /** The body as bytes. */
  arrayBuffer(): Promise<ArrayBuffer>;
  /** The body as text. */
  text(): Promise<string>;
  /** The body parsed as JSON. */
  json<T>(): Promise<T>;
  /** The body as a `Blob`. */
  blob(): Promise<Blob>;
}

/** Options of {@linkcode Bucket.get}. */
export interface BucketGetOptions {
  /** Read only this range of the object. */
  range?: BucketRange;
}

/** Options of {@linkcode Bucket.put}. */
export interface BucketPutOptions {
  /** Standard HTTP headers stored with the object. */
  httpMetadata?: BucketHttpMetadata;
  /** Custom metadata stored with the object. */
  customMetadata?: Record<string, string>;
}

/** What {@linkcode Bucket.put} stores; a stream is sent as it is read, never buffered whole. */
export type BucketValue = ReadableStream | ArrayBuffer | ArrayBufferView | string | null | Blob;

/** Options of {@linkcode Bucket.list}. */
export interface BucketListOptions {
  /** Only keys that start with this. */
  prefix?: string;
  /** At most this many objects and prefixes per page, 1–1000 (1000 when absent). */
  limit?: number;
  /** The `cursor` of the previous page. */
  cursor?: string;
  /** Group keys that contain this after the prefix into `delimitedPrefixes` (usually `/`). */
  delimiter?: string;
}

/** One page of {@linkcode Bucket.list}, in R2's shape; keys in UTF-8 byte order. */
export type BucketListResult =
  & { objects: BucketObject[]; delimitedPrefixes: string[] }
  & ({ truncated: true; cursor: string } | { truncated: false });

/**
 * An object bucket: Cloudflare's `R2Bucket`, without conditional requests, checksums, storage classes and multipart
 * uploads by hand.
 *
 * @example Serve an upload
 * ```ts
 * import type { Bucket } from "./bindings.ts";
 *
 * async function download(uploads: Bucket, key: string): Promise<Response> {
 *   const object = await uploads.get(key);
 *   if (object === null) return new Response("not found", { status: 404 });
 *   const headers = new Headers({ etag: object.httpEtag });
 *   object.writeHttpMetadata(headers);
 *   return new Response(object.body, { headers });
 * }
 * ```
 */
export interface Bucket {
  /** The object's description, or `null` when it does not exist. */
  head(key: string): Promise<BucketObject | null>;
  /** The object with its body (or a range of it), or `null` when it does not exist. */
  get(key: string, options?: BucketGetOptions): Promise<BucketObjectBody | null>;
  /** Stores an object, replacing what was there. */
  put(key: string, value: BucketValue, options?: BucketPutOptions): Promise<BucketObject>;
  /** Removes one object or many; missing keys are not an error. */
  delete(keys: string | string[]): Promise<void>;
  /** One page of objects and delimited prefixes. */
  list(options?: BucketListOptions): Promise<BucketListResult>;
}

/**
 * How a queue message body travels: `json` (any JSON value), `text` (a string) or `bytes` (an `ArrayBuffer` or view).
 * When absent, bytes travel as `bytes` and everything else as `json`.
 */
export type QueueContentType = "text" | "bytes" | "json";

/** Options of {@linkcode QueueProducer.send}. */
export interface QueueSendOptions {
  /** How the body is encoded. */
  contentType?: QueueContentType;
  /** Hold the message back this many seconds before delivery. */
  delaySeconds?: number;
}

/** One message of {@linkcode QueueProducer.sendBatch}. */
export interface QueueSendRequest<Body = unknown> {
  /** The message body. */
  body: Body;
  /** How the body is encoded. */
  contentType?: QueueContentType;
  /** Hold the message back this many seconds before delivery. */
  delaySeconds?: number;
}

/**
 * A queue producer: Cloudflare's `Queue`, without `metrics` and the `v8` content type.
 *
 * @example Send a message
 * ```ts
 * import type { QueueProducer } from "./bindings.ts";
 *
 * async function welcome(emails: QueueProducer, to: string): Promise<void> {
 *   await emails.send({ to, template: "welcome" }, { delaySeconds: 60 });
 * }
 * ```
 */
export interface QueueProducer<Body = unknown> {
  /** Sends one message. */
  send(body: Body, options?: QueueSendOptions): Promise<unknown>;
  /** Sends several messages. */
  sendBatch(messages: Iterable<QueueSendRequest<Body>>): Promise<unknown>;
}

/** The binding kinds that have a portable interface. */
export type BindingKind = "kv" | "bucket" | "queue";

/** What {@linkcode BindingError} is built from. */
export interface BindingErrorInit {
  /** The kind of binding. */
  kind: BindingKind;
  /** The backend that failed, such as `dynamodb`, `s3` or `sqs`. */
  backend: string;
  /** The operation, such as `get`, `put` or `list`. */
  operation: string;
  /** The binding's name, such as `COUNTER`. */
  binding?: string;
  /** What went wrong, and what to do about it. */
  message: string;
  /** The backend's own error, if there was one. */
  cause?: unknown;
}

/**
 * A binding operation that failed: bad input refused before any request (a key over the backend's limit), missing
 * configuration, or the backend's own failure after retries.
 *
 * @example Tell a too-large value from other failures
 * ```ts
 * import { BindingError } from "./bindings.ts";
 *
 * const error = new BindingError({
 *   kind: "kv",
 *   backend: "dynamodb",
 *   operation: "put",
 *   binding: "COUNTER",
 *   message: "the item is 409601 bytes; DynamoDB stores at most 409600",
 * });
 * console.assert(error.message.startsWith("COUNTER (kv on dynamodb) put:"));
 * ```
 */
export class BindingError extends Error {
  /** The kind of binding. */
  readonly kind: BindingKind;
  /** The backend that failed. */
  readonly backend: string;
  /** The operation that failed. */
  readonly operation: string;
  /** The binding's name, when known. */
  readonly binding: string | undefined;

  /**
   * Builds the error; the message is prefixed with the binding, its kind, backend and operation.
   *
   * @param init What failed, where, and why.
   */
  constructor(init: BindingErrorInit) {
    const where = `${init.binding ?? "binding"} (${init.kind} on ${init.backend}) ${init.operation}`;
    super(`${where}: ${init.message}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "BindingError";
    this.kind = init.kind;
    this.backend = init.backend;
    this.operation = init.operation;
    this.binding = init.binding;
  }
}

/** The shape of `requirements.bindings` that {@linkcode EnvFromBindings} reads; declare it `as const`. */
export interface BindingNames {
  /** Key-value namespaces. */
  readonly kv?: readonly string[];
  /** Object buckets. */
  readonly buckets?: readonly string[];
  /** Queues the function sends to. */
  readonly queues?: readonly string[];
}

/**
 * The names one kind of a bindings declaration holds, as a union of string literals.
 *
 * @typeParam B The bindings, as `typeof bindings`.
 * @typeParam Kind `kv`, `buckets` or `queues`.
 *
 * @example Names of the KV bindings
 * ```ts
 * import type { BindingNamesOf } from "./bindings.ts";
 *
 * const bindings = { kv: ["COUNTER", "CACHE"] } as const;
 * const name: BindingNamesOf<typeof bindings, "kv"> = "CACHE";
 * ```
 */
export type BindingNamesOf<B, Kind extends keyof BindingNames> = B extends
  { readonly [K in Kind]: readonly (infer N)[] } ? N & string : never;

/**
 * The `ctx.env` that a `requirements.bindings` declared `as const` provides: each name typed as its binding, so a
 * misspelt name fails to compile.
 *
 * @typeParam B The bindings, as `typeof bindings`.
 *
 * @example Type ctx.env from the declaration
 * ```ts
 * import type { EnvFromBindings } from "./bindings.ts";
 *
 * const bindings = { kv: ["COUNTER"], buckets: ["UPLOADS"] } as const;
 * type Env = EnvFromBindings<typeof bindings>;
 *
 * async function count(env: Env): Promise<string | null> {
 *   return await env.COUNTER.get("count");
 * }
 * ```
 */
export type EnvFromBindings<B extends BindingNames> =
  & { readonly [N in BindingNamesOf<B, "kv">]: KvNamespace }
  & { readonly [N in BindingNamesOf<B, "buckets">]: Bucket }
  & { readonly [N in BindingNamesOf<B, "queues">]: QueueProducer };
