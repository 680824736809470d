/**
 * A function for the Node adapter: this module only defines it, server.ts serves it.
 *
 * @module
 */

import { Router, serverless } from "../../mod.ts";

const router = new Router()
  .get("/hello/:name", (_req, ctx) => Response.json({ hello: ctx.params.name, platform: ctx.platform }))
  .post("/upload", async (req) => {
    // The body is streamed with backpressure: counting it never holds more than a chunk in memory.
    let bytes = 0;
    for await (const chunk of req.body ?? []) bytes += chunk.byteLength;
    return Response.json({ bytes });
  })
  .get("/session", () => {
    const headers = new Headers();
    headers.append("set-cookie", "session=abc; HttpOnly; Path=/");
    headers.append("set-cookie", "theme=dark; Path=/");
    return new Response("two cookies set", { headers });
  });

/** The function. */
export default serverless({ name: "node-example", fetch: router });
