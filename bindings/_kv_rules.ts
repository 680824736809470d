/**
 * The KV rules every non-Cloudflare backend enforces the same way, so that a key, a value's metadata or an expiry
 * means the same on each: which keys are allowed, metadata held to Workers KV's 1,024 bytes, expiries at least 60 s
 * ahead, page sizes of 1–1,000, and values decoded as `get(key, type)` asks.
 *
 * @module
 */

import type { BindingError, KvPutOptions, KvValueType } from "../src/bindings.ts";
import { bindingError } from "./_binding_error.ts";
import { utf8Length } from "./_bytes.ts";

/** Which binding a call belongs to, for error messages. */
export interface KvTarget {
  /** Always `kv`. */
  kind: "kv";
  /** The backend's name in messages, e.g. `azure-table` or `redis`. */
  backend: string;
  /** The binding's name, e.g. `COUNTER`. */
  binding: string;
}

// As plain constants the minifier inlines them; the exported objects that hold them are left out of bundles that only
// check.
/** {@linkcode KV_RULES}`.metadataBytes`, for another backend's table of limits. */
export const METADATA_BYTES = 1024;
/** {@linkcode KV_RULES}`.minTtlSeconds`, for another backend's table of limits. */
export const MIN_TTL_SECONDS = 60;
/** {@linkcode KV_RULES}`.listLimit`, for another backend's table of limits. */
export const LIST_LIMIT = 1000;

/** The limits Workers KV sets and every backend keeps, so metadata, expiries and pages mean the same. */
export const KV_RULES: {
  readonly metadataBytes: number;
  readonly minTtlSeconds: number;
  readonly listLimit: number;
} = { metadataBytes: METADATA_BYTES, minTtlSeconds: MIN_TTL_SECONDS, listLimit: LIST_LIMIT };

/** The error of a refused call or a failed request: {@linkcode bindingError}, for a KV binding. */
export const kvError: (target: KvTarget, operation: string, message: string, cause?: unknown) => BindingError =
  bindingError;

/**
 * Refuses an empty key, `.`, `..`, and a key longer than `maxBytes` of UTF-8.
 *
 * @param target The binding.
 * @param operation The operation.
 * @param key The key.
 * @param maxBytes The backend's longest key.
 * @param holder What holds the key, for the message.
 */
export function checkKvKey(
  target: KvTarget,
  operation: string,
  key: string,
  maxBytes: number,
  holder = "this backend holds keys of",
): void {
  if (typeof key !== "string" || key === "" || key === "." || key === "..") {
    throw kvError(
      target,
      operation,
      `the key ${JSON.stringify(key)} is not allowed; give a non-empty string other than . and ..`,
    );
  }
  const size = utf8Length(key);
  if (size > maxBytes) {
    throw kvError(
      target,
      operation,
      `the key is ${size} bytes of UTF-8; ${holder} at most ${maxBytes}`,
    );
  }
}

/**
 * The metadata as JSON, or `undefined` when there is none; refuses what JSON cannot carry and more than 1,024 bytes.
 *
 * @param target The binding.
 * @param metadata The metadata given to `put`.
 * @returns Its JSON text.
 */
export function kvMetadataJson(target: KvTarget, metadata: unknown): string | undefined {
  if (metadata === undefined || metadata === null) return undefined;
  const json = JSON.stringify(metadata);
  if (json === undefined) throw kvError(target, "put", "the metadata is not JSON-serialisable");
  if (utf8Length(json) > METADATA_BYTES) {
    throw kvError(
      target,
      "put",
      `the metadata is ${utf8Length(json)} bytes as JSON; at most ${METADATA_BYTES} are kept`,
    );
  }
  return json;
}

/**
 * The expiry in epoch seconds from `expirationTtl` or `expiration`, or `undefined`; refuses one under 60 s away.
 *
 * @param target The binding.
 * @param options The options given to `put`.
 * @returns The expiry.
 */
export function kvExpiration(target: KvTarget, options: KvPutOptions): number | undefined {
  const now = nowSeconds();
  const min = MIN_TTL_SECONDS;
  if (options.expirationTtl !== undefined) {
    if (!Number.isFinite(options.expirationTtl) || options.expirationTtl < min) {
      throw kvError(target, "put", `expirationTtl is ${options.expirationTtl}; give at least ${min} seconds`);
    }
    return now + Math.floor(options.expirationTtl);
  }
  if (options.expiration !== undefined) {
    if (!Number.isFinite(options.expiration) || options.expiration < now + min) {
      throw kvError(
        target,
        "put",
        `expiration is ${options.expiration}; give seconds since the epoch at least ${min} s from now (${now + min})`,
      );
    }
    return Math.floor(options.expiration);
  }
  return undefined;
}

/**
 * The page size `list` asks for: 1,000 when absent, refused outside 1–1,000.
 *
 * @param target The binding.
 * @param limit The `limit` given to `list`.
 * @returns The page size.
 */
export function kvListLimit(target: KvTarget, limit: number | undefined): number {
  const value = limit ?? LIST_LIMIT;
  if (!Number.isInteger(value) || value < 1 || value > LIST_LIMIT) {
    throw kvError(target, "list", `limit is ${limit}; give a whole number from 1 to ${LIST_LIMIT}`);
  }
  return value;
}

/**
 * The current time in epoch seconds, as expiries count it.
 *
 * @returns Seconds since the epoch.
 */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * A stored value as `get(key, type)` returns it.
 *
 * @param bytes The stored bytes.
 * @param type The type asked for.
 * @returns Text, parsed JSON, an `ArrayBuffer` or a stream.
 */
export function decodeKvValue(bytes: Uint8Array<ArrayBuffer>, type: KvValueType): unknown {
  switch (type) {
    case "text":
      return new TextDecoder().decode(bytes);
    case "json":
      return JSON.parse(new TextDecoder().decode(bytes));
    case "arrayBuffer":
      return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
        ? bytes.buffer
        : bytes.slice().buffer;
    case "stream":
      return new Blob([bytes]).stream();
    default:
      throw new TypeError(`Unknown response type ${JSON.stringify(type)}; give text, json, arrayBuffer or stream`);
  }
}
