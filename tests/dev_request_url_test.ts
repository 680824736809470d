/**
 * Plain `dev` builds each request's URL the way every adapter does (adapters/_request_url.ts): the path comes from
 * the request line, the host from `Host` only when it is a valid `host[:port]`, else from the listening address; a
 * dot segment answers 400. Raw bytes on a socket, since `fetch` would not send such a `Host`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { DOT_SEGMENT_MESSAGE } from "../src/dot_segments.ts";
import { CLI_RUNTIMES, type CliRuntime } from "./support/cli_runtimes.ts";
import { openWire } from "./support/wire.ts";

const source = (runtime: CliRuntime) => `
import { Router, serverless } from "${runtime.library}";
export default serverless({
  name: "urls",
  fetch: new Router()
    .get("/hello/:name", (req, ctx) => Response.json({ hello: ctx.params.name, url: req.url }))
    .get("/admin", () => new Response("the admin page")),
});
`;

async function exchange(port: number, head: string) {
  const wire = await openWire(port);
  try {
    const response = await wire.exchange(head);
    return { status: response.status, body: new TextDecoder().decode(response.body) };
  } finally {
    wire.close();
  }
}

for (const runtime of CLI_RUNTIMES) {
  Deno.test(`dev builds the request URL as the adapters do, on ${runtime.name}`, async (t) => {
    const dir = await Deno.makeTempDir({ prefix: `slrs_dev_url_${runtime.name}_` });
    const main = `main.${runtime.ext}`;
    await runtime.project(dir);
    await Deno.writeTextFile(`${dir}/${main}`, source(runtime));
    const dev = await runtime.start(["dev", main, "--port", "0"], dir);
    try {
      const [, port] = await dev.waitFor(/serving "urls" from .* on http:\/\/localhost:(\d+)/);
      const get = (target: string, host: string) =>
        exchange(Number(port), `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close`);

      await t.step("a Host that is not host[:port] never moves the path; the listening address is used", async () => {
        const response = await get("/hello/ada", "x/admin?");
        assert.equal(response.status, 200, response.body);
        assert.deepEqual(JSON.parse(response.body), { hello: "ada", url: `http://127.0.0.1:${port}/hello/ada` });
      });

      await t.step("a valid Host is kept", async () => {
        const response = await get("/hello/ada", "api.example.com");
        assert.deepEqual(JSON.parse(response.body), { hello: "ada", url: "http://api.example.com/hello/ada" });
      });

      await t.step("a dot segment answers 400, also behind an invalid Host", async () => {
        for (const [target, host] of [["/hello/../admin", "localhost"], ["/hello/%2e%2e/admin", "x/admin?"]]) {
          const response = await get(target!, host!);
          assert.equal(response.status, 400, `${target} with Host ${host}: ${response.body}`);
          assert.equal(JSON.parse(response.body).error, DOT_SEGMENT_MESSAGE);
        }
      });
    } finally {
      await dev.stop();
      await Deno.remove(dir, { recursive: true });
    }
  });
}
