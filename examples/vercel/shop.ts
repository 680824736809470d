/** The example function: platform-free, deployed to Vercel by `api/index.ts`. */
import { Router, serverless } from "../../mod.ts";

export default serverless({
  name: "shop",
  requirements: { memory: 1024, timeout: 30 },
  fetch: new Router()
    .get("/", () => new Response("shop on Vercel"))
    .get("/hello/:name", (_req, ctx) => Response.json({ hello: ctx.params.name, requestId: ctx.requestId }))
    .post("/orders", async (req, ctx) => {
      const order = await req.json();
      // Runs after the response, through Vercel's waitUntil.
      ctx.waitUntil(Promise.resolve().then(() => ctx.log.info("order received", { order })));
      return Response.json(order, { status: 201 });
    }),
  // Vercel Cron Jobs call /_slrs/cron/0 on this schedule (see vercel.json and `crons()`).
  scheduled: { cron: "0 3 * * *", run: (event, ctx) => ctx.log.info("nightly", { at: event.scheduledTime }) },
});
