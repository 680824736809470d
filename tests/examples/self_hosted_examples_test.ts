import assert from "node:assert/strict";
import { createServer } from "node:http";
import denoExample from "../../examples/deno/main.ts";
import nodeExample from "../../examples/node/main.ts";
import { handle } from "../../adapters/node.ts";

Deno.test("the Deno and Node examples", async (t) => {
  await t.step("the Deno example's default export answers as `deno serve` calls it", async () => {
    const res = await denoExample.fetch(
      new Request("http://localhost/hello/ada", { headers: { "x-request-id": "r-1" } }),
    );
    assert.deepEqual(await res.json(), { hello: "ada", requestId: "r-1" });
    const order = await denoExample.fetch(
      new Request("http://localhost/orders", { method: "POST", body: '{"id":1}' }),
    );
    assert.equal(order.status, 201);
  });

  await t.step("the Node example counts an upload and sets two cookies through node:http", async () => {
    const server = createServer(handle(nodeExample, { logSink: () => {} }));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    try {
      const upload = await fetch(`http://127.0.0.1:${port}/upload`, { method: "POST", body: new Uint8Array(300_000) });
      assert.deepEqual(await upload.json(), { bytes: 300_000 });
      const session = await fetch(`http://127.0.0.1:${port}/session`);
      assert.equal(session.headers.getSetCookie().length, 2);
      await session.body?.cancel();
      const hello = await fetch(`http://127.0.0.1:${port}/hello/bob`);
      assert.deepEqual(await hello.json(), { hello: "bob", platform: "node" });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
