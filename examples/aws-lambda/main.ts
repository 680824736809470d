/**
 * The AWS Lambda example: one function with HTTP routes, a queue consumer and a schedule. It knows nothing about
 * Lambda; `handler.ts` (Node.js runtime) and `bootstrap.ts` (Deno on provided.al2023) adapt it.
 *
 * @module
 */

import { HttpError, Router, serverless } from "../../mod.ts";

const router = new Router()
  .get("/hello/:name", (_req, ctx) => Response.json({ hello: ctx.params.name, requestId: ctx.requestId }))
  .get("/query", (req) => Response.json({ tags: new URL(req.url).searchParams.getAll("tag") }))
  .post("/echo", async (req) => {
    const body = await req.json().catch(() => {
      throw new HttpError(400, 'The body must be JSON, e.g. {"name":"ada"}.');
    });
    return Response.json({ body, cookie: req.headers.get("cookie"), type: req.headers.get("content-type") });
  })
  .get("/cookies", () => {
    const headers = new Headers({ "content-type": "text/plain" });
    // Plain name=value: serverless-offline (unlike AWS) refuses Set-Cookie attributes such as `Path=/`.
    headers.append("set-cookie", "session=abc");
    headers.append("set-cookie", "theme=dark");
    return new Response("two cookies", { headers });
  })
  .get("/bytes", () =>
    new Response(Uint8Array.from({ length: 256 }, (_, i) => i), {
      headers: { "content-type": "application/octet-stream" },
    }));

export default serverless({
  name: "aws-lambda-example",
  description: "Hello, echo, cookies and bytes over HTTP; an SQS consumer; a nightly job.",
  requirements: { memory: 256, timeout: 10, architecture: "arm64" },
  fetch: router,
  queue: {
    name: "orders",
    run(batch, ctx) {
      for (const message of batch.messages) {
        if (typeof message.body === "string" && message.body.startsWith("{")) message.ack();
        else {
          ctx.log.warn("not JSON, will retry", { id: message.id });
          message.retry();
        }
      }
    },
  },
  scheduled: { cron: "0 3 * * *", run: (event, ctx) => ctx.log.info("nightly", { at: event.scheduledTime }) },
});
