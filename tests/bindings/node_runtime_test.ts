// The backends bundled for Node (the runtime Lambda and Azure Functions give them, and a self-hosted server may use) and
// run there, under `node`, against the same local servers: what runs in Deno's tests is what a deployed function runs.

import assert from "node:assert/strict";
import { AwsClient } from "npm:aws4fetch@^1.0.20";
import { DYNAMODB_KV_TABLE } from "../../bindings/dynamodb_kv.ts";
import { TableClient } from "npm:@azure/data-tables@^13.3.2";
import { BlobServiceClient } from "npm:@azure/storage-blob@^12.34.0";
import { QueueServiceClient } from "npm:@azure/storage-queue@^12.32.0";
import { startLocalServer } from "./_local_server.ts";
import { devConnectionString } from "./_azurite.ts";
import { startRedisServer } from "./_redis_server.ts";

/**
 * The same script for every platform's backends: a counter, a streamed upload read back by range, a batch sent. With
 * `wrap`, each constructor goes through that function of that module first (the transport the Node entry gives).
 */
const entryUsing = (
  [kv, bucket, queue]: [factory: string, module: string][],
  wrap?: [name: string, module: string],
) => `
${
  [kv!, bucket!, queue!, ...(wrap ? [wrap] : [])].map(([factory, module]) =>
    `import { ${factory} } from ${binding(module)};`
  ).join("\n")
}
const make = ${wrap ? `(factory) => ${wrap[0]}(factory)` : "(factory) => factory"};

const counter = make(${kv![0]})("COUNTER", process.env);
const uploads = make(${bucket![0]})("UPLOADS", process.env);
const emails = make(${queue![0]})("EMAILS", process.env);
const count = Number(await counter.get("count") ?? 0) + 1;
await counter.put("count", String(count), { metadata: { by: "node" } });
await uploads.put("greeting.txt", new Blob(["hello from node"]).stream(), { httpMetadata: { contentType: "text/plain" } });
const object = await uploads.get("greeting.txt", { range: { offset: 6 } });
await emails.sendBatch([{ body: { count } }, { body: new Uint8Array([1, 2]) }]);
console.log(JSON.stringify({
  count: await counter.getWithMetadata("count", "json"),
  object: { text: await object.text(), type: object.httpMetadata.contentType, size: object.size },
  listed: (await counter.list()).keys.map((k) => k.name),
}));
`;

const binding = (module: string) => JSON.stringify(new URL(`../../bindings/${module}.ts`, import.meta.url).href);

/** Bundles `entry` for Node into `dir`; the result runs it once under node with only `env`, returning what it printed. */
async function bundledForNode(dir: string, entry: string, env: Record<string, string>) {
  await Deno.writeTextFile(`${dir}/entry.ts`, entry);
  const bundle = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", "--platform", "node", "-o", `${dir}/entry.mjs`, `${dir}/entry.ts`],
    cwd: new URL("../../", import.meta.url).pathname,
    env: { RUST_BACKTRACE: "0" },
    stderr: "piped",
  }).output();
  assert.ok(bundle.success, new TextDecoder().decode(bundle.stderr));
  return async () => {
    const node = await new Deno.Command("node", { args: [`${dir}/entry.mjs`], env, clearEnv: true }).output();
    assert.ok(node.success, new TextDecoder().decode(node.stderr));
    return JSON.parse(new TextDecoder().decode(node.stdout));
  };
}

/**
 * Runs {@linkcode entryUsing}'s entry twice under node: the first run counts 1 (with the object it stored and the key
 * it listed), the second 2, so the state went through the real server.
 */
async function countsTwiceUnderNode(dir: string, entry: string, env: Record<string, string>): Promise<void> {
  const run = await bundledForNode(dir, entry, env);
  assert.deepEqual(await run(), {
    count: { value: 1, metadata: { by: "node" } },
    object: { text: "from node", type: "text/plain", size: 15 },
    listed: ["count"],
  });
  assert.equal((await run()).count.value, 2);
}

// Through the node:http transport, as the entry `build` generates for Node gives them.
const ENTRY = entryUsing(
  [["dynamoDbKvOver", "dynamodb_kv"], ["s3BucketOver", "s3_bucket"], ["sqsQueueOver", "sqs_queue"]],
  ["viaNodeHttp", "node_http_transport"],
);

Deno.test("the AWS backends bundled for Node run under node against the local servers", async () => {
  const [dynalite, s3rver, sqslite] = await Promise.all([
    startLocalServer("dynalite"),
    startLocalServer("s3rver"),
    startLocalServer("sqslite"),
  ]);
  const dir = await Deno.makeTempDir({ prefix: "slrs-bindings-node-" });
  try {
    const sign = (service: string, key = "local") =>
      new AwsClient({ accessKeyId: key, secretAccessKey: key, service, region: "us-east-1" });
    await sign("dynamodb").fetch(dynalite.url, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "DynamoDB_20120810.CreateTable" },
      body: JSON.stringify({
        TableName: "counter",
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, {
          AttributeName: "sk",
          AttributeType: "S",
        }],
        KeySchema: [
          { AttributeName: DYNAMODB_KV_TABLE.partitionKey, KeyType: "HASH" },
          { AttributeName: DYNAMODB_KV_TABLE.sortKey, KeyType: "RANGE" },
        ],
      }),
    }).then((r) => r.text());
    assert.ok((await sign("s3", "S3RVER").fetch(`${s3rver.url}/uploads`, { method: "PUT" })).ok);
    await sign("sqs").fetch(`${sqslite.url}/`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "Action=CreateQueue&QueueName=emails&Version=2012-11-05",
    }).then((r) => r.text());

    const env = {
      AWS_REGION: "us-east-1",
      SLRS_COUNTER_TABLE: "counter",
      SLRS_UPLOADS_BUCKET: "uploads",
      SLRS_EMAILS_QUEUE_URL: `http://localhost:${new URL(sqslite.url).port}/queues/emails`,
      AWS_ENDPOINT_URL_DYNAMODB: dynalite.url,
      AWS_ENDPOINT_URL_S3: s3rver.url,
      AWS_ENDPOINT_URL_SQS: sqslite.url,
      // One set of credentials for all three, as Lambda gives one role: s3rver accepts only its own key.
      AWS_ACCESS_KEY_ID: "S3RVER",
      AWS_SECRET_ACCESS_KEY: "S3RVER",
    };
    await countsTwiceUnderNode(dir, ENTRY, env);
  } finally {
    await Promise.all([dynalite.stop(), s3rver.stop(), sqslite.stop()]);
    await Deno.remove(dir, { recursive: true });
  }
});

const AZURE_ENTRY = entryUsing([
  ["azureTableKv", "azure_table_kv"],
  ["azureBlobBucket", "azure_blob_bucket"],
  ["azureQueue", "azure_queue"],
]);

Deno.test("the Azure backends bundled for Node run under node against azurite", async () => {
  const [table, blob, queue] = await Promise.all([
    startLocalServer("azurite-table"),
    startLocalServer("azurite-blob"),
    startLocalServer("azurite-queue"),
  ]);
  const dir = await Deno.makeTempDir({ prefix: "slrs-bindings-node-" });
  try {
    const connection = devConnectionString({ table: table.url, blob: blob.url, queue: queue.url });
    await TableClient.fromConnectionString(connection, "counter", { allowInsecureConnection: true }).createTable();
    await BlobServiceClient.fromConnectionString(connection).getContainerClient("uploads").create();
    const emails = QueueServiceClient.fromConnectionString(connection).getQueueClient("emails");
    await emails.create();

    const env = {
      AzureWebJobsStorage: connection,
      SLRS_COUNTER_TABLE: "counter",
      SLRS_UPLOADS_CONTAINER: "uploads",
      SLRS_EMAILS_QUEUE: "emails",
    };
    await countsTwiceUnderNode(dir, AZURE_ENTRY, env);
    assert.equal((await emails.getProperties()).approximateMessagesCount, 4);
  } finally {
    await Promise.all([table.stop(), blob.stop(), queue.stop()]);
    await Deno.remove(dir, { recursive: true });
  }
});

const SELF_HOSTED_ENTRY = `
import { redisKv } from ${JSON.stringify(new URL("../../bindings/redis_kv.ts", import.meta.url).href)};
import { redisQueue, redisQueueReceiver } from ${
  JSON.stringify(new URL("../../bindings/redis_queue.ts", import.meta.url).href)
};
import { localBucket } from ${JSON.stringify(new URL("../../bindings/local_bucket.ts", import.meta.url).href)};
import { localKv } from ${JSON.stringify(new URL("../../bindings/local_kv.ts", import.meta.url).href)};

const counter = redisKv("COUNTER", process.env);
const cache = localKv("CACHE", process.env);
const uploads = localBucket("UPLOADS", process.env);
const emails = redisQueue("EMAILS", process.env);
const receiver = redisQueueReceiver("EMAILS", process.env);
const count = Number(await counter.get("count") ?? 0) + 1;
await counter.put("count", String(count), { metadata: { by: "node" } });
await cache.put("count", String(count));
await uploads.put("greeting.txt", new Blob(["hello from node"]).stream(), { httpMetadata: { contentType: "text/plain" } });
const object = await uploads.get("greeting.txt", { range: { offset: 6 } });
await emails.sendBatch([{ body: { count } }, { body: new Uint8Array([1, 2]) }]);
console.log(JSON.stringify({
  count: await counter.getWithMetadata("count", "json"),
  cached: await cache.get("count", "json"),
  object: { text: await object.text(), type: object.httpMetadata.contentType, size: object.size },
  received: (await receiver.receive(10)).map((body) => body instanceof Uint8Array ? [...body] : body),
}));
await Promise.all([counter.close(), emails.close(), receiver.close()]);
`;

Deno.test("the Redis and local backends bundled for Node run under node", async () => {
  const redis = await startRedisServer();
  const dir = await Deno.makeTempDir({ prefix: "slrs-bindings-node-" });
  try {
    const env = { REDIS_URL: redis.url, SLRS_CACHE_FILE: `${dir}/cache.json`, SLRS_UPLOADS_DIR: `${dir}/uploads` };
    const run = await bundledForNode(dir, SELF_HOSTED_ENTRY, env);
    assert.deepEqual(await run(), {
      count: { value: 1, metadata: { by: "node" } },
      cached: 1,
      object: { text: "from node", type: "text/plain", size: 15 },
      received: [{ count: 1 }, [1, 2]],
    });
    assert.equal((await run()).cached, 2);
  } finally {
    await redis.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
