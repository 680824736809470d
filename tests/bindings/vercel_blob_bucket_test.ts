// The Vercel Blob bucket against a loopback fake of the REST API as @vercel/blob speaks it
// (tests/bindings/_fake_vercel_blob.ts). No Vercel Blob server can run here, so this backend is NOT tested against the
// real service. The shared bucket corpus is not run whole: its metadata step stores custom metadata and headers
// Vercel Blob cannot keep (limit 25); the steps below cover the rest of it.

import assert from "node:assert/strict";
import { BindingError } from "../../src/bindings.ts";
import { VERCEL_BLOB_API_VERSION, vercelBlobBucket } from "../../bindings/vercel_blob_bucket.ts";
import { RETRY } from "../../bindings/_retry.ts";
import { startFakeVercelBlob } from "./_fake_vercel_blob.ts";

const TOKEN = "vercel_blob_rw_StoreId123_secret";

Deno.test("the Vercel Blob bucket on a fake of the Vercel Blob API", async (t) => {
  const fake = startFakeVercelBlob(TOKEN);
  const env = { BLOB_READ_WRITE_TOKEN: TOKEN, VERCEL_BLOB_API_URL: fake.api, SLRS_VERCEL_BLOB_URL: fake.blobHost };
  const bucket = vercelBlobBucket("UPLOADS", env);
  try {
    await t.step("put stores an object under exactly its key, private, and get streams it back", async () => {
      const put = await bucket.put("hello.txt", "hello, bucket", { httpMetadata: { contentType: "text/plain" } });
      assert.equal(put.key, "hello.txt");
      assert.equal(put.size, 13);
      assert.equal(put.httpEtag, `"${put.etag}"`);
      const request = fake.requests.find((r) => r.method === "PUT")!;
      assert.equal(request.url.pathname + request.url.search, "/api/blob/?pathname=hello.txt");
      assert.equal(request.headers.get("authorization"), `Bearer ${TOKEN}`);
      assert.equal(request.headers.get("x-api-version"), VERCEL_BLOB_API_VERSION);
      assert.equal(request.headers.get("x-add-random-suffix"), "0");
      assert.equal(request.headers.get("x-allow-overwrite"), "1");
      assert.equal(request.headers.get("x-vercel-blob-access"), "private");
      assert.equal(request.headers.get("x-content-type"), "text/plain");
      const got = await bucket.get("hello.txt");
      assert.ok(got?.body instanceof ReadableStream);
      assert.equal(got.etag, put.etag);
      assert.equal(got.httpMetadata?.contentType, "text/plain");
      assert.equal(await got.text(), "hello, bucket");
      const read = fake.requests.at(-1)!;
      assert.equal(read.url.pathname + read.url.search, "/blobs/hello.txt?cache=0");
      assert.equal(read.headers.get("authorization"), `Bearer ${TOKEN}`);
    });

    await t.step("a second put replaces the object", async () => {
      await bucket.put("hello.txt", "bonjour");
      assert.equal(await (await bucket.get("hello.txt"))!.text(), "bonjour");
    });

    await t.step("get and head of a missing key answer null", async () => {
      assert.equal(await bucket.get("missing"), null);
      assert.equal(await bucket.head("missing"), null);
    });

    await t.step("bytes, views, blobs and streams are stored byte for byte", async () => {
      const all = new Uint8Array(256).map((_, i) => i);
      await bucket.put("bytes.bin", all.buffer);
      assert.deepEqual(new Uint8Array(await (await bucket.get("bytes.bin"))!.arrayBuffer()), all);
      await bucket.put("view.bin", all.subarray(5, 9));
      assert.deepEqual(new Uint8Array(await (await bucket.get("view.bin"))!.arrayBuffer()), all.subarray(5, 9));
      await bucket.put("blob.txt", new Blob(["in a ", "blob"]));
      assert.equal(await (await bucket.get("blob.txt"))!.text(), "in a blob");
      const put = await bucket.put("streamed.bin", new Blob([new Uint8Array(300_000).fill(7)]).stream());
      assert.equal(put.size, 300_000);
      assert.equal(fake.blobs.get("streamed.bin")?.bytes.byteLength, 300_000);
    });

    await t.step("a ranged get reads offset+length, an open end, or a suffix", async () => {
      await bucket.put("digits", "0123456789");
      const middle = await bucket.get("digits", { range: { offset: 2, length: 3 } });
      assert.equal(await middle!.text(), "234");
      assert.deepEqual(middle!.range, { offset: 2, length: 3 });
      assert.equal(middle!.size, 10);
      assert.equal(await (await bucket.get("digits", { range: { offset: 7 } }))!.text(), "789");
      assert.equal(await (await bucket.get("digits", { range: { suffix: 4 } }))!.text(), "6789");
    });

    await t.step("unicode keys round-trip through put, get and list", async () => {
      const key = "ünï/ключ 🔑 (1) & 'x'+y=z?.txt";
      await bucket.put(key, "unicode");
      assert.equal(await (await bucket.get(key))!.text(), "unicode");
      assert.deepEqual((await bucket.list({ prefix: "ünï/" })).objects.map((o) => o.key), [key]);
    });

    await t.step("list with the / delimiter folds folders into delimitedPrefixes", async () => {
      for (const key of ["tree/a.txt", "tree/b/1.txt", "tree/b/2.txt", "tree/c/3.txt", "tree/d.txt"]) {
        await bucket.put(key, key);
      }
      const page = await bucket.list({ prefix: "tree/", delimiter: "/" });
      assert.equal(fake.requests.at(-1)!.url.search, "?limit=1000&prefix=tree%2F&mode=folded");
      assert.equal(page.truncated, false);
      assert.deepEqual(page.objects.map((o) => o.key), ["tree/a.txt", "tree/d.txt"]);
      assert.deepEqual(page.delimitedPrefixes, ["tree/b/", "tree/c/"]);
      await assert.rejects(bucket.list({ delimiter: ":" }), /folds on \/ only/);
    });

    await t.step("list pages through every key with the cursor, in key order", async () => {
      const keys = Array.from({ length: 7 }, (_, i) => `paged/${String(i).padStart(2, "0")}`);
      for (const key of keys) await bucket.put(key, "x");
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let pages = 1;; pages++) {
        const page = await bucket.list({ prefix: "paged/", limit: 3, ...(cursor ? { cursor } : {}) });
        assert.ok(page.objects.length <= 3);
        seen.push(...page.objects.map((o) => o.key));
        if (!page.truncated) break;
        cursor = page.cursor;
        assert.ok(pages < 10);
      }
      assert.deepEqual(seen, keys);
    });

    await t.step("delete removes one key, or many in one request, and ignores missing keys", async () => {
      await bucket.delete("hello.txt");
      assert.equal(await bucket.head("hello.txt"), null);
      const before = fake.requests.length;
      await bucket.delete(["paged/00", "paged/01", "never-existed"]);
      assert.equal(fake.requests.length - before, 1);
      assert.deepEqual((await bucket.list({ prefix: "paged/" })).objects.map((o) => o.key).slice(0, 1), ["paged/02"]);
      await bucket.delete([]);
    });

    await t.step("what Vercel Blob cannot keep is refused before any request", async () => {
      const before = fake.requests.length;
      await assert.rejects(bucket.put("k", "x", { customMetadata: { owner: "ada" } }), /keeps no custom metadata/);
      await assert.rejects(
        bucket.put("k", "x", { httpMetadata: { contentLanguage: "en", contentDisposition: "inline" } }),
        /cannot store contentLanguage, contentDisposition/,
      );
      await assert.rejects(bucket.put("k", "x", { httpMetadata: { cacheControl: "no-store" } }), /max-age/);
      await assert.rejects(bucket.put("", "x"), BindingError);
      await assert.rejects(bucket.put("folder/", "x"), /is a folder/);
      assert.equal(fake.requests.length, before);
    });

    await t.step("a cacheControl max-age travels as x-cache-control-max-age", async () => {
      await bucket.put("cached", "x", { httpMetadata: { cacheControl: "max-age=120" } });
      assert.equal(
        fake.requests.find((r) => r.url.search === "?pathname=cached")?.headers.get(
          "x-cache-control-max-age",
        ),
        "120",
      );
    });

    await t.step("throttling (429) is retried with backoff, and fails after a bounded number of attempts", async () => {
      fake.failNext(2, () => Response.json({ error: { code: "rate_limited" } }, { status: 429 }));
      assert.ok(await bucket.head("digits"));
      fake.failNext(100, () => new Response(null, { status: 503 }));
      const before = fake.requests.length;
      await assert.rejects(bucket.head("digits"), /Vercel Blob answered 503/);
      assert.equal(fake.requests.length - before, RETRY.attempts);
      fake.failNext(0, () => new Response());
    });

    await t.step("a public store is written public, as SLRS_<NAME>_BLOB_ACCESS says", async () => {
      const open = vercelBlobBucket("UPLOADS", { ...env, SLRS_UPLOADS_BLOB_ACCESS: "public" });
      await open.put("open.txt", "anyone");
      assert.equal(
        fake.requests.find((r) => r.url.search === "?pathname=open.txt")?.headers.get(
          "x-vercel-blob-access",
        ),
        "public",
      );
      assert.equal(await (await fetch(`${fake.blobHost}/open.txt`)).text(), "anyone");
      assert.equal((await fetch(`${fake.blobHost}/digits`).then((r) => (r.body?.cancel(), r))).status, 403);
    });
    assert.deepEqual(fake.violations, []);
  } finally {
    await fake.stop();
  }
});

Deno.test("the Vercel Blob bucket reports missing configuration at first use, naming the variable", async (t) => {
  await t.step("the token", async () => {
    const error = await vercelBlobBucket("UPLOADS", {}).head("k").catch((e) => e);
    assert.ok(error instanceof BindingError);
    assert.match(error.message, /^UPLOADS \(bucket on vercel-blob\) configure: BLOB_READ_WRITE_TOKEN is not set/);
  });

  await t.step("a token that is not a read-write token, and an access that is neither private nor public", async () => {
    await assert.rejects(vercelBlobBucket("UPLOADS", { BLOB_READ_WRITE_TOKEN: "abc" }).head("k"), /read-write token/);
    await assert.rejects(
      vercelBlobBucket("UPLOADS", { BLOB_READ_WRITE_TOKEN: TOKEN, SLRS_UPLOADS_BLOB_ACCESS: "open" }).head("k"),
      /SLRS_UPLOADS_BLOB_ACCESS is "open"/,
    );
  });
});
