/**
 * `cli.ts build --target cloudflare`: the Worker bundle it writes runs in workerd (Miniflare) with the KV namespace
 * and D1 database its `wrangler.jsonc` from `cli.ts iac wrangler` declares.
 */

import assert from "node:assert/strict";
import { Miniflare } from "npm:miniflare@^4";
import { ROOT, runCli } from "../support/process.ts";

Deno.test("the Worker bundle from cli.ts build runs in Miniflare", async (t) => {
  const out = await Deno.makeTempDir({ prefix: "slrs_build_worker_" });
  try {
    const build = await runCli(["build", "--target", "cloudflare", "examples/cloudflare/main.ts", "--out", out]);
    assert.equal(build.code, 0, build.stderr);
    assert.match(build.stdout, /^cloudflare cloudflare-example: .*cloudflare-example\.js [\d.]+ KB in \d+ ms\n$/);
    const iac = await runCli(["iac", "wrangler", "examples/cloudflare/main.ts", "--out", `${out}/infra`]);
    assert.equal(iac.code, 0, iac.stderr);
    const config = JSON.parse(
      (await Deno.readTextFile(`${out}/infra/cloudflare-example/wrangler.jsonc`))
        .replace(/("(?:\\.|[^"\\])*")|\/\/[^\n]*/g, (_, string) => string ?? ""),
    );

    const mf = new Miniflare({
      modules: true,
      script: await Deno.readTextFile(`${out}/cloudflare/cloudflare-example.js`),
      compatibilityDate: "2026-07-01",
      kvNamespaces: config.kv_namespaces.map((kv: { binding: string }) => kv.binding),
      d1Databases: config.d1_databases.map((d1: { binding: string }) => d1.binding),
    });
    try {
      const db = await mf.getD1Database("DB") as unknown as D1Database;
      await db.exec(await Deno.readTextFile(`${ROOT}examples/cloudflare/schema.sql`));

      await t.step("answers routes", async () => {
        const hello = await mf.dispatchFetch("http://localhost/hello/ada");
        assert.equal(hello.status, 200);
        assert.equal((await hello.json() as { hello: string }).hello, "ada");
        const missing = await mf.dispatchFetch("http://localhost/nowhere");
        assert.equal(missing.status, 404);
        await missing.arrayBuffer();
      });

      await t.step("reads and writes the KV namespace and the D1 database the config binds", async () => {
        const put = await mf.dispatchFetch("http://localhost/kv/greeting", { method: "PUT", body: "hi" });
        assert.equal(put.status, 204);
        assert.equal(await (await mf.dispatchFetch("http://localhost/kv/greeting")).text(), "hi");
        const created = await mf.dispatchFetch("http://localhost/users", {
          method: "POST",
          body: JSON.stringify({ name: "ada" }),
        });
        assert.equal(created.status, 201);
        const { id } = await created.json() as { id: number };
        assert.deepEqual(await (await mf.dispatchFetch(`http://localhost/users/${id}`)).json(), { id, name: "ada" });
      });
    } finally {
      await mf.dispose();
    }
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
