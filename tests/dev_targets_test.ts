import assert from "node:assert/strict";
import { MOD_URL, runCli, startCli } from "./support/process.ts";

const source = `
import { Router, serverless } from "${MOD_URL}";

interface Env { VISITS: { get(k: string): Promise<string | null>; put(k: string, v: string): Promise<void> } }

export default serverless<Env>({
  name: "probe",
  requirements: { bindings: { kv: ["VISITS"] } },
  queue: {
    name: "jobs",
    run(batch) {
      // Acked only where the Workers runtime runs it, so an in-process run would show up as retried.
      for (const message of batch.messages) {
        if (message.body === "later" || navigator.userAgent !== "Cloudflare-Workers") message.retry({ delaySeconds: 7 });
        else message.ack();
      }
    },
  },
  fetch: new Router<Env>()
    .get("/platform", (_req, ctx) => Response.json({ platform: ctx.platform, userAgent: navigator.userAgent }))
    .get("/url", (req) => new Response(new URL(req.url).host))
    .get("/seen/*", (req, ctx) => {
      const event = (ctx.raw as { event?: { rawPath?: string; headers?: Record<string, string> } }).event;
      return Response.json({ raw: event?.rawPath, sentCookie: event?.headers?.cookie ?? null, cookie: req.headers.get("cookie") });
    })
    .get("/big", () => new Response("x".repeat(7 * 1024 * 1024)))
    .post("/echo", async (req) => new Response(await req.arrayBuffer()))
    .get("/cookies", () => {
      const headers = new Headers();
      headers.append("set-cookie", "a=1; Path=/");
      headers.append("set-cookie", "b=2; Path=/; HttpOnly");
      return new Response("two cookies", { headers });
    })
    .post("/visit", async (_req, ctx) => {
      const visits = Number(await ctx.env.VISITS.get("n") ?? 0) + 1;
      await ctx.env.VISITS.put("n", String(visits));
      return Response.json({ visits });
    }),
});
`;

async function withTarget(target: string, steps: (base: string) => Promise<void>, dir?: string) {
  dir ??= await Deno.makeTempDir({ prefix: `slrs_dev_${target}_` });
  await Deno.writeTextFile(`${dir}/main.ts`, source);
  const dev = startCli(["dev", "main.ts", "--port", "0", "--target", target], dir);
  try {
    const serving = new RegExp(
      `serving "probe" from main\\.ts on (http://localhost:\\d+) through the ${target} adapter`,
    );
    const base = (await dev.waitFor(serving, { timeoutMs: 120_000 }))[1]!;
    await steps(base.replace("localhost", "127.0.0.1"));
    return { dev, dir };
  } finally {
    await dev.stop();
  }
}

Deno.test("cli.ts dev --target aws-lambda answers like the Lambda adapter behind a Function URL", async (t) => {
  const { dir } = await withTarget("aws-lambda", async (base) => {
    await t.step("runs the handler on the aws-lambda platform with the Function URL's host", async () => {
      assert.equal((await (await fetch(`${base}/platform`)).json()).platform, "aws-lambda");
      assert.match(await (await fetch(`${base}/url`)).text(), /\.lambda-url\.us-east-1\.on\.aws$/);
    });

    await t.step("passes the path as sent, as a Function URL does", async () => {
      const seen = await (await fetch(`${base}/seen/a%20b`)).json();
      assert.equal(seen.raw, "/seen/a%20b");
      const cookies = await (await fetch(`${base}/seen/x`, { headers: { cookie: "x=1" } })).json();
      assert.equal(cookies.sentCookie, "x=1", "a Function URL keeps the Cookie header");
    });

    await t.step("answers a 7 MB response with the adapter's 500, as Lambda's 6 MB limit would", async () => {
      const res = await fetch(`${base}/big`);
      assert.equal(res.status, 500);
      assert.ok((await res.text()).length < 10_000);
    });

    await t.step("keeps both cookies of a multi-cookie response", async () => {
      const res = await fetch(`${base}/cookies`);
      assert.deepEqual(res.headers.getSetCookie(), ["a=1; Path=/", "b=2; Path=/; HttpOnly"]);
      assert.equal(await res.text(), "two cookies");
    });

    await t.step("refuses a request over 6 MB with 413 before the function runs", async () => {
      const res = await fetch(`${base}/echo`, { method: "POST", body: "y".repeat(7 * 1024 * 1024) });
      assert.equal(res.status, 413);
      await res.body?.cancel();
    });

    await t.step("passes a binary body through base64 unchanged", async () => {
      const bytes = new Uint8Array([0, 255, 128, 7]);
      const res = await fetch(`${base}/echo`, { method: "POST", body: bytes });
      assert.deepEqual(new Uint8Array(await res.arrayBuffer()), bytes);
    });
  });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("cli.ts dev --target aws-lambda sends the event of the function's exposure", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "slrs_dev_exposure_" });
  const exposure = (value: string) =>
    Deno.writeTextFile(
      `${dir}/deno.json`,
      JSON.stringify({ slrs: { overrides: { probe: { "aws-lambda": { exposure: value } } } } }),
    );
  await exposure("http-api");
  await withTarget("aws-lambda", async (base) => {
    await t.step(
      "an HTTP API: the execute-api host, the path decoded, the Cookie header only in cookies[]",
      async () => {
        assert.match(await (await fetch(`${base}/url`)).text(), /\.execute-api\.us-east-1\.amazonaws\.com$/);
        const seen = await (await fetch(`${base}/seen/a%20b`, { headers: { cookie: "x=1; y=2" } })).json();
        assert.equal(seen.raw, "/seen/a b");
        assert.equal(seen.cookie, "x=1; y=2", "the adapter joins cookies[] back into Cookie");
      },
    );
  }, dir);
  await exposure("none");
  await withTarget("aws-lambda", async (base) => {
    await t.step('exposure "none": every request is a 404 saying why', async () => {
      const res = await fetch(`${base}/url`);
      assert.equal(res.status, 404);
      assert.match((await res.json()).error, /exposure is "none"/);
    });
  }, dir);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("cli.ts dev --target cloudflare runs the Worker in workerd with local KV", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "slrs_dev_cloudflare_" });
  await Deno.writeTextFile(`${dir}/deno.json`, JSON.stringify({ imports: { miniflare: "npm:miniflare@^4" } }));
  await withTarget("cloudflare", async (base) => {
    await t.step("answers from workerd, whose navigator.userAgent is Cloudflare-Workers", async () => {
      const body = await (await fetch(`${base}/platform`)).json();
      assert.deepEqual(body, { platform: "cloudflare", userAgent: "Cloudflare-Workers" });
    });

    await t.step("keeps both cookies of a multi-cookie response", async () => {
      const res = await fetch(`${base}/cookies`);
      assert.deepEqual(res.headers.getSetCookie(), ["a=1; Path=/", "b=2; Path=/; HttpOnly"]);
      await res.body?.cancel();
    });

    await t.step("runs a queue batch in workerd and reports what it acked and retried", async () => {
      const port = new URL(base).port;
      const res = await fetch(`${base}/__slrs/queue/jobs`, {
        method: "POST",
        headers: { host: `localhost:${port}` },
        body: JSON.stringify({ messages: [{ id: "j-1", body: "now" }, { id: "j-2", body: "later" }] }),
      });
      assert.equal(res.status, 200);
      assert.deepEqual((await res.json()).messages, [
        { id: "j-1", outcome: "acked" },
        { id: "j-2", outcome: "retried", delaySeconds: 7 },
      ]);
    });

    await t.step("binds the KV namespace", async () => {
      await (await fetch(`${base}/visit`, { method: "POST" })).body?.cancel();
      assert.deepEqual(await (await fetch(`${base}/visit`, { method: "POST" })).json(), { visits: 2 });
    });
  }, dir);
  await withTarget("cloudflare", async (base) => {
    await t.step("keeps KV data under .slrs/ across restarts", async () => {
      assert.deepEqual(await (await fetch(`${base}/visit`, { method: "POST" })).json(), { visits: 3 });
    });
  }, dir);
  await Deno.remove(dir, { recursive: true });
});

for (const target of ["vercel", "gcp", "azure"]) {
  Deno.test(`cli.ts dev --target ${target} answers through the ${target} adapter`, async (t) => {
    const dir = await Deno.makeTempDir({ prefix: `slrs_dev_${target}_` });
    await Deno.writeTextFile(
      `${dir}/deno.json`,
      JSON.stringify({
        imports: {
          "@azure/functions": "npm:@azure/functions@^4.16.5",
          "@google-cloud/functions-framework": "npm:@google-cloud/functions-framework@^5.0.5",
          "@google-cloud/functions-framework/testing": "npm:@google-cloud/functions-framework@^5.0.5/testing",
        },
      }),
    );
    await withTarget(target, async (base) => {
      await t.step(`runs the handler on the ${target} platform`, async () => {
        assert.equal((await (await fetch(`${base}/platform`)).json()).platform, target);
      });

      await t.step("keeps both cookies of a multi-cookie response", async () => {
        const res = await fetch(`${base}/cookies`);
        assert.deepEqual(res.headers.getSetCookie().map((c) => c.split(";")[0]), ["a=1", "b=2"]);
        await res.body?.cancel();
      });

      await t.step("passes a request body through", async () => {
        const res = await fetch(`${base}/echo`, { method: "POST", body: "ping" });
        assert.equal(await res.text(), "ping");
      });
    }, dir);
    await Deno.remove(dir, { recursive: true });
  });
}

Deno.test("cli.ts dev --target names the known targets for an unknown one", async (t) => {
  await t.step("exits 2 with the list", async () => {
    const run = await runCli(["dev", "examples/hello/main.ts", "--target", "heroku"]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /dev --target takes one of aws-lambda, cloudflare, azure, vercel, gcp; got "heroku"/);
  });
});
