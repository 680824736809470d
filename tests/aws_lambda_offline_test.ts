// End to end on a real emulator: examples/aws-lambda, bundled for Node, served by serverless@3 + serverless-offline@13,
// which turn real HTTP requests into HTTP API (2.0) and REST API (1.0) Lambda events. The two packages are installed
// on first run into .slrs/cache/serverless-offline (gitignored; about a minute), then reused.

import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
const CACHE = new URL(".slrs/cache/serverless-offline/", ROOT);
const EXAMPLE = new URL("examples/aws-lambda/", ROOT);
const INSTALL_TIMEOUT_MS = 300_000;
const START_TIMEOUT_MS = 90_000;
const PACKAGES = { serverless: "3", "serverless-offline": "13" } as const;

async function installed(): Promise<boolean> {
  for (const [name, major] of Object.entries(PACKAGES)) {
    try {
      const manifest = JSON.parse(await Deno.readTextFile(new URL(`node_modules/${name}/package.json`, CACHE)));
      if (!String(manifest.version).startsWith(`${major}.`)) return false;
    } catch {
      return false;
    }
  }
  return true;
}

async function ensureInstalled(): Promise<void> {
  if (await installed()) return;
  await Deno.mkdir(CACHE, { recursive: true });
  await Deno.writeTextFile(
    new URL("package.json", CACHE),
    JSON.stringify({ name: "slrs-offline-cache", private: true }),
  );
  const specs = Object.entries(PACKAGES).map(([name, major]) => `${name}@${major}`);
  const install = await new Deno.Command("npm", {
    args: ["install", "--no-audit", "--no-fund", "--loglevel=error", ...specs],
    cwd: CACHE,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(INSTALL_TIMEOUT_MS),
  }).output();
  if (!install.success || !(await installed())) {
    throw new Error(`npm install ${specs.join(" ")} failed:\n${new TextDecoder().decode(install.stderr).slice(-2000)}`);
  }
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Starts `serverless offline` on the example; resolves once it says "Server ready". */
async function startOffline(): Promise<{ base: string; stop(): Promise<void>; log(): string }> {
  const service = new URL(`offline-${crypto.randomUUID().slice(0, 8)}/`, CACHE);
  await Deno.mkdir(new URL("dist/", service), { recursive: true });
  await Deno.copyFile(new URL("serverless.yml", EXAMPLE), new URL("serverless.yml", service));
  await Deno.writeTextFile(new URL("package.json", service), JSON.stringify({ type: "module", private: true }));
  await Deno.symlink(new URL("node_modules", CACHE).pathname, new URL("node_modules", service).pathname);
  const bundle = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "-o",
      new URL("dist/handler.js", service).pathname,
      new URL("handler.ts", EXAMPLE).pathname,
    ],
    env: { RUST_BACKTRACE: "0" },
    stderr: "piped",
  }).output();
  assert.ok(bundle.success, new TextDecoder().decode(bundle.stderr));

  const httpPort = freePort();
  const lambdaPort = freePort();
  const child = new Deno.Command("node", {
    args: [
      "node_modules/serverless/bin/serverless.js",
      "offline",
      "start",
      "--host",
      "127.0.0.1",
      "--httpPort",
      String(httpPort),
      "--lambdaPort",
      String(lambdaPort),
    ],
    cwd: service,
    env: {
      SLS_TELEMETRY_DISABLED: "1",
      SLS_NOTIFICATIONS_MODE: "off",
      SLS_DEPRECATION_DISABLE: "*",
      SLS_INTERACTIVE_SETUP_DISABLE: "1",
      AWS_ACCESS_KEY_ID: "offline",
      AWS_SECRET_ACCESS_KEY: "offline",
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();

  let output = "";
  const decoder = new TextDecoder();
  let ready: () => void = () => {};
  const readySeen = new Promise<void>((resolve) => (ready = resolve));
  const drain = (stream: ReadableStream<Uint8Array>) =>
    stream.pipeTo(
      new WritableStream({
        write(chunk) {
          output += decoder.decode(chunk, { stream: true });
          if (output.includes("Server ready")) ready();
        },
      }),
    ).catch(() => {});
  const drained = Promise.all([drain(child.stdout), drain(child.stderr)]);
  const exited = child.status;

  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    const timer = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
    }, 5000);
    await exited;
    clearTimeout(timer);
    await drained;
    await Deno.remove(service, { recursive: true }).catch(() => {});
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race([
    readySeen.then(() => "ready"),
    exited.then((status) => `exited with code ${status.code}`),
    new Promise<string>((resolve) => (timer = setTimeout(() => resolve("timed out"), START_TIMEOUT_MS))),
  ]);
  clearTimeout(timer);
  if (outcome !== "ready") {
    await stop();
    throw new Error(`serverless offline ${outcome} before it was ready:\n${output.slice(-3000)}`);
  }
  return { base: `http://127.0.0.1:${httpPort}`, stop, log: () => output };
}

Deno.test("serverless-offline serves the example over real HTTP API and REST API requests", async (t) => {
  await ensureInstalled();
  const offline = await startOffline();
  try {
    // The same routes answer under both event shapes: HTTP API at /…, REST API under its stage at /dev/….
    for (const [shape, prefix] of [["HTTP API (2.0)", ""], ["REST API (1.0)", "/dev"]] as const) {
      await t.step(`${shape}: a route with a parameter answers JSON`, async () => {
        const response = await fetch(`${offline.base}${prefix}/hello/ada`);
        assert.equal(response.status, 200);
        const body = await response.json();
        assert.equal(body.hello, "ada");
        assert.equal(typeof body.requestId, "string");
      });

      await t.step(`${shape}: repeated query keys all arrive`, async () => {
        const response = await fetch(`${offline.base}${prefix}/query?tag=a&tag=b%20c&tag=d`);
        assert.deepEqual(await response.json(), { tags: ["a", "b c", "d"] });
      });

      await t.step(`${shape}: a JSON body and the Cookie header reach the handler`, async () => {
        const response = await fetch(`${offline.base}${prefix}/echo`, {
          method: "POST",
          headers: { "content-type": "application/json", cookie: "a=1; b=2" },
          body: JSON.stringify({ name: "ada", n: [1, 2] }),
        });
        assert.equal(response.status, 200);
        assert.deepEqual(await response.json(), {
          body: { name: "ada", n: [1, 2] },
          cookie: "a=1; b=2",
          type: "application/json",
        });
      });

      await t.step(`${shape}: every Set-Cookie comes back`, async () => {
        const response = await fetch(`${offline.base}${prefix}/cookies`);
        assert.equal(response.status, 200);
        assert.deepEqual(response.headers.getSetCookie().sort(), ["session=abc", "theme=dark"]);
        assert.equal(await response.text(), "two cookies");
      });

      await t.step(`${shape}: a binary body arrives byte for byte`, async () => {
        const response = await fetch(`${offline.base}${prefix}/bytes`);
        const bytes = new Uint8Array(await response.arrayBuffer());
        assert.deepEqual([...bytes], Array.from({ length: 256 }, (_, i) => i));
      });

      await t.step(`${shape}: errors follow the error policy (400 with a message, 404 as JSON)`, async () => {
        const bad = await fetch(`${offline.base}${prefix}/echo`, { method: "POST", body: "not json" });
        assert.equal(bad.status, 400);
        assert.match((await bad.json()).error, /must be JSON/);
        const missing = await fetch(`${offline.base}${prefix}/nowhere`);
        assert.equal(missing.status, 404);
        assert.equal((await missing.json()).error, "Not Found");
      });
    }
  } catch (error) {
    console.error(offline.log().slice(-4000));
    throw error;
  } finally {
    await offline.stop();
  }
});
