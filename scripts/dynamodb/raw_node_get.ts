// The floor for warm reads on Node: one SigV4-signed `GetItem` POST over `node:http` with a kept-alive connection,
// signed by the same signer as slrs (bindings/_sigv4.ts), with no retries, checks or errors around it, its value
// decoded as text.
import process from "node:process";
import { Agent, request } from "node:http";
import { sigV4Signer } from "../../bindings/_sigv4.ts";

const env = process.env;
const url = new URL(env.AWS_ENDPOINT_URL_DYNAMODB!);
const agent = new Agent({ keepAlive: true });
const sign = sigV4Signer(
  { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! },
  "dynamodb",
  env.AWS_REGION!,
);
const decoder = new TextDecoder();

/** Reads `key` as text. */
export async function get(key: string): Promise<string | null> {
  const body = JSON.stringify({
    TableName: env.SLRS_COUNTER_TABLE,
    Key: { pk: { S: "kv" }, sk: { S: key } },
    ConsistentRead: true,
  });
  const headers = await sign({
    method: "POST",
    url,
    headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "DynamoDB_20120810.GetItem" },
    body,
  });
  const text = await new Promise<string>((resolve, reject) => {
    const outgoing = request(url, { method: "POST", headers, agent }, (incoming) => {
      let text = "";
      incoming.setEncoding("utf8");
      incoming.on("data", (chunk: string) => text += chunk);
      incoming.on("end", () => resolve(text));
    });
    outgoing.on("error", reject);
    outgoing.end(body);
  });
  const { Item } = JSON.parse(text) as { Item?: { v?: { B: string } } };
  if (Item === undefined) return null;
  return Item.v ? decoder.decode(Uint8Array.from(atob(Item.v.B), (c) => c.charCodeAt(0))) : "";
}
