/**
 * The queue corpus: the behaviours every {@linkcode QueueProducer} backend must show, checked on what a real
 * consumer of the same queue receives.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { QueueProducer } from "../../src/bindings.ts";

/** Reads the queue as its consumer would. */
export interface QueueConsumer {
  /** The decoded bodies of every message deliverable now (waiting briefly for stragglers), removed from the queue. */
  drain(): Promise<unknown[]>;
  /**
   * Whether delivery honours `delaySeconds`. SQS does; sqslite delivers at once, so its test checks the DelaySeconds
   * the backend sends instead.
   */
  honoursDelay: boolean;
}

/** What differs between backends, each a numbered limit of docs/bindings.md. */
export interface QueueCorpusLimits {
  /**
   * Limit 13: the longest delay (SQS 900 s, Cloudflare Queues 43,200 s), or `undefined` where the server does not
   * check it (Miniflare).
   */
  maxDelaySeconds: number | undefined;
  /** What a refused input throws. */
  refusal: new (...args: never[]) => Error;
  /**
   * Limit 15: the content type a body without one travels as. Portable backends use `json` (so `undefined`, which
   * JSON cannot carry, is refused); Cloudflare Queues uses `v8`, which carries it.
   */
  defaultContentType: "json" | "v8";
}

function sorted(bodies: unknown[]): unknown[] {
  return bodies.map((b) => JSON.stringify(b instanceof Uint8Array ? [...b] : b)).sort().map((b) => JSON.parse(b));
}

/**
 * Runs the queue corpus against `queue`, which must start empty.
 *
 * @param t The test context; each behaviour is a step.
 * @param queue The producer under test.
 * @param consumer The same queue's consumer.
 * @param limits This backend's numbered limits.
 */
export async function queueCorpus(
  t: Deno.TestContext,
  queue: QueueProducer,
  consumer: QueueConsumer,
  limits: QueueCorpusLimits,
): Promise<void> {
  await t.step("send delivers JSON values, strings and unicode as they were sent", async () => {
    await queue.send({ to: "ada@example.com", n: 1, nested: { ok: true } });
    await queue.send("plain string");
    await queue.send(["ünïcödé ✓ 🎉", null, 1.5]);
    assert.deepEqual(
      sorted(await consumer.drain()),
      sorted([{ to: "ada@example.com", n: 1, nested: { ok: true } }, "plain string", ["ünïcödé ✓ 🎉", null, 1.5]]),
    );
  });

  await t.step("contentType text sends a string as it is, bytes as bytes", async () => {
    await queue.send("raw <text> & more", { contentType: "text" });
    await queue.send(new Uint8Array([0, 1, 2, 253, 254, 255]));
    const bodies = await consumer.drain();
    assert.equal(bodies.length, 2);
    assert.ok(bodies.includes("raw <text> & more"));
    const bytes = bodies.find((b) => b instanceof Uint8Array);
    assert.deepEqual(bytes && [...(bytes as Uint8Array)], [0, 1, 2, 253, 254, 255]);
  });

  await t.step("sendBatch delivers every message, past the backend's batch size", async () => {
    const messages = Array.from({ length: 23 }, (_, i) => ({ body: { i } }));
    await queue.sendBatch(messages);
    await queue.sendBatch([{ body: "as text", contentType: "text" as const }, { body: new Uint8Array([9]) }]);
    const bodies = await consumer.drain();
    assert.deepEqual(sorted(bodies), sorted([...messages.map((m) => m.body), "as text", new Uint8Array([9])]));
  });

  await t.step("delaySeconds holds a message back", async () => {
    await queue.send({ delayed: true }, { delaySeconds: 2 });
    await queue.sendBatch([{ body: { delayed: "batch" }, delaySeconds: 2 }]);
    if (consumer.honoursDelay) {
      assert.deepEqual(await consumer.drain(), []);
      await new Promise((resolve) => setTimeout(resolve, 2_100));
    }
    assert.deepEqual(sorted(await consumer.drain()), sorted([{ delayed: true }, { delayed: "batch" }]));
  });

  await t.step("a delay past the limit, or a body its content type cannot carry, is refused", async () => {
    if (limits.maxDelaySeconds !== undefined) {
      await assert.rejects(queue.send("late", { delaySeconds: limits.maxDelaySeconds + 1 }), limits.refusal);
    }
    await assert.rejects(queue.send({ not: "text" }, { contentType: "text" }), limits.refusal);
    if (limits.defaultContentType === "json") await assert.rejects(queue.send(undefined), limits.refusal);
    await assert.rejects(queue.sendBatch([{ body: 1 }, { body: 2, delaySeconds: -1 }]), limits.refusal);
    assert.deepEqual(await consumer.drain(), [], "nothing of a refused batch was sent");
  });
}
