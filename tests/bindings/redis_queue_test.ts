// The Redis queue backend against Debian's redis-server (installed with apt-get when missing).

import assert from "node:assert/strict";
import { BindingError } from "../../src/bindings.ts";
import { REDIS_QUEUE_LIMITS, redisQueue, redisQueueReceiver } from "../../bindings/redis_queue.ts";
import { type QueueConsumer, queueCorpus } from "./_queue_corpus.ts";
import { startRedisServer } from "./_redis_server.ts";

Deno.test("the Redis queue passes the queue corpus on redis-server", async (t) => {
  const server = await startRedisServer();
  const env = { REDIS_URL: server.url };
  const queue = redisQueue("EMAILS", env);
  const receiver = redisQueueReceiver("EMAILS", env);
  const consumer: QueueConsumer = {
    honoursDelay: true,
    async drain() {
      const bodies: unknown[] = [];
      for (let empty = 0; empty < 2;) {
        const batch = await receiver.receive(10);
        if (batch.length === 0) {
          empty++;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        bodies.push(...batch);
      }
      return bodies;
    },
  };
  try {
    await queueCorpus(t, queue, consumer, {
      maxDelaySeconds: REDIS_QUEUE_LIMITS.maxDelaySeconds,
      refusal: BindingError,
      defaultContentType: "json",
    });
  } finally {
    await queue.close();
    await receiver.close();
    await server.stop();
  }
});

Deno.test("the Redis queue on redis-server", async (t) => {
  const server = await startRedisServer();
  const env = { REDIS_URL: server.url };
  const queue = redisQueue("EMAILS", env);
  const receiver = redisQueueReceiver("EMAILS", env);
  try {
    await t.step("messages are received oldest first, and equal bodies stay two messages", async () => {
      for (const n of [1, 2, 2, 3]) await queue.send({ n });
      assert.deepEqual(await receiver.receive(10), [{ n: 1 }, { n: 2 }, { n: 2 }, { n: 3 }]);
      await queue.send("x", { delaySeconds: 1 });
      await queue.send("x", { delaySeconds: 1 });
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      assert.deepEqual(await receiver.receive(10), ["x", "x"]);
    });

    await t.step("another binding on the same database has its own queue", async () => {
      const other = redisQueueReceiver("OTHER", env);
      try {
        await queue.send("mine");
        assert.deepEqual(await other.receive(), []);
        assert.deepEqual(await receiver.receive(), ["mine"]);
      } finally {
        await other.close();
      }
    });

    await t.step("a message over 128 KB is refused before any request", async () => {
      await assert.rejects(queue.send("x".repeat(REDIS_QUEUE_LIMITS.messageBytes)), /at most 128000/);
    });
  } finally {
    await queue.close();
    await receiver.close();
    await server.stop();
  }
});
