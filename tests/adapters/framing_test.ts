import assert from "node:assert/strict";
import { outgoingHeaders, withoutNamedHopByHop, withSafeFraming } from "../../adapters/_framing.ts";
import { startUpstream, UPSTREAM_TEXT } from "../support/upstream.ts";

const names = (response: Response, method = "GET") => outgoingHeaders(response, method).pairs.map(([name]) => name);

Deno.test("which response headers an adapter sends", async (t) => {
  await t.step("drops hop-by-hop headers and every header Connection names", () => {
    const response = new Response("x", {
      headers: [
        ["connection", "keep-alive, X-Secret , x-other"],
        ["x-secret", "1"],
        ["x-other", "2"],
        ["keep-alive", "timeout=5"],
        ["transfer-encoding", "chunked"],
        ["te", "trailers"],
        ["trailer", "x-t"],
        ["upgrade", "h2c"],
        ["proxy-connection", "keep-alive"],
        ["x-kept", "yes"],
      ],
    });
    assert.deepEqual(names(response), ["content-type", "x-kept"]);
  });

  await t.step("never sends a handler's Content-Length, but keeps a valid one for HEAD", () => {
    const wrong = new Response("abcdef", { headers: { "content-length": "3" } });
    assert.ok(!names(wrong).includes("content-length"));
    assert.equal(outgoingHeaders(wrong, "HEAD").filter.headLength, "3");
    const invalid = new Response(null, { headers: { "content-length": "3, 4" } });
    assert.equal(outgoingHeaders(invalid, "HEAD").filter.headLength, undefined);
    assert.equal(withSafeFraming(wrong, "HEAD").headers.get("content-length"), "3");
  });

  await t.step("drops the Content-Encoding of a body fetch decoded, and keeps one the handler set", async () => {
    const upstream = await startUpstream();
    try {
      const fetched = await fetch(`${upstream.url}gzip`);
      assert.equal(fetched.headers.get("content-encoding"), "gzip", "fetch keeps the upstream's header");
      const safe = withSafeFraming(fetched, "GET");
      assert.equal(safe.headers.get("content-encoding"), null);
      assert.equal(safe.headers.get("content-length"), null);
      assert.equal(await safe.text(), UPSTREAM_TEXT);
    } finally {
      await upstream.close();
    }
    const own = new Response(new Uint8Array([0x1f, 0x8b]), { headers: { "content-encoding": "gzip" } });
    assert.ok(names(own).includes("content-encoding"));
  });

  await t.step("hands back the same response when nothing has to go", () => {
    const plain = new Response("x", { headers: { "x-a": "1" } });
    assert.equal(withSafeFraming(plain, "GET"), plain);
    assert.equal(withoutNamedHopByHop(plain), plain);
  });

  await t.step("for workerd, drops Proxy-Connection, Transfer-Encoding and what Connection names", () => {
    const response = new Response("x", {
      headers: [["connection", "x-hop, not a name"], ["x-hop", "1"], ["proxy-connection", "keep-alive"], [
        "transfer-encoding",
        "chunked",
      ], ["x-kept", "yes"]],
    });
    const safe = withoutNamedHopByHop(response);
    assert.deepEqual([...safe.headers.keys()], ["content-type", "x-kept"]);
  });
});
