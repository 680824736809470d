// The Azure Blob bucket backend against azurite's Blob service (installed on first run into .slrs/cache/azurite).

import assert from "node:assert/strict";
import { BlobServiceClient } from "npm:@azure/storage-blob@^12.34.0";
import { BindingError } from "../../src/bindings.ts";
import { AZURE_BLOB_BUCKET_LIMITS, azureBlobBucket } from "../../bindings/azure_blob_bucket.ts";
import { bucketCorpus } from "./_bucket_corpus.ts";
import { startLocalServer } from "./_local_server.ts";
import { devConnectionString } from "./_azurite.ts";
import { startFlakyProxy } from "./_flaky_proxy.ts";
import { AZURE_RETRY } from "../../bindings/_azure.ts";

Deno.test("the Azure Blob bucket passes the bucket corpus on azurite", async (t) => {
  const server = await startLocalServer("azurite-blob");
  try {
    const connection = devConnectionString({ blob: server.url });
    await BlobServiceClient.fromConnectionString(connection).getContainerClient("corpus").create();
    const bucket = azureBlobBucket("UPLOADS", { SLRS_UPLOADS_CONTAINER: "corpus", AzureWebJobsStorage: connection });
    await bucketCorpus(t, bucket, {
      refusal: BindingError,
      streamedBytes: AZURE_BLOB_BUCKET_LIMITS.blockBytes + 12345,
      suffixRanges: true,
      unknownLengthStreams: true,
      emptyKeyRefused: true,
      richArguments: true,
      metadata: "all",
    });
  } finally {
    await server.stop();
  }
});

Deno.test("the Azure Blob bucket on azurite", async (t) => {
  const server = await startLocalServer("azurite-blob");
  try {
    const connection = devConnectionString({ blob: server.url });
    const container = BlobServiceClient.fromConnectionString(connection).getContainerClient("behaviour");
    await container.create();
    const bucket = azureBlobBucket("UPLOADS", {
      SLRS_UPLOADS_CONTAINER: "behaviour",
      SLRS_UPLOADS_CONNECTION: connection,
    });

    await t.step("custom metadata names and values Azure refuses as they are round-trip encoded", async () => {
      const customMetadata = { "Build-ID": "ünï ✓", "a.b": "x\ny", "9lives": "" };
      await bucket.put("meta", "m", { customMetadata });
      assert.deepEqual((await bucket.head("meta"))?.customMetadata, customMetadata);
      const stored = await container.getBlobClient("meta").getProperties();
      for (const name of Object.keys(stored.metadata ?? {})) assert.match(name, /^[a-z_][a-z0-9_]*$/);
    });

    await t.step("a streamed upload reads at most one block ahead of what it has sent", async () => {
      let pulled = 0;
      const block = AZURE_BLOB_BUCKET_LIMITS.blockBytes;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled += 64 * 1024;
          if (pulled > 3 * block) controller.close();
          else controller.enqueue(new Uint8Array(64 * 1024));
        },
      }, { highWaterMark: 0 });
      const put = await bucket.put("blocks", stream);
      assert.equal(put.size, 3 * block);
      const blocks = await container.getBlockBlobClient("blocks").getBlockList("committed");
      assert.equal(blocks.committedBlocks?.length, 3);
    });

    await t.step("throttling is retried a bounded number of times", async () => {
      const busy = () => new Response("busy", { status: 503, headers: { "x-ms-error-code": "ServerBusy" } });
      const flaky = startFlakyProxy(server.url, 2, busy);
      const stuck = startFlakyProxy(server.url, 100, busy);
      try {
        const via = (url: string) =>
          azureBlobBucket("UPLOADS", {
            SLRS_UPLOADS_CONTAINER: "behaviour",
            AzureWebJobsStorage: devConnectionString({ blob: url }),
          });
        assert.equal((await via(flaky.url).head("meta"))?.size, 1);
        assert.equal(flaky.requests, 3);
        const error = await via(stuck.url).head("meta").catch((e) => e);
        assert.ok(error instanceof BindingError);
        assert.match(error.message, /Azure answered 503/);
        assert.equal(stuck.requests, AZURE_RETRY.tries);
      } finally {
        await flaky.stop();
        await stuck.stop();
      }
    });

    await t.step("keys with a . or .. segment are refused before any request", async () => {
      for (const key of ["..", "a/./b", "a/../b", "."]) await assert.rejects(bucket.put(key, "x"), BindingError);
    });

    await t.step("a container that does not exist is a BindingError that names the variable", async () => {
      const missing = azureBlobBucket("UPLOADS", { SLRS_UPLOADS_CONTAINER: "nosuch", AzureWebJobsStorage: connection });
      const error = await missing.put("k", "v").catch((e) => e);
      assert.ok(error instanceof BindingError);
      assert.equal(error.backend, "azure-blob");
      assert.match(error.message, /SLRS_UPLOADS_CONTAINER=nosuch names a container/);
      await assert.rejects(missing.get("k"), /ContainerNotFound/);
    });

    await t.step("missing configuration names the variable at first use", async () => {
      const error = await azureBlobBucket("UPLOADS", { AzureWebJobsStorage: connection }).head("k").catch((e) => e);
      assert.ok(error instanceof BindingError);
      assert.match(error.message, /SLRS_UPLOADS_CONTAINER is not set/);
    });
  } finally {
    await server.stop();
  }
});
