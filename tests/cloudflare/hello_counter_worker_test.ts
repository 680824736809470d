/**
 * examples/hello's Worker from `cli.ts build --target cloudflare` counts in its KV namespace in workerd (Miniflare):
 * the native binding passes through, with no wrapper and no backend in the entry.
 */

import assert from "node:assert/strict";
import { Miniflare } from "npm:miniflare@^4";
import { runCli } from "../support/process.ts";

Deno.test("examples/hello's Worker counts in its own KV namespace", async (t) => {
  const out = await Deno.makeTempDir({ prefix: "slrs_hello_worker_" });
  try {
    const built = await runCli(["build", "--target", "cloudflare", "examples/hello/main.ts", "--out", out]);
    assert.equal(built.code, 0, built.stderr);

    await t.step("the entry imports no backend and does not wrap the function", async () => {
      const entry = await Deno.readTextFile(`${out}/cloudflare/hello.entry.ts`);
      assert.doesNotMatch(entry, /bindings\/|withBindings/);
    });

    await t.step("POST /counter twice answers count 1, then count 2", async () => {
      const script = await Deno.readTextFile(`${out}/cloudflare/hello.js`);
      const mf = new Miniflare({ modules: true, script, compatibilityDate: "2026-07-01", kvNamespaces: ["COUNTER"] });
      try {
        const answers = [];
        for (let i = 0; i < 2; i++) {
          answers.push(await (await mf.dispatchFetch("http://localhost/counter", { method: "POST" })).json());
        }
        assert.deepEqual(answers, [{ count: 1 }, { count: 2 }]);
      } finally {
        await mf.dispose();
      }
    });
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
