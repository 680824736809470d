// The AWS SDK contender: the same read through `@aws-sdk/client-dynamodb`, a `GetItem` with strong consistency on the
// item layout the slrs backend uses, its value decoded as text. The client is made at module load with no options, as
// Lambda code does: credentials, region and endpoint come from the same environment variables. The benchmark copies
// this file into `.slrs/cache/aws-sdk-dynamodb/` so that the bare import resolves to the package installed there.
import process from "node:process";
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";

const client = new DynamoDBClient({});
const decoder = new TextDecoder();

/** Reads `key` as text. */
export async function get(key) {
  const { Item } = await client.send(
    new GetItemCommand({
      TableName: process.env.SLRS_COUNTER_TABLE,
      Key: { pk: { S: "kv" }, sk: { S: key } },
      ConsistentRead: true,
    }),
  );
  if (Item === undefined) return null;
  return Item.v ? decoder.decode(Item.v.B) : "";
}
