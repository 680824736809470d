/**
 * The HTTP routes of `examples/hello/main.ts` written with Hono, exported the way `hono/aws-lambda` deploys them, for
 * `scripts/bench_cold_start.ts`. Hono has no bindings, so the counter is kept in memory.
 *
 * @module
 */

import { Hono } from "npm:hono@^4.13.19";
import { HTTPException } from "npm:hono@^4.13.19/http-exception";
import { handle } from "npm:hono@^4.13.19/aws-lambda";

const counts = new Map<string, number>();

const app = new Hono()
  .get("/", (c) => c.text("Hello from slrs! Try /hello/your-name\n"))
  .get("/hello/:name", (c) => c.json({ hello: c.req.param("name"), greeting: "Hello" }))
  .post("/echo", async (c) => {
    const type = c.req.header("content-type") ?? "text/plain";
    return c.body(await c.req.arrayBuffer(), 200, { "content-type": type });
  })
  .get("/counter", (c) => c.json({ count: counts.get("count") ?? 0 }))
  .post("/counter", (c) => {
    const count = (counts.get("count") ?? 0) + 1;
    counts.set("count", count);
    return c.json({ count });
  })
  .get("/teapot", () => {
    throw new HTTPException(418, { message: "I'm a teapot, not a coffee machine." });
  });

/** The Lambda handler. */
export const handler = handle(app);
