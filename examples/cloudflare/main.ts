/**
 * A Cloudflare Workers example: routes, KV, D1, `waitUntil`, two cron schedules and a queue consumer, defined once
 * with `serverless<Env>()`. `worker.ts` is the entry that Workers (and the tests, through Miniflare) run.
 *
 * @module
 */

import { HttpError, Router, serverless } from "../../mod.ts";

/** The worker's bindings; `requirements.bindings` below names the same ones for `--info`. */
export interface Env {
  /** A KV namespace. */
  CACHE: KVNamespace;
  /** A D1 database with the table in `schema.sql`. */
  DB: D1Database;
}

/** A queued job: `fail` asks for a retry, `crash` makes the handler throw, `ignore` leaves the message unsettled. */
export interface Job {
  /** What the job does. */
  action: "store" | "fail" | "crash" | "ignore";
}

const router = new Router<Env>()
  .get("/", () => new Response("slrs on Cloudflare Workers"))
  .get(
    "/hello/:name",
    (_req, ctx) => Response.json({ hello: ctx.params.name, requestId: ctx.requestId, aborted: ctx.signal.aborted }),
  )
  .put("/kv/:key", async (req, ctx) => {
    await ctx.env.CACHE.put(ctx.params.key, await req.text());
    return new Response(null, { status: 204 });
  })
  .get("/kv/:key", async (_req, ctx) => {
    const value = await ctx.env.CACHE.get(ctx.params.key);
    if (value === null) throw new HttpError(404, `No KV entry "${ctx.params.key}".`);
    return new Response(value);
  })
  .post("/users", async (req, ctx) => {
    const { name } = await req.json() as { name?: unknown };
    if (typeof name !== "string" || name === "") throw new HttpError(400, 'Body must be JSON {"name": "…"}.');
    const row = await ctx.env.DB.prepare("INSERT INTO users (name) VALUES (?) RETURNING id, name").bind(name)
      .first<{ id: number; name: string }>();
    return Response.json(row, { status: 201 });
  })
  .get("/users/:id", async (_req, ctx) => {
    const row = await ctx.env.DB.prepare("SELECT id, name FROM users WHERE id = ?").bind(Number(ctx.params.id))
      .first<{ id: number; name: string }>();
    if (row === null) throw new HttpError(404, `No user ${ctx.params.id}.`);
    return Response.json(row);
  })
  // Answers at once and finishes the work after the response: the task waits until `gate:<id>` exists in KV,
  // then writes `done:<id>`. (The gate makes the order observable; real work would just run.)
  .post("/deferred/:id", (_req, ctx) => {
    const { id } = ctx.params;
    ctx.waitUntil((async () => {
      for (let tries = 0; (await ctx.env.CACHE.get(`gate:${id}`)) === null; tries++) {
        if (tries === 500) throw new Error(`gate:${id} never opened`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await ctx.env.CACHE.put(`done:${id}`, ctx.requestId);
    })());
    return Response.json({ accepted: id }, { status: 202 });
  })
  .get("/boom", () => {
    throw new Error("boom: a bug in the handler");
  });

export default serverless<Env>({
  name: "cloudflare-example",
  description: "Routes, KV, D1, waitUntil, cron and a queue on Cloudflare Workers.",
  requirements: { memory: 128, timeout: 30, bindings: { kv: ["CACHE"], d1: ["DB"] } },
  fetch: router,
  scheduled: [
    { cron: "0 3 * * *", run: (event, ctx) => ctx.env.CACHE.put("cron:nightly", String(event.scheduledTime)) },
    { cron: "*/15 * * * *", run: (event, ctx) => ctx.env.CACHE.put("cron:quarter", String(event.scheduledTime)) },
  ],
  queue: {
    name: "jobs",
    run: async (batch, ctx) => {
      for (const message of batch.messages) {
        const job = message.body as Job;
        if (job.action === "crash") throw new Error(`job ${message.id} crashed`);
        if (job.action === "fail") message.retry({ delaySeconds: 30 });
        if (job.action === "store") {
          await ctx.env.CACHE.put(`job:${message.id}`, String(message.attempts));
          message.ack();
        }
      }
    },
  },
});
