// The SQS queue backend against sqslite, a real SQS query-API server (installed on first run into .slrs/cache/sqslite).

import assert from "node:assert/strict";
import { AwsClient } from "npm:aws4fetch@^1.0.20";
import { BindingError } from "../../src/bindings.ts";
import { decodeSqsMessage, SQS_QUEUE_LIMITS, sqsQueue } from "../../bindings/sqs_queue.ts";
import { blocks, field } from "../../bindings/_xml.ts";
import { type QueueConsumer, queueCorpus } from "./_queue_corpus.ts";
import { type LocalServer, startLocalServer } from "./_local_server.ts";
import { startFlakyProxy } from "./_flaky_proxy.ts";

const CREDENTIALS = { AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local" };
const client = new AwsClient({ accessKeyId: "local", secretAccessKey: "local", service: "sqs", region: "us-east-1" });

async function sqs(server: LocalServer, params: Record<string, string>): Promise<string> {
  const response = await client.fetch(`${server.url}/`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ Version: "2012-11-05", ...params }).toString(),
  });
  const text = await response.text();
  assert.ok(response.ok, text);
  return text;
}

/** Creates a queue; sqslite finds queues by URLs on `localhost`, whatever address it listens on. */
async function createQueue(server: LocalServer, name: string): Promise<string> {
  await sqs(server, { Action: "CreateQueue", QueueName: name });
  return `http://localhost:${new URL(server.url).port}/queues/${name}`;
}

/** A consumer that receives, decodes and deletes, as a Lambda SQS trigger would hand the records over. */
function consumerOf(server: LocalServer, queueUrl: string): QueueConsumer {
  return {
    honoursDelay: false,
    async drain() {
      const bodies: unknown[] = [];
      for (let empty = 0; empty < 2;) {
        const xml = await sqs(server, {
          Action: "ReceiveMessage",
          QueueUrl: queueUrl,
          MaxNumberOfMessages: "10",
          "MessageAttributeName.1": "All",
        });
        const messages = blocks(xml, "Message");
        if (messages.length === 0) {
          empty++;
          continue;
        }
        for (const message of messages) {
          const attributes = Object.fromEntries(
            blocks(message, "MessageAttribute").map((
              a,
            ) => [field(a, "Name")!, { stringValue: field(a, "StringValue") }]),
          );
          bodies.push(decodeSqsMessage({ body: field(message, "Body")!, messageAttributes: attributes }));
          await sqs(server, {
            Action: "DeleteMessage",
            QueueUrl: queueUrl,
            ReceiptHandle: field(message, "ReceiptHandle")!,
          });
        }
      }
      return bodies;
    },
  };
}

function queueOn(endpoint: string, queueUrl: string) {
  return sqsQueue("EMAILS", { ...CREDENTIALS, SLRS_EMAILS_QUEUE_URL: queueUrl, AWS_ENDPOINT_URL_SQS: endpoint });
}

Deno.test("the SQS queue passes the queue corpus on sqslite", async (t) => {
  const server = await startLocalServer("sqslite");
  try {
    const url = await createQueue(server, "corpus");
    await queueCorpus(t, queueOn(server.url, url), consumerOf(server, url), {
      maxDelaySeconds: SQS_QUEUE_LIMITS.maxDelaySeconds,
      refusal: BindingError,
      defaultContentType: "json",
    });
  } finally {
    await server.stop();
  }
});

Deno.test("the SQS queue on sqslite", async (t) => {
  const server = await startLocalServer("sqslite");
  try {
    const url = await createQueue(server, "behaviour");
    const consumer = consumerOf(server, url);

    await t.step("delaySeconds and the content type travel on each message", async () => {
      const proxy = startFlakyProxy(server.url, 0, () => new Response());
      try {
        const queue = queueOn(proxy.url, url);
        await queue.send({ a: 1 }, { delaySeconds: 7 });
        await queue.sendBatch([{ body: "x", contentType: "text", delaySeconds: 3 }, { body: new Uint8Array([1]) }]);
        const [single, batch] = proxy.forwarded.map((r) => new URLSearchParams(r.body));
        assert.equal(single?.get("Action"), "SendMessage");
        assert.equal(single?.get("DelaySeconds"), "7");
        assert.equal(single?.get("MessageAttribute.1.Name"), "slrs-content-type");
        assert.equal(single?.get("MessageAttribute.1.Value.StringValue"), "json");
        assert.equal(batch?.get("Action"), "SendMessageBatch");
        assert.equal(batch?.get("SendMessageBatchRequestEntry.1.DelaySeconds"), "3");
        assert.equal(batch?.get("SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue"), "text");
        assert.equal(batch?.get("SendMessageBatchRequestEntry.2.DelaySeconds"), null);
        assert.equal(batch?.get("SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.StringValue"), "bytes");
        assert.equal(batch?.get("SendMessageBatchRequestEntry.2.MessageBody"), "AQ==");
        await consumer.drain();
      } finally {
        await proxy.stop();
      }
    });

    await t.step("a message over 256 KiB is refused before the request", async () => {
      const error = await queueOn(server.url, url).send("x".repeat(SQS_QUEUE_LIMITS.messageBytes)).catch((e) => e);
      assert.ok(error instanceof BindingError);
      assert.match(error.message, /^EMAILS \(queue on sqs\) send: the message is \d+ bytes as sent; SQS takes at most/);
    });

    await t.step("a queue that does not exist names the variable and region", async () => {
      const missing = `http://localhost:${new URL(server.url).port}/queues/missing`;
      const error = await queueOn(server.url, missing).send("x").catch((e) => e);
      assert.ok(error instanceof BindingError);
      assert.match(error.message, /NonExistentQueue/);
      assert.match(error.message, /SLRS_EMAILS_QUEUE_URL=.*\/queues\/missing names a queue in us-east-1/);
    });

    await t.step("throttling is retried and then succeeds", async () => {
      const throttle = () =>
        new Response("<ErrorResponse><Error><Code>RequestThrottled</Code></Error></ErrorResponse>", { status: 403 });
      const proxy = startFlakyProxy(server.url, 2, throttle);
      try {
        await queueOn(proxy.url, url).send("after throttling");
        assert.equal(proxy.requests, 3);
        assert.deepEqual(await consumer.drain(), ["after throttling"]);
      } finally {
        await proxy.stop();
      }
    });

    await t.step("missing configuration names the variable at first use", async () => {
      await assert.rejects(sqsQueue("EMAILS", CREDENTIALS).send("x"), /SLRS_EMAILS_QUEUE_URL is not set/);
    });
  } finally {
    await server.stop();
  }
});
