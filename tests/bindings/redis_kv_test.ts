// The Redis KV backend against Debian's redis-server (installed with apt-get when missing).

import assert from "node:assert/strict";
import { createClient } from "npm:@redis/client@^6.3.1";
import { BindingError } from "../../src/bindings.ts";
import { REDIS_KV_LIMITS, redisKv } from "../../bindings/redis_kv.ts";
import { kvCorpus } from "./_kv_corpus.ts";
import { startRedisServer } from "./_redis_server.ts";

Deno.test("the Redis KV passes the KV corpus on redis-server", async (t) => {
  const server = await startRedisServer();
  const kv = redisKv("COUNTER", { REDIS_URL: server.url });
  try {
    await kvCorpus(t, kv, {
      keyBytes: REDIS_KV_LIMITS.keyBytes,
      valueBytes: () => REDIS_KV_LIMITS.valueBytes,
      refusal: BindingError,
    });
  } finally {
    await kv.close();
    await server.stop();
  }
});

Deno.test("the Redis KV on redis-server", async (t) => {
  const server = await startRedisServer();
  const kv = redisKv("COUNTER", { SLRS_COUNTER_REDIS_URL: server.url, REDIS_URL: "redis://nowhere.invalid" });
  const other = redisKv("OTHER", { REDIS_URL: server.url });
  const raw = createClient({ url: server.url });
  await raw.connect();
  try {
    await t.step("Redis deletes an expiring key itself: its hash has a TTL", async () => {
      await kv.put("ttl", "v", { expirationTtl: 3600 });
      const ttl = await raw.ttl("slrs:COUNTER:k:ttl");
      assert.ok(ttl > 3590 && ttl <= 3600, `TTL ${ttl}`);
      await kv.put("ttl", "no expiry now");
      assert.equal(await raw.ttl("slrs:COUNTER:k:ttl"), -1, "a put without expiry drops the old one");
    });

    await t.step("two bindings on one database do not see each other's keys", async () => {
      await kv.put("shared", "counter's");
      assert.equal(await other.get("shared"), null);
      assert.deepEqual((await other.list()).keys, []);
    });

    await t.step("a key Redis expired is not listed, and leaves the index", async () => {
      await kv.put("gone", "soon", { expirationTtl: 60 });
      await raw.del("slrs:COUNTER:k:gone"); // what Redis does at the expiry
      assert.equal(await raw.zScore("slrs:COUNTER:keys", "gone"), 0);
      assert.equal(await kv.get("gone"), null);
      assert.ok(!(await kv.list()).keys.some((k) => k.name === "gone"));
      assert.equal(await raw.zScore("slrs:COUNTER:keys", "gone"), null);
    });

    await t.step("a cursor that list did not return is refused", async () => {
      await assert.rejects(kv.list({ cursor: "%%%" }), /is not one list\(\) returned/);
    });

    await t.step("a server that is not there is a BindingError naming the variable", async () => {
      const nowhere = redisKv("COUNTER", { REDIS_URL: "redis://127.0.0.1:1" });
      const error = await nowhere.get("k").catch((e) => e);
      await nowhere.close();
      assert.ok(error instanceof BindingError);
      assert.equal(error.backend, "redis");
      assert.match(error.message, /could not reach Redis at REDIS_URL=redis:\/\/127\.0\.0\.1:1/);
    });

    await t.step("missing configuration names both variables at first use", async () => {
      const error = await redisKv("COUNTER", {}).get("k").catch((e) => e);
      assert.ok(error instanceof BindingError);
      assert.match(error.message, /neither SLRS_COUNTER_REDIS_URL nor REDIS_URL is set/);
    });
  } finally {
    await kv.close();
    await other.close();
    await raw.close();
    await server.stop();
  }
});

Deno.test("the Redis KV fails fast while the server is down, and reconnects once it is back", async () => {
  const first = await startRedisServer();
  const port = Number(new URL(first.url).port);
  const kv = redisKv("COUNTER", { REDIS_URL: first.url });
  try {
    await kv.put("k", "v");
    await first.stop();
    const started = Date.now();
    const error = await kv.get("k").catch((e) => e);
    assert.ok(error instanceof BindingError, String(error));
    assert.match(error.message, /could not reach Redis at REDIS_URL=/);
    assert.ok(Date.now() - started < 5_000, `failed after ${Date.now() - started} ms`);
    // Until the client gives up, calls fail at once; after, the next call opens a new connection.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const second = await startRedisServer(port);
    try {
      assert.equal(await kv.get("k"), null, "the new server has no data, and the binding reaches it");
      await kv.put("k", "again");
      assert.equal(await kv.get("k"), "again");
    } finally {
      await kv.close();
      await second.stop();
    }
  } catch (error) {
    await kv.close().catch(() => {});
    throw error;
  }
});
