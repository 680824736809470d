import assert from "node:assert/strict";
import { Router, serverless } from "../mod.ts";
import { customHandler } from "../adapters/azure.ts";
import { DOT_SEGMENT_MESSAGE } from "../src/dot_segments.ts";
import { rawExchange } from "./adapters/_self_hosted_contract.ts";

const fn = serverless({
  name: "shop",
  fetch: new Router()
    .get("/where/*", (req) => Response.json({ host: new URL(req.url).host, pathname: new URL(req.url).pathname }))
    .get("/admin", () => new Response("admin")),
});

Deno.test("azure custom handler under Deno.serve: the request's identity", async (t) => {
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, customHandler(fn));
  const exchange = async (head: string) => {
    const raw = await rawExchange(server.addr.port, `${head}\r\nConnection: close\r\n\r\n`);
    const body = raw.slice(raw.indexOf("\r\n\r\n") + 4).replace(/^[0-9a-f]+\r\n|\r\n0\r\n\r\n$/g, "");
    return { status: Number(raw.slice(9, 12)), body };
  };
  try {
    await t.step("never lets a Host that is not host[:port] move the path", async () => {
      for (const host of ["x/api/admin?", "[::1", "a b"]) {
        const res = await exchange(`GET /api/where/public HTTP/1.1\r\nHost: ${host}`);
        assert.equal(res.status, 200, `Host: ${host}: ${res.body}`);
        assert.deepEqual(JSON.parse(res.body), { host: "localhost", pathname: "/where/public" });
      }
    });

    await t.step("answers 400 to a path with a dot segment, with the invocation id", async () => {
      for (const path of ["/api/where/../admin", "/api/where/%2e%2e/admin", "/api/./admin"]) {
        const res = await exchange(`GET ${path} HTTP/1.1\r\nHost: x\r\nX-Azure-Functions-InvocationId: inv-9`);
        assert.equal(res.status, 400, `${path}: ${res.body}`);
        assert.deepEqual(JSON.parse(res.body), { error: DOT_SEGMENT_MESSAGE, requestId: "inv-9" });
      }
    });
  } finally {
    await server.shutdown();
  }
});
