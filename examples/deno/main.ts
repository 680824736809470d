/**
 * A function for the Deno adapter. `deno serve --allow-env examples/deno/main.ts` runs this module's default export;
 * `deno run --allow-net --allow-env examples/deno/server.ts` runs it with `serve()` (graceful shutdown on Ctrl-C).
 * Then `curl localhost:8000/hello/ada`.
 *
 * @module
 */

import { Router, serverless } from "../../mod.ts";
import { handle } from "../../adapters/deno.ts";

const router = new Router()
  .get("/hello/:name", (_req, ctx) => Response.json({ hello: ctx.params.name, requestId: ctx.requestId }))
  .get("/clock", (_req, ctx) => {
    // A streamed response: one line a second until the client goes away (ctx.signal) or ten lines are out.
    let n = 0;
    const body = new ReadableStream<string>({
      async pull(controller) {
        if (n++ === 10 || ctx.signal.aborted) return controller.close();
        controller.enqueue(`${new Date().toISOString()}\n`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      },
    });
    return new Response(body.pipeThrough(new TextEncoderStream()), { headers: { "content-type": "text/plain" } });
  })
  .post("/orders", async (req, ctx) => {
    const order = await req.json();
    // Runs after the response; a graceful shutdown waits for it.
    ctx.waitUntil(Promise.resolve().then(() => ctx.log.info("order received", { order })));
    return Response.json(order, { status: 201 });
  });

/** The function: `deno serve` takes the default export's `fetch`. */
export const fn = serverless({ name: "deno-example", fetch: router });

/** For `deno serve examples/deno/main.ts`: platform `deno` contexts, `ctx.env` from `Deno.env`. */
export default handle(fn);
