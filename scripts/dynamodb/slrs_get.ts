// The slrs contender: the DynamoDB KV backend, built at module load from the environment, as the Lambda entry builds a
// binding. `get(key)` is `COUNTER.get(key)`.
import process from "node:process";
import { dynamoDbKv } from "../../bindings/dynamodb_kv.ts";

const COUNTER = dynamoDbKv("COUNTER", process.env);

/** Reads `key` as text. */
export function get(key: string): Promise<string | null> {
  return COUNTER.get(key);
}
