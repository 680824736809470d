/**
 * Typed bindings: `serverless<Env>()` makes `ctx.env` the worker's bindings, with Cloudflare's real types (from
 * `compilerOptions.types` in this folder's deno.json, a workspace member, so they stay out of the rest of the
 * project's type program). Each `@ts-expect-error` below must meet an error, or type-checking this file (which
 * `deno test` and `deno check` do) fails: if the Cloudflare types were silently `any`, or `Env` did not reach
 * `ctx.env`, these lines would compile. It also pins that `handle(fn)` is an `ExportedHandler<Env>`.
 */

import assert from "node:assert/strict";
import { type Context, Router, serverless } from "../../mod.ts";
import { handle } from "../../adapters/cloudflare.ts";

interface Env {
  CACHE: KVNamespace;
  DB: D1Database;
  GREETING: string;
}

const router = new Router<Env>().get("/users/:id", async (_req, ctx) => {
  const cached: string | null = await ctx.env.CACHE.get(ctx.params.id);
  const parsed: { name: string } | null = await ctx.env.CACHE.get<{ name: string }>(ctx.params.id, "json");
  const row = await ctx.env.DB.prepare("SELECT name FROM users WHERE id = ?").bind(ctx.params.id).first<
    { name: string }
  >();
  return Response.json({ cached, parsed, row, greeting: ctx.env.GREETING.toUpperCase() });
});

function wrongUses(ctx: Context<Env>): void {
  // @ts-expect-error KVNamespace.get() resolves to string | null, not a number
  const _n: Promise<number> = ctx.env.CACHE.get("key");
  // @ts-expect-error KVNamespace.put() takes a key and a value
  void ctx.env.CACHE.put("key");
  // @ts-expect-error D1Database.prepare() takes SQL text
  ctx.env.DB.prepare(42);
  // @ts-expect-error there is no binding named CAHCE
  void ctx.env.CAHCE;
  // @ts-expect-error GREETING is a string, not a KV namespace
  void ctx.env.GREETING.get("key");
}

const fn = serverless<Env>({ name: "typed", fetch: router });

Deno.test("Cloudflare bindings are typed through serverless<Env>()", async (t) => {
  await t.step("handle() gives an ExportedHandler for the same Env, and for no other", () => {
    const worker: ExportedHandler<Env> = handle(fn);
    // @ts-expect-error a worker for Env cannot serve a deployment whose bindings are different
    const _other: ExportedHandler<{ BUCKET: R2Bucket }> = handle(fn);
    assert.equal(typeof worker.fetch, "function");
    assert.equal(typeof wrongUses, "function");
  });

  await t.step("a router for other bindings does not fit serverless<Env>()", () => {
    const otherRouter = new Router<{ BUCKET: R2Bucket }>();
    // @ts-expect-error Router<{ BUCKET }> handlers would receive Env's bindings
    const _wrong = serverless<Env>({ name: "mismatch", fetch: otherRouter });
    assert.deepEqual(_wrong.metadata.routes, []);
  });
});
