/**
 * examples/hello, unchanged, counts on Google Cloud and on Vercel: `cli.ts build` for each target, the built package
 * run in that platform's local runtime, and `POST /counter` twice answers `{"count":1}`, then `{"count":2}`.
 *
 * What is real and what is a fake:
 * - Google Cloud: the real `@google-cloud/functions-framework` (installed on first run into
 *   .slrs/cache/functions-framework, as tests/gcp_package_test.ts does) serves the built source folder with its HTTP
 *   entry point, over real HTTP, exactly as Cloud Run functions start it. The Firestore KV backend in the bundle talks
 *   to loopback fakes of Firestore's REST API v1 and of the metadata server's token endpoint
 *   (tests/bindings/_fake_gcp.ts, written from Google's documentation, the same fakes tests/bindings/firestore_kv_test.ts
 *   uses), which check every request. Firestore itself is not reached.
 * - Vercel: the built `.vercel/output/functions/hello.func` (a Node.js function, `launcherType: "Nodejs"`) is loaded
 *   under Node's `node:http`, as `vercel dev`'s Node launcher does for web handlers: each request becomes a `Request`,
 *   the default export's method handler (or `fetch`) answers it, and the `Response` is written back. That launcher is a
 *   stand-in (the few lines below), not Vercel's own. The Upstash KV backend talks to a loopback fake of Upstash's REST
 *   API (tests/bindings/_fake_upstash.ts, the fake tests/bindings/upstash_kv_test.ts uses). Upstash is not reached.
 */

import assert from "node:assert/strict";
import { freePort, npmCache } from "../support/npm_cache.ts";
import { runCli } from "../support/process.ts";
import { spawnServer } from "../support/spawn_server.ts";
import { startFakeFirestore, startFakeMetadata } from "./_fake_gcp.ts";
import { startFakeUpstash } from "./_fake_upstash.ts";

const HELLO = "examples/hello/main.ts";

/** `POST /counter` twice, the answers' bodies. */
async function countTwice(base: string): Promise<unknown[]> {
  const answers = [];
  for (let i = 0; i < 2; i++) {
    const response = await fetch(`${base}/counter`, { method: "POST" });
    assert.equal(response.status, 200, await response.clone().text());
    answers.push(await response.json());
  }
  return answers;
}

/** Waits until something listens on the loopback port (a server may print its URL just before it listens). */
async function listening(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  throw new Error(`nothing listens on ${port}`);
}

Deno.test("examples/hello's Google Cloud folder counts in Firestore under the Functions Framework", async (t) => {
  const cache = await npmCache("functions-framework", { "@google-cloud/functions-framework": "5" });
  const out = await Deno.makeTempDir({ dir: cache, prefix: "hello-build-" });
  const metadata = startFakeMetadata("hello-project");
  const firestore = startFakeFirestore("hello-project", () => metadata.current);
  try {
    const built = await runCli(["build", "--target", "gcp", HELLO, "--out", out]);
    assert.equal(built.code, 0, built.stderr);
    const dir = `${out}/gcp/hello`;
    await Deno.symlink(`${cache}node_modules`, `${dir}/node_modules`);
    const port = freePort();
    const server = await spawnServer(
      "node",
      [
        "node_modules/@google-cloud/functions-framework/build/src/main.js",
        "--target=hello",
        "--signature-type=http",
        `--port=${port}`,
      ],
      {
        cwd: dir,
        ready: /URL: http/,
        // What the IaC sets (SLRS_COUNTER_COLLECTION), and the variables that point the backend at the fakes.
        env: {
          SLRS_COUNTER_COLLECTION: "hello-COUNTER",
          SLRS_GCP_ENDPOINT: firestore.url,
          GCE_METADATA_HOST: metadata.host,
        },
      },
    );
    try {
      await listening(port);
      await t.step("POST /counter twice answers count 1, then count 2", async () => {
        assert.deepEqual(await countTwice(`http://127.0.0.1:${port}`), [{ count: 1 }, { count: 2 }]);
      });
      await t.step("the count is one Firestore document of the collection, and no request broke the protocol", () => {
        assert.deepEqual(firestore.violations, []);
        assert.deepEqual(metadata.violations, []);
        const names = [...firestore.documents.keys()];
        assert.equal(names.length, 1);
        assert.match(names[0]!, /^projects\/hello-project\/databases\/\(default\)\/documents\/hello-COUNTER\//);
        assert.ok(metadata.issued >= 1, "the token came from the metadata server");
      });
    } finally {
      await server.stop();
    }
  } finally {
    await firestore.stop();
    await metadata.stop();
    await Deno.remove(out, { recursive: true });
  }
});

/**
 * A Node.js function of the Build Output API served as `vercel dev` serves one with web handlers: the handler file
 * of `.vc-config.json` imported, and each `node:http` request handed to the default export's method (or `fetch`) as a
 * `Request`, its `Response` written back.
 */
const VERCEL_NODE_LAUNCHER = `
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { pathToFileURL } from "node:url";
const [dir, port] = process.argv.slice(2);
const config = JSON.parse(readFileSync(dir + "/.vc-config.json", "utf8"));
if (config.launcherType !== "Nodejs") throw new Error("not a Node.js function: " + config.launcherType);
const { default: handlers } = await import(pathToFileURL(dir + "/" + config.handler).href);
createServer(async (req, res) => {
  try {
    const body = req.method === "GET" || req.method === "HEAD" ? undefined : Readable.toWeb(req);
    const request = new Request("http://" + req.headers.host + req.url, {
      method: req.method,
      headers: Object.entries(req.headers).flatMap(([k, v]) => [v].flat().map((x) => [k, x])),
      body,
      duplex: "half",
    });
    const answer = handlers[req.method] ?? handlers.fetch;
    const response = await answer(request);
    res.writeHead(response.status, [...response.headers].flat());
    if (response.body) for await (const chunk of response.body) res.write(chunk);
    res.end();
  } catch (error) {
    console.error(error);
    res.writeHead(502).end("launcher: " + error);
  }
}).listen(Number(port), "127.0.0.1", () => console.log("launcher listening"));
`;

Deno.test("examples/hello's Vercel function counts in Upstash under a node:http launcher", async (t) => {
  const out = await Deno.makeTempDir({ prefix: "slrs_hello_vercel_" });
  const upstash = startFakeUpstash("hello-token");
  try {
    const built = await runCli(["build", "--target", "vercel", HELLO, "--out", out]);
    assert.equal(built.code, 0, built.stderr);
    const func = `${out}/vercel/.vercel/output/functions/hello.func`;
    const config = JSON.parse(await Deno.readTextFile(`${func}/.vc-config.json`));
    assert.equal(config.launcherType, "Nodejs", "build emits a Node.js function for hello");
    await Deno.writeTextFile(`${out}/launcher.mjs`, VERCEL_NODE_LAUNCHER);
    const port = freePort();
    const server = await spawnServer("node", [`${out}/launcher.mjs`, func, String(port)], {
      cwd: out,
      ready: /launcher listening/,
      // The variables Vercel's Storage integration sets for an Upstash database, pointed at the fake.
      env: { KV_REST_API_URL: upstash.url, KV_REST_API_TOKEN: "hello-token" },
    });
    try {
      await t.step("POST /counter twice answers count 1, then count 2", async () => {
        assert.deepEqual(await countTwice(`http://127.0.0.1:${port}`), [{ count: 1 }, { count: 2 }]);
      });
      await t.step("the count is the binding's hash in Upstash, and no request broke the protocol", () => {
        assert.deepEqual(upstash.violations, []);
        assert.deepEqual([...upstash.hashes.keys()], ["slrs:COUNTER:k:count"]);
      });
    } finally {
      await server.stop();
    }
  } finally {
    await upstash.stop();
    await Deno.remove(out, { recursive: true });
  }
});
