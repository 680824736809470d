/**
 * A {@linkcode KvNamespace} on Cloud Firestore, over its REST API (v1) and plain `fetch`.
 *
 * One collection per binding; each key is a document whose id is the key's UTF-8 bytes in lowercase hex (Firestore
 * ids cannot hold `/` or be `.`, `..` or `__…__`, and hex keeps UTF-8 byte order, so ordering by `__name__` lists keys
 * as Workers KV does). A document holds `v` (bytes; the value), `m` (string; the metadata as JSON) and `expireAt`
 * (timestamp; the field of the collection's TTL policy). Firestore deletes expired documents within about a day, so
 * reads leave them out from their expiry on. `list` is a `runQuery` ordered by `__name__` between the prefix's first
 * and last possible ids, its cursor the last id read.
 *
 * Configuration, from the environment record passed in: `SLRS_<NAME>_COLLECTION` (the collection),
 * `SLRS_<NAME>_DATABASE` (optional; `(default)`), `GOOGLE_CLOUD_PROJECT` (optional on Google Cloud, where the
 * metadata server knows it), and for tests `FIRESTORE_EMULATOR_HOST` (an emulator; no token) or `SLRS_GCP_ENDPOINT`.
 * On Google Cloud the token comes from the metadata server (`GCE_METADATA_HOST` moves it).
 *
 * @example Point a KV at the Firestore emulator
 * ```ts ignore
 * import { firestoreKv } from "./firestore_kv.ts";
 *
 * const counter = firestoreKv("COUNTER", {
 *   SLRS_COUNTER_COLLECTION: "counter",
 *   GOOGLE_CLOUD_PROJECT: "demo-test",
 *   FIRESTORE_EMULATOR_HOST: "127.0.0.1:8080",
 * });
 * await counter.put("count", "1");
 * ```
 *
 * @module
 */

import type {
  KvListKey,
  KvListOptions,
  KvListResult,
  KvNamespace,
  KvPutOptions,
  KvValue,
  KvValueType,
  KvValueWithMetadata,
} from "../src/bindings.ts";
import { firestoreCollectionVariable } from "../src/binding_variables.ts";
import { bytesOf, type EnvRecord, fromBase64, toBase64 } from "./_bytes.ts";
import { requiredVariable } from "./_config.ts";
import { type GcpConfig, gcpConfig, gcpError, gcpFetch, gcpProject } from "./_gcp.ts";
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

/**
 * The backend's limits. A document id holds 1,500 bytes, so a key (as hex) 750; a document 1 MiB, of which the value
 * gets what is left after the longest name, metadata and expiry: one figure for every key, so the limit does not move
 * with the key.
 */
export const FIRESTORE_KV_LIMITS: { readonly keyBytes: number; readonly valueBytes: number } = {
  keyBytes: 750,
  valueBytes: 1024 * 1024 - 4096,
};

/** The document fields the backend writes; the IaC's TTL policy names `expireAt`. */
export const FIRESTORE_KV_FIELDS: { readonly value: "v"; readonly metadata: "m"; readonly expiry: "expireAt" } = {
  value: "v",
  metadata: "m",
  expiry: "expireAt",
};

/**
 * A KV namespace over a Firestore collection; configuration is read, and its absence reported, at the first call.
 *
 * @param binding The binding's name, e.g. `COUNTER`.
 * @param env The environment to read configuration from.
 * @returns The namespace.
 *
 * @example Read a counter
 * ```ts ignore
 * import { firestoreKv } from "./firestore_kv.ts";
 *
 * const counter = firestoreKv("COUNTER", process.env);
 * const count = Number(await counter.get("count") ?? 0);
 * ```
 */
export function firestoreKv(binding: string, env: EnvRecord): KvNamespace {
  return new FirestoreKv(binding, env) as KvNamespace;
}

/**
 * A key as its document id: its UTF-8 bytes in lowercase hex.
 *
 * @param key The key.
 * @returns The document id.
 *
 * @example
 * ```ts
 * import { firestoreDocumentId } from "./firestore_kv.ts";
 *
 * console.assert(firestoreDocumentId("a/é") === "612fc3a9");
 * ```
 */
export function firestoreDocumentId(key: string): string {
  let hex = "";
  for (const byte of new TextEncoder().encode(key)) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

function keyOfId(id: string): string {
  const bytes = new Uint8Array(id.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(id.slice(i * 2, i * 2 + 2), 16);
  return new TextDecoder().decode(bytes);
}

interface Value {
  bytesValue?: string;
  stringValue?: string;
  timestampValue?: string;
}

interface Document {
  name: string;
  fields?: Record<string, Value>;
}

interface Resolved {
  config: GcpConfig;
  collection: string;
  /** `projects/<p>/databases/<d>/documents`. */
  root: string;
}

class FirestoreKv {
  readonly #target: KvTarget;
  readonly #env: EnvRecord;
  #resolved: Promise<Resolved> | undefined;

  constructor(binding: string, env: EnvRecord) {
    this.#target = { kind: "kv", backend: "firestore", binding };
    this.#env = env;
  }

  async get(key: string, type: KvValueType = "text"): Promise<unknown> {
    return (await this.getWithMetadata(key, type)).value;
  }

  async getWithMetadata(key: string, type: KvValueType = "text"): Promise<KvValueWithMetadata<unknown, unknown>> {
    checkKvKey(this.#target, "get", key, FIRESTORE_KV_LIMITS.keyBytes);
    const { config, root, collection } = await this.#resolve("get");
    const url = `${config.endpoint}/v1/${root}/${collection}/${firestoreDocumentId(key)}`;
    const response = await gcpFetch(config, this.#target, "get", url);
    if (response.status === 404) {
      await response.body?.cancel();
      return { value: null, metadata: null };
    }
    if (!response.ok) throw await this.#failure("get", response);
    const document = await response.json() as Document;
    const fields = document.fields ?? {};
    if (expired(fields)) return { value: null, metadata: null };
    const bytes = fields.v?.bytesValue ? fromBase64(fields.v.bytesValue) : new Uint8Array();
    const metadata = fields.m?.stringValue;
    return { value: decodeKvValue(bytes, type), metadata: metadata === undefined ? null : JSON.parse(metadata) };
  }

  async put(key: string, value: KvValue, options: KvPutOptions = {}): Promise<void> {
    checkKvKey(this.#target, "put", key, FIRESTORE_KV_LIMITS.keyBytes);
    const metadata = kvMetadataJson(this.#target, options.metadata);
    const expiration = kvExpiration(this.#target, options);
    const max = FIRESTORE_KV_LIMITS.valueBytes;
    const bytes = await bytesOf(value, max);
    if (bytes === undefined || bytes.byteLength > max) {
      const size = bytes === undefined ? `more than ${max}` : String(bytes.byteLength);
      throw kvError(
        this.#target,
        "put",
        `the value is ${size} bytes; a Firestore document holds 1 MiB, which leaves at most ${max} for a value. ` +
          `Store large values in a bucket and keep their key here.`,
      );
    }
    const fields: Record<string, Value> = { v: { bytesValue: toBase64(bytes) } };
    if (metadata !== undefined) fields.m = { stringValue: metadata };
    if (expiration !== undefined) fields.expireAt = { timestampValue: new Date(expiration * 1000).toISOString() };
    const { config, root, collection } = await this.#resolve("put");
    // PATCH without an update mask replaces the whole document, creating it when missing.
    const url = `${config.endpoint}/v1/${root}/${collection}/${firestoreDocumentId(key)}`;
    const response = await gcpFetch(config, this.#target, "put", url, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ fields }),
    });
    if (!response.ok) throw await this.#failure("put", response);
    await response.body?.cancel();
  }

  async delete(key: string): Promise<void> {
    checkKvKey(this.#target, "delete", key, FIRESTORE_KV_LIMITS.keyBytes);
    const { config, root, collection } = await this.#resolve("delete");
    const url = `${config.endpoint}/v1/${root}/${collection}/${firestoreDocumentId(key)}`;
    const response = await gcpFetch(config, this.#target, "delete", url, { method: "DELETE" });
    if (!response.ok && response.status !== 404) throw await this.#failure("delete", response);
    await response.body?.cancel();
  }

  async list(options: KvListOptions = {}): Promise<KvListResult> {
    const limit = kvListLimit(this.#target, options.limit);
    const prefix = options.prefix ?? "";
    const { config, root, collection } = await this.#resolve("list");
    const reference = (id: string) => ({ referenceValue: `${root}/${collection}/${id}` });
    const low = options.cursor ? this.#fromCursor(options.cursor) : firestoreDocumentId(prefix);
    const query: Record<string, unknown> = {
      from: [{ collectionId: collection }],
      select: { fields: [{ fieldPath: "m" }, { fieldPath: "expireAt" }] },
      orderBy: [{ field: { fieldPath: "__name__" }, direction: "ASCENDING" }],
      // One more than asked, to know whether another page follows.
      limit: limit + 1,
    };
    // An empty id is no document name; without a prefix or cursor the query starts at the beginning.
    if (low) query.startAt = { values: [reference(low)], before: !options.cursor };
    // Ids are hex, so every id that starts with the prefix's comes before that id followed by "g".
    if (prefix) query.endAt = { values: [reference(`${firestoreDocumentId(prefix)}g`)], before: true };
    const response = await gcpFetch(config, this.#target, "list", `${config.endpoint}/v1/${root}:runQuery`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ structuredQuery: query }),
    });
    if (!response.ok) throw await this.#failure("list", response);
    const documents = (await response.json() as { document?: Document }[])
      .flatMap((row) => row.document ? [row.document] : []);
    const page = documents.slice(0, limit);
    const keys = page.filter((document) => !expired(document.fields ?? {})).map(listKey);
    if (documents.length <= limit) return { list_complete: true, keys };
    return { list_complete: false, keys, cursor: idOf(page[page.length - 1]!) };
  }

  #fromCursor(cursor: string): string {
    if (!/^(?:[0-9a-f]{2})+$/.test(cursor)) {
      throw kvError(this.#target, "list", `the cursor ${JSON.stringify(cursor)} is not one list() returned`);
    }
    return cursor;
  }

  #resolve(operation: string): Promise<Resolved> {
    if (!this.#resolved) {
      this.#resolved = this.#load(operation);
      this.#resolved.catch(() => (this.#resolved = undefined));
    }
    return this.#resolved;
  }

  async #load(operation: string): Promise<Resolved> {
    const binding = this.#target.binding;
    const collection = requiredVariable(
      this.#target,
      this.#env,
      firestoreCollectionVariable(binding),
      "the Firestore collection of this binding",
    );
    const database = this.#env[`SLRS_${binding}_DATABASE`] || "(default)";
    const config = gcpConfig(this.#target, "firestore", this.#env);
    const project = await gcpProject(config, this.#target, operation);
    return { config, collection, root: `projects/${project}/databases/${database}/documents` };
  }

  async #failure(operation: string, response: Response) {
    const hint = response.status === 403 || response.status === 404
      ? `Check that ${
        firestoreCollectionVariable(this.#target.binding)
      }, the project and the database name a Firestore ` +
        `database the function's service account can use`
      : "";
    return await gcpError(this.#target, operation, "Firestore", response, hint);
  }
}

function expired(fields: Record<string, Value>): boolean {
  const at = fields.expireAt?.timestampValue;
  return at !== undefined && Date.parse(at) / 1000 <= nowSeconds();
}

function idOf(document: Document): string {
  return document.name.slice(document.name.lastIndexOf("/") + 1);
}

function listKey(document: Document): KvListKey {
  const key: KvListKey = { name: keyOfId(idOf(document)) };
  const fields = document.fields ?? {};
  if (fields.expireAt?.timestampValue) key.expiration = Math.floor(Date.parse(fields.expireAt.timestampValue) / 1000);
  if (fields.m?.stringValue !== undefined) key.metadata = JSON.parse(fields.m.stringValue);
  return key;
}
