/**
 * A {@linkcode Bucket} on Azure Blob Storage: one container per binding, one block blob per object.
 *
 * `put` of bytes, text or a `Blob` is one `Put Blob`; `put` of a stream reads it in 4 MiB blocks: one `Put Blob` when
 * it ends within the first, else a `Put Block` per block and a `Put Block List`, so at most one block is in memory.
 * HTTP metadata travels as the blob's standard properties (Azure has no `Expires`, so `cacheExpiry` is kept in the
 * blob's metadata); custom metadata as blob metadata, with names and values encoded so that any R2 name and value
 * fits Azure's rules (names are C# identifiers, values are ASCII header values, an empty value is lost): a name is `m`
 * then its `a`–`z` and `0`–`9`, anything else as `_` and 4 hex digits; a value is `v` then its percent-encoding.
 *
 * Configuration, from the environment record passed in: `SLRS_<NAME>_CONTAINER` (the container) and the storage
 * account's connection string in `SLRS_<NAME>_CONNECTION`, else `AzureWebJobsStorage` (every Functions app has it).
 *
 * @example Point a bucket at azurite
 * ```ts ignore
 * import { azureBlobBucket } from "./azure_blob_bucket.ts";
 *
 * const uploads = azureBlobBucket("UPLOADS", {
 *   SLRS_UPLOADS_CONTAINER: "uploads",
 *   AzureWebJobsStorage: "UseDevelopmentStorage=true",
 * });
 * await uploads.put("hello.txt", "hello");
 * ```
 *
 * @module
 */

import { Readable } from "node:stream";
import {
  type BlobHTTPHeaders,
  type BlobItem,
  BlobServiceClient,
  type ContainerClient,
} from "npm:@azure/storage-blob@^12.34.0";
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
import { AZURE_STORAGE_RETRY_OPTIONS, azureConnection, azureFailure, azureStatus, type AzureTarget } from "./_azure.ts";
import { requiredVariable } from "./_config.ts";
import { bucketObject, readPart, unquote, withBody } from "./_bucket_objects.ts";
import { bytesOf, type EnvRecord } from "./_bytes.ts";
import { azureContainerVariable } from "../src/binding_variables.ts";

export type { EnvRecord };
export type * from "../src/bindings.ts";

/** Blob Storage's limits, checked before a request, and the block size of streamed uploads. */
export const AZURE_BLOB_BUCKET_LIMITS: {
  readonly keyChars: number;
  readonly listLimit: number;
  readonly deleteBatch: number;
  readonly blockBytes: number;
  readonly metadataBytes: number;
} = { keyChars: 1024, listLimit: 1000, deleteBatch: 256, blockBytes: 4 * 1024 * 1024, metadataBytes: 8 * 1024 };

/** The blob metadata name that keeps `httpMetadata.cacheExpiry`; custom names are encoded to start with `m`. */
const EXPIRES_METADATA = "slrsexpires";

/**
 * A bucket over an Azure Storage container; configuration is read, and its absence reported, at the first call.
 *
 * @param binding The binding's name, e.g. `UPLOADS`.
 * @param env The environment to read configuration from.
 * @returns The bucket.
 *
 * @example Serve an object
 * ```ts ignore
 * import { azureBlobBucket } from "./azure_blob_bucket.ts";
 *
 * const uploads = azureBlobBucket("UPLOADS", process.env);
 * const object = await uploads.get("avatar.png");
 * ```
 */
export function azureBlobBucket(binding: string, env: EnvRecord): Bucket {
  return new AzureBlobBucket(binding, env);
}

/** A metadata name as a C# identifier: `m`, then `a`–`z` and `0`–`9` as they are, anything else as `_` + 4 hex. */
function encodeName(name: string): string {
  let out = "m";
  for (const char of name) {
    if (/^[a-z0-9]$/.test(char)) out += char;
    else {
      for (let i = 0; i < char.length; i++) out += `_${char.charCodeAt(i).toString(16).padStart(4, "0")}`;
    }
  }
  return out;
}

function decodeName(name: string): string | undefined {
  if (!name.startsWith("m")) return undefined;
  return name.slice(1).replace(/_([0-9a-f]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function customMetadataOf(metadata: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata ?? {})) {
    const decoded = decodeName(name.toLowerCase());
    if (decoded !== undefined) out[decoded] = decodeURIComponent(value.slice(1));
  }
  return out;
}

interface Properties {
  contentLength?: number;
  etag?: string;
  lastModified?: Date;
  contentType?: string;
  contentLanguage?: string;
  contentDisposition?: string;
  contentEncoding?: string;
  cacheControl?: string;
  metadata?: Record<string, string>;
}

function httpMetadataOf(properties: Properties): BucketHttpMetadata {
  const out: BucketHttpMetadata = {};
  if (properties.contentType !== undefined) out.contentType = properties.contentType;
  if (properties.contentLanguage !== undefined) out.contentLanguage = properties.contentLanguage;
  if (properties.contentDisposition !== undefined) out.contentDisposition = properties.contentDisposition;
  if (properties.contentEncoding !== undefined) out.contentEncoding = properties.contentEncoding;
  if (properties.cacheControl !== undefined) out.cacheControl = properties.cacheControl;
  const expires = properties.metadata?.[EXPIRES_METADATA];
  if (expires !== undefined) out.cacheExpiry = new Date(expires);
  return out;
}

function describe(key: string, properties: Properties, size: number, range?: BucketRange): BucketObject {
  return bucketObject({
    key,
    size,
    etag: unquote(properties.etag ?? ""),
    uploaded: properties.lastModified ?? new Date(0),
    httpMetadata: httpMetadataOf(properties),
    customMetadata: customMetadataOf(properties.metadata),
    ...(range ? { range } : {}),
  });
}

function blockId(index: number): string {
  return btoa(`block-${String(index).padStart(6, "0")}`);
}

class AzureBlobBucket implements Bucket {
  readonly #target: AzureTarget;
  readonly #env: EnvRecord;
  #container: ContainerClient | undefined;
  #name = "";

  constructor(binding: string, env: EnvRecord) {
    this.#target = { kind: "bucket", backend: "azure-blob", binding };
    this.#env = env;
  }

  async head(key: string): Promise<BucketObject | null> {
    this.#checkKey("head", key);
    const blob = this.#configure().getBlobClient(key);
    try {
      const properties = await blob.getProperties();
      return describe(key, properties, properties.contentLength ?? 0);
    } catch (error) {
      if (this.#missingBlob(error)) return null;
      throw this.#failure("head", error);
    }
  }

  async get(key: string, options: BucketGetOptions = {}): Promise<BucketObjectBody | null> {
    this.#checkKey("get", key);
    const blob = this.#configure().getBlobClient(key);
    try {
      let offset = 0;
      let count: number | undefined;
      if (options.range) {
        const range = options.range;
        if ("suffix" in range) {
          // Blob Storage has no suffix range: the size comes first.
          const size = (await blob.getProperties()).contentLength ?? 0;
          offset = Math.max(0, size - this.#whole("get", range.suffix));
          count = size - offset;
        } else {
          offset = range.offset === undefined ? 0 : this.#whole("get", range.offset);
          if (range.length !== undefined) count = this.#whole("get", range.length);
        }
      }
      const response = await blob.download(offset, count);
      const total = Number(response.contentRange?.split("/")[1] ?? response.contentLength ?? 0);
      const length = response.contentLength ?? 0;
      const described = describe(key, response, total, options.range ? { offset, length } : undefined);
      const body = response.readableStreamBody
        ? Readable.toWeb(response.readableStreamBody as Readable) as ReadableStream<Uint8Array>
        : new Blob().stream();
      return withBody(described, body);
    } catch (error) {
      if (this.#missingBlob(error)) return null;
      throw this.#failure("get", error);
    }
  }

  async put(key: string, value: BucketValue, options: BucketPutOptions = {}): Promise<BucketObject> {
    this.#checkKey("put", key);
    const headers = this.#httpHeaders(options.httpMetadata);
    const metadata = this.#metadata(options);
    const blob = this.#configure().getBlockBlobClient(key);
    try {
      if (value instanceof ReadableStream) {
        const reader = (value as ReadableStream<Uint8Array>).getReader();
        let part = await readPart(reader, AZURE_BLOB_BUCKET_LIMITS.blockBytes);
        if (!part.done) {
          // Uncommitted blocks of an upload that fails are dropped by Blob Storage after a week; nothing to abort.
          const ids: string[] = [];
          let size = 0;
          try {
            for (;;) {
              if (part.bytes.byteLength > 0) {
                const id = blockId(ids.length);
                await blob.stageBlock(id, part.bytes, part.bytes.byteLength);
                ids.push(id);
                size += part.bytes.byteLength;
              }
              if (part.done) break;
              part = await readPart(reader, AZURE_BLOB_BUCKET_LIMITS.blockBytes);
            }
          } catch (error) {
            await reader.cancel().catch(() => {});
            throw error;
          }
          const committed = await blob.commitBlockList(ids, { blobHTTPHeaders: headers, metadata });
          return this.#written(key, size, committed, options);
        }
        const uploaded = await blob.upload(part.bytes, part.bytes.byteLength, { blobHTTPHeaders: headers, metadata });
        return this.#written(key, part.bytes.byteLength, uploaded, options);
      }
      const bytes = (await bytesOf(value, Infinity))!;
      const uploaded = await blob.upload(bytes, bytes.byteLength, { blobHTTPHeaders: headers, metadata });
      return this.#written(key, bytes.byteLength, uploaded, options);
    } catch (error) {
      throw this.#failure("put", error);
    }
  }

  async delete(keys: string | string[]): Promise<void> {
    const many = typeof keys === "string" ? [keys] : keys;
    for (const key of many) this.#checkKey("delete", key);
    const container = this.#configure();
    if (typeof keys === "string") {
      try {
        await container.getBlobClient(keys).deleteIfExists();
      } catch (error) {
        throw this.#failure("delete", error);
      }
      return;
    }
    for (let i = 0; i < many.length; i += AZURE_BLOB_BUCKET_LIMITS.deleteBatch) {
      const group = many.slice(i, i + AZURE_BLOB_BUCKET_LIMITS.deleteBatch);
      try {
        const result = await container.getBlobBatchClient().deleteBlobs(
          group.map((key) => container.getBlobClient(key)),
        );
        const failed = result.subResponses.find((sub) => sub.status !== 202 && sub.status !== 404);
        if (failed) {
          throw new BindingError({
            ...this.#target,
            operation: "delete",
            message: `Azure refused to delete ${JSON.stringify(failed._request.url)}: ${failed.status} ${
              failed.errorCode ?? ""
            }; the keys before it in the list may be deleted`,
          });
        }
      } catch (error) {
        throw this.#failure("delete", error);
      }
    }
  }

  async list(options: BucketListOptions = {}): Promise<BucketListResult> {
    const limit = options.limit ?? AZURE_BLOB_BUCKET_LIMITS.listLimit;
    if (!Number.isInteger(limit) || limit < 1 || limit > AZURE_BLOB_BUCKET_LIMITS.listLimit) {
      throw this.#error(
        "list",
        `limit is ${limit}; give a whole number from 1 to ${AZURE_BLOB_BUCKET_LIMITS.listLimit}`,
      );
    }
    const container = this.#configure();
    const settings = { maxPageSize: limit, ...(options.cursor ? { continuationToken: options.cursor } : {}) };
    const prefix = options.prefix ? { prefix: options.prefix } : {};
    try {
      const page = options.delimiter
        ? (await container.listBlobsByHierarchy(options.delimiter, prefix).byPage(settings).next()).value
        : (await container.listBlobsFlat(prefix).byPage(settings).next()).value;
      const items: BlobItem[] = page?.segment.blobItems ?? [];
      const objects = items.map((item) =>
        bucketObject({
          key: item.name,
          size: item.properties.contentLength ?? 0,
          etag: unquote(item.properties.etag ?? ""),
          uploaded: item.properties.lastModified,
        })
      );
      const segment = page?.segment as { blobPrefixes?: { name: string }[] } | undefined;
      const delimitedPrefixes = (segment?.blobPrefixes ?? []).map((entry) => entry.name);
      const cursor = page?.continuationToken;
      return cursor ? { objects, delimitedPrefixes, truncated: true, cursor } : {
        objects,
        delimitedPrefixes,
        truncated: false,
      };
    } catch (error) {
      throw this.#failure("list", error);
    }
  }

  #written(
    key: string,
    size: number,
    response: { etag?: string; lastModified?: Date },
    options: BucketPutOptions,
  ): BucketObject {
    return bucketObject({
      key,
      size,
      etag: unquote(response.etag ?? ""),
      uploaded: response.lastModified ?? new Date(),
      httpMetadata: { ...options.httpMetadata },
      customMetadata: { ...options.customMetadata },
    });
  }

  #httpHeaders(http: BucketHttpMetadata | undefined): BlobHTTPHeaders {
    const headers: BlobHTTPHeaders = {};
    if (http?.contentType !== undefined) headers.blobContentType = http.contentType;
    if (http?.contentLanguage !== undefined) headers.blobContentLanguage = http.contentLanguage;
    if (http?.contentDisposition !== undefined) headers.blobContentDisposition = http.contentDisposition;
    if (http?.contentEncoding !== undefined) headers.blobContentEncoding = http.contentEncoding;
    if (http?.cacheControl !== undefined) headers.blobCacheControl = http.cacheControl;
    return headers;
  }

  #metadata(options: BucketPutOptions): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.customMetadata ?? {})) {
      // The leading `v` keeps an empty value, which an empty header would lose.
      out[encodeName(name)] = `v${encodeURIComponent(value)}`;
    }
    const expiry = options.httpMetadata?.cacheExpiry;
    if (expiry !== undefined) out[EXPIRES_METADATA] = expiry.toUTCString();
    const size = Object.entries(out).reduce((sum, [name, value]) => sum + name.length + value.length, 0);
    if (size > AZURE_BLOB_BUCKET_LIMITS.metadataBytes) {
      throw this.#error(
        "put",
        `the custom metadata is ${size} bytes once encoded; Blob Storage holds at most ${AZURE_BLOB_BUCKET_LIMITS.metadataBytes}`,
      );
    }
    return out;
  }

  #checkKey(operation: string, key: string): void {
    if (typeof key !== "string" || key === "") {
      throw this.#error(operation, "the key is empty; Blob Storage names every blob with at least one character");
    }
    if (key.length > AZURE_BLOB_BUCKET_LIMITS.keyChars) {
      throw this.#error(operation, `the key is ${key.length} characters; Blob Storage holds at most 1024`);
    }
    // A URL path normalises these segments away, so the blob would be another one.
    if (key.split("/").some((segment) => segment === "." || segment === "..")) {
      throw this.#error(
        operation,
        `the key ${JSON.stringify(key)} has a . or .. segment, which a blob URL cannot hold`,
      );
    }
  }

  #whole(operation: string, value: number): number {
    if (!Number.isInteger(value) || value < 0) {
      throw this.#error(operation, `the range holds ${value}; give whole numbers of bytes, 0 or more`);
    }
    return value;
  }

  #missingBlob(error: unknown): boolean {
    return azureStatus(error) === 404 && !/ContainerNotFound/.test(String((error as { code?: string }).code));
  }

  #configure(): ContainerClient {
    if (this.#container) return this.#container;
    this.#name = requiredVariable(
      this.#target,
      this.#env,
      azureContainerVariable(this.#target.binding),
      "the name of the Azure Storage container of this binding",
    );
    const { connectionString } = azureConnection(this.#target, this.#env);
    const service = BlobServiceClient.fromConnectionString(connectionString, {
      retryOptions: AZURE_STORAGE_RETRY_OPTIONS,
    });
    this.#container = service.getContainerClient(this.#name);
    return this.#container;
  }

  #error(operation: string, message: string): BindingError {
    return new BindingError({ ...this.#target, operation, message });
  }

  #failure(operation: string, error: unknown): BindingError {
    return azureFailure(
      this.#target,
      operation,
      error,
      { variable: azureContainerVariable(this.#target.binding), name: this.#name, kind: "container" },
    );
  }
}
