/**
 * The Cloudflare adapter in the real workerd runtime: `examples/cloudflare/worker.ts` is bundled with `deno bundle`
 * and run in Miniflare with a real KV namespace and a real D1 database.
 */

import assert from "node:assert/strict";
import { Miniflare } from "npm:miniflare@^4";
import { bundleWorker } from "../../scripts/bundle_worker.ts";

const RAY = "8c1f2e3d4b5a6978-LHR";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The trigger methods of Miniflare's worker fetcher, typed here because Miniflare's own declarations reach for
 * `@cloudflare/workers-types/experimental`, which Deno resolves to unusable types.
 */
interface WorkerTriggers {
  scheduled(options: { cron: string; scheduledTime?: Date }): Promise<{ outcome: string; noRetry: boolean }>;
  queue(
    queue: string,
    messages: { id: string; timestamp: Date; attempts: number; body: unknown }[],
  ): Promise<{
    outcome: string;
    ackAll: boolean;
    retryBatch: { retry: boolean; delaySeconds?: number };
    explicitAcks: string[];
    retryMessages: { msgId: string; delaySeconds?: number }[];
  }>;
}

async function eventually<T>(what: string, probe: () => Promise<T | null | undefined>, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

Deno.test("Cloudflare adapter in workerd, with KV and D1", async (t) => {
  const script = await bundleWorker(new URL("../../examples/cloudflare/worker.ts", import.meta.url));
  const logs: { level: string; message: string }[] = [];
  const mf = new Miniflare({
    modules: true,
    script,
    compatibilityDate: "2026-07-01",
    kvNamespaces: ["CACHE"],
    d1Databases: ["DB"],
    structuredWorkerdLogs: true,
    handleStructuredLogs: (log: { level: string; message: string }) => void logs.push(log),
  });
  try {
    const kv = await mf.getKVNamespace("CACHE") as unknown as KVNamespace;
    const db = await mf.getD1Database("DB") as unknown as D1Database;
    await db.exec(await Deno.readTextFile(new URL("../../examples/cloudflare/schema.sql", import.meta.url)));
    const worker = await mf.getWorker() as unknown as WorkerTriggers;

    await t.step("answers routes with parameters, 404 for unknown paths and 405 with Allow", async () => {
      const hello = await mf.dispatchFetch("http://localhost/hello/ada%20l");
      assert.equal(hello.status, 200);
      assert.deepEqual(
        { ...await hello.json() as object, requestId: "-" },
        { hello: "ada l", requestId: "-", aborted: false },
        "ctx.signal is the request's signal, not aborted",
      );
      const missing = await mf.dispatchFetch("http://localhost/nowhere");
      assert.equal(missing.status, 404);
      assert.equal((await missing.json() as { error: string }).error, "Not Found");
      const wrong = await mf.dispatchFetch("http://localhost/hello/ada", { method: "DELETE" });
      assert.equal(wrong.status, 405);
      assert.equal(wrong.headers.get("allow"), "GET, HEAD");
      await wrong.arrayBuffer();
    });

    await t.step("takes the request id from cf-ray, and makes one up without it", async () => {
      const withRay = await mf.dispatchFetch("http://localhost/hello/ada", { headers: { "cf-ray": RAY } });
      assert.equal((await withRay.json() as { requestId: string }).requestId, RAY);
      const withoutRay = await mf.dispatchFetch("http://localhost/hello/ada");
      assert.match((await withoutRay.json() as { requestId: string }).requestId, UUID);
    });

    await t.step("writes to KV and reads it back through the binding", async () => {
      const put = await mf.dispatchFetch("http://localhost/kv/greeting", { method: "PUT", body: "hej världen" });
      assert.equal(put.status, 204);
      assert.equal(await kv.get("greeting"), "hej världen");
      const get = await mf.dispatchFetch("http://localhost/kv/greeting");
      assert.equal(await get.text(), "hej världen");
      const absent = await mf.dispatchFetch("http://localhost/kv/absent");
      assert.equal(absent.status, 404);
      assert.equal((await absent.json() as { error: string }).error, 'No KV entry "absent".');
    });

    await t.step("inserts into and queries D1", async () => {
      const created = await mf.dispatchFetch("http://localhost/users", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "Ada" }),
      });
      assert.equal(created.status, 201);
      const { id } = await created.json() as { id: number };
      const row = await db.prepare("SELECT name FROM users WHERE id = ?").bind(id).first<{ name: string }>();
      assert.equal(row?.name, "Ada");
      const read = await mf.dispatchFetch(`http://localhost/users/${id}`);
      assert.deepEqual(await read.json(), { id, name: "Ada" });
      const none = await mf.dispatchFetch(`http://localhost/users/${id + 1}`);
      assert.equal(none.status, 404);
      await none.arrayBuffer();
    });

    await t.step("runs the scheduled trigger whose cron fired, with its scheduledTime", async () => {
      const nightly = await worker.scheduled({ cron: "0 3 * * *", scheduledTime: new Date(1_700_000_000_000) });
      assert.equal(nightly.outcome, "ok");
      assert.equal(await kv.get("cron:nightly"), "1700000000000");
      assert.equal(await kv.get("cron:quarter"), null);
      const quarter = await worker.scheduled({ cron: "*/15 * * * *", scheduledTime: new Date(1_700_000_900_000) });
      assert.equal(quarter.outcome, "ok");
      assert.equal(await kv.get("cron:quarter"), "1700000900000");
      const unknown = await worker.scheduled({ cron: "5 4 * * *" });
      assert.equal(unknown.outcome, "exception", "a cron the function does not declare fails the run");
    });

    await t.step(
      "passes each message's ack() and retry() to Cloudflare, and acks what was left unsettled",
      async () => {
        const timestamp = new Date();
        const result = await worker.queue("jobs", [
          { id: "m1", timestamp, attempts: 1, body: { action: "store" } },
          { id: "m2", timestamp, attempts: 1, body: { action: "fail" } },
          { id: "m3", timestamp, attempts: 1, body: { action: "ignore" } },
          { id: "m4", timestamp, attempts: 3, body: { action: "store" } },
        ]);
        assert.equal(result.outcome, "ok");
        assert.deepEqual([...result.explicitAcks].sort(), ["m1", "m3", "m4"]);
        assert.deepEqual(result.retryMessages, [{ msgId: "m2", delaySeconds: 30 }]);
        assert.equal(result.ackAll, false);
        assert.equal(result.retryBatch.retry, false);
        assert.equal(await kv.get("job:m1"), "1");
        assert.equal(await kv.get("job:m4"), "3", "attempts reaches the handler");
      },
    );

    await t.step("retries every message not acknowledged when the queue handler throws", async () => {
      const timestamp = new Date();
      const result = await worker.queue("jobs", [
        { id: "c1", timestamp, attempts: 1, body: { action: "store" } },
        { id: "c2", timestamp, attempts: 1, body: { action: "crash" } },
        { id: "c3", timestamp, attempts: 1, body: { action: "store" } },
      ]);
      assert.equal(result.outcome, "exception");
      assert.deepEqual(result.explicitAcks, ["c1"]);
      assert.deepEqual(result.retryMessages.map((m) => m.msgId).sort(), ["c2", "c3"]);
      assert.equal(await kv.get("job:c3"), null);
    });

    await t.step("finishes waitUntil work after the response was sent", async () => {
      const res = await mf.dispatchFetch("http://localhost/deferred/x1", {
        method: "POST",
        headers: { "cf-ray": RAY },
      });
      assert.equal(res.status, 202);
      await res.arrayBuffer();
      // The task cannot finish before the gate opens, and the gate opens only now that the response is here.
      assert.equal(await kv.get("done:x1"), null);
      await kv.put("gate:x1", "open");
      assert.equal(await eventually("done:x1", () => kv.get("done:x1")), RAY);
    });

    await t.step("answers 500 with the request id when a handler throws, and logs the stack", async () => {
      const res = await mf.dispatchFetch("http://localhost/boom", { headers: { "cf-ray": RAY } });
      assert.equal(res.status, 500);
      assert.equal(res.headers.get("x-request-id"), RAY);
      const text = await res.text();
      assert.deepEqual(JSON.parse(text), { error: "Internal Server Error", requestId: RAY });
      assert.ok(!text.includes("boom"), "the error's message stays out of the response");
      const line = await eventually(
        "the error log line",
        () => Promise.resolve(logs.find((l) => l.message.includes(RAY) && l.message.includes("boom"))),
      );
      assert.equal(line.level, "error");
      assert.equal(JSON.parse(line.message).msg, "unhandled error");
    });

    await t.step("does not warn about bindings when every declared one is there", () => {
      assert.deepEqual(logs.filter((l) => l.level === "warn"), []);
    });
  } finally {
    await mf.dispose();
  }
});

Deno.test("Cloudflare adapter warns once when a declared binding is missing from the worker", async () => {
  const script = await bundleWorker(new URL("../../examples/cloudflare/worker.ts", import.meta.url));
  const logs: { level: string; message: string }[] = [];
  // The example declares kv CACHE and d1 DB; this deployment forgot the database.
  const mf = new Miniflare({
    modules: true,
    script,
    compatibilityDate: "2026-07-01",
    kvNamespaces: ["CACHE"],
    structuredWorkerdLogs: true,
    handleStructuredLogs: (log: { level: string; message: string }) => void logs.push(log),
  });
  try {
    for (let i = 0; i < 2; i++) await (await mf.dispatchFetch("http://localhost/hello/ada")).arrayBuffer();
    const warning = await eventually("the warning", () => Promise.resolve(logs.find((l) => l.level === "warn")));
    assert.equal(
      warning.message,
      'slrs: cloudflare-example declares d1 "DB", which the worker lacks: add it to d1_databases in wrangler.jsonc.',
    );
    await (await mf.dispatchFetch("http://localhost/hello/grace")).arrayBuffer();
    assert.equal(logs.filter((l) => l.level === "warn").length, 1, "the check runs once per isolate");
    assert.ok(!logs.some((l) => l.message.includes('"CACHE"')), "bindings that exist are not reported");
  } finally {
    await mf.dispose();
  }
});
