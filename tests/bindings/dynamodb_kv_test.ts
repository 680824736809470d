// The DynamoDB KV backend against dynalite, a real DynamoDB API server (installed on first run into .slrs/cache/dynalite).

import assert from "node:assert/strict";
import { AwsClient } from "npm:aws4fetch@^1.0.20";
import { BindingError } from "../../src/bindings.ts";
import {
  DYNAMODB_KV_LIMITS,
  DYNAMODB_KV_TABLE,
  dynamoDbKv,
  dynamoDbMaxValueBytes,
} from "../../bindings/dynamodb_kv.ts";
import { type AwsTransport, RETRY } from "../../bindings/_aws.ts";
import { nodeHttpTransport } from "../../bindings/node_http_transport.ts";
import { kvCorpus } from "./_kv_corpus.ts";
import { type LocalServer, startLocalServer } from "./_local_server.ts";
import { startFlakyProxy } from "./_flaky_proxy.ts";

const CREDENTIALS = { AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local" };

async function dynamo(server: LocalServer, action: string, body: unknown): Promise<Record<string, unknown>> {
  const client = new AwsClient({
    accessKeyId: "local",
    secretAccessKey: "local",
    service: "dynamodb",
    region: "us-east-1",
    retries: 0,
  });
  const response = await client.fetch(server.url, {
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `DynamoDB_20120810.${action}` },
    body: JSON.stringify(body),
  });
  const json = await response.json();
  assert.ok(response.ok, JSON.stringify(json));
  return json;
}

/** Creates a table with the layout the backend documents, as the IaC will. */
async function createTable(server: LocalServer, table: string): Promise<void> {
  await dynamo(server, "CreateTable", {
    TableName: table,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [
      { AttributeName: DYNAMODB_KV_TABLE.partitionKey, AttributeType: "S" },
      { AttributeName: DYNAMODB_KV_TABLE.sortKey, AttributeType: "S" },
    ],
    KeySchema: [
      { AttributeName: DYNAMODB_KV_TABLE.partitionKey, KeyType: "HASH" },
      { AttributeName: DYNAMODB_KV_TABLE.sortKey, KeyType: "RANGE" },
    ],
  });
}

function kvOn(endpoint: string, table: string, transport?: AwsTransport) {
  const env = { ...CREDENTIALS, SLRS_COUNTER_TABLE: table, AWS_ENDPOINT_URL_DYNAMODB: endpoint };
  return transport ? dynamoDbKv("COUNTER", env, transport) : dynamoDbKv("COUNTER", env);
}

for (const [transport, name] of [[undefined, "fetch"], [nodeHttpTransport, "node:http"]] as const) {
  Deno.test(`the DynamoDB KV passes the KV corpus on dynalite through ${name}`, async (t) => {
    const server = await startLocalServer("dynalite");
    try {
      await createTable(server, "corpus");
      await kvCorpus(t, kvOn(server.url, "corpus", transport), {
        keyBytes: DYNAMODB_KV_LIMITS.keyBytes,
        valueBytes: dynamoDbMaxValueBytes,
        refusal: BindingError,
      });
    } finally {
      await server.stop();
    }
  });
}

Deno.test("the DynamoDB KV on dynalite", async (t) => {
  const server = await startLocalServer("dynalite");
  try {
    await createTable(server, "behaviour");
    const kv = kvOn(server.url, "behaviour");

    await t.step("an item past its TTL is not read or listed, though DynamoDB has not deleted it yet", async () => {
      const past = Math.floor(Date.now() / 1000) - 5;
      await dynamo(server, "PutItem", {
        TableName: "behaviour",
        Item: { pk: { S: "kv" }, sk: { S: "stale" }, v: { B: btoa("old") }, ttl: { N: String(past) } },
      });
      await kv.put("fresh", "new");
      assert.equal(await kv.get("stale"), null);
      assert.deepEqual(await kv.getWithMetadata("stale"), { value: null, metadata: null });
      const page = await kv.list();
      assert.deepEqual(page.keys.map((k) => k.name), ["fresh"]);
    });

    await t.step("a value over the item limit is refused before any request, naming both sizes", async () => {
      const max = dynamoDbMaxValueBytes("big");
      const error = await kv.put("big", new Uint8Array(max + 1)).catch((e) => e);
      assert.ok(error instanceof BindingError);
      assert.equal(error.kind, "kv");
      assert.equal(error.backend, "dynamodb");
      assert.equal(error.operation, "put");
      assert.match(error.message, new RegExp(`the value is ${max + 1} bytes; .* at most ${max} `));
    });

    await t.step("a stream over the item limit is refused without reading it whole", async () => {
      let pulled = 0;
      const endless = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled++;
          controller.enqueue(new Uint8Array(64 * 1024));
        },
      });
      await assert.rejects(kv.put("endless", endless), BindingError);
      assert.ok(pulled <= 8, `read ${pulled} chunks of 64 KiB`);
    });

    await t.step("a cursor that list did not return is refused", async () => {
      await assert.rejects(kv.list({ cursor: "%%%" }), /is not one list\(\) returned/);
    });

    await t.step("a table that does not exist is a BindingError that names the variable and region", async () => {
      const error = await kvOn(server.url, "missing-table").get("k").catch((e) => e);
      assert.ok(error instanceof BindingError);
      assert.match(error.message, /ResourceNotFoundException/);
      assert.match(error.message, /SLRS_COUNTER_TABLE=missing-table names a table in us-east-1/);
    });

    await t.step("throttling is retried with backoff and then succeeds", async () => {
      const throttle = () =>
        Response.json({
          __type: "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
          message: "Rate of requests exceeds the allowed throughput",
        }, { status: 400 });
      const proxy = startFlakyProxy(server.url, 2, throttle);
      try {
        const throttled = kvOn(proxy.url, "behaviour");
        assert.equal(await throttled.get("fresh"), "new");
        assert.equal(proxy.requests, 3);
      } finally {
        await proxy.stop();
      }
    });

    await t.step("throttling that does not stop fails after a bounded number of attempts", async () => {
      const proxy = startFlakyProxy(server.url, 100, () => new Response("slow down", { status: 503 }));
      try {
        const started = Date.now();
        const error = await kvOn(proxy.url, "behaviour").get("fresh").catch((e) => e);
        assert.ok(error instanceof BindingError);
        assert.match(error.message, /DynamoDB answered 503/);
        assert.equal(proxy.requests, RETRY.attempts);
        assert.ok(Date.now() - started < RETRY.attempts * RETRY.capMs);
      } finally {
        await proxy.stop();
      }
    });
  } finally {
    await server.stop();
  }
});

Deno.test("the DynamoDB KV reports missing configuration at first use, naming the variable", async (t) => {
  await t.step("creating the binding without configuration does not throw", () => {
    dynamoDbKv("COUNTER", {});
  });

  await t.step("the table variable", async () => {
    const error = await dynamoDbKv("COUNTER", CREDENTIALS).get("k").catch((e) => e);
    assert.ok(error instanceof BindingError);
    assert.equal(error.operation, "configure");
    assert.match(
      error.message,
      /^COUNTER \(kv on dynamodb\) configure: SLRS_COUNTER_TABLE is not set; set it to the name/,
    );
  });

  await t.step("the credentials and region", async () => {
    const noKey = dynamoDbKv("COUNTER", { SLRS_COUNTER_TABLE: "t", AWS_REGION: "us-east-1" });
    await assert.rejects(noKey.get("k"), /AWS_ACCESS_KEY_ID is not set/);
    const noRegion = dynamoDbKv("COUNTER", { ...CREDENTIALS, AWS_REGION: undefined, SLRS_COUNTER_TABLE: "t" });
    await assert.rejects(noRegion.get("k"), /AWS_REGION is not set/);
  });

  await t.step("an endpoint override that is not a URL", async () => {
    const kv = dynamoDbKv("COUNTER", { ...CREDENTIALS, SLRS_COUNTER_TABLE: "t", AWS_ENDPOINT_URL_DYNAMODB: "local" });
    await assert.rejects(kv.get("k"), /AWS_ENDPOINT_URL_DYNAMODB is "local", not a URL/);
  });
});
