/**
 * The function the packaging tests deploy: routes, a cron and a queue, each trigger printing one line that the
 * tests look for in the platform's output (`slrs-fixture <trigger> <json>`).
 */
import { Router, serverless } from "../../mod.ts";

export default serverless({
  name: "shop",
  fetch: new Router()
    .get("/", () => new Response("shop"))
    .get("/hello/:name", (_req, ctx) => Response.json({ hello: ctx.params.name, platform: ctx.platform }))
    .post("/orders", async (req) => Response.json(await req.json(), { status: 201 })),
  scheduled: {
    cron: "*/15 * * * *",
    run: (event) => console.log(`slrs-fixture scheduled ${JSON.stringify({ cron: event.cron })}`),
  },
  queue: {
    name: "orders",
    run: (batch) => {
      for (const message of batch.messages) console.log(`slrs-fixture queue ${JSON.stringify(message.body)}`);
    },
  },
});
