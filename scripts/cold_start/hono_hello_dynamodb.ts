// deno-lint-ignore-file no-import-prefix -- npm packages the benchmark alone uses are imported inline, with their range
/**
 * The HTTP routes of `examples/hello/main.ts` written with Hono, with the counter kept in DynamoDB as the slrs hello
 * keeps it (through its KV binding): the like-for-like peer of the slrs hello bundle, for
 * `scripts/bench_cold_start.ts`. The DynamoDB client is the smallest a Hono user would reach for: `fetch` signed with
 * aws4fetch's `AwsClient`, one `GetItem` or `PutItem` call each, no SDK. As on Lambda, the credentials, region and
 * table come from the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION`,
 * `COUNTER_TABLE`; `AWS_ENDPOINT_URL_DYNAMODB` for another endpoint); the client is made on the first counter
 * request, as the slrs binding is, so a request that never counts needs none of it.
 *
 * @module
 */

import process from "node:process";
import { AwsClient } from "npm:aws4fetch@^1.0.20";
import { Hono } from "npm:hono@^4.13.19";
import { HTTPException } from "npm:hono@^4.13.19/http-exception";
import { handle } from "npm:hono@^4.13.19/aws-lambda";

let client: AwsClient | undefined;

/** One DynamoDB API call (`GetItem`, `PutItem`), signed, its JSON answer parsed. */
async function dynamodb(action: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
  const env = process.env;
  client ??= new AwsClient({
    accessKeyId: env.AWS_ACCESS_KEY_ID!,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY!,
    ...(env.AWS_SESSION_TOKEN !== undefined && { sessionToken: env.AWS_SESSION_TOKEN }),
    region: env.AWS_REGION!,
    service: "dynamodb",
  });
  const endpoint = env.AWS_ENDPOINT_URL_DYNAMODB ?? `https://dynamodb.${env.AWS_REGION}.amazonaws.com`;
  const response = await client.fetch(endpoint, {
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `DynamoDB_20120810.${action}` },
    body: JSON.stringify({ TableName: env.COUNTER_TABLE, ...input }),
  });
  if (!response.ok) throw new Error(`DynamoDB ${action}: ${response.status} ${await response.text()}`);
  return await response.json();
}

async function readCount(): Promise<number> {
  const { Item } = await dynamodb("GetItem", { Key: { pk: { S: "count" } }, ConsistentRead: true }) as {
    Item?: { count?: { N: string } };
  };
  return Number(Item?.count?.N ?? 0);
}

const app = new Hono()
  .get("/", (c) => c.text("Hello from slrs! Try /hello/your-name\n"))
  .get("/hello/:name", (c) => c.json({ hello: c.req.param("name"), greeting: process.env.GREETING ?? "Hello" }))
  .post("/echo", async (c) => {
    const type = c.req.header("content-type") ?? "text/plain";
    return c.body(await c.req.arrayBuffer(), 200, { "content-type": type });
  })
  .get("/counter", async (c) => c.json({ count: await readCount() }))
  .post("/counter", async (c) => {
    const count = await readCount() + 1;
    await dynamodb("PutItem", { Item: { pk: { S: "count" }, count: { N: String(count) } } });
    return c.json({ count });
  })
  .get("/teapot", () => {
    throw new HTTPException(418, { message: "I'm a teapot, not a coffee machine." });
  });

/** The Lambda handler. */
export const handler = handle(app);
