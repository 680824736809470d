// withBindings: the clients a build entry gives ctx.env, made lazily from the platform environment.

import assert from "node:assert/strict";
import { serverless } from "../../mod.ts";
import { createContext } from "../../src/context.ts";
import { localKv } from "../../bindings/local_kv.ts";
import { withBindings } from "../../bindings/with_bindings.ts";
import type { KvNamespace } from "../../src/bindings.ts";

type Env = { COUNTER: KvNamespace; GREETING?: string };

const counter = serverless<Env>({
  name: "counter",
  requirements: { bindings: { kv: ["COUNTER"] } },
  fetch: async (_req, ctx) => {
    const count = Number(await ctx.env.COUNTER.get("count") ?? 0) + 1;
    await ctx.env.COUNTER.put("count", String(count));
    return Response.json({ count, greeting: ctx.env.GREETING ?? null, id: ctx.requestId });
  },
  queue: {
    name: "q",
    run: async (batch, ctx) => {
      for (const message of batch.messages) await ctx.env.COUNTER.put("last", String(message.body));
    },
  },
});

Deno.test("withBindings", async (t) => {
  const dir = await Deno.makeTempDir();
  const env = { SLRS_COUNTER_FILE: `${dir}/counter.json`, GREETING: "hi" };

  await t.step("makes ctx.env.COUNTER a working KV from the platform environment", async () => {
    const fn = withBindings(counter, { COUNTER: localKv });
    const ask = () => fn.dispatch(new Request("http://x/"), createContext({ platform: "node", env: env as never }));
    assert.deepEqual((await (await ask()).json()).count, 1);
    assert.deepEqual((await (await ask()).json()).count, 2);
  });

  await t.step("keeps the variables and the adapter's context (request id) as they were", async () => {
    const fn = withBindings(counter, { COUNTER: localKv });
    const ctx = createContext({ platform: "node", env: env as never, requestId: "r-7" });
    const body = await (await fn.dispatch(new Request("http://x/"), ctx)).json();
    assert.deepEqual([body.greeting, body.id], ["hi", "r-7"]);
    assert.deepEqual(Object.keys(ctx.env).sort(), ["COUNTER", "GREETING", "SLRS_COUNTER_FILE"]);
  });

  await t.step("creates each client once per process, on first access only", async () => {
    const made: string[] = [];
    const fn = withBindings(counter, {
      COUNTER: (name, e) => (made.push(name), localKv(name, e)),
      UNUSED: (name) => (made.push(name), {}),
    });
    for (let i = 0; i < 3; i++) {
      await fn.dispatch(new Request("http://x/"), createContext({ platform: "node", env: { ...env } as never }));
    }
    assert.deepEqual(made, ["COUNTER"]);
  });

  await t.step("gives the queue trigger the same clients", async () => {
    const fn = withBindings(counter, { COUNTER: localKv });
    const ctx = createContext({ platform: "node", env: env as never });
    await fn.queue(
      { queue: "q", messages: [{ id: "1", body: 42, ack() {}, retry() {} }], ackAll() {}, retryAll() {} } as never,
      ctx,
    );
    assert.deepEqual(await localKv("COUNTER", env).get("last"), "42");
  });

  await t.step("leaves a binding the adapter already filled in place", async () => {
    const given = { get: () => Promise.resolve("9"), put: () => Promise.resolve() };
    const fn = withBindings(counter, { COUNTER: localKv });
    const ctx = createContext({ platform: "node", env: { ...env, COUNTER: given } as never });
    assert.deepEqual((await (await fn.dispatch(new Request("http://x/"), ctx)).json()).count, 10);
  });

  await t.step("returns the function itself when there is nothing to bind", () => {
    assert.equal(withBindings(counter, {}), counter);
  });

  await Deno.remove(dir, { recursive: true });
});
