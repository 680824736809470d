/**
 * The KV and bucket corpora against Cloudflare's own bindings in workerd (Miniflare's Workers KV and R2), the
 * reference the portable interfaces follow: the same steps the AWS backends pass, with only the numbered limits of
 * docs/bindings.md passed in differently.
 */

import { Miniflare } from "npm:miniflare@^4";
import { kvCorpus } from "../bindings/_kv_corpus.ts";
import { bucketCorpus } from "../bindings/_bucket_corpus.ts";
import type { Bucket, KvNamespace } from "../../src/bindings.ts";

Deno.test("Workers KV and R2 in workerd pass the KV and bucket corpora", async (t) => {
  const mf = new Miniflare({
    modules: true,
    script: "export default { fetch() { return new Response(null, { status: 204 }); } };",
    compatibilityDate: "2026-07-01",
    kvNamespaces: ["COUNTER"],
    r2Buckets: ["UPLOADS"],
  });
  try {
    const kv: KvNamespace = await mf.getKVNamespace("COUNTER") as unknown as KVNamespace;
    const bucket: Bucket = await mf.getR2Bucket("UPLOADS") as unknown as R2Bucket;
    await t.step("KV", async (t) => {
      await kvCorpus(t, kv, { keyBytes: 512, valueBytes: () => 25 * 1024 * 1024, refusal: Error });
    });
    await t.step("R2", async (t) => {
      await bucketCorpus(t, bucket, {
        refusal: Error,
        streamedBytes: 1024 * 1024,
        suffixRanges: true,
        unknownLengthStreams: false,
        emptyKeyRefused: false,
        richArguments: false,
        metadata: "all",
      });
    });
  } finally {
    await mf.dispose();
  }
});
