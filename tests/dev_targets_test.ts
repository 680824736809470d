import assert from "node:assert/strict";
import { DEV_TARGET_PACKAGES } from "../cli/npm_import.ts";
import { CLI_RUNTIMES, type CliRuntime, configure } from "./support/cli_runtimes.ts";

// Plain JavaScript, so one source serves a .ts entry on Deno and an .mjs entry on Node (whose v20 has no navigator).
const source = (runtime: CliRuntime) => `
import { Router, serverless } from "${runtime.library}";

export default serverless({
  name: "probe",
  requirements: { bindings: { kv: ["VISITS"] } },
  queue: {
    name: "jobs",
    run(batch) {
      // Acked only where the Workers runtime runs it, so an in-process run would show up as retried.
      for (const message of batch.messages) {
        if (message.body === "later" || globalThis.navigator?.userAgent !== "Cloudflare-Workers") message.retry({ delaySeconds: 7 });
        else message.ack();
      }
    },
  },
  fetch: new Router()
    .get("/platform", (_req, ctx) => Response.json({ platform: ctx.platform, userAgent: globalThis.navigator?.userAgent }))
    .get("/url", (req) => new Response(new URL(req.url).host))
    .get("/seen/*", (req, ctx) => {
      const event = ctx.raw.event;
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

/** A temp project for `runtime`, with the packages the `dev --target` modes load where `packages` says so. */
async function project(runtime: CliRuntime, prefix: string, packages?: Partial<typeof DEV_TARGET_PACKAGES>) {
  const dir = await Deno.makeTempDir({ prefix: `slrs_dev_${prefix}_${runtime.name}_` });
  await runtime.project(dir);
  if (packages) await runtime.addPackages(dir, packages as Record<string, string>);
  return dir;
}

async function withTarget(
  runtime: CliRuntime,
  target: string,
  dir: string,
  steps: (base: string) => Promise<void>,
) {
  const main = `main.${runtime.ext}`;
  await Deno.writeTextFile(`${dir}/${main}`, source(runtime));
  const dev = await runtime.start(["dev", main, "--port", "0", "--target", target], dir);
  try {
    const serving = new RegExp(
      `serving "probe" from main\\.${runtime.ext} on (http://localhost:\\d+) through the ${target} adapter`,
    );
    const base = (await dev.waitFor(serving, { timeoutMs: 120_000 }))[1]!;
    await steps(base.replace("localhost", "127.0.0.1"));
  } finally {
    await dev.stop();
  }
}

for (const runtime of CLI_RUNTIMES) {
  Deno.test(`dev --target aws-lambda answers like the Lambda adapter behind a Function URL, on ${runtime.name}`, async (t) => {
    const dir = await project(runtime, "aws-lambda");
    await withTarget(runtime, "aws-lambda", dir, async (base) => {
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

  Deno.test(`dev --target aws-lambda sends the event of the function's exposure, on ${runtime.name}`, async (t) => {
    const dir = await project(runtime, "exposure");
    const exposure = (value: string) =>
      configure(runtime, dir, { overrides: { probe: { "aws-lambda": { exposure: value } } } });
    await exposure("http-api");
    await withTarget(runtime, "aws-lambda", dir, async (base) => {
      await t.step(
        "an HTTP API: the execute-api host, the path decoded, the Cookie header only in cookies[]",
        async () => {
          assert.match(await (await fetch(`${base}/url`)).text(), /\.execute-api\.us-east-1\.amazonaws\.com$/);
          const seen = await (await fetch(`${base}/seen/a%20b`, { headers: { cookie: "x=1; y=2" } })).json();
          assert.equal(seen.raw, "/seen/a b");
          assert.equal(seen.cookie, "x=1; y=2", "the adapter joins cookies[] back into Cookie");
        },
      );
    });
    await exposure("none");
    await withTarget(runtime, "aws-lambda", dir, async (base) => {
      await t.step('exposure "none": every request is a 404 saying why', async () => {
        const res = await fetch(`${base}/url`);
        assert.equal(res.status, 404);
        assert.match((await res.json()).error, /exposure is "none"/);
      });
    });
    await Deno.remove(dir, { recursive: true });
  });

  Deno.test(`dev --target cloudflare runs the Worker in workerd with local KV, on ${runtime.name}`, async (t) => {
    const dir = await project(runtime, "cloudflare", DEV_TARGET_PACKAGES);
    await withTarget(runtime, "cloudflare", dir, async (base) => {
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
    });
    await withTarget(runtime, "cloudflare", dir, async (base) => {
      await t.step("keeps KV data under .slrs/ across restarts", async () => {
        assert.deepEqual(await (await fetch(`${base}/visit`, { method: "POST" })).json(), { visits: 3 });
      });
    });
    await Deno.remove(dir, { recursive: true });
  });

  for (const target of ["vercel", "gcp", "azure"]) {
    Deno.test(`dev --target ${target} answers through the ${target} adapter, on ${runtime.name}`, async (t) => {
      const dir = await project(runtime, target, DEV_TARGET_PACKAGES);
      await withTarget(runtime, target, dir, async (base) => {
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
      });
      await Deno.remove(dir, { recursive: true });
    });
  }

  // On Deno a missing package is fetched by its npm: specifier; on Node the project installs it.
  if (runtime.name === "node") {
    Deno.test("dev --target cloudflare without Miniflare installed exits 1 saying how to install it, on node", async (t) => {
      const dir = await project(runtime, "no_miniflare");
      try {
        await t.step("exits 1 naming the package and npm install, without waiting for a change", async () => {
          const main = `main.${runtime.ext}`;
          await Deno.writeTextFile(`${dir}/${main}`, source(runtime));
          const dev = await runtime.start(["dev", main, "--port", "0", "--target", "cloudflare"], dir);
          // Bounded: a dev that waits for a change instead of exiting would never end.
          let timer: ReturnType<typeof setTimeout> | undefined;
          const exited = await Promise.race([
            dev.child.status.then((status) => status.code),
            new Promise<"still running">((done) => timer = setTimeout(() => done("still running"), 20_000)),
          ]);
          clearTimeout(timer);
          const status = await dev.stop();
          const stderr = dev.stderr.join("\n");
          assert.equal(exited, 1, stderr);
          assert.equal(status.code, 1);
          assert.match(stderr, /dev --target cloudflare needs the npm package miniflare/);
          assert.match(stderr, /npm install --save-dev miniflare/);
          assert.doesNotMatch(stderr, /waiting/);
        });
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });
  }

  Deno.test(`dev --target names the known targets for an unknown one, on ${runtime.name}`, async (t) => {
    const dir = await project(runtime, "unknown");
    try {
      await t.step("exits 2 with the list", async () => {
        const main = `main.${runtime.ext}`;
        await Deno.writeTextFile(`${dir}/${main}`, source(runtime));
        const run = await runtime.run(["dev", main, "--target", "heroku"], dir);
        assert.equal(run.code, 2, run.stderr);
        assert.match(run.stderr, /dev --target takes one of aws-lambda, cloudflare, azure, vercel, gcp; got "heroku"/);
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
