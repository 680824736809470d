// The Azure Table KV backend against azurite's Table service (installed on first run into .slrs/cache/azurite).

import assert from "node:assert/strict";
import { TableClient } from "npm:@azure/data-tables@^13.3.2";
import { BindingError } from "../../src/bindings.ts";
import { AZURE_TABLE_KV_LIMITS, azureTableKv } from "../../bindings/azure_table_kv.ts";
import { kvCorpus } from "./_kv_corpus.ts";
import { startLocalServer } from "./_local_server.ts";
import { devConnectionString } from "./_azurite.ts";
import { startFlakyProxy } from "./_flaky_proxy.ts";
import { AZURE_RETRY } from "../../bindings/_azure.ts";

async function createTable(connection: string, table: string): Promise<TableClient> {
  const client = TableClient.fromConnectionString(connection, table, { allowInsecureConnection: true });
  await client.createTable();
  return client;
}

Deno.test("the Azure Table KV passes the KV corpus on azurite", async (t) => {
  const server = await startLocalServer("azurite-table");
  try {
    const connection = devConnectionString({ table: server.url });
    await createTable(connection, "corpus");
    const kv = azureTableKv("COUNTER", { SLRS_COUNTER_TABLE: "corpus", AzureWebJobsStorage: connection });
    await kvCorpus(t, kv, {
      keyBytes: AZURE_TABLE_KV_LIMITS.keyBytes,
      valueBytes: () => AZURE_TABLE_KV_LIMITS.valueBytes,
      refusal: BindingError,
    });
  } finally {
    await server.stop();
  }
});

Deno.test("the Azure Table KV on azurite", async (t) => {
  const server = await startLocalServer("azurite-table");
  try {
    const connection = devConnectionString({ table: server.url });
    const table = await createTable(connection, "behaviour");
    const kv = azureTableKv("COUNTER", { SLRS_COUNTER_TABLE: "behaviour", SLRS_COUNTER_CONNECTION: connection });

    await t.step("an entity past its ttl is not read or listed, since Table Storage never deletes it", async () => {
      const stale = await table.createEntity({
        partitionKey: "7374616c65", // "stale" in hex
        rowKey: "",
        v0: new TextEncoder().encode("old"),
        ttl: Math.floor(Date.now() / 1000) - 5,
      });
      assert.ok(stale.etag);
      await kv.put("fresh", "new");
      assert.equal(await kv.get("stale"), null);
      assert.deepEqual(await kv.getWithMetadata("stale"), { value: null, metadata: null });
      assert.deepEqual((await kv.list()).keys.map((k) => k.name), ["fresh"]);
    });

    await t.step(
      "keys with characters Table keys refuse are stored, and a key past 256 bytes spans both keys",
      async () => {
        for (const key of ["a/b", "back\\slash", "#hash?", "tab\tnew\nline", "x".repeat(300), "x".repeat(256)]) {
          await kv.put(key, key);
          assert.equal(await kv.get(key), key);
        }
        const page = await kv.list({ prefix: "x".repeat(255) });
        assert.deepEqual(page.keys.map((k) => k.name), ["x".repeat(256), "x".repeat(300)]);
        assert.deepEqual((await kv.list({ prefix: "x".repeat(280) })).keys.map((k) => k.name), ["x".repeat(300)]);
      },
    );

    await t.step("a value over 64 KiB is stored in parts and read back whole", async () => {
      const value = new Uint8Array(3 * AZURE_TABLE_KV_LIMITS.partBytes + 5).map((_, i) => i % 251);
      await kv.put("parts", value);
      assert.deepEqual(new Uint8Array((await kv.get("parts", "arrayBuffer"))!), value);
      await kv.put("parts", "short now");
      assert.equal(await kv.get("parts"), "short now", "a replacing put drops the old parts");
    });

    await t.step("a cursor that list did not return is refused", async () => {
      for (const cursor of ["%%%", btoa("{}"), btoa("not json")]) {
        await assert.rejects(kv.list({ cursor }), /is not one list\(\) returned/);
      }
      const first = await kv.list({ limit: 1 });
      assert.equal(first.list_complete, false);
      if (!first.list_complete) assert.equal((await kv.list({ limit: 1, cursor: first.cursor })).keys.length, 1);
    });

    await t.step("throttling is retried with backoff and then succeeds", async () => {
      const busy = () =>
        Response.json({ "odata.error": { code: "ServerBusy", message: { value: "The server is busy." } } }, {
          status: 503,
        });
      const proxy = startFlakyProxy(server.url, 2, busy);
      try {
        const throttled = azureTableKv("COUNTER", {
          SLRS_COUNTER_TABLE: "behaviour",
          AzureWebJobsStorage: devConnectionString({ table: proxy.url }),
        });
        assert.equal(await throttled.get("fresh"), "new");
        assert.equal(proxy.requests, 3);
      } finally {
        await proxy.stop();
      }
    });

    await t.step("throttling that does not stop fails after a bounded number of tries", async () => {
      const proxy = startFlakyProxy(server.url, 100, () => new Response("busy", { status: 503 }));
      try {
        const started = Date.now();
        const throttled = azureTableKv("COUNTER", {
          SLRS_COUNTER_TABLE: "behaviour",
          AzureWebJobsStorage: devConnectionString({ table: proxy.url }),
        });
        const error = await throttled.get("fresh").catch((e) => e);
        assert.ok(error instanceof BindingError);
        assert.match(error.message, /Azure answered 503/);
        assert.equal(proxy.requests, AZURE_RETRY.tries);
        assert.ok(Date.now() - started < AZURE_RETRY.tries * AZURE_RETRY.capMs);
      } finally {
        await proxy.stop();
      }
    });

    await t.step("a table that does not exist is a BindingError that names the variable", async () => {
      const missing = azureTableKv("COUNTER", { SLRS_COUNTER_TABLE: "nosuch", AzureWebJobsStorage: connection });
      const error = await missing.put("k", "v").catch((e) => e);
      assert.ok(error instanceof BindingError);
      assert.equal(error.backend, "azure-table");
      assert.match(error.message, /Azure answered 404/);
      assert.match(error.message, /SLRS_COUNTER_TABLE=nosuch names a table/);
      await assert.rejects(missing.get("k"), /SLRS_COUNTER_TABLE=nosuch/);
    });
  } finally {
    await server.stop();
  }
});

Deno.test("the Azure Table KV reports missing configuration at first use, naming the variable", async (t) => {
  await t.step("the table variable", async () => {
    const error = await azureTableKv("COUNTER", { AzureWebJobsStorage: "UseDevelopmentStorage=true" }).get("k")
      .catch((e) => e);
    assert.ok(error instanceof BindingError);
    assert.equal(error.operation, "configure");
    assert.match(error.message, /^COUNTER \(kv on azure-table\) configure: SLRS_COUNTER_TABLE is not set/);
  });

  await t.step("a storage account that cannot be reached, naming what to check", async () => {
    const unreachable = devConnectionString({ table: "http://127.0.0.1:1" });
    const kv = azureTableKv("COUNTER", { SLRS_COUNTER_TABLE: "t", AzureWebJobsStorage: unreachable });
    const error = await kv.get("k").catch((e) => e);
    assert.ok(error instanceof BindingError);
    assert.match(error.message, /could not reach the storage account .*check the connection string's endpoints/);
  });

  await t.step("the connection string", async () => {
    const error = await azureTableKv("COUNTER", { SLRS_COUNTER_TABLE: "t" }).get("k").catch((e) => e);
    assert.ok(error instanceof BindingError);
    assert.match(error.message, /neither SLRS_COUNTER_CONNECTION nor AzureWebJobsStorage is set/);
  });
});
