// A direct SigV4-signed `GetItem` POST with aws4fetch over `fetch`, with no retries, checks or errors around it, its
// value decoded as text: the floor of any `fetch`-based client.
import process from "node:process";
import { AwsClient } from "npm:aws4fetch@^1.0.20";

const env = process.env;
const client = new AwsClient({
  accessKeyId: env.AWS_ACCESS_KEY_ID!,
  secretAccessKey: env.AWS_SECRET_ACCESS_KEY!,
  service: "dynamodb",
  region: env.AWS_REGION!,
  retries: 0,
});
const decoder = new TextDecoder();

/** Reads `key` as text. */
export async function get(key: string): Promise<string | null> {
  const response = await client.fetch(env.AWS_ENDPOINT_URL_DYNAMODB!, {
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "DynamoDB_20120810.GetItem" },
    body: JSON.stringify({
      TableName: env.SLRS_COUNTER_TABLE,
      Key: { pk: { S: "kv" }, sk: { S: key } },
      ConsistentRead: true,
    }),
  });
  const { Item } = await response.json() as { Item?: { v?: { B: string } } };
  if (Item === undefined) return null;
  return Item.v ? decoder.decode(Uint8Array.from(atob(Item.v.B), (c) => c.charCodeAt(0))) : "";
}
