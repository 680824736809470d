// The local directory bucket: the bucket corpus on a real temporary directory, and keys that try to leave it.

import assert from "node:assert/strict";
import { BindingError } from "../../src/bindings.ts";
import { encodeSegment, localBucket } from "../../bindings/local_bucket.ts";
import { bucketCorpus } from "./_bucket_corpus.ts";

/** Every path under `dir`, relative to it. */
async function tree(dir: string, base = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(`${dir}/${base}`)) {
    const path = base ? `${base}/${entry.name}` : entry.name;
    out.push(path);
    if (entry.isDirectory) out.push(...await tree(dir, path));
  }
  return out;
}

Deno.test("the local bucket passes the bucket corpus in a directory", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "slrs_local_bucket_" });
  try {
    await bucketCorpus(t, localBucket("UPLOADS", { SLRS_UPLOADS_DIR: `${dir}/bucket` }), {
      refusal: BindingError,
      streamedBytes: 3 * 1024 * 1024 + 17,
      suffixRanges: true,
      unknownLengthStreams: true,
      emptyKeyRefused: false,
      richArguments: true,
      metadata: "all",
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the local bucket keeps every key inside its directory", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "slrs_local_bucket_" });
  const bucket = localBucket("UPLOADS", { SLRS_UPLOADS_DIR: `${dir}/bucket` });
  const hostile = [
    "../escape",
    "../../etc/passwd",
    "/absolute",
    "a/../../b",
    "./x",
    "..",
    ".",
    "a//b",
    "trailing/",
    "back\\slash\\..\\..\\x",
    "C:\\windows",
    "nul\u0000byte",
    "x~meta",
    "x~",
    "CaSe",
    "case",
    "e\u0301", // é decomposed
    "\u00e9", // é composed
  ];
  try {
    await t.step("hostile keys are stored under the directory, each as itself", async () => {
      for (const key of hostile) await bucket.put(key, `value of ${key}`);
      for (const key of hostile) assert.equal(await (await bucket.get(key))?.text(), `value of ${key}`, key);
      const outside = (await tree(dir)).filter((path) => path !== "bucket" && !path.startsWith("bucket/"));
      assert.deepEqual(outside, []);
    });

    await t.step("list gives each hostile key back exactly, in byte order", async () => {
      const listed: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await bucket.list({ limit: 5, ...(cursor ? { cursor } : {}) });
        listed.push(...page.objects.map((o) => o.key));
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor);
      const encoder = new TextEncoder();
      const sorted = [...hostile].sort((a, b) => {
        const [x, y] = [encoder.encode(a), encoder.encode(b)];
        for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
        return x.length - y.length;
      });
      assert.deepEqual(listed, sorted);
    });

    await t.step("an object and a folder of the same name live side by side", async () => {
      await bucket.put("a", "file");
      await bucket.put("a/b", "below");
      assert.equal(await (await bucket.get("a"))?.text(), "file");
      assert.equal(await (await bucket.get("a/b"))?.text(), "below");
      await bucket.delete(["a", "a/b"]);
      assert.equal(await bucket.head("a"), null);
    });

    await t.step("segments are encoded to plain lowercase-safe ASCII without ~", () => {
      for (const key of hostile.flatMap((k) => k.split("/"))) {
        const name = encodeSegment(key);
        assert.match(name, /^[a-z0-9._%A-F-]+$/);
        assert.ok(name !== "." && name !== "..", key);
      }
    });

    await t.step("a segment too long for a file name is refused, naming the limit", async () => {
      await assert.rejects(bucket.put("ü".repeat(40), "x"), /at most 210 once encoded/);
    });

    await t.step("missing configuration names the variable", async () => {
      await assert.rejects(localBucket("UPLOADS", {}).head("k"), /SLRS_UPLOADS_DIR is not set/);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
