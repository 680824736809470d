/**
 * The bucket corpus: the behaviours every {@linkcode Bucket} backend must show, run step by step against a real
 * server where one runs here (s3rver for S3, azurite for Blob Storage, workerd through Miniflare for R2, a directory
 * for the local bucket) and against a fake of the documented protocol where none does (Cloud Storage, Vercel Blob).
 * Where backends differ by a numbered limit of docs/bindings.md, the difference comes in through
 * {@linkcode BucketCorpusLimits}, and the step asserts what the backend does instead.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Bucket, BucketHttpMetadata } from "../../src/bindings.ts";

/** What differs between backends, each a numbered limit of docs/bindings.md. */
export interface BucketCorpusLimits {
  /** What a refused input throws: `BindingError` on slrs backends, the runtime's own error on R2. */
  refusal: new (...args: never[]) => Error;
  /** How many bytes the streamed upload sends: above the backend's part size, to cross part boundaries. */
  streamedBytes: number;
  /**
   * Whether the server answers a suffix range (`bytes=-4`). S3 and R2 do; s3rver reads it as `bytes=0-4`, so its
   * test checks the header the backend sends instead.
   */
  suffixRanges: boolean;
  /**
   * Limit 6: whether `put` takes a stream of unknown length. The S3 backend does (it sends parts); R2 wants a known
   * length (a request or response body, or a `FixedLengthStream`) and throws otherwise.
   */
  unknownLengthStreams: boolean;
  /** Limit 7: whether an empty key is refused (S3, where it would name the bucket) or stored (R2). */
  emptyKeyRefused: boolean;
  /**
   * Whether `Date` and `Headers` arguments (`httpMetadata.cacheExpiry`, `writeHttpMetadata(headers)`) reach the
   * binding. They do on every backend; Miniflare's proxy, which the R2 run calls from outside workerd, cannot
   * serialise them, so that run leaves them out.
   */
  richArguments: boolean;
  /**
   * Limit 25: the metadata `put` keeps. `"all"`: custom metadata and every HTTP field, read back as given.
   * `"content-type-and-max-age"` (Vercel Blob): a content type and a `Cache-Control: max-age` of at least 60 s, the
   * latter read back as the service writes it (`public, max-age=60`); custom metadata, every other field and any
   * other `cacheControl` are refused, storing nothing, and `head` and `get` answer no custom metadata.
   */
  metadata: "all" | "content-type-and-max-age";
}

function patterned(size: number, seed = 3): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 7 + seed + (i >> 8)) & 0xff;
  return bytes;
}

/** A stream of `size` patterned bytes in 64 KiB chunks, made as it is read; counts how far it has been read. */
function patternedStream(size: number): { stream: ReadableStream<Uint8Array>; pulled(): number } {
  const chunk = 64 * 1024;
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= size) return controller.close();
      const length = Math.min(chunk, size - sent);
      const whole = patterned(sent + length);
      controller.enqueue(whole.slice(sent));
      sent += length;
    },
  }, { highWaterMark: 0 });
  return { stream, pulled: () => sent };
}

async function listAll(bucket: Bucket, prefix: string, limit: number, delimiter?: string) {
  const keys: string[] = [];
  const prefixes: string[] = [];
  let cursor: string | undefined;
  for (let pages = 1;; pages++) {
    const page = await bucket.list({
      prefix,
      limit,
      ...(cursor ? { cursor } : {}),
      ...(delimiter ? { delimiter } : {}),
    });
    assert.ok(page.objects.length + page.delimitedPrefixes.length <= limit);
    keys.push(...page.objects.map((o) => o.key));
    prefixes.push(...page.delimitedPrefixes);
    if (!page.truncated) return { keys, prefixes, pages };
    cursor = page.cursor;
    assert.ok(pages < 100, "list() never completed");
  }
}

/**
 * Limit 25: each piece of metadata the backend cannot keep is refused on its own, and nothing is stored.
 *
 * @param bucket The bucket under test.
 * @param refusal What a refused input throws.
 * @param custom Custom metadata, which is not kept.
 * @param rest The HTTP fields that are not kept.
 */
async function refusesWhatIsNotKept(
  bucket: Bucket,
  refusal: BucketCorpusLimits["refusal"],
  custom: Record<string, string>,
  rest: BucketHttpMetadata,
): Promise<void> {
  await assert.rejects(bucket.put("page.html", "<h1>hi</h1>", { customMetadata: custom }), refusal);
  const fields = [...Object.entries(rest), ["cacheControl", "no-store"], ["cacheControl", "max-age=30"]];
  for (const [field, value] of fields) {
    await assert.rejects(bucket.put("page.html", "<h1>hi</h1>", { httpMetadata: { [field]: value } }), refusal, field);
  }
  assert.equal(await bucket.head("page.html"), null);
}

/**
 * Runs the bucket corpus against `bucket`, which must start empty.
 *
 * @param t The test context; each behaviour is a step.
 * @param bucket The bucket under test.
 * @param limits What this backend's numbered limits are.
 */
export async function bucketCorpus(t: Deno.TestContext, bucket: Bucket, limits: BucketCorpusLimits): Promise<void> {
  await t.step("put stores bytes that get streams back, with size and etag", async () => {
    const put = await bucket.put("hello.txt", "hello, bucket");
    assert.equal(put.key, "hello.txt");
    assert.equal(put.size, 13);
    assert.ok(put.etag.length > 0);
    assert.equal(put.httpEtag, `"${put.etag}"`);
    assert.ok((await bucket.get("hello.txt"))?.body instanceof ReadableStream);
    const got = await bucket.get("hello.txt");
    assert.ok(got);
    assert.equal(got.size, 13);
    assert.equal(got.etag, put.etag);
    assert.equal(await got.text(), "hello, bucket");
    assert.equal(got.bodyUsed, true);
  });

  await t.step("get and head of a missing key answer null", async () => {
    assert.equal(await bucket.get("missing"), null);
    assert.equal(await bucket.head("missing"), null);
  });

  await t.step("put accepts bytes, views, blobs and JSON read back as JSON", async () => {
    const all = new Uint8Array(256).map((_, i) => i);
    await bucket.put("bytes.bin", all.buffer);
    assert.deepEqual(new Uint8Array(await (await bucket.get("bytes.bin"))!.arrayBuffer()), all);
    await bucket.put("view.bin", all.subarray(5, 9));
    assert.deepEqual(new Uint8Array(await (await bucket.get("view.bin"))!.arrayBuffer()), all.subarray(5, 9));
    await bucket.put("blob.txt", new Blob(["in a ", "blob"]));
    assert.equal(await (await bucket.get("blob.txt"))!.text(), "in a blob");
    await bucket.put("data.json", JSON.stringify({ ok: true }));
    assert.deepEqual(await (await bucket.get("data.json"))!.json(), { ok: true });
  });

  await t.step("a streamed put crosses part boundaries and reads back byte for byte", async () => {
    const { stream, pulled } = patternedStream(limits.streamedBytes);
    if (!limits.unknownLengthStreams) {
      await assert.rejects(bucket.put("streamed.bin", stream), /known length/);
      return;
    }
    const put = await bucket.put("streamed.bin", stream);
    assert.equal(pulled(), limits.streamedBytes);
    assert.equal(put.size, limits.streamedBytes);
    const got = await bucket.get("streamed.bin");
    assert.equal(got?.size, limits.streamedBytes);
    const back = new Uint8Array(await got!.arrayBuffer());
    assert.equal(back.byteLength, limits.streamedBytes);
    assert.ok(back.every((byte, i) => byte === ((i * 7 + 3 + (i >> 8)) & 0xff)), "the bytes differ");
  });

  await t.step("a ranged get reads offset+length, an open end, or a suffix", async () => {
    await bucket.put("digits", "0123456789");
    const middle = await bucket.get("digits", { range: { offset: 2, length: 3 } });
    assert.equal(await middle!.text(), "234");
    assert.deepEqual(middle!.range, { offset: 2, length: 3 });
    assert.equal(middle!.size, 10);
    assert.equal(await (await bucket.get("digits", { range: { offset: 7 } }))!.text(), "789");
    assert.equal(await (await bucket.get("digits", { range: { length: 2 } }))!.text(), "01");
    if (limits.suffixRanges) {
      assert.equal(await (await bucket.get("digits", { range: { suffix: 4 } }))!.text(), "6789");
    }
  });

  await t.step("head and get return the HTTP and custom metadata put stored", async () => {
    const all = limits.metadata === "all";
    const expiry = new Date("2030-01-02T03:04:05Z");
    const custom = { owner: "ada", "build-id": "42" };
    const kept = { contentType: "text/html; charset=utf-8", cacheControl: "max-age=60" };
    const rest = {
      contentLanguage: "en",
      contentDisposition: 'inline; filename="page.html"',
      ...(limits.richArguments ? { cacheExpiry: expiry } : {}),
    };
    if (!all) await refusesWhatIsNotKept(bucket, limits.refusal, custom, rest);
    await bucket.put("page.html", "<h1>hi</h1>", {
      httpMetadata: all ? { ...kept, ...rest } : kept,
      ...(all ? { customMetadata: custom } : {}),
    });
    const head = await bucket.head("page.html");
    assert.ok(head);
    assert.equal(head.size, 11);
    assert.deepEqual(head.customMetadata, all ? custom : {});
    assert.equal(head.httpMetadata?.contentType, "text/html; charset=utf-8");
    assert.equal(head.httpMetadata?.contentLanguage, all ? "en" : undefined);
    assert.equal(head.httpMetadata?.contentDisposition, all ? 'inline; filename="page.html"' : undefined);
    if (all) assert.equal(head.httpMetadata?.cacheControl, "max-age=60");
    else assert.match(head.httpMetadata?.cacheControl ?? "", /(^|,\s*)max-age=60(\s*,|$)/);
    assert.ok(Math.abs(head.uploaded.getTime() - Date.now()) < 60_000, `uploaded ${head.uploaded.toISOString()}`);
    if (limits.richArguments) {
      assert.equal(head.httpMetadata?.cacheExpiry?.getTime(), all ? expiry.getTime() : undefined);
      const headers = new Headers();
      head.writeHttpMetadata(headers);
      assert.equal(headers.get("content-type"), "text/html; charset=utf-8");
      assert.equal(headers.get("cache-control"), head.httpMetadata?.cacheControl);
      assert.equal(headers.get("expires"), all ? expiry.toUTCString() : null);
    }
    const got = await bucket.get("page.html");
    assert.deepEqual(got?.customMetadata, all ? custom : {});
    await got?.body.cancel();
  });

  await t.step("unicode keys round-trip through put, get and list", async () => {
    const key = "ünï/ключ 🔑 (1) & 'x'+y=z?.txt";
    await bucket.put(key, "unicode");
    assert.equal(await (await bucket.get(key))!.text(), "unicode");
    const page = await bucket.list({ prefix: "ünï/" });
    assert.deepEqual(page.objects.map((o) => o.key), [key]);
  });

  // Only one level below each prefix: s3rver drops a prefix whose objects are all two levels down.
  await t.step("list with a delimiter groups keys into delimitedPrefixes", async () => {
    for (const key of ["tree/a.txt", "tree/b/1.txt", "tree/b/2.txt", "tree/c/3.txt", "tree/d.txt"]) {
      await bucket.put(key, key);
    }
    const page = await bucket.list({ prefix: "tree/", delimiter: "/" });
    assert.equal(page.truncated, false);
    assert.deepEqual(page.objects.map((o) => o.key), ["tree/a.txt", "tree/d.txt"]);
    assert.deepEqual(page.delimitedPrefixes, ["tree/b/", "tree/c/"]);
    const object = page.objects[0]!;
    assert.equal(object.size, "tree/a.txt".length);
    assert.ok(object.etag.length > 0);
    assert.ok(object.uploaded instanceof Date && !Number.isNaN(object.uploaded.getTime()));
  });

  await t.step("list pages through every key with the cursor, in key order", async () => {
    const keys = Array.from({ length: 7 }, (_, i) => `paged/${String(i).padStart(2, "0")}`);
    for (const key of keys) await bucket.put(key, "x");
    const first = await bucket.list({ prefix: "paged/", limit: 3 });
    assert.equal(first.truncated, true);
    assert.deepEqual(first.objects.map((o) => o.key), keys.slice(0, 3));
    const all = await listAll(bucket, "paged/", 3);
    assert.deepEqual(all.keys, keys);
    assert.equal(all.pages, 3);
  });

  await t.step("delete removes one key, or many at once, and ignores missing keys", async () => {
    await bucket.delete("hello.txt");
    assert.equal(await bucket.head("hello.txt"), null);
    await bucket.delete("hello.txt");
    await bucket.delete(["paged/00", "paged/01", "paged/02", "never-existed"]);
    const left = await listAll(bucket, "paged/", 1000);
    assert.deepEqual(left.keys, ["paged/03", "paged/04", "paged/05", "paged/06"]);
    await bucket.delete([]);
  });

  await t.step("an empty key is refused where the backend cannot store one", async () => {
    if (limits.emptyKeyRefused) await assert.rejects(bucket.put("", "x"), limits.refusal);
    else assert.equal((await bucket.put("", "x")).key, "");
  });
}
