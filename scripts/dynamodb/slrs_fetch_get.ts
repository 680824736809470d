// The slrs backend as Deno, workerd and Vercel's edge run it: over the runtime's `fetch` (its default transport).
// Bundled for its size only: on Node the Lambda entry gives it the node:http transport (`slrs_get.ts`).
import process from "node:process";
import { dynamoDbKv } from "../../bindings/dynamodb_kv.ts";

const COUNTER = dynamoDbKv("COUNTER", process.env);

/** Reads `key` as text. */
export function get(key: string): Promise<string | null> {
  return COUNTER.get(key);
}
