/**
 * The KV corpus: one list of behaviours every {@linkcode KvNamespace} backend must show, run step by step against a
 * real server (dynalite for DynamoDB, workerd through Miniflare for Workers KV). Where backends differ by a numbered
 * limit of docs/bindings.md, the difference comes in through {@linkcode KvCorpusLimits}, never as a skipped step.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { KvNamespace } from "../../src/bindings.ts";

/** What differs between backends, each a numbered limit of docs/bindings.md. */
export interface KvCorpusLimits {
  /** The longest key in UTF-8 bytes (limit 1: Workers KV 512, DynamoDB 1024). */
  keyBytes: number;
  /** The largest value under `key` (limit 2: Workers KV 25 MiB, DynamoDB 400 KB less the key). */
  valueBytes(key: string): number;
  /** What a refused input throws: `BindingError` on slrs backends, the runtime's own error on Workers KV. */
  refusal: new (...args: never[]) => Error;
}

const text = new TextDecoder();

function bytesOf(size: number, seed = 7): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    pull(controller) {
      const chunk = chunks.shift();
      if (chunk === undefined) controller.close();
      else controller.enqueue(encoder.encode(chunk));
    },
  });
}

/** All the names a listing yields, page by page, checking each page keeps to `limit`. */
async function listAll(kv: KvNamespace, prefix: string, limit: number): Promise<{ names: string[]; pages: number }> {
  const names: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await kv.list({ prefix, limit, ...(cursor ? { cursor } : {}) });
    pages++;
    assert.ok(page.keys.length <= limit, `a page holds ${page.keys.length} keys, over the limit ${limit}`);
    names.push(...page.keys.map((key) => key.name));
    if (page.list_complete) return { names, pages };
    cursor = page.cursor;
    assert.ok(pages < 100, "list() never completed");
  }
}

/**
 * Runs the KV corpus against `kv`, which must start empty.
 *
 * @param t The test context; each behaviour is a step.
 * @param kv The namespace under test.
 * @param limits What this backend's numbered limits are.
 */
export async function kvCorpus(t: Deno.TestContext, kv: KvNamespace, limits: KvCorpusLimits): Promise<void> {
  await t.step("put stores text that get returns, a second put replaces it, delete removes it", async () => {
    assert.equal(await kv.get("greeting"), null);
    await kv.put("greeting", "hello");
    assert.equal(await kv.get("greeting"), "hello");
    await kv.put("greeting", "bonjour");
    assert.equal(await kv.get("greeting", "text"), "bonjour");
    await kv.delete("greeting");
    assert.equal(await kv.get("greeting"), null);
    await kv.delete("greeting");
    const missing = await kv.getWithMetadata("greeting");
    assert.equal(missing.value, null);
    assert.equal(missing.metadata, null);
  });

  await t.step("get reads the same value as text, JSON, bytes or a stream", async () => {
    await kv.put("user", JSON.stringify({ name: "Ada", born: 1815 }));
    assert.deepEqual(await kv.get<{ name: string }>("user", "json"), { name: "Ada", born: 1815 });
    const bytes = await kv.get("user", "arrayBuffer");
    assert.ok(bytes instanceof ArrayBuffer);
    assert.equal(text.decode(bytes), '{"name":"Ada","born":1815}');
    const stream = await kv.get("user", "stream");
    assert.ok(stream instanceof ReadableStream);
    assert.equal(await new Response(stream).text(), '{"name":"Ada","born":1815}');
    assert.equal(await kv.get("missing", "json"), null);
    assert.equal(await kv.get("missing", "stream"), null);
  });

  await t.step("binary values keep every byte, and a view stores only its own bytes", async () => {
    const all = new Uint8Array(256).map((_, i) => i);
    await kv.put("bytes", all.buffer);
    assert.deepEqual(new Uint8Array((await kv.get("bytes", "arrayBuffer"))!), all);
    await kv.put("view", all.subarray(10, 20));
    assert.deepEqual(new Uint8Array((await kv.get("view", "arrayBuffer"))!), all.subarray(10, 20));
    await kv.put("empty", new Uint8Array());
    assert.equal(await kv.get("empty"), "");
  });

  await t.step("a streamed value is stored whole", async () => {
    await kv.put("streamed", streamOf("stream", "ed ", "in three"));
    assert.equal(await kv.get("streamed"), "streamed in three");
  });

  await t.step("unicode keys and values round-trip", async () => {
    const key = "ключ/🔑 ü\u0000end";
    await kv.put(key, "значение ✓ 🎉");
    assert.equal(await kv.get(key), "значение ✓ 🎉");
    const page = await kv.list({ prefix: "ключ/" });
    assert.deepEqual(page.keys.map((k) => k.name), [key]);
  });

  await t.step("metadata comes back from getWithMetadata and list", async () => {
    await kv.put("with-meta", "v", { metadata: { owner: "ada", tags: ["a", "b"] } });
    // Compared field by field: Workers KV adds its own cacheStatus.
    const got = await kv.getWithMetadata<{ owner: string }>("with-meta");
    assert.equal(got.value, "v");
    assert.deepEqual(got.metadata, { owner: "ada", tags: ["a", "b"] });
    assert.deepEqual(await kv.getWithMetadata("user", "json").then((r) => r.metadata), null);
    const page = await kv.list({ prefix: "with-meta" });
    assert.deepEqual(page.keys, [{ name: "with-meta", metadata: { owner: "ada", tags: ["a", "b"] } }]);
  });

  await t.step("list returns keys with a prefix in UTF-8 byte order", async () => {
    for (const name of ["p/z", "p/a", "p/é", "p/B", "q/a", "p"]) await kv.put(name, name);
    const page = await kv.list({ prefix: "p/" });
    assert.equal(page.list_complete, true);
    assert.deepEqual(page.keys.map((k) => k.name), ["p/B", "p/a", "p/z", "p/é"]);
  });

  await t.step("list pages through every key with the cursor, never over the limit", async () => {
    const names = Array.from({ length: 7 }, (_, i) => `page/${String(i).padStart(2, "0")}`);
    for (const name of names) await kv.put(name, "x");
    const first = await kv.list({ prefix: "page/", limit: 3 });
    assert.equal(first.list_complete, false);
    assert.deepEqual(first.keys.map((k) => k.name), names.slice(0, 3));
    const all = await listAll(kv, "page/", 3);
    assert.deepEqual(all.names, names);
    assert.ok(all.pages >= 3);
  });

  await t.step("list without a prefix includes every key", async () => {
    const all = await listAll(kv, "", 1000);
    for (const name of ["user", "p/a", "page/06", "with-meta"]) assert.ok(all.names.includes(name), name);
  });

  await t.step("expirationTtl and expiration set an expiry that list reports", async () => {
    const now = Math.floor(Date.now() / 1000);
    await kv.put("ttl/relative", "soon", { expirationTtl: 120 });
    await kv.put("ttl/absolute", "later", { expiration: now + 3600 });
    assert.equal(await kv.get("ttl/relative"), "soon");
    const page = await kv.list({ prefix: "ttl/" });
    const [absolute, relative] = page.keys;
    assert.equal(absolute?.name, "ttl/absolute");
    assert.equal(absolute?.expiration, now + 3600);
    assert.equal(relative?.name, "ttl/relative");
    assert.ok(Math.abs(relative!.expiration! - (now + 120)) <= 2, `expiration ${relative?.expiration}`);
  });

  await t.step("an expiry under 60 seconds away is refused", async () => {
    await assert.rejects(kv.put("ttl/short", "x", { expirationTtl: 30 }), limits.refusal);
    const now = Math.floor(Date.now() / 1000);
    await assert.rejects(kv.put("ttl/past", "x", { expiration: now - 10 }), limits.refusal);
    assert.equal(await kv.get("ttl/short"), null);
  });

  await t.step("empty, '.' and '..' keys are refused", async () => {
    for (const key of ["", ".", ".."]) {
      await assert.rejects(kv.put(key, "x"), limits.refusal, JSON.stringify(key));
    }
  });

  await t.step("a key at the byte limit is stored, one byte over is refused", async () => {
    const key = "é".repeat(Math.floor(limits.keyBytes / 2)) + "k".repeat(limits.keyBytes % 2);
    assert.equal(new TextEncoder().encode(key).byteLength, limits.keyBytes);
    await kv.put(key, "at the limit");
    assert.equal(await kv.get(key), "at the limit");
    await assert.rejects(kv.put(key + "k", "over"), limits.refusal);
    await assert.rejects(kv.get(key + "k"), limits.refusal);
  });

  await t.step("a value at the size limit is stored, one byte over is refused", async () => {
    const key = "big";
    const max = limits.valueBytes(key);
    const value = bytesOf(max);
    await kv.put(key, value);
    const back = new Uint8Array((await kv.get(key, "arrayBuffer"))!);
    assert.equal(back.byteLength, max);
    assert.deepEqual(back, value);
    await assert.rejects(kv.put(key, bytesOf(max + 1, 9)), limits.refusal);
    assert.equal((await kv.get(key, "arrayBuffer"))?.byteLength, max, "a refused put leaves the old value");
  });
}
