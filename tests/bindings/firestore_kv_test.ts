// The Firestore KV against a loopback fake written from Firestore's documented REST protocol and the metadata
// server's (tests/bindings/_fake_gcp.ts). No Firestore emulator can be installed here, so this backend is NOT tested
// against the real service: the fake checks each request's method, path, query, headers and body strictly.

import assert from "node:assert/strict";
import { BindingError } from "../../src/bindings.ts";
import { FIRESTORE_KV_LIMITS, firestoreDocumentId, firestoreKv } from "../../bindings/firestore_kv.ts";
import { RETRY } from "../../bindings/_retry.ts";
import { kvCorpus } from "./_kv_corpus.ts";
import { startFakeFirestore, startFakeMetadata } from "./_fake_gcp.ts";

const PROJECT = "slrs-test";

async function withFirestore(
  expiresIn: number,
  run: (setup: {
    kv: ReturnType<typeof firestoreKv>;
    env: Record<string, string>;
    firestore: ReturnType<typeof startFakeFirestore>;
    metadata: ReturnType<typeof startFakeMetadata>;
  }) => Promise<void>,
): Promise<void> {
  const metadata = startFakeMetadata(PROJECT, expiresIn);
  const firestore = startFakeFirestore(PROJECT, () => metadata.current);
  const env = {
    SLRS_COUNTER_COLLECTION: "counter",
    SLRS_GCP_ENDPOINT: firestore.url,
    GCE_METADATA_HOST: metadata.host,
  };
  try {
    await run({ kv: firestoreKv("COUNTER", env), env, firestore, metadata });
    assert.deepEqual(firestore.violations, []);
    assert.deepEqual(metadata.violations, []);
  } finally {
    await firestore.stop();
    await metadata.stop();
  }
}

Deno.test("the Firestore KV passes the KV corpus on a fake of Firestore's REST API", async (t) => {
  await withFirestore(3599, async ({ kv, metadata }) => {
    await kvCorpus(t, kv, {
      keyBytes: FIRESTORE_KV_LIMITS.keyBytes,
      valueBytes: () => FIRESTORE_KV_LIMITS.valueBytes,
      refusal: BindingError,
    });
    await t.step("one token from the metadata server served every request", () => {
      assert.equal(metadata.issued, 1);
    });
  });
});

Deno.test("the Firestore KV speaks Firestore's REST protocol", async (t) => {
  await withFirestore(3599, async ({ kv, firestore }) => {
    await t.step("put is a PATCH of the whole document: bytes, metadata as JSON, expiry as a timestamp", async () => {
      const expiration = Math.floor(Date.now() / 1000) + 3600;
      await kv.put("a/é", "hi", { metadata: { n: 1 }, expiration });
      const request = firestore.requests.at(-1)!;
      assert.equal(request.method, "PATCH");
      assert.equal(
        request.url.pathname,
        `/v1/projects/${PROJECT}/databases/(default)/documents/counter/${firestoreDocumentId("a/é")}`,
      );
      assert.equal(request.url.search, "");
      assert.deepEqual(request.json(), {
        fields: {
          v: { bytesValue: btoa("hi") },
          m: { stringValue: '{"n":1}' },
          expireAt: { timestampValue: new Date(expiration * 1000).toISOString() },
        },
      });
    });

    await t.step("list is a runQuery on __name__ between the prefix's bounds, selecting no value", async () => {
      await kv.list({ prefix: "a/", limit: 5 });
      const request = firestore.requests.at(-1)!;
      assert.equal(request.url.pathname, `/v1/projects/${PROJECT}/databases/(default)/documents:runQuery`);
      const root = `projects/${PROJECT}/databases/(default)/documents/counter/`;
      assert.deepEqual(request.json(), {
        structuredQuery: {
          from: [{ collectionId: "counter" }],
          select: { fields: [{ fieldPath: "m" }, { fieldPath: "expireAt" }] },
          orderBy: [{ field: { fieldPath: "__name__" }, direction: "ASCENDING" }],
          limit: 6,
          startAt: { values: [{ referenceValue: root + "612f" }], before: true },
          endAt: { values: [{ referenceValue: root + "612fg" }], before: true },
        },
      });
    });

    await t.step(
      "a document past its expireAt is not read or listed, though Firestore has not deleted it",
      async () => {
        const name = `projects/${PROJECT}/databases/(default)/documents/counter/${firestoreDocumentId("stale")}`;
        const past = new Date(Date.now() - 5000).toISOString();
        firestore.documents.set(name, {
          fields: { v: { bytesValue: btoa("old") }, expireAt: { timestampValue: past } },
          createTime: past,
          updateTime: past,
        });
        assert.equal(await kv.get("stale"), null);
        assert.deepEqual(await kv.getWithMetadata("stale"), { value: null, metadata: null });
        assert.deepEqual((await kv.list({ prefix: "st" })).keys, []);
      },
    );

    await t.step("a value over the document limit is refused before any request", async () => {
      const before = firestore.requests.length;
      const error = await kv.put("big", new Uint8Array(FIRESTORE_KV_LIMITS.valueBytes + 1)).catch((e) => e);
      assert.ok(error instanceof BindingError);
      assert.match(error.message, /a Firestore document holds 1 MiB/);
      assert.equal(firestore.requests.length, before);
    });

    await t.step("throttling (429) is retried with backoff and then succeeds", async () => {
      firestore.failNext(2, () => Response.json({ error: { status: "RESOURCE_EXHAUSTED" } }, { status: 429 }));
      const before = firestore.requests.length;
      assert.equal(await kv.get("a/é"), "hi");
      assert.equal(firestore.requests.length - before, 3);
    });

    await t.step("throttling that does not stop fails after a bounded number of attempts", async () => {
      firestore.failNext(100, () => Response.json({ error: { status: "UNAVAILABLE" } }, { status: 503 }));
      const before = firestore.requests.length;
      const error = await kv.get("a/é").catch((e) => e);
      assert.ok(error instanceof BindingError);
      assert.match(error.message, /Firestore answered 503: UNAVAILABLE/);
      assert.equal(firestore.requests.length - before, RETRY.attempts);
      firestore.failNext(0, () => new Response());
    });
  });
});

Deno.test("the Firestore KV's token and endpoint", async (t) => {
  await t.step("a token is asked for again once it is within a minute of expiry", async () => {
    await withFirestore(60, async ({ kv, metadata }) => {
      await kv.get("k");
      await kv.get("k");
      assert.equal(metadata.issued, 2);
    });
  });

  await t.step("the project id comes from the metadata server when GOOGLE_CLOUD_PROJECT is unset", async () => {
    await withFirestore(3599, async ({ kv, metadata }) => {
      await kv.get("k");
      assert.ok(metadata.requests.some((r) => r.url.pathname === "/computeMetadata/v1/project/project-id"));
    });
  });

  await t.step("FIRESTORE_EMULATOR_HOST points at an emulator, with no token asked for", async () => {
    const firestore = startFakeFirestore("demo-test", () => "owner");
    try {
      const kv = firestoreKv("COUNTER", {
        SLRS_COUNTER_COLLECTION: "c",
        GOOGLE_CLOUD_PROJECT: "demo-test",
        FIRESTORE_EMULATOR_HOST: firestore.host,
        GCE_METADATA_HOST: "127.0.0.1:9",
      });
      await kv.put("k", "v");
      assert.equal(await kv.get("k"), "v");
      assert.deepEqual(firestore.violations, []);
    } finally {
      await firestore.stop();
    }
  });
});

Deno.test("the Firestore KV reports missing configuration at first use, naming the variable", async (t) => {
  await t.step("creating the binding without configuration does not throw", () => {
    firestoreKv("COUNTER", {});
  });

  await t.step("the collection variable", async () => {
    const error = await firestoreKv("COUNTER", {}).get("k").catch((e) => e);
    assert.ok(error instanceof BindingError);
    assert.match(error.message, /^COUNTER \(kv on firestore\) configure: SLRS_COUNTER_COLLECTION is not set/);
  });

  await t.step("the project, with an emulator", async () => {
    const kv = firestoreKv("COUNTER", { SLRS_COUNTER_COLLECTION: "c", FIRESTORE_EMULATOR_HOST: "127.0.0.1:9" });
    await assert.rejects(kv.get("k"), /GOOGLE_CLOUD_PROJECT is not set/);
  });

  await t.step("a metadata server that cannot be reached, off Google Cloud", async () => {
    const kv = firestoreKv("COUNTER", { SLRS_COUNTER_COLLECTION: "c", GCE_METADATA_HOST: "127.0.0.1:9" });
    await assert.rejects(kv.get("k"), /metadata server http:\/\/127\.0\.0\.1:9 could not be reached.*_EMULATOR_HOST/);
  });
});
