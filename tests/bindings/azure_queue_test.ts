// The Azure Queue backend against azurite's Queue service (installed on first run into .slrs/cache/azurite).

import assert from "node:assert/strict";
import { QueueServiceClient } from "npm:@azure/storage-queue@^12.32.0";
import { BindingError } from "../../src/bindings.ts";
import { AZURE_QUEUE_LIMITS, azureQueue, decodeAzureQueueMessage } from "../../bindings/azure_queue.ts";
import { type QueueConsumer, queueCorpus } from "./_queue_corpus.ts";
import { startLocalServer } from "./_local_server.ts";
import { devConnectionString } from "./_azurite.ts";

/** A consumer that receives, decodes and deletes, as a Functions queue trigger does. */
function consumerOf(connection: string, queue: string): QueueConsumer {
  const client = QueueServiceClient.fromConnectionString(connection).getQueueClient(queue);
  return {
    honoursDelay: true,
    async drain() {
      const bodies: unknown[] = [];
      for (let empty = 0; empty < 2;) {
        const { receivedMessageItems: items } = await client.receiveMessages({ numberOfMessages: 32 });
        if (items.length === 0) {
          empty++;
          await new Promise((resolve) => setTimeout(resolve, 50));
          continue;
        }
        for (const item of items) {
          bodies.push(decodeAzureQueueMessage(item.messageText));
          await client.deleteMessage(item.messageId, item.popReceipt);
        }
      }
      return bodies;
    },
  };
}

Deno.test("the Azure queue passes the queue corpus on azurite", async (t) => {
  const server = await startLocalServer("azurite-queue");
  try {
    const connection = devConnectionString({ queue: server.url });
    await QueueServiceClient.fromConnectionString(connection).getQueueClient("corpus").create();
    const queue = azureQueue("EMAILS", { SLRS_EMAILS_QUEUE: "corpus", AzureWebJobsStorage: connection });
    await queueCorpus(t, queue, consumerOf(connection, "corpus"), {
      maxDelaySeconds: AZURE_QUEUE_LIMITS.maxDelaySeconds,
      refusal: BindingError,
      defaultContentType: "json",
    });
  } finally {
    await server.stop();
  }
});

Deno.test("the Azure queue on azurite", async (t) => {
  const server = await startLocalServer("azurite-queue");
  try {
    const connection = devConnectionString({ queue: server.url });
    const raw = QueueServiceClient.fromConnectionString(connection).getQueueClient("behaviour");
    await raw.create();
    const queue = azureQueue("EMAILS", { SLRS_EMAILS_QUEUE: "behaviour", SLRS_EMAILS_CONNECTION: connection });

    await t.step("a message is stored as base64 of its envelope, as a Functions trigger decodes it", async () => {
      await queue.send({ to: "ada" });
      const { receivedMessageItems: [item] } = await raw.receiveMessages();
      const envelope = JSON.parse(
        new TextDecoder().decode(Uint8Array.from(atob(item!.messageText), (c) => c.charCodeAt(0))),
      );
      assert.deepEqual(envelope, { "slrs-content-type": "json", body: { to: "ada" } });
      assert.deepEqual(decodeAzureQueueMessage(envelope), { to: "ada" }, "the trigger's parsed JSON decodes too");
      assert.equal(decodeAzureQueueMessage("not from slrs"), "not from slrs");
      assert.equal(decodeAzureQueueMessage("abcd"), "abcd", "text that happens to be base64 stays text");
      await raw.deleteMessage(item!.messageId, item!.popReceipt);
    });

    await t.step("a message over 64 KiB as stored is refused before any request", async () => {
      const error = await queue.send("x".repeat(48 * 1024)).catch((e) => e);
      assert.ok(error instanceof BindingError);
      assert.match(error.message, /as stored \(base64\); Queue Storage takes at most 65536/);
    });

    await t.step("a queue that does not exist is a BindingError that names the variable", async () => {
      const missing = azureQueue("EMAILS", { SLRS_EMAILS_QUEUE: "nosuch", AzureWebJobsStorage: connection });
      await assert.rejects(missing.send("x"), /SLRS_EMAILS_QUEUE=nosuch names a queue/);
      await assert.rejects(
        azureQueue("EMAILS", { AzureWebJobsStorage: connection }).send("x"),
        /SLRS_EMAILS_QUEUE is not set/,
      );
    });
  } finally {
    await server.stop();
  }
});
