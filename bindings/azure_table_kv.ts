/**
 * A {@linkcode KvNamespace} on Azure Table Storage: one table per binding, one entity per key.
 *
 * Table keys cannot hold `/`, `\`, `#`, `?` or control characters and order by their own rules, so a KV key is
 * stored as the hex of its UTF-8 bytes, which keeps UTF-8 byte order and turns a prefix into a range. Its first 256
 * bytes are the `PartitionKey` and the rest the `RowKey` (Table keys hold 1 KiB, 512 characters), which lets keys
 * reach Workers KV's 512 bytes and spreads load over partitions while the table's (PartitionKey, RowKey) order stays
 * the keys' byte order. Per entity: `v0`…`v10` (binary; the value in 64 KiB parts, Table's largest property), `m`
 * (string; the metadata as JSON) and `ttl` (Int64 as a number; the expiry in epoch seconds). Table Storage has no
 * expiry of its own: `get` and `list` leave out what has expired (limit 17).
 *
 * Configuration, from the environment record passed in: `SLRS_<NAME>_TABLE` (the table) and the storage account's
 * connection string in `SLRS_<NAME>_CONNECTION`, else `AzureWebJobsStorage` (every Functions app has it).
 *
 * @example Point a KV at azurite
 * ```ts ignore
 * import { azureTableKv } from "./azure_table_kv.ts";
 *
 * const counter = azureTableKv("COUNTER", {
 *   SLRS_COUNTER_TABLE: "counter",
 *   AzureWebJobsStorage: "UseDevelopmentStorage=true",
 * });
 * await counter.put("count", "1");
 * ```
 *
 * @module
 */

import { TableClient, type TableEntityResult } from "npm:@azure/data-tables@^13.3.2";
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
import { AZURE_RETRY, azureConnection, azureFailure, azureStatus } from "./_azure.ts";
import { requiredVariable } from "./_config.ts";
import { bytesOf, concat, type EnvRecord, fromBase64 } from "./_bytes.ts";
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
import { azureTableVariable } from "../src/binding_variables.ts";

export type { EnvRecord };
export type * from "../src/bindings.ts";

/**
 * The backend's limits: keys of 512 bytes (Workers KV's; 256 bytes of it in each of the two Table keys as hex),
 * values of 11 parts of 64 KiB (704 KiB). A Table entity holds 1 MiB; azurite counts it as the JSON that carries it,
 * where binary travels as base64, so the limit keeps the value's base64 with the keys and metadata under 1 MiB, and
 * thus under the service's own count too.
 */
export const AZURE_TABLE_KV_LIMITS: {
  readonly keyBytes: number;
  readonly partitionKeyBytes: number;
  readonly partBytes: number;
  readonly parts: number;
  readonly valueBytes: number;
} = { keyBytes: 512, partitionKeyBytes: 256, partBytes: 64 * 1024, parts: 11, valueBytes: 11 * 64 * 1024 };

/**
 * A KV namespace over an Azure Storage table; configuration is read, and its absence reported, at the first call.
 *
 * @param binding The binding's name, e.g. `COUNTER`.
 * @param env The environment to read configuration from.
 * @returns The namespace.
 *
 * @example Read a counter
 * ```ts ignore
 * import { azureTableKv } from "./azure_table_kv.ts";
 *
 * const counter = azureTableKv("COUNTER", process.env);
 * const count = Number(await counter.get("count") ?? 0);
 * ```
 */
export function azureTableKv(binding: string, env: EnvRecord): KvNamespace {
  return new AzureTableKv(binding, env) as KvNamespace;
}

type Entity = TableEntityResult<Record<string, unknown>>;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** The two Table keys of a KV key: hex of its first 256 UTF-8 bytes, and hex of the rest. */
function tableKeysOf(key: string): { partitionKey: string; rowKey: string } {
  const hex = hexOf(new TextEncoder().encode(key));
  const split = AZURE_TABLE_KV_LIMITS.partitionKeyBytes * 2;
  return { partitionKey: hex.slice(0, split), rowKey: hex.slice(split) };
}

function hexOf(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += HEX[byte];
  return out;
}

function keyOf(entity: Entity): string {
  const hex = `${entity.partitionKey ?? ""}${entity.rowKey ?? ""}`;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return new TextDecoder().decode(bytes);
}

/** An OData string literal. */
function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** The filter of the keys under `prefix`: a range of hex, since every hex digit sorts before `g`. */
function prefixFilter(prefix: string): string {
  if (prefix === "") return "";
  const { partitionKey, rowKey } = tableKeysOf(prefix);
  if (rowKey === "") {
    return `PartitionKey ge ${literal(partitionKey)} and PartitionKey lt ${literal(partitionKey + "g")}`;
  }
  return `PartitionKey eq ${literal(partitionKey)} and RowKey ge ${literal(rowKey)} and RowKey lt ${
    literal(rowKey + "g")
  }`;
}

function expired(entity: Entity): boolean {
  return typeof entity.ttl === "number" && entity.ttl <= nowSeconds();
}

function valueOf(entity: Entity): Uint8Array<ArrayBuffer> {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < AZURE_TABLE_KV_LIMITS.parts; i++) {
    const part = entity[`v${i}`];
    if (!(part instanceof Uint8Array)) break;
    parts.push(part);
  }
  return concat(parts, parts.reduce((size, part) => size + part.byteLength, 0));
}

class AzureTableKv {
  readonly #target: KvTarget;
  readonly #env: EnvRecord;
  #client: TableClient | undefined;
  #table = "";

  constructor(binding: string, env: EnvRecord) {
    this.#target = { kind: "kv", backend: "azure-table", binding };
    this.#env = env;
  }

  async get(key: string, type: KvValueType = "text"): Promise<unknown> {
    return (await this.getWithMetadata(key, type)).value;
  }

  async getWithMetadata(key: string, type: KvValueType = "text"): Promise<KvValueWithMetadata<unknown, unknown>> {
    checkKvKey(this.#target, "get", key, AZURE_TABLE_KV_LIMITS.keyBytes);
    const { partitionKey, rowKey } = tableKeysOf(key);
    const client = this.#configure();
    let entity: Entity;
    try {
      entity = await client.getEntity(partitionKey, rowKey);
    } catch (error) {
      if (azureStatus(error) === 404 && !this.#missingTable(error)) return { value: null, metadata: null };
      throw this.#failure("get", error);
    }
    if (expired(entity)) return { value: null, metadata: null };
    return {
      value: decodeKvValue(valueOf(entity), type),
      metadata: typeof entity.m === "string" ? JSON.parse(entity.m) : null,
    };
  }

  async put(key: string, value: KvValue, options: KvPutOptions = {}): Promise<void> {
    checkKvKey(this.#target, "put", key, AZURE_TABLE_KV_LIMITS.keyBytes);
    const metadata = kvMetadataJson(this.#target, options.metadata);
    const expiration = kvExpiration(this.#target, options);
    const max = AZURE_TABLE_KV_LIMITS.valueBytes;
    const bytes = await bytesOf(value, max);
    if (bytes === undefined || bytes.byteLength > max) {
      const size = bytes === undefined ? `more than ${max}` : String(bytes.byteLength);
      throw kvError(
        this.#target,
        "put",
        `the value is ${size} bytes; an Azure Table entity holds at most ${max} of value (1 MiB in all, as base64). ` +
          `Store large values in a bucket and keep their key here.`,
      );
    }
    const entity: Record<string, unknown> = tableKeysOf(key);
    for (let i = 0, offset = 0; offset < bytes.byteLength; i++, offset += AZURE_TABLE_KV_LIMITS.partBytes) {
      // A copy, not a view: the SDK encodes a view's whole buffer.
      entity[`v${i}`] = bytes.slice(offset, offset + AZURE_TABLE_KV_LIMITS.partBytes);
    }
    if (metadata !== undefined) entity.m = metadata;
    if (expiration !== undefined) entity.ttl = expiration;
    const client = this.#configure();
    try {
      await client.upsertEntity(entity as { partitionKey: string; rowKey: string }, "Replace");
    } catch (error) {
      throw this.#failure("put", error);
    }
  }

  async delete(key: string): Promise<void> {
    checkKvKey(this.#target, "delete", key, AZURE_TABLE_KV_LIMITS.keyBytes);
    const { partitionKey, rowKey } = tableKeysOf(key);
    const client = this.#configure();
    try {
      await client.deleteEntity(partitionKey, rowKey);
    } catch (error) {
      if (azureStatus(error) === 404 && !this.#missingTable(error)) return;
      throw this.#failure("delete", error);
    }
  }

  async list(options: KvListOptions = {}): Promise<KvListResult> {
    const limit = kvListLimit(this.#target, options.limit);
    if (options.cursor) this.#checkCursor(options.cursor);
    const filter = prefixFilter(options.prefix ?? "");
    const client = this.#configure();
    try {
      const pages = client.listEntities<Record<string, unknown>>({
        queryOptions: { ...(filter ? { filter } : {}), select: ["PartitionKey", "RowKey", "m", "ttl"] },
      }).byPage({ maxPageSize: limit, ...(options.cursor ? { continuationToken: options.cursor } : {}) });
      const { value: page } = await pages.next();
      const entities: Entity[] = page ?? [];
      const keys = entities.filter((entity) => !expired(entity)).map(listKey);
      const cursor = (page as { continuationToken?: string } | undefined)?.continuationToken;
      return cursor ? { list_complete: false, keys, cursor } : { list_complete: true, keys };
    } catch (error) {
      throw this.#failure("list", error);
    }
  }

  /** The SDK's continuation token is base64 of `{"nextPartitionKey", "nextRowKey"}`; anything else is refused here. */
  #checkCursor(cursor: string): void {
    let token: unknown;
    try {
      token = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(fromBase64(cursor)));
    } catch { /* refused below */ }
    if (typeof (token as { nextPartitionKey?: unknown } | undefined)?.nextPartitionKey !== "string") {
      throw kvError(this.#target, "list", `the cursor ${JSON.stringify(cursor)} is not one list() returned`);
    }
  }

  #missingTable(error: unknown): boolean {
    return /TableNotFound/i.test(String((error as { code?: string }).code ?? "") + String(error));
  }

  #configure(): TableClient {
    if (this.#client) return this.#client;
    this.#table = requiredVariable(
      this.#target,
      this.#env,
      azureTableVariable(this.#target.binding),
      "the name of the Azure Storage table of this binding",
    );
    const { connectionString, http } = azureConnection(this.#target, this.#env);
    this.#client = TableClient.fromConnectionString(connectionString, this.#table, {
      allowInsecureConnection: http,
      retryOptions: {
        maxRetries: AZURE_RETRY.tries - 1,
        retryDelayInMs: AZURE_RETRY.baseMs,
        maxRetryDelayInMs: AZURE_RETRY.capMs,
      },
    });
    return this.#client;
  }

  #failure(operation: string, error: unknown) {
    return azureFailure(
      this.#target,
      operation,
      error,
      { variable: azureTableVariable(this.#target.binding), name: this.#table, kind: "table" },
    );
  }
}

function listKey(entity: Entity): KvListKey {
  const key: KvListKey = { name: keyOf(entity) };
  if (typeof entity.ttl === "number") key.expiration = entity.ttl;
  if (typeof entity.m === "string") key.metadata = JSON.parse(entity.m);
  return key;
}
