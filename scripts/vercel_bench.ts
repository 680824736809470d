/**
 * The Vercel adapter next to Hono's (`hono/vercel`, the peer): the same JSON route answered through each.
 * Run: `RUST_BACKTRACE=0 deno bench -A scripts/vercel_bench.ts`.
 */
import { Hono } from "npm:hono@^4.13.19";
import { handle as honoHandle } from "npm:hono@^4.13.19/vercel";
import { Router, serverless } from "../mod.ts";
import { handle } from "../adapters/vercel.ts";

const slrs = handle(serverless({
  name: "bench",
  fetch: new Router().get("/hello/:name", (_req, ctx) => Response.json({ hello: ctx.params.name })),
}));
const hono = honoHandle(new Hono().get("/hello/:name", (c) => c.json({ hello: c.req.param("name") })));
const request = () => new Request("https://app.vercel.app/hello/ada", { headers: { "x-vercel-id": "fra1::1" } });

Deno.bench("hono/vercel handle", { group: "vercel", baseline: true }, async () => {
  await (await hono(request())).text();
});

Deno.bench("slrs vercel handle", { group: "vercel" }, async () => {
  await (await slrs.GET(request())).text();
});
