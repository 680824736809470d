/**
 * The smallest worker, for the bundle-size and speed comparison with `scripts/bench_cloudflare/hono_hello.ts`: HTTP
 * only, so it uses `handleFetch`, the entry `cli.ts build` writes for such a function (Hono's worker has no queue or
 * scheduled handler either).
 *
 * @module
 */

import { handleFetch } from "../../adapters/cloudflare.ts";
import { Router, serverless } from "../../mod.ts";

export default handleFetch(serverless({
  name: "hello",
  fetch: new Router()
    .get("/", () => new Response("Hello from slrs"))
    .get("/hello/:name", (_req, ctx) => Response.json({ hello: ctx.params.name })),
}));
