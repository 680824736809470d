// The Vercel Blob bucket against a loopback fake of the REST API as @vercel/blob speaks it
// (tests/bindings/_fake_vercel_blob.ts). No Vercel Blob server can run here, so this backend is NOT tested against the
// real service. It passes the shared bucket corpus, with Vercel Blob's metadata limit (limit 25) passed in; the steps
// below check what is Vercel Blob's own: the requests' shape, its refusals, retries, public stores and configuration.

import assert from "node:assert/strict";
import { BindingError } from "../../src/bindings.ts";
import { VERCEL_BLOB_API_VERSION, vercelBlobBucket } from "../../bindings/vercel_blob_bucket.ts";
import { RETRY } from "../../bindings/_retry.ts";
import { bucketCorpus } from "./_bucket_corpus.ts";
import { startFakeVercelBlob } from "./_fake_vercel_blob.ts";

const TOKEN = "vercel_blob_rw_StoreId123_secret";

Deno.test("the Vercel Blob bucket passes the bucket corpus on a fake of the Vercel Blob API", async (t) => {
  const fake = startFakeVercelBlob(TOKEN);
  try {
    const bucket = vercelBlobBucket("UPLOADS", {
      BLOB_READ_WRITE_TOKEN: TOKEN,
      VERCEL_BLOB_API_URL: fake.api,
      SLRS_VERCEL_BLOB_URL: fake.blobHost,
    });
    await bucketCorpus(t, bucket, {
      refusal: BindingError,
      // A stream is one PUT, with no parts; this is many of the corpus's 64 KiB chunks.
      streamedBytes: 3 * 1024 * 1024 + 17,
      suffixRanges: true,
      unknownLengthStreams: true,
      emptyKeyRefused: true,
      richArguments: true,
      metadata: "content-type-and-max-age",
    });
    assert.deepEqual(fake.violations, []);
  } finally {
    await fake.stop();
  }
});

Deno.test("the Vercel Blob bucket speaks the Vercel Blob API", async (t) => {
  const fake = startFakeVercelBlob(TOKEN);
  const env = { BLOB_READ_WRITE_TOKEN: TOKEN, VERCEL_BLOB_API_URL: fake.api, SLRS_VERCEL_BLOB_URL: fake.blobHost };
  const bucket = vercelBlobBucket("UPLOADS", env);
  try {
    await t.step("put is one PUT under exactly its key, private, and get reads the blob with the token", async () => {
      await bucket.put("hello.txt", "hello, bucket", { httpMetadata: { contentType: "text/plain" } });
      const request = fake.requests.find((r) => r.method === "PUT")!;
      assert.equal(request.url.pathname + request.url.search, "/api/blob/?pathname=hello.txt");
      assert.equal(request.headers.get("authorization"), `Bearer ${TOKEN}`);
      assert.equal(request.headers.get("x-api-version"), VERCEL_BLOB_API_VERSION);
      assert.equal(request.headers.get("x-add-random-suffix"), "0");
      assert.equal(request.headers.get("x-allow-overwrite"), "1");
      assert.equal(request.headers.get("x-vercel-blob-access"), "private");
      assert.equal(request.headers.get("x-content-type"), "text/plain");
      assert.equal(await (await bucket.get("hello.txt"))!.text(), "hello, bucket");
      const read = fake.requests.at(-1)!;
      assert.equal(read.url.pathname + read.url.search, "/blobs/hello.txt?cache=0");
      assert.equal(read.headers.get("authorization"), `Bearer ${TOKEN}`);
    });

    await t.step("a second put replaces the object", async () => {
      await bucket.put("hello.txt", "bonjour");
      assert.equal(await (await bucket.get("hello.txt"))!.text(), "bonjour");
    });

    await t.step("list with the / delimiter asks for folded mode; another delimiter is refused", async () => {
      for (const key of ["tree/a.txt", "tree/b/1.txt"]) await bucket.put(key, key);
      const page = await bucket.list({ prefix: "tree/", delimiter: "/" });
      assert.equal(fake.requests.at(-1)!.url.search, "?limit=1000&prefix=tree%2F&mode=folded");
      assert.deepEqual(page.delimitedPrefixes, ["tree/b/"]);
      await assert.rejects(bucket.list({ delimiter: ":" }), /folds on \/ only/);
    });

    await t.step("delete of many keys is one request", async () => {
      const before = fake.requests.length;
      await bucket.delete(["tree/a.txt", "tree/b/1.txt", "never-existed"]);
      assert.equal(fake.requests.length - before, 1);
      assert.deepEqual((await bucket.list({ prefix: "tree/" })).objects, []);
    });

    await t.step("what Vercel Blob cannot keep is refused before any request, naming it", async () => {
      const before = fake.requests.length;
      await assert.rejects(bucket.put("k", "x", { customMetadata: { owner: "ada" } }), /keeps no custom metadata/);
      await assert.rejects(
        bucket.put("k", "x", { httpMetadata: { contentLanguage: "en", contentDisposition: "inline" } }),
        /cannot store contentLanguage, contentDisposition/,
      );
      await assert.rejects(bucket.put("k", "x", { httpMetadata: { cacheControl: "no-store" } }), /max-age/);
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
      assert.ok(await bucket.head("hello.txt"));
      fake.failNext(100, () => new Response(null, { status: 503 }));
      const before = fake.requests.length;
      await assert.rejects(bucket.head("hello.txt"), /Vercel Blob answered 503/);
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
      assert.equal((await fetch(`${fake.blobHost}/hello.txt`).then((r) => (r.body?.cancel(), r))).status, 403);
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
