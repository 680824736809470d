// The Cloud Storage bucket against a loopback fake written from the documented JSON API and the metadata server's
// protocol (tests/bindings/_fake_gcp.ts). No storage emulator can be installed here, so this backend is NOT tested
// against the real service: the fake checks each request's method, path, query, headers and body strictly.

import assert from "node:assert/strict";
import { BindingError } from "../../src/bindings.ts";
import { GCS_BUCKET_LIMITS, gcsBucket } from "../../bindings/gcs_bucket.ts";
import { RETRY } from "../../bindings/_retry.ts";
import { bucketCorpus } from "./_bucket_corpus.ts";
import { startFakeMetadata, startFakeStorage } from "./_fake_gcp.ts";

async function withStorage(
  run: (setup: { bucket: ReturnType<typeof gcsBucket>; storage: ReturnType<typeof startFakeStorage> }) => Promise<void>,
): Promise<void> {
  const metadata = startFakeMetadata("slrs-test");
  const storage = startFakeStorage("uploads", () => metadata.current);
  try {
    const bucket = gcsBucket("UPLOADS", {
      SLRS_UPLOADS_BUCKET: "uploads",
      SLRS_GCP_ENDPOINT: storage.url,
      GCE_METADATA_HOST: metadata.host,
    });
    await run({ bucket, storage });
    assert.deepEqual(storage.violations, []);
    assert.deepEqual(metadata.violations, []);
  } finally {
    await storage.stop();
    await metadata.stop();
  }
}

Deno.test("the Cloud Storage bucket passes the bucket corpus on a fake of the JSON API", async (t) => {
  await withStorage(async ({ bucket }) => {
    await bucketCorpus(t, bucket, {
      refusal: BindingError,
      streamedBytes: GCS_BUCKET_LIMITS.partBytes + 1024 * 1024 + 17,
      suffixRanges: true,
      unknownLengthStreams: true,
      emptyKeyRefused: true,
      richArguments: true,
      metadata: "all",
    });
  });
});

Deno.test("the Cloud Storage bucket speaks the JSON API", async (t) => {
  await withStorage(async ({ bucket, storage }) => {
    await t.step("put of bytes is one multipart upload carrying the metadata as JSON", async () => {
      await bucket.put("a/b.txt", "hi", {
        httpMetadata: { contentType: "text/plain" },
        customMetadata: { owner: "ada" },
      });
      const request = storage.requests.at(-1)!;
      assert.equal(request.method, "POST");
      assert.equal(request.url.pathname, "/upload/storage/v1/b/uploads/o");
      assert.equal(request.url.search, "?uploadType=multipart");
      const text = request.text();
      assert.match(text, /\{"name":"a\/b.txt","contentType":"text\/plain","metadata":\{"owner":"ada"\}\}/);
      assert.match(text, /content-type: text\/plain\r\n\r\nhi\r\n--/);
    });

    await t.step("a stream over one part is a resumable upload in parts of 256 KiB multiples", async () => {
      const size = GCS_BUCKET_LIMITS.partBytes + 5;
      const before = storage.requests.length;
      await bucket.put("big.bin", new Blob([new Uint8Array(size)]).stream());
      const sent = storage.requests.slice(before);
      assert.deepEqual(sent.map((r) => `${r.method} ${r.url.searchParams.get("uploadType")}`), [
        "POST resumable",
        "PUT resumable",
        "PUT resumable",
      ]);
      assert.equal(sent[1]!.headers.get("content-range"), `bytes 0-${GCS_BUCKET_LIMITS.partBytes - 1}/*`);
      assert.equal(sent[2]!.headers.get("content-range"), `bytes ${GCS_BUCKET_LIMITS.partBytes}-${size - 1}/${size}`);
      assert.equal(storage.objects.get("big.bin")?.media.byteLength, size);
    });

    await t.step("get reads the metadata, then the media of that generation with its Range", async () => {
      await (await bucket.get("a/b.txt", { range: { suffix: 1 } }))!.text();
      const [meta, media] = storage.requests.slice(-2);
      assert.equal(meta!.url.pathname, "/storage/v1/b/uploads/o/a%2Fb.txt");
      assert.equal(meta!.url.search, "");
      assert.equal(media!.url.searchParams.get("alt"), "media");
      assert.equal(media!.url.searchParams.get("generation"), storage.objects.get("a/b.txt")!.resource.generation);
      assert.equal(media!.headers.get("range"), "bytes=-1");
    });

    await t.step("list sends prefix, delimiter, maxResults and the page token", async () => {
      const first = await bucket.list({ prefix: "a/", delimiter: "/", limit: 1 });
      assert.equal(storage.requests.at(-1)!.url.search, "?maxResults=1&prefix=a%2F&delimiter=%2F");
      assert.equal(first.truncated, false);
    });

    await t.step("throttling (429, 503) is retried with backoff and then succeeds", async () => {
      storage.failNext(2, () => new Response(null, { status: 429 }));
      const before = storage.requests.length;
      assert.ok(await bucket.head("a/b.txt"));
      assert.equal(storage.requests.length - before, 3);
    });

    await t.step("throttling that does not stop fails after a bounded number of attempts", async () => {
      storage.failNext(100, () => new Response("busy", { status: 503 }));
      const before = storage.requests.length;
      await assert.rejects(bucket.head("a/b.txt"), /Cloud Storage answered 503/);
      assert.equal(storage.requests.length - before, RETRY.attempts);
      storage.failNext(0, () => new Response());
    });

    await t.step("keys Cloud Storage cannot name, and the reserved metadata name, are refused", async () => {
      await assert.rejects(bucket.put("a\nb", "x"), /no carriage return or line feed/);
      await assert.rejects(bucket.put("..", "x"), BindingError);
      await assert.rejects(bucket.put("k", "x", { customMetadata: { "slrs-expires": "x" } }), /reserved/);
    });
  });
});

Deno.test("the Cloud Storage bucket reports missing configuration at first use, naming the variable", async (t) => {
  await t.step("the bucket variable", async () => {
    const bucket = gcsBucket("UPLOADS", {});
    const error = await bucket.head("k").catch((e) => e);
    assert.ok(error instanceof BindingError);
    assert.match(error.message, /^UPLOADS \(bucket on gcs\) configure: SLRS_UPLOADS_BUCKET is not set/);
  });

  await t.step("STORAGE_EMULATOR_HOST points at an emulator, with no token asked for", async () => {
    const storage = startFakeStorage("uploads", () => "owner");
    try {
      const bucket = gcsBucket("UPLOADS", {
        SLRS_UPLOADS_BUCKET: "uploads",
        STORAGE_EMULATOR_HOST: storage.url,
        GCE_METADATA_HOST: "127.0.0.1:9",
      });
      await bucket.put("k", "v");
      assert.equal(await (await bucket.get("k"))!.text(), "v");
      assert.deepEqual(storage.violations, []);
    } finally {
      await storage.stop();
    }
  });
});
