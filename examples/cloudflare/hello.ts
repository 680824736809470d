/**
 * The smallest worker, for the bundle-size and speed comparison with `scripts/bench_cloudflare/hono_hello.ts`.
 *
 * @module
 */

import { handle } from "../../adapters/cloudflare.ts";
import { Router, serverless } from "../../mod.ts";

export default handle(serverless({
  name: "hello",
  fetch: new Router()
    .get("/", () => new Response("Hello from slrs"))
    .get("/hello/:name", (_req, ctx) => Response.json({ hello: ctx.params.name })),
}));
