import assert from "node:assert/strict";
import functions from "npm:@google-cloud/functions-framework@^5.0.5";
import { getTestServer } from "npm:@google-cloud/functions-framework@^5.0.5/testing";
import type { AddressInfo } from "node:net";
import { Router, serverless } from "../mod.ts";
import { handle } from "../adapters/gcp.ts";
import { DOT_SEGMENT_MESSAGE } from "../src/dot_segments.ts";
import { rawExchange } from "./adapters/_self_hosted_contract.ts";

const where = serverless({
  name: "gcp-identity",
  fetch: new Router()
    .all("/where/*", (req) => {
      const url = new URL(req.url);
      return Response.json({ method: req.method, host: url.host, pathname: url.pathname });
    })
    .get("/admin", () => new Response("admin")),
});
functions.http("gcp-identity", handle(where));

Deno.test("gcp HTTP: the request's identity under the real functions-framework server", async (t) => {
  const server = getTestServer("gcp-identity");
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const exchange = async (head: string) => {
    const raw = await rawExchange(port, `${head}\r\nConnection: close\r\n\r\n`);
    const body = raw.slice(raw.indexOf("\r\n\r\n") + 4).replace(/^[0-9a-f]+\r\n|\r\n0\r\n\r\n$/g, "");
    return { status: Number(raw.slice(9, 12)), body, json: () => JSON.parse(body) };
  };
  try {
    await t.step(
      "routes GET //evil.example/admin as that path on this host, not as /admin on evil.example",
      async () => {
        const admin = await exchange("GET //evil.example/admin HTTP/1.1\r\nHost: api.example.com");
        assert.equal(admin.status, 404, admin.body);
        const seen = await exchange("GET //evil.example/where/x HTTP/1.1\r\nHost: api.example.com");
        assert.equal(seen.status, 404, seen.body);
        const ok = await exchange("GET /where//evil.example/x HTTP/1.1\r\nHost: api.example.com");
        assert.deepEqual(ok.json(), { method: "GET", host: "api.example.com", pathname: "/where//evil.example/x" });
      },
    );

    await t.step(
      "answers a Host that is not host[:port] with the server's own address, not the crash path",
      async () => {
        for (const host of ["[::1", "x/admin?", "a b", "user@evil", "evil:99999"]) {
          const res = await exchange(`GET /where/public HTTP/1.1\r\nHost: ${host}`);
          assert.equal(res.status, 200, `Host: ${host}: ${res.body}`);
          assert.deepEqual(res.json(), { method: "GET", host: `127.0.0.1:${port}`, pathname: "/where/public" });
        }
      },
    );

    await t.step(
      "answers TRACE, which a Fetch Request cannot carry, 400 with a reason instead of a crash",
      async () => {
        for (const method of ["TRACE"]) {
          const res = await exchange(`${method} /where/x HTTP/1.1\r\nHost: x\r\nFunction-Execution-Id: tr-1`);
          assert.equal(res.status, 400, res.body);
          assert.match(res.json().error, new RegExp(`^Bad Request: .*${method}`, "i"));
          assert.equal(res.json().requestId, "tr-1");
        }
      },
    );

    await t.step("answers 400 to a path with a dot segment", async () => {
      for (const path of ["/where/../admin", "/where/%2e%2e/admin", "/where/./x"]) {
        const res = await exchange(`GET ${path} HTTP/1.1\r\nHost: x`);
        assert.equal(res.status, 400, `${path}: ${res.body}`);
        assert.equal(res.json().error, DOT_SEGMENT_MESSAGE);
      }
    });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
