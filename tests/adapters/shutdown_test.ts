import assert from "node:assert/strict";
import { serverless } from "../../mod.ts";
import { serve as serveDeno } from "../../adapters/deno.ts";
import { serve as serveNode } from "../../adapters/node.ts";
import { pollUntil } from "../support/poll.ts";

const never = new Promise<never>(() => {});

function app(started: () => void) {
  return serverless({
    name: "shutdown-test",
    fetch: (req, ctx) => {
      const path = new URL(req.url).pathname;
      if (path === "/task") {
        ctx.waitUntil(never);
        return new Response("accepted", { status: 202 });
      }
      started();
      return never;
    },
  });
}

Deno.test("shutdown through options.signal, bounded by shutdownTimeoutMs", async (t) => {
  await t.step("Deno: a waitUntil task that never settles holds shutdown only until the timeout", async () => {
    const abort = new AbortController();
    const server = serveDeno(app(() => {}), {
      port: 0,
      hostname: "127.0.0.1",
      signal: abort.signal,
      handleSignals: false,
      shutdownTimeoutMs: 200,
      onListen() {},
      logSink() {},
    });
    assert.equal((await fetch(new URL("/task", server.url))).status, 202);
    const began = Date.now();
    abort.abort();
    await server.finished;
    assert.ok(Date.now() - began >= 190, "shutdown waited for the task up to the timeout");
  });

  await t.step("Deno: a request that never answers gets a 503 after the timeout, and shutdown ends", async () => {
    let started = 0;
    const abort = new AbortController();
    const server = serveDeno(app(() => started++), {
      port: 0,
      hostname: "127.0.0.1",
      signal: abort.signal,
      handleSignals: false,
      shutdownTimeoutMs: 300,
      onListen() {},
      logSink() {},
    });
    const hanging = fetch(new URL("/hang", server.url));
    await pollUntil("the hanging request to start", () => started, (n) => n === 1);
    const began = Date.now();
    abort.abort();
    await server.finished;
    assert.ok(Date.now() - began < 2000, `shutdown took ${Date.now() - began} ms`);
    const res = await hanging;
    assert.equal(res.status, 503);
    await res.body?.cancel();
  });

  await t.step(
    "Node: a request that never answers is cut off after the timeout, and the task is given up",
    async () => {
      let started = 0;
      const abort = new AbortController();
      const server = await serveNode(app(() => started++), {
        port: 0,
        hostname: "127.0.0.1",
        signal: abort.signal,
        handleSignals: false,
        shutdownTimeoutMs: 300,
        onListen() {},
        logSink() {},
      });
      assert.equal((await fetch(new URL("/task", server.url))).status, 202);
      const hanging = fetch(new URL("/hang", server.url)).then(() => "answered", () => "cut off");
      await pollUntil("the hanging request to start", () => started, (n) => n === 1);
      abort.abort();
      await server.finished;
      assert.equal(await hanging, "cut off");
      assert.equal(server.server.listening, false);
    },
  );
});
