/**
 * `EnvFromBindings<typeof bindings>` types `ctx.env` from a `requirements.bindings` declared `as const`: each name is
 * its binding's interface and a misspelt name fails to compile. Each `@ts-expect-error` must meet an error, or
 * type-checking this file (which `deno test` does) fails.
 */

import assert from "node:assert/strict";
import { Router, serverless } from "../../mod.ts";
import type { EnvFromBindings } from "../../src/bindings.ts";

const bindings = { kv: ["COUNTER"], buckets: ["UPLOADS"], queues: ["EMAILS"] } as const;
type Env = EnvFromBindings<typeof bindings>;

const router = new Router<Env>().post("/counter", async (_req, ctx) => {
  const count: number = Number(await ctx.env.COUNTER.get("count") ?? 0) + 1;
  await ctx.env.COUNTER.put("count", String(count), { expirationTtl: 3600 });
  const page = await ctx.env.COUNTER.list({ prefix: "c", limit: 10 });
  const next: string | undefined = page.list_complete ? undefined : page.cursor;
  const upload = await ctx.env.UPLOADS.get("avatar.png", { range: { offset: 0, length: 10 } });
  await ctx.env.EMAILS.send({ count, next, size: upload?.size }, { delaySeconds: 5 });
  return Response.json({ count });
});

const fn = serverless<Env>({ name: "typed", requirements: { bindings }, fetch: router });

function wrongUses(env: Env): void {
  // @ts-expect-error a misspelt binding name is not in Env
  void env.COUNTR;
  // @ts-expect-error a KV is not a bucket
  void env.COUNTER.head("key");
  // @ts-expect-error get(key, "json") is typed by its parameter, not a string
  const _text: Promise<string | null> = env.COUNTER.get<number>("key", "json");
  // @ts-expect-error get(key, "arrayBuffer") resolves to bytes, not text
  const _bytes: Promise<string | null> = env.COUNTER.get("key", "arrayBuffer");
  // @ts-expect-error a queue producer does not read
  void env.EMAILS.get("message");
}

function noBindings(env: EnvFromBindings<{ kv: readonly [] }>): void {
  // @ts-expect-error no names, no keys
  void env.COUNTER;
}

Deno.test("EnvFromBindings types each declared binding and rejects other names", () => {
  assert.equal(fn.name, "typed");
  assert.deepEqual(fn.metadata.requirements.bindings, bindings);
  assert.equal(typeof wrongUses, "function");
  assert.equal(typeof noBindings, "function");
});
