// The slrs contender: the DynamoDB KV backend, built at module load from the environment and given the node:http
// transport, as the entry `cli.ts build --target aws-lambda` generates wires a binding (`viaNodeHttp(dynamoDbKvOver)`).
// `get(key)` is `COUNTER.get(key)`.
import process from "node:process";
import { dynamoDbKvOver } from "../../bindings/dynamodb_kv.ts";
import { viaNodeHttp } from "../../bindings/node_http_transport.ts";

const COUNTER = viaNodeHttp(dynamoDbKvOver)("COUNTER", process.env);

/** Reads `key` as text. */
export function get(key: string): Promise<string | null> {
  return COUNTER.get(key);
}
