// The Edge function that `cli.ts build --target vercel` writes for the `runtime` setting `edge` (its Build Output API
// folder, .vercel/output/functions/<fn>.func), run under Vercel's own Edge Runtime (the `edge-runtime` npm package,
// `runServer`), where `process` is undefined. The package is installed on first run into .slrs/cache/edge-runtime
// (gitignored; a few seconds), then reused. The entrypoint .vc-config.json names is wrapped into the classic script the
// runtime evaluates, with a `fetch` listener calling its default export, as Vercel does for an edge function.

import assert from "node:assert/strict";
import { ROOT, runCli } from "./support/process.ts";

const CACHE = `${ROOT}.slrs/cache/edge-runtime/`;
const PACKAGE = `${CACHE}node_modules/edge-runtime`;
const MAJOR = "4";
const ENTRY = "tests/adapters/fixtures/vercel_edge_app.ts";

async function ensureInstalled(): Promise<void> {
  try {
    const manifest = JSON.parse(await Deno.readTextFile(`${PACKAGE}/package.json`));
    if (String(manifest.version).startsWith(`${MAJOR}.`)) return;
  } catch {
    // Not installed yet.
  }
  await Deno.mkdir(CACHE, { recursive: true });
  await Deno.writeTextFile(`${CACHE}package.json`, JSON.stringify({ name: "slrs-edge-runtime-cache", private: true }));
  const install = await new Deno.Command("npm", {
    args: ["install", "--no-audit", "--no-fund", "--loglevel=error", `edge-runtime@${MAJOR}`],
    cwd: CACHE,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(180_000),
  }).output();
  if (!install.success) {
    throw new Error(
      `npm install edge-runtime@${MAJOR} failed:\n${new TextDecoder().decode(install.stderr).slice(-2000)}`,
    );
  }
}

/** Builds the fixture for Vercel's Edge runtime, wraps its entrypoint into an edge script, returns the build's stderr. */
async function buildEdgeScript(out: string): Promise<{ script: string; stderr: string; vc: Record<string, unknown> }> {
  const overrides = `${out}/overrides.json`;
  await Deno.writeTextFile(overrides, JSON.stringify({ "edge-shop": { vercel: { runtime: "edge" } } }));
  const run = await runCli(["build", "--target", "vercel", ENTRY, "--out", out, "--overrides", overrides]);
  assert.equal(run.code, 0, run.stderr);
  const func = `${out}/vercel/.vercel/output/functions/edge-shop.func`;
  const vc = JSON.parse(await Deno.readTextFile(`${func}/.vc-config.json`));
  await Deno.writeTextFile(
    `${out}/edge_entry.js`,
    `import handler from ${JSON.stringify(`${func}/${vc.entrypoint}`)};\n` +
      'addEventListener("fetch", (event) => event.respondWith(handler(event.request)));\n',
  );
  const script = `${out}/edge.js`;
  const bundle = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", "--format", "iife", "--platform", "browser", "-o", script, `${out}/edge_entry.js`],
    env: { RUST_BACKTRACE: "0", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(bundle.success, new TextDecoder().decode(bundle.stderr));
  return { script, stderr: run.stderr, vc };
}

interface EdgeServers {
  plain: string;
  withEnv: string;
  process: string;
  output(): string;
  close(): Promise<void>;
}

async function startEdge(script: string, env: Record<string, string>): Promise<EdgeServers> {
  const child = new Deno.Command("node", {
    args: [`${ROOT}tests/support/edge_runtime_server.cjs`, PACKAGE, script, JSON.stringify(env)],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  let started: (line: string) => void;
  const first = new Promise<string>((resolve) => started = resolve);
  const reading = Promise.all([child.stdout, child.stderr].map(async (stream) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      const line = text.match(/^\{"plain".*\}$/m);
      if (line) started(line[0]);
    }
  }));
  const timeout = setTimeout(() => started(""), 20_000);
  const line = await first;
  clearTimeout(timeout);
  const close = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already gone.
    }
    await child.status;
    await reading;
  };
  if (line === "") {
    await close();
    throw new Error(`edge-runtime did not start:\n${text}`);
  }
  return { ...JSON.parse(line), output: () => text, close };
}

async function logged(servers: EdgeServers, pattern: RegExp): Promise<string> {
  for (let i = 0; i < 100 && !pattern.test(servers.output()); i++) await new Promise((r) => setTimeout(r, 20));
  return servers.output();
}

Deno.test("the Edge function cli.ts build writes, under Vercel's edge-runtime", async (t) => {
  await ensureInstalled();
  const out = await Deno.makeTempDir({ prefix: "slrs_edge_" });
  const { script, stderr, vc } = await buildEdgeScript(out);
  const servers = await startEdge(script, { CRON_SECRET: "s3cret-s3cret-s3cret", VERCEL_ENV: "production" });
  const get = (base: string, path: string, headers: Record<string, string> = {}) =>
    fetch(new URL(path, base), { headers });
  const cronAgent = { "user-agent": "vercel-cron/1.0" };
  try {
    await t.step("build --target vercel warns that the function has cron jobs and CRON_SECRET is unset", () => {
      assert.match(stderr, /warning: edge-shop has Vercel cron jobs and CRON_SECRET is not set here/);
      assert.match(stderr, /Settings → Environment Variables/);
    });

    await t.step("the runtime setting edge makes an Edge function, bundled for the browser platform", async () => {
      assert.deepEqual(vc, { runtime: "edge", entrypoint: "index.js" });
      const bundle = await Deno.readTextFile(`${out}/vercel/.vercel/output/functions/edge-shop.func/index.js`);
      assert.doesNotMatch(bundle, /from\s*"node:/, "an Edge bundle imports no Node built-ins");
    });

    await t.step("process is undefined in the runtime", () => {
      assert.equal(servers.process, "undefined");
    });

    await t.step("answers routes with parameters and the x-vercel-id request id", async () => {
      assert.equal(await (await get(servers.plain, "/")).text(), "shop on the edge");
      const hello = await get(servers.plain, "/hello/ada", { "x-vercel-id": "fra1::edge" });
      assert.deepEqual(await hello.json(), { hello: "ada", requestId: "fra1::edge" });
      const missing = await get(servers.plain, "/nowhere");
      assert.equal(missing.status, 404);
      await missing.body?.cancel();
    });

    await t.step("runs waitUntil work, and logs a BigInt without failing the request", async () => {
      const res = await fetch(new URL("/orders", servers.plain), { method: "POST", body: JSON.stringify({ id: 7 }) });
      assert.equal(res.status, 201);
      assert.deepEqual(await res.json(), { id: 7 });
      assert.match(await logged(servers, /order received/), /"order":\{"id":7\},"n":"1"/);
    });

    await t.step("a handler throwing Object.create(null) answers 500 with the request id", async () => {
      const res = await get(servers.plain, "/boom", { "x-vercel-id": "fra1::boom" });
      assert.equal(res.status, 500);
      assert.deepEqual(await res.json(), { error: "Internal Server Error", requestId: "fra1::boom" });
      assert.match(
        await logged(servers, /unhandled error.*fra1::boom/),
        /"msg":"unhandled error","requestId":"fra1::boom"/,
      );
    });

    await t.step("a cron call without CRON_SECRET (no process.env) runs the job and warns once", async () => {
      const config = JSON.parse(await Deno.readTextFile(`${out}/vercel/.vercel/output/config.json`));
      assert.deepEqual(config.crons, [
        { path: "/_slrs/cron/edge-shop/0", schedule: "0 3 * * *" },
        { path: "/_slrs/cron/edge-shop/1", schedule: "*/5 * * * *" },
      ]);
      assert.equal((await get(servers.plain, "/_slrs/cron/edge-shop/0", cronAgent)).status, 204);
      assert.equal((await get(servers.plain, "/_slrs/cron/edge-shop/0", cronAgent)).status, 204);
      const logs = await logged(servers, /nightly ran[\s\S]*nightly ran/);
      assert.equal(logs.match(/cron ran on the user agent alone/g)?.length, 1);
      const failed = await get(servers.plain, "/_slrs/cron/edge-shop/1", cronAgent);
      assert.equal(failed.status, 500);
      await failed.body?.cancel();
      const stranger = await get(servers.plain, "/_slrs/cron/edge-shop/0");
      assert.equal(stranger.status, 401);
      await stranger.body?.cancel();
    });

    await t.step("with Vercel's process.env in production, only the CRON_SECRET bearer runs the job", async () => {
      const agentOnly = await get(servers.withEnv, "/_slrs/cron/edge-shop/0", cronAgent);
      assert.equal(agentOnly.status, 401);
      await agentOnly.body?.cancel();
      const ran = await get(servers.withEnv, "/_slrs/cron/edge-shop/0", {
        authorization: "Bearer s3cret-s3cret-s3cret",
      });
      assert.equal(ran.status, 204);
    });
  } finally {
    await servers.close();
    await Deno.remove(out, { recursive: true });
  }
});
