// The Pub/Sub queue producer against a loopback fake written from Pub/Sub's documented publish method and the
// metadata server's protocol (tests/bindings/_fake_gcp.ts). No Pub/Sub emulator can be installed here, so this
// backend is NOT tested against the real service. The shared queue corpus is not run: its delay step needs a
// delaySeconds Pub/Sub cannot honour (limit 24); the steps below cover the rest of it on what a subscriber receives.

import assert from "node:assert/strict";
import { BindingError } from "../../src/bindings.ts";
import { decodePubSubMessage, pubSubQueue } from "../../bindings/pubsub_queue.ts";
import { RETRY } from "../../bindings/_retry.ts";
import { startFakeMetadata, startFakePubSub } from "./_fake_gcp.ts";

const TOPIC = "projects/slrs-test/topics/emails";

Deno.test("the Pub/Sub queue delivers what was sent to a subscriber of its topic", async (t) => {
  const metadata = startFakeMetadata("slrs-test");
  const pubsub = startFakePubSub([TOPIC], () => metadata.current);
  const queue = pubSubQueue("EMAILS", {
    SLRS_EMAILS_TOPIC: "emails",
    SLRS_GCP_ENDPOINT: pubsub.url,
    GCE_METADATA_HOST: metadata.host,
  });
  const drain = () => pubsub.topics.get(TOPIC)!.splice(0).map(decodePubSubMessage);
  try {
    await t.step("send delivers JSON values, strings and unicode as they were sent", async () => {
      await queue.send({ to: "ada@example.com", nested: { ok: true } });
      await queue.send("plain string");
      await queue.send(["ünïcödé ✓ 🎉", null, 1.5]);
      assert.deepEqual(drain(), [{ to: "ada@example.com", nested: { ok: true } }, "plain string", [
        "ünïcödé ✓ 🎉",
        null,
        1.5,
      ]]);
    });

    await t.step("contentType text sends a string as it is, bytes as bytes", async () => {
      await queue.send("raw <text> & more", { contentType: "text" });
      await queue.send(new Uint8Array([0, 1, 2, 253, 254, 255]));
      const [text, bytes] = drain();
      assert.equal(text, "raw <text> & more");
      assert.deepEqual([...(bytes as Uint8Array)], [0, 1, 2, 253, 254, 255]);
      const raw = pubsub.requests.at(-1)!.json<{ messages: unknown[] }>();
      assert.deepEqual(raw, { messages: [{ data: "AAEC/f7/", attributes: { "slrs-content-type": "bytes" } }] });
    });

    await t.step("sendBatch delivers every message, in groups of at most 1,000", async () => {
      const before = pubsub.requests.length;
      const messages = Array.from({ length: 1203 }, (_, i) => ({ body: { i } }));
      await queue.sendBatch(messages);
      assert.equal(pubsub.requests.length - before, 2);
      assert.deepEqual(drain(), messages.map((m) => m.body));
    });

    await t.step("a delay is refused, since Pub/Sub cannot hold a message back; 0 is sent", async () => {
      const error = await queue.send("late", { delaySeconds: 2 }).catch((e) => e);
      assert.ok(error instanceof BindingError);
      assert.match(error.message, /Pub\/Sub delivers at once and cannot hold a message back/);
      await queue.send("now", { delaySeconds: 0 });
      assert.deepEqual(drain(), ["now"]);
    });

    await t.step(
      "a body its content type cannot carry, or a batch with one, is refused before any request",
      async () => {
        const before = pubsub.requests.length;
        await assert.rejects(queue.send({ not: "text" }, { contentType: "text" }), BindingError);
        await assert.rejects(queue.send(undefined), BindingError);
        await assert.rejects(queue.sendBatch([{ body: 1 }, { body: 2, delaySeconds: 5 }]), BindingError);
        assert.equal(pubsub.requests.length, before);
        assert.deepEqual(drain(), []);
      },
    );

    await t.step("throttling is retried with backoff, and fails after a bounded number of attempts", async () => {
      pubsub.failNext(2, () => new Response(null, { status: 429 }));
      await queue.send("after throttling");
      assert.deepEqual(drain(), ["after throttling"]);
      pubsub.failNext(100, () => new Response(null, { status: 503 }));
      const before = pubsub.requests.length;
      await assert.rejects(queue.send("never"), /Pub\/Sub answered 503/);
      assert.equal(pubsub.requests.length - before, RETRY.attempts);
      pubsub.failNext(0, () => new Response());
    });

    await t.step("a topic that does not exist names the variable to check", async () => {
      const missing = pubSubQueue("EMAILS", {
        SLRS_EMAILS_TOPIC: "projects/slrs-test/topics/nope",
        SLRS_GCP_ENDPOINT: pubsub.url,
        GCE_METADATA_HOST: metadata.host,
      });
      await assert.rejects(missing.send(1), /404: NOT_FOUND Topic not found\. Check that SLRS_EMAILS_TOPIC/);
    });

    assert.deepEqual(pubsub.violations, []);
  } finally {
    await pubsub.stop();
    await metadata.stop();
  }
});

Deno.test("the Pub/Sub queue's configuration", async (t) => {
  await t.step("a missing topic variable is named at first use", async () => {
    const error = await pubSubQueue("EMAILS", {}).send(1).catch((e) => e);
    assert.ok(error instanceof BindingError);
    assert.match(error.message, /^EMAILS \(queue on pubsub\) configure: SLRS_EMAILS_TOPIC is not set/);
  });

  await t.step("PUBSUB_EMULATOR_HOST points at an emulator, with no token asked for", async () => {
    const pubsub = startFakePubSub(["projects/demo-test/topics/t"], () => "owner");
    try {
      const queue = pubSubQueue("EMAILS", {
        SLRS_EMAILS_TOPIC: "t",
        GOOGLE_CLOUD_PROJECT: "demo-test",
        PUBSUB_EMULATOR_HOST: pubsub.host,
      });
      await queue.send("hi");
      assert.equal(pubsub.topics.get("projects/demo-test/topics/t")!.length, 1);
      assert.deepEqual(pubsub.violations, []);
    } finally {
      await pubsub.stop();
    }
  });
});
