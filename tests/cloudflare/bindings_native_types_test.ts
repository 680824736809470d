/**
 * Cloudflare's native bindings satisfy the portable interfaces as they are, so a Worker hands them to a handler
 * untouched: if a portable method drifted from Cloudflare's shape (a wider option, a narrower result), an assignment
 * below would stop compiling, and type-checking this file (which `deno test` and `deno check` do) would fail.
 */

import assert from "node:assert/strict";
import type { Bucket, KvNamespace, QueueProducer } from "../../src/bindings.ts";

function portable(kv: KVNamespace, bucket: R2Bucket, queue: Queue): [KvNamespace, Bucket, QueueProducer] {
  return [kv, bucket, queue];
}

function notPortable(kv: KvNamespace): void {
  // @ts-expect-error the portable KV has no bulk get: not every backend can honour it with one request
  void kv.get(["a", "b"], "text");
}

Deno.test("Cloudflare's KVNamespace, R2Bucket and Queue are the portable KvNamespace, Bucket and QueueProducer", () => {
  assert.equal(typeof portable, "function");
  assert.equal(typeof notPortable, "function");
});
