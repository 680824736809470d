// The local JSON-file KV: the KV corpus on a real file, and what the file holds across opens.

import assert from "node:assert/strict";
import { BindingError } from "../../src/bindings.ts";
import { LOCAL_KV_LIMITS, localKv } from "../../bindings/local_kv.ts";
import { kvCorpus } from "./_kv_corpus.ts";

Deno.test("the local KV passes the KV corpus in a JSON file", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "slrs_local_kv_" });
  try {
    await kvCorpus(t, localKv("COUNTER", { SLRS_COUNTER_FILE: `${dir}/kv/COUNTER.json` }), {
      keyBytes: LOCAL_KV_LIMITS.keyBytes,
      valueBytes: () => LOCAL_KV_LIMITS.valueBytes,
      refusal: BindingError,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the local KV file", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "slrs_local_kv_" });
  const env = { SLRS_COUNTER_FILE: `${dir}/COUNTER.json` };
  try {
    await t.step("what one process wrote, the next one reads, metadata and expiry included", async () => {
      const first = localKv("COUNTER", env);
      await Promise.all([
        first.put("a", "1", { metadata: { by: "ada" } }),
        first.put("b", new Uint8Array([0, 255])),
        first.put("c", "3", { expirationTtl: 3600 }),
      ]);
      const second = localKv("COUNTER", env);
      assert.deepEqual(await second.getWithMetadata("a"), { value: "1", metadata: { by: "ada" } });
      assert.deepEqual([...new Uint8Array((await second.get("b", "arrayBuffer"))!)], [0, 255]);
      assert.ok((await second.list({ prefix: "c" })).keys[0]?.expiration);
    });

    await t.step("an expired entry is not read or listed, and the next write drops it", async () => {
      const past = Math.floor(Date.now() / 1000) - 5;
      const stored = JSON.parse(await Deno.readTextFile(env.SLRS_COUNTER_FILE));
      stored.entries.stale = { v: btoa("old"), e: past };
      await Deno.writeTextFile(env.SLRS_COUNTER_FILE, JSON.stringify(stored));
      const kv = localKv("COUNTER", env);
      assert.equal(await kv.get("stale"), null);
      assert.ok(!(await kv.list()).keys.some((k) => k.name === "stale"));
      await kv.put("fresh", "x");
      assert.ok(!("stale" in JSON.parse(await Deno.readTextFile(env.SLRS_COUNTER_FILE)).entries));
    });

    await t.step("a file this backend did not write is refused, naming the file and the variable", async () => {
      await Deno.writeTextFile(`${dir}/other.json`, '{"a": 1}');
      const error = await localKv("COUNTER", { SLRS_COUNTER_FILE: `${dir}/other.json` }).get("a").catch((e) => e);
      assert.ok(error instanceof BindingError);
      assert.match(error.message, /other\.json is not a namespace file .* SLRS_COUNTER_FILE/);
    });

    await t.step("missing configuration names the variable", async () => {
      await assert.rejects(localKv("COUNTER", {}).get("k"), /SLRS_COUNTER_FILE is not set/);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
