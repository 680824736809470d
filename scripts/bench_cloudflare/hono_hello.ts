/**
 * The hello worker of `examples/cloudflare/hello.ts`, written with Hono, for `scripts/bench_cloudflare/bench.ts`.
 *
 * @module
 */

import { Hono } from "npm:hono@^4.13.19";

const app = new Hono()
  .get("/", (c) => c.text("Hello from slrs"))
  .get("/hello/:name", (c) => c.json({ hello: c.req.param("name") }));

export default app;
