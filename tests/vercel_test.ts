import assert from "node:assert/strict";
import { getDeadline, waitUntil as vercelWaitUntil } from "npm:@vercel/functions@^3.9.9";
import { Router, serverless } from "../mod.ts";
import { config, crons, handle, type VercelRequestContext } from "../adapters/vercel.ts";

const SLOT = Symbol.for("@vercel/request-context");

/** Fills the request-context slot the way Vercel's runtime does, for the duration of `run`. */
async function withVercelContext<T>(context: VercelRequestContext, run: () => Promise<T>): Promise<T> {
  const global = globalThis as Record<symbol, unknown>;
  global[SLOT] = { get: () => context };
  try {
    return await run();
  } finally {
    delete global[SLOT];
  }
}

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

const fn = serverless({
  name: "web",
  requirements: { timeout: 30, memory: 1024 },
  fetch: new Router()
    .all("/echo", async (req, ctx) =>
      Response.json({
        method: req.method,
        requestId: ctx.requestId,
        platform: ctx.platform,
        body: req.body ? await req.text() : null,
        remaining: ctx.remainingMs(),
      }))
    .get("/cookies", () => {
      const headers = new Headers();
      headers.append("set-cookie", "a=1; Path=/");
      headers.append("set-cookie", "b=2; HttpOnly");
      return new Response("ok", { headers });
    }),
});

Deno.test("vercel web-standard exports", async (t) => {
  const handlers = handle(fn);

  await t.step("every method export and fetch dispatch to the router, with x-vercel-id as request id", async () => {
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const) {
      const init: RequestInit = { method, headers: { "x-vercel-id": `fra1::${method}` } };
      if (method !== "GET" && method !== "OPTIONS") init.body = `body-${method}`;
      const res = await handlers[method](new Request("https://app.vercel.app/echo", init));
      assert.equal(res.status, 200, method);
      const body = await res.json();
      assert.equal(body.method, method);
      assert.equal(body.requestId, `fra1::${method}`);
      assert.equal(body.platform, "vercel");
      assert.equal(body.body, init.body ?? null);
    }
    const viaDefault = await handlers.fetch(new Request("https://app.vercel.app/echo", { method: "DELETE" }));
    assert.equal((await viaDefault.json()).method, "DELETE");
  });

  await t.step("HEAD is answered from GET without a body", async () => {
    const res = await handlers.HEAD(new Request("https://app.vercel.app/cookies", { method: "HEAD" }));
    assert.equal(res.status, 200);
    assert.equal(res.headers.getSetCookie().length, 2);
    assert.equal(await res.text(), "");
  });

  await t.step("keeps every Set-Cookie (the runtime sends the Response as it is)", async () => {
    const res = await handlers.GET(new Request("https://app.vercel.app/cookies"));
    assert.deepEqual(res.headers.getSetCookie(), ["a=1; Path=/", "b=2; HttpOnly"]);
  });

  await t.step(
    "serves over real HTTP as `export default { fetch }` (Deno.serve standing in for the runtime)",
    async () => {
      const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, handlers.fetch);
      try {
        const res = await fetch(`http://127.0.0.1:${server.addr.port}/echo`, { method: "POST", body: "over http" });
        assert.equal((await res.json()).body, "over http");
      } finally {
        await server.shutdown();
      }
    },
  );
});

Deno.test("vercel waitUntil and deadline", async (t) => {
  await t.step("hands waitUntil work to Vercel's request context, so the response does not wait", async () => {
    const handed: Promise<unknown>[] = [];
    const work = gate();
    let finished = false;
    const later = serverless({
      name: "later",
      fetch: (_req, ctx) => {
        ctx.waitUntil(work.opened.then(() => (finished = true)));
        return new Response("sent");
      },
    });
    const res = await withVercelContext(
      { waitUntil: (p) => void handed.push(p) },
      () => handle(later).GET(new Request("https://app.vercel.app/")),
    );
    assert.equal(await res.text(), "sent");
    assert.equal(finished, false, "the response came before the work finished");
    assert.equal(handed.length, 1);
    work.open();
    await handed[0];
    assert.equal(finished, true);
  });

  await t.step("reads the same slot as @vercel/functions (waitUntil and getDeadline)", async () => {
    const handed: Promise<unknown>[] = [];
    const deadline = new Date(Date.now() + 30_000).toISOString();
    await withVercelContext({ waitUntil: (p) => void handed.push(p), deadline }, async () => {
      vercelWaitUntil(Promise.resolve("from the package"));
      assert.equal(getDeadline()?.toISOString(), deadline);
      const res = await handle(fn).GET(new Request("https://app.vercel.app/echo"));
      const remaining = (await res.json()).remaining;
      assert.ok(remaining > 25_000 && remaining <= 30_000, `remainingMs ${remaining} follows the deadline`);
    });
    assert.equal(await handed[0], "from the package");
  });

  await t.step("without a Vercel request context, waitUntil work is awaited before the response", async () => {
    let finished = false;
    const later = serverless({
      name: "later",
      fetch: (_req, ctx) => {
        ctx.waitUntil(new Promise((r) => setTimeout(r, 20)).then(() => (finished = true)));
        return new Response("sent");
      },
    });
    await handle(later).GET(new Request("https://app.vercel.app/"));
    assert.equal(finished, true);
  });

  await t.step("a failing waitUntil task is logged, not thrown", async () => {
    const original = console.error;
    const lines: string[] = [];
    console.error = (line: string) => void lines.push(line);
    try {
      const failing = serverless({
        name: "failing",
        fetch: (_req, ctx) => {
          ctx.waitUntil(Promise.reject(new Error("background failure")));
          return new Response("sent");
        },
      });
      const res = await handle(failing).GET(new Request("https://app.vercel.app/"));
      assert.equal(res.status, 200);
    } finally {
      console.error = original;
    }
    assert.match(lines.join("\n"), /background failure/);
  });

  await t.step("ctx.signal is the request's signal (supportsCancellation)", async () => {
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    const probe = serverless({ name: "probe", fetch: (_req, ctx) => ((seen = ctx.signal), new Response()) });
    await handle(probe).GET(new Request("https://app.vercel.app/", { signal: controller.signal }));
    controller.abort();
    assert.equal(seen?.aborted, true);
  });
});

Deno.test("vercel config from requirements", async (t) => {
  await t.step("maxDuration and memory follow the requirements, rounded up to Vercel's sizes", () => {
    assert.deepEqual(config(fn), { maxDuration: 30, memory: 2048 });
    const big = serverless({ name: "big", requirements: { memory: 3000, timeout: 800, regions: ["fra1", "iad1"] } });
    assert.deepEqual(config(big), { maxDuration: 800, memory: 4096, regions: ["fra1", "iad1"] });
    assert.deepEqual(config(serverless({ name: "plain" })), { maxDuration: 300, memory: 2048 });
  });

  await t.step("the example entry's literal config equals config(fn)", async () => {
    const entry = await import("../examples/vercel/api/index.ts");
    const { default: shop } = await import("../examples/vercel/shop.ts");
    assert.deepEqual(entry.config, config(shop));
  });
});

// Runs `run` with console.error collected (where the adapter's warnings and errors go).
async function stderrOf<T>(run: () => Promise<T>): Promise<[T, string[]]> {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void lines.push(args.join(" "));
  try {
    return [await run(), lines];
  } finally {
    console.error = original;
  }
}

Deno.test("vercel cron jobs run the scheduled triggers", async (t) => {
  const ticks: { cron: string; scheduledTime: number }[] = [];
  const scheduled = serverless({
    name: "cron",
    fetch: () => new Response("router"),
    scheduled: [
      { cron: "0 3 * * *", run: (e) => void ticks.push(e) },
      { cron: "*/10 * * * *", run: () => Promise.reject(new Error("job failed")) },
    ],
  });
  const handlers = handle(scheduled);
  const get = (path: string, headers: Record<string, string> = {}) =>
    handlers.GET(new Request(`https://app.vercel.app${path}`, { headers }));

  await t.step("crons() lists vercel.json entries, and the example's vercel.json matches", async () => {
    assert.deepEqual(crons(scheduled), [
      { path: "/_slrs/cron/0", schedule: "0 3 * * *" },
      { path: "/_slrs/cron/1", schedule: "*/10 * * * *" },
    ]);
    assert.deepEqual(crons(scheduled, { cronPath: "/jobs/" })[1], { path: "/jobs/1", schedule: "*/10 * * * *" });
    const { default: shop } = await import("../examples/vercel/shop.ts");
    const json = JSON.parse(await Deno.readTextFile(new URL("../examples/vercel/vercel.json", import.meta.url)));
    assert.deepEqual(json.crons, crons(shop));
  });

  await t.step("with CRON_SECRET set, only the bearer token runs the job", async () => {
    Deno.env.set("CRON_SECRET", "s3cret");
    try {
      const denied = await get("/_slrs/cron/0", { "user-agent": "vercel-cron/1.0" });
      assert.equal(denied.status, 401);
      assert.equal(ticks.length, 0);
      const before = Math.floor(Date.now() / 60_000) * 60_000;
      const ran = await get("/_slrs/cron/0", { authorization: "Bearer s3cret" });
      assert.equal(ran.status, 204);
      assert.equal(ticks[0]?.cron, "0 3 * * *");
      assert.ok(ticks[0]!.scheduledTime >= before && ticks[0]!.scheduledTime % 60_000 === 0);
    } finally {
      Deno.env.delete("CRON_SECRET");
    }
  });

  await t.step(
    "without CRON_SECRET outside production, the vercel-cron user agent runs the job; a failing job answers 500",
    async () => {
      assert.equal((await get("/_slrs/cron/0")).status, 401);
      const [ran] = await stderrOf(() => get("/_slrs/cron/0", { "user-agent": "vercel-cron/1.0" }));
      assert.equal(ran.status, 204);
      assert.equal(ticks.length, 2);
      const [failed] = await stderrOf(() => get("/_slrs/cron/1", { "user-agent": "vercel-cron/1.0" }));
      assert.equal(failed.status, 500);
      assert.equal((await failed.json()).error, "Internal Server Error");
    },
  );

  await t.step("warns at the first cron run without CRON_SECRET, once, saying how to set it", async () => {
    const fresh = handle(scheduled);
    const call = () =>
      fresh.GET(new Request("https://app.vercel.app/_slrs/cron/0", { headers: { "user-agent": "vercel-cron/1.0" } }));
    const [first, logs] = await stderrOf(async () => [await call(), await call()]);
    assert.deepEqual(first.map((r) => r.status), [204, 204]);
    const warnings = logs.filter((line) => line.includes('"level":"warn"'));
    assert.equal(warnings.length, 1, logs.join("\n"));
    assert.match(warnings[0]!, /any client can send; set CRON_SECRET .* Environment Variables/);
  });

  await t.step("refuses the user agent alone on a production deployment without CRON_SECRET", async () => {
    Deno.env.set("VERCEL_ENV", "production");
    try {
      const before = ticks.length;
      const [refused, logs] = await stderrOf(() => get("/_slrs/cron/0", { "user-agent": "vercel-cron/1.0" }));
      assert.equal(refused.status, 401);
      assert.equal(ticks.length, before);
      assert.match(logs.join("\n"), /"level":"error","msg":"cron call refused: CRON_SECRET is not set/);
      const optedIn = handle(scheduled, { unauthenticatedCrons: true });
      const [ran] = await stderrOf(() =>
        optedIn.GET(
          new Request("https://app.vercel.app/_slrs/cron/0", { headers: { "user-agent": "vercel-cron/1.0" } }),
        )
      );
      assert.equal(ran.status, 204);
      assert.equal(ticks.length, before + 1);
    } finally {
      Deno.env.delete("VERCEL_ENV");
    }
  });

  await t.step("other paths and indexes go to the router", async () => {
    assert.equal(await (await get("/_slrs/cron/7", { "user-agent": "vercel-cron/1.0" })).text(), "router");
    assert.equal(await (await get("/anything")).text(), "router");
  });
});
