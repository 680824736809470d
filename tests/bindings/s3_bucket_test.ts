// The S3 bucket backend against s3rver, a real S3 API server (installed on first run into .slrs/cache/s3rver).

import assert from "node:assert/strict";
import { AwsClient } from "npm:aws4fetch@^1.0.20";
import { BindingError } from "../../src/bindings.ts";
import { S3_BUCKET_LIMITS, s3Bucket } from "../../bindings/s3_bucket.ts";
import type { AwsTransport } from "../../bindings/_aws.ts";
import { nodeHttpTransport } from "../../bindings/node_http_transport.ts";
import { bucketCorpus } from "./_bucket_corpus.ts";
import { type LocalServer, startLocalServer } from "./_local_server.ts";
import { startFlakyProxy } from "./_flaky_proxy.ts";

const CREDENTIALS = { AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER" };

async function createBucket(server: LocalServer, name: string): Promise<void> {
  const client = new AwsClient({
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    service: "s3",
    region: "us-east-1",
  });
  const response = await client.fetch(`${server.url}/${name}`, { method: "PUT" });
  assert.ok(response.ok, await response.text());
}

function bucketOn(endpoint: string, name: string, extra: Record<string, string> = {}, transport?: AwsTransport) {
  const env = { ...CREDENTIALS, SLRS_UPLOADS_BUCKET: name, AWS_ENDPOINT_URL_S3: endpoint, ...extra };
  return transport ? s3Bucket("UPLOADS", env, transport) : s3Bucket("UPLOADS", env);
}

for (const [transport, name] of [[undefined, "fetch"], [nodeHttpTransport, "node:http"]] as const) {
  Deno.test(`the S3 bucket passes the bucket corpus on s3rver through ${name}`, async (t) => {
    const server = await startLocalServer("s3rver");
    try {
      await createBucket(server, "corpus");
      await bucketCorpus(t, bucketOn(server.url, "corpus", {}, transport), {
        refusal: BindingError,
        streamedBytes: S3_BUCKET_LIMITS.partBytes * 2 + 12_345,
        suffixRanges: false,
        unknownLengthStreams: true,
        emptyKeyRefused: true,
        richArguments: true,
        metadata: "all",
      });
    } finally {
      await server.stop();
    }
  });
}

Deno.test("the S3 bucket on s3rver", async (t) => {
  const server = await startLocalServer("s3rver");
  try {
    await createBucket(server, "behaviour");
    const bucket = bucketOn(server.url, "behaviour");

    await t.step("a stream that fits one part is one PutObject, a suffix range is sent as bytes=-N", async () => {
      const proxy = startFlakyProxy(server.url, 0, () => new Response());
      try {
        const proxied = bucketOn(proxy.url, "behaviour");
        await proxied.put("small", new Blob(["small stream"]).stream());
        assert.deepEqual(proxy.forwarded.map((r) => `${r.method} ${r.path}`), ["PUT /behaviour/small"]);
        assert.equal(proxy.forwarded[0]!.body, "small stream");
        await (await proxied.get("small", { range: { suffix: 6 } }))?.body.cancel();
        assert.equal(proxy.forwarded[1]!.headers.get("range"), "bytes=-6");
      } finally {
        await proxy.stop();
      }
    });

    await t.step("an unknown access key is a BindingError carrying S3's own code", async () => {
      const wrong = bucketOn(server.url, "behaviour", { AWS_ACCESS_KEY_ID: "UNKNOWN" });
      const error = await wrong.put("k", "v").catch((e) => e);
      assert.ok(error instanceof BindingError, String(error));
      assert.match(error.message, /^UPLOADS \(bucket on s3\) put: S3 answered 403 InvalidAccessKeyId/);
    });

    await t.step("a bucket that does not exist names the variable and region", async () => {
      const error = await bucketOn(server.url, "no-such-bucket").put("k", "v").catch((e) => e);
      assert.ok(error instanceof BindingError);
      assert.match(error.message, /NoSuchBucket/);
      assert.match(error.message, /SLRS_UPLOADS_BUCKET=no-such-bucket names a bucket in us-east-1/);
    });

    await t.step("custom metadata names S3 would change are refused before the request", async () => {
      await assert.rejects(bucket.put("k", "v", { customMetadata: { Owner: "ada" } }), /lowercases names/);
      await assert.rejects(bucket.put("k", "v", { customMetadata: { owner: "Åda" } }), /outside printable ASCII/);
    });

    await t.step("a key S3 cannot list or over 1024 bytes is refused", async () => {
      await assert.rejects(bucket.put("a\u0001b", "v"), /control character/);
      await assert.rejects(bucket.put("k".repeat(1025), "v"), /at most 1024/);
      // In segments: s3rver keeps each key as a file path, and a file name holds at most 255 bytes.
      const longest = Array.from({ length: 8 }, () => "k".repeat(127)).join("/") + "k";
      assert.equal(longest.length, 1024);
      await bucket.put(longest, "at the limit");
      assert.equal((await bucket.head(longest))?.size, 12);
    });

    await t.step("503 SlowDown is retried and then succeeds", async () => {
      const slowDown = () =>
        new Response("<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>", {
          status: 503,
        });
      const proxy = startFlakyProxy(server.url, 2, slowDown);
      try {
        const error = await bucketOn(proxy.url, "behaviour").head("missing").catch((e) => e);
        // The proxy's Host is signed, so s3rver may refuse the signature; either way the request got past the throttle.
        assert.equal(proxy.requests, 3);
        assert.ok(error === null || error instanceof BindingError, String(error));
      } finally {
        await proxy.stop();
      }
    });

    await t.step("missing configuration names the variable at first use", async () => {
      const unset = s3Bucket("UPLOADS", CREDENTIALS);
      await assert.rejects(unset.head("k"), /SLRS_UPLOADS_BUCKET is not set/);
    });
  } finally {
    await server.stop();
  }
});
