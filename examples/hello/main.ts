/**
 * The hello example: routes, a counter kept in a KV binding, a scheduled trigger and requirements.
 *
 * Run it with `deno task dev` and try:
 *
 * ```sh
 * curl localhost:8000/
 * curl localhost:8000/hello/ada
 * curl -X POST localhost:8000/echo -d 'hi'
 * curl -X POST localhost:8000/counter
 * curl -X POST localhost:8000/__slrs/scheduled   # runs the cron handler by hand
 * ```
 *
 * @module
 */

import { HttpError, Router, serverless } from "../../mod.ts";

/** What `ctx.env` holds: the `COUNTER` KV binding and an optional greeting. */
interface Env {
  COUNTER: { get(key: string): Promise<unknown>; put(key: string, value: string): Promise<void> };
  GREETING?: string;
}

const router = new Router<Env>()
  .get("/", () => new Response("Hello from slrs! Try /hello/your-name\n"))
  .get("/hello/:name", (_req, ctx) => Response.json({ hello: ctx.params.name, greeting: ctx.env.GREETING ?? "Hello" }))
  .post("/echo", async (req) => {
    const type = req.headers.get("content-type") ?? "text/plain";
    return new Response(await req.arrayBuffer(), { headers: { "content-type": type } });
  })
  .get("/counter", async (_req, ctx) => Response.json({ count: Number(await ctx.env.COUNTER.get("count") ?? 0) }))
  .post("/counter", async (_req, ctx) => {
    const count = Number(await ctx.env.COUNTER.get("count") ?? 0) + 1;
    await ctx.env.COUNTER.put("count", String(count));
    return Response.json({ count });
  })
  .get("/teapot", () => {
    throw new HttpError(418, "I'm a teapot, not a coffee machine.");
  });

export default serverless<Env>({
  name: "hello",
  description: "Greets people and counts visits.",
  requirements: { memory: 256, timeout: 10, architecture: "arm64", env: [], bindings: { kv: ["COUNTER"] } },
  fetch: router,
  scheduled: {
    cron: "0 * * * *",
    run: async (event, ctx) => {
      await ctx.env.COUNTER.put("count", "0");
      ctx.log.info("counter reset", { cron: event.cron });
    },
  },
});
