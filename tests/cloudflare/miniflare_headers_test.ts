/**
 * Why the conformance suite's Cloudflare driver sends its requests to workerd's own socket rather than through
 * `Miniflare#dispatchFetch`: the dispatcher drops request headers whose value is empty, workerd does not. When this
 * test fails, Miniflare has stopped doing so and tests/cloudflare/conformance_driver.ts may use `dispatchFetch`.
 */

import assert from "node:assert/strict";
import { Miniflare } from "npm:miniflare@^4";

Deno.test("Miniflare's dispatchFetch drops an empty request header that workerd itself passes on", async () => {
  const mf = new Miniflare({
    modules: true,
    compatibilityDate: "2026-07-01",
    unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
    script: "export default { fetch: (req) => new Response(JSON.stringify([...req.headers])) };",
  });
  try {
    const headers: [string, string][] = [["x-empty", ""], ["x-full", "1"]];
    const seen = async (response: Response) => new Map(JSON.parse(await response.text()) as [string, string][]);
    const direct = await seen(await fetch(await mf.unsafeGetDirectURL(), { headers }));
    assert.equal(direct.get("x-empty"), "", "workerd passes the empty header to the worker");
    const dispatched = await seen(await mf.dispatchFetch("http://localhost/", { headers }) as unknown as Response);
    assert.equal(dispatched.get("x-full"), "1");
    assert.equal(dispatched.has("x-empty"), false, "dispatchFetch drops it");
  } finally {
    await mf.dispose();
  }
});
