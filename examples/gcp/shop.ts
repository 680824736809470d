/** The example function: platform-free; the entry files next to it deploy it. */
import { Router, serverless } from "../../mod.ts";

export default serverless({
  name: "shop",
  requirements: { memory: 512, timeout: 30 },
  fetch: new Router()
    .get("/", () => new Response("shop"))
    .get("/hello/:name", (_req, ctx) => Response.json({ hello: ctx.params.name, requestId: ctx.requestId }))
    .post("/orders", async (req, ctx) => {
      const order = await req.json();
      ctx.waitUntil(Promise.resolve().then(() => ctx.log.info("order received", { order })));
      return Response.json(order, { status: 201 });
    }),
  scheduled: { cron: "*/15 * * * *", run: (event, ctx) => ctx.log.info("tick", { at: event.scheduledTime }) },
  queue: {
    name: "orders",
    run: (batch, ctx) => {
      for (const message of batch.messages) ctx.log.info("order", { id: message.id, body: message.body });
    },
  },
});
