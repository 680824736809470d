/**
 * A {@linkcode KvNamespace} on DynamoDB: one table per binding, every key an item of one partition, so that `list`
 * can walk keys in order, by prefix, page by page.
 *
 * The table has a partition key `pk` (string; always `kv`), a sort key `sk` (string; the KV key), and per item `v`
 * (binary; the value, absent when empty), `m` (string; the metadata as JSON) and `ttl` (number; the expiry in epoch
 * seconds, the table's TTL attribute). DynamoDB deletes expired items lazily (within days), so reads filter them.
 * One partition key keeps `list` a `Query` in key order; its price is one partition's throughput (about 3,000 reads
 * and 1,000 writes per second, after DynamoDB's adaptive capacity), the same order as Workers KV's one write per key
 * per second, and far above what a function's own namespace usually sees.
 *
 * Configuration, from the environment record passed in: `SLRS_<NAME>_TABLE` (the table), `AWS_REGION`,
 * `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` (Lambda sets those four) and optionally
 * `AWS_ENDPOINT_URL_DYNAMODB` (a local server such as dynalite).
 *
 * @example Point a KV at a local DynamoDB
 * ```ts ignore
 * import { dynamoDbKv } from "./dynamodb_kv.ts";
 *
 * const counter = dynamoDbKv("COUNTER", {
 *   SLRS_COUNTER_TABLE: "counter",
 *   AWS_REGION: "us-east-1",
 *   AWS_ACCESS_KEY_ID: "local",
 *   AWS_SECRET_ACCESS_KEY: "local",
 *   AWS_ENDPOINT_URL_DYNAMODB: "http://127.0.0.1:4567",
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
} from "../src/bindings.ts";
import {
  type AwsConfig,
  awsConfig,
  type AwsResponse,
  type AwsTransport,
  bytesOf,
  type EnvRecord,
  fetchTransport,
  fromBase64,
  required,
  send,
  throttledStatus,
  toBase64,
  utf8Length,
} from "./_aws.ts";
import {
  checkKvKey,
  decodeKvValue,
  kvError,
  kvExpiration,
  kvListLimit,
  kvMetadataJson,
  type KvTarget,
  LIST_LIMIT,
  METADATA_BYTES,
  MIN_TTL_SECONDS,
  nowSeconds,
} from "./_kv_rules.ts";
import { dynamoDbTableVariable } from "../src/binding_variables.ts";

/**
 * The limits as plain constants: the minifier inlines them where the exported object would stay a lookup, and an
 * object of plain names is one the bundler can leave out when nothing reads it.
 */
const KEY_BYTES = 1024;
const ITEM_BYTES = 409_600;
const PARTITION = "kv";

/** What holds a key on this backend, for the message that refuses a long one. */
const SORT_KEYS = "DynamoDB sort keys hold";

export type { AwsTransport, EnvRecord };
export type * from "../src/bindings.ts";

/** The table layout the backend reads and writes; the IaC creates the table with these names. */
export const DYNAMODB_KV_TABLE: {
  readonly partitionKey: "pk";
  readonly sortKey: "sk";
  readonly ttlAttribute: "ttl";
  readonly partition: "kv";
} = { partitionKey: "pk", sortKey: "sk", ttlAttribute: "ttl", partition: "kv" };

/**
 * DynamoDB's limits, checked before a request: a sort key holds at most 1024 UTF-8 bytes, an item at most 400 KB
 * (names and values together); metadata is held to Workers KV's 1024 bytes so it means the same everywhere.
 */
export const DYNAMODB_KV_LIMITS: {
  readonly keyBytes: number;
  readonly itemBytes: number;
  readonly metadataBytes: number;
  readonly listLimit: number;
  readonly minTtlSeconds: number;
} = {
  keyBytes: KEY_BYTES,
  itemBytes: ITEM_BYTES,
  metadataBytes: METADATA_BYTES,
  listLimit: LIST_LIMIT,
  minTtlSeconds: MIN_TTL_SECONDS,
};

/**
 * The largest value a key can hold on this backend, without metadata or expiry.
 *
 * @param key The key.
 * @returns The most value bytes an item under `key` can take.
 *
 * @example The room left under a short key
 * ```ts
 * import { dynamoDbMaxValueBytes } from "./dynamodb_kv.ts";
 *
 * console.assert(dynamoDbMaxValueBytes("count") === 409600 - 12); // pk, kv, sk, v and the key's 5 bytes
 * ```
 */
export function dynamoDbMaxValueBytes(key: string): number {
  // The attributes every item has (pk = kv, sk = the key) and the value's name.
  return ITEM_BYTES - "pk".length - PARTITION.length - "sk".length - utf8Length(key) - "v".length;
}

/**
 * A KV namespace over a DynamoDB table; configuration is read, and its absence reported, at the first call.
 *
 * @param binding The binding's name, e.g. `COUNTER`.
 * @param env The environment to read configuration from.
 * @param transport What sends the requests: `fetch` unless given (the Node entry `build` generates calls
 *   {@linkcode dynamoDbKvOver} with `nodeHttpTransport` instead, see `node_http_transport.ts`).
 * @returns The namespace.
 *
 * @example Read a counter
 * ```ts ignore
 * import { dynamoDbKv } from "./dynamodb_kv.ts";
 *
 * const counter = dynamoDbKv("COUNTER", process.env);
 * const count = Number(await counter.get("count") ?? 0);
 * ```
 */
export function dynamoDbKv(binding: string, env: EnvRecord, transport: AwsTransport = fetchTransport): KvNamespace {
  return dynamoDbKvOver(binding, env, transport);
}

/**
 * {@linkcode dynamoDbKv} over the transport given, which has no default: the entry `build` writes for Node passes
 * `nodeHttpTransport` to this one, so that the `fetch` transport, which that bundle never uses, stays out of it.
 *
 * @param binding The binding's name, e.g. `COUNTER`.
 * @param env The environment to read configuration from.
 * @param transport What sends the requests.
 * @returns A KV namespace.
 *
 * @example On Node, over node:http
 * ```ts ignore
 * import { dynamoDbKvOver } from "./dynamodb_kv.ts";
 * import { viaNodeHttp } from "./node_http_transport.ts";
 *
 * const binding = viaNodeHttp(dynamoDbKvOver)("COUNTER", process.env);
 * ```
 */
export function dynamoDbKvOver(binding: string, env: EnvRecord, transport: AwsTransport): KvNamespace {
  return makeDynamoDbKv(binding, env, transport) as KvNamespace;
}

interface Item {
  sk: { S: string };
  v?: { B: string };
  m?: { S: string };
  ttl?: { N: string };
}

/**
 * The namespace as a closure rather than a class: its state is local variables, which minify to one letter where
 * `this.#field` stays whole, and the backend's size is a goal (docs/bindings.md).
 */
function makeDynamoDbKv(binding: string, env: EnvRecord, transport: AwsTransport) {
  const target: KvTarget = { kind: "kv", backend: "dynamodb", binding };
  const variable = dynamoDbTableVariable(binding);
  let config: (AwsConfig & { table: string }) | undefined;
  const fail = (operation: string, message: string, cause?: unknown) => kvError(target, operation, message, cause);
  const checkKey = (operation: string, key: string) => checkKvKey(target, operation, key, KEY_BYTES, SORT_KEYS);

  const call = async <T>(operation: string, action: string, body: Record<string, unknown>): Promise<T> => {
    config ??= {
      table: required(target, env, variable, "the name of the DynamoDB table of this binding"),
      ...awsConfig(target, "dynamodb", env, transport),
    };
    const response = await send(config, target, operation, {
      method: "POST",
      url: config.endpoint,
      headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `DynamoDB_20120810.${action}` },
      body: JSON.stringify({ TableName: config.table, ...body }),
    }, throttled);
    const text = await response.text();
    if (response.status === 200) return JSON.parse(text) as T;
    const { type, message } = awsJsonError(text);
    const hint = type === "ResourceNotFoundException"
      ? ` Check that ${variable}=${config.table} names a table in ${config.region}.`
      : "";
    throw fail(operation, `DynamoDB answered ${response.status} ${type}: ${message}.${hint}`, text);
  };

  const getWithMetadata = async (key: string, type: KvValueType = "text") => {
    checkKey("get", key);
    const { Item: item } = await call<{ Item?: Item }>("get", "GetItem", { Key: keyOf(key), ConsistentRead: true });
    if (item === undefined || expired(item)) return { value: null, metadata: null };
    const bytes = item.v ? fromBase64(item.v.B) : new Uint8Array();
    return { value: decodeKvValue(bytes, type), metadata: item.m ? JSON.parse(item.m.S) : null };
  };

  return {
    getWithMetadata,

    get: async (key: string, type?: KvValueType) => (await getWithMetadata(key, type)).value,

    async put(key: string, value: KvValue, options: KvPutOptions = {}): Promise<void> {
      checkKey("put", key);
      const item: Record<string, unknown> = keyOf(key);
      const metadata = kvMetadataJson(target, options.metadata);
      if (metadata !== undefined) item.m = { S: metadata };
      const expiration = kvExpiration(target, options);
      if (expiration !== undefined) item.ttl = { N: String(expiration) };
      const room = dynamoDbMaxValueBytes(key) -
        (metadata === undefined ? 0 : "m".length + utf8Length(metadata)) -
        (expiration === undefined ? 0 : "ttl".length + numberBytes(expiration));
      const bytes = await bytesOf(value, room);
      if (bytes === undefined || bytes.byteLength > room) {
        throw fail(
          "put",
          `the value is ${bytes?.byteLength ?? `more than ${room}`} bytes; under this key (with its metadata and ` +
            `expiry) a DynamoDB item holds at most ${room} (400 KB in all). Store large values in a bucket and keep ` +
            `their key here.`,
        );
      }
      // Empty binary attributes are valid on DynamoDB only since 2020; leaving the attribute out means the same.
      if (bytes.byteLength > 0) item.v = { B: toBase64(bytes) };
      await call("put", "PutItem", { Item: item });
    },

    async delete(key: string): Promise<void> {
      checkKey("delete", key);
      await call("delete", "DeleteItem", { Key: keyOf(key) });
    },

    async list(options: KvListOptions = {}): Promise<KvListResult> {
      const limit = kvListLimit(target, options.limit);
      const prefix = options.prefix ?? "";
      const request: Record<string, unknown> = {
        KeyConditionExpression: prefix ? "pk = :pk AND begins_with(sk, :prefix)" : "pk = :pk",
        FilterExpression: "attribute_not_exists(#ttl) OR #ttl > :now",
        ProjectionExpression: "sk, m, #ttl",
        ExpressionAttributeNames: { "#ttl": "ttl" },
        ExpressionAttributeValues: {
          ":pk": { S: PARTITION },
          ":now": { N: String(nowSeconds()) },
          ...(prefix ? { ":prefix": { S: prefix } } : {}),
        },
        Limit: limit,
      };
      if (options.cursor) {
        let key: string;
        try {
          key = new TextDecoder("utf-8", { fatal: true }).decode(
            fromBase64(options.cursor.replaceAll("-", "+").replaceAll("_", "/")),
          );
        } catch (cause) {
          throw fail("list", `the cursor ${JSON.stringify(options.cursor)} is not one list() returned`, cause);
        }
        request.ExclusiveStartKey = keyOf(key);
      }
      const page = await call<{ Items?: Item[]; LastEvaluatedKey?: { sk: { S: string } } }>("list", "Query", request);
      const keys = (page.Items ?? []).map(listKey);
      if (page.LastEvaluatedKey === undefined) return { list_complete: true, keys };
      return { list_complete: false, keys, cursor: toCursor(page.LastEvaluatedKey.sk.S) };
    },
  };
}

const THROTTLING = new Set(["ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"]);

async function throttled(response: AwsResponse): Promise<boolean> {
  if (throttledStatus(response.status)) return true;
  return response.status === 400 && THROTTLING.has(awsJsonError(await response.text()).type);
}

/** `{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"…"}` → its parts. */
function awsJsonError(text: string): { type: string; message: string } {
  try {
    const body = JSON.parse(text) as { __type?: string; message?: string; Message?: string };
    return { type: (body.__type ?? "UnknownError").split("#").pop()!, message: body.message ?? body.Message ?? "" };
  } catch {
    return { type: "UnknownError", message: text.slice(0, 200) };
  }
}

function keyOf(key: string): { pk: { S: string }; sk: { S: string } } {
  return { pk: { S: PARTITION }, sk: { S: key } };
}

/** DynamoDB's size of a number: a byte per two significant digits and one more (plus one, to stay on the safe side). */
function numberBytes(value: number): number {
  return 2 + Math.ceil(String(value).replace(/^0+|0+$/g, "").length / 2);
}

function expired(item: Item): boolean {
  return item.ttl !== undefined && Number(item.ttl.N) <= nowSeconds();
}

function listKey(item: Item): KvListKey {
  const key: KvListKey = { name: item.sk.S };
  if (item.ttl) key.expiration = Number(item.ttl.N);
  if (item.m) key.metadata = JSON.parse(item.m.S);
  return key;
}

function toCursor(key: string): string {
  return toBase64(new TextEncoder().encode(key)).replaceAll("+", "-").replaceAll("/", "_");
}
