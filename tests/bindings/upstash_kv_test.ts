// The Upstash KV against a loopback fake written from Upstash's documented REST API (tests/bindings/_fake_upstash.ts).
// No Upstash server can run here, so this backend is NOT tested against the real service: the fake checks each
// request's method, path, headers and body, and runs the commands on an in-memory Redis with Redis's ordering.

import assert from "node:assert/strict";
import { BindingError } from "../../src/bindings.ts";
import { UPSTASH_KV_LIMITS, upstashKv } from "../../bindings/upstash_kv.ts";
import { RETRY } from "../../bindings/_retry.ts";
import { kvCorpus } from "./_kv_corpus.ts";
import { startFakeUpstash } from "./_fake_upstash.ts";

Deno.test("the Upstash KV passes the KV corpus on a fake of Upstash's REST API", async (t) => {
  const upstash = startFakeUpstash("secret");
  try {
    const kv = upstashKv("COUNTER", { KV_REST_API_URL: upstash.url, KV_REST_API_TOKEN: "secret" });
    await kvCorpus(t, kv, {
      keyBytes: UPSTASH_KV_LIMITS.keyBytes,
      valueBytes: () => UPSTASH_KV_LIMITS.valueBytes,
      refusal: BindingError,
    });
    assert.deepEqual(upstash.violations, []);
  } finally {
    await upstash.stop();
  }
});

Deno.test("the Upstash KV speaks Upstash's REST protocol", async (t) => {
  const upstash = startFakeUpstash("secret");
  const kv = upstashKv("COUNTER", { UPSTASH_REDIS_REST_URL: upstash.url, UPSTASH_REDIS_REST_TOKEN: "secret" });
  try {
    await t.step("put is one transaction: the hash, its expiry and the index entry", async () => {
      const expiration = Math.floor(Date.now() / 1000) + 3600;
      await kv.put("a", "hi", { metadata: { n: 1 }, expiration });
      const request = upstash.requests.at(-1)!;
      assert.equal(request.url.pathname, "/multi-exec");
      assert.equal(request.headers.get("authorization"), "Bearer secret");
      assert.deepEqual(request.json(), [
        ["DEL", "slrs:COUNTER:k:a"],
        ["HSET", "slrs:COUNTER:k:a", "v", btoa("hi"), "m", '{"n":1}', "e", String(expiration)],
        ["EXPIREAT", "slrs:COUNTER:k:a", String(expiration)],
        ["ZADD", "slrs:COUNTER:keys", "0", "a"],
      ]);
    });

    await t.step("a key whose hash expired is not listed, and leaves the index", async () => {
      upstash.sets.get("slrs:COUNTER:keys")!.add("gone");
      assert.deepEqual((await kv.list()).keys.map((k) => k.name), ["a"]);
      assert.equal(upstash.sets.get("slrs:COUNTER:keys")!.has("gone"), false);
    });

    await t.step("a wrong token is a BindingError that names the variable to check", async () => {
      const wrong = upstashKv("COUNTER", { KV_REST_API_URL: upstash.url, KV_REST_API_TOKEN: "nope" });
      await assert.rejects(wrong.get("a"), /Upstash answered 401: Unauthorized\. Check the REST token/);
    });

    await t.step("throttling (429) is retried with backoff, and fails after a bounded number of attempts", async () => {
      upstash.failNext(2, () => Response.json({ error: "ERR max requests limit exceeded" }, { status: 429 }));
      assert.equal(await kv.get("a"), "hi");
      upstash.failNext(100, () => new Response(null, { status: 503 }));
      const before = upstash.requests.length;
      await assert.rejects(kv.get("a"), /Upstash answered 503/);
      assert.equal(upstash.requests.length - before, RETRY.attempts);
      upstash.failNext(0, () => new Response());
    });

    await t.step("SLRS_<NAME>_REST_API_URL and _TOKEN take precedence, for this binding alone", async () => {
      const own = upstashKv("COUNTER", {
        SLRS_COUNTER_REST_API_URL: upstash.url,
        SLRS_COUNTER_REST_API_TOKEN: "secret",
        KV_REST_API_URL: "http://127.0.0.1:9",
        KV_REST_API_TOKEN: "other",
      });
      assert.equal(await own.get("a"), "hi");
    });
    assert.deepEqual(upstash.violations, []);
  } finally {
    await upstash.stop();
  }
});

Deno.test("the Upstash KV reports missing configuration at first use, naming the variable", async (t) => {
  await t.step("the REST URL", async () => {
    const error = await upstashKv("COUNTER", {}).get("k").catch((e) => e);
    assert.ok(error instanceof BindingError);
    assert.match(error.message, /^COUNTER \(kv on upstash\) configure: KV_REST_API_URL is not set/);
  });

  await t.step("the token that goes with it", async () => {
    await assert.rejects(
      upstashKv("COUNTER", { UPSTASH_REDIS_REST_URL: "https://x.upstash.io" }).get("k"),
      /UPSTASH_REDIS_REST_TOKEN is not set/,
    );
  });
});
