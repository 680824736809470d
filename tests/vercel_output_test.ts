// The Build Output API v3 layout of cli/vercel_output.ts: its config files against schemas written from Vercel's
// documentation, and the Edge function run for real under Vercel's Edge Runtime (`edge-runtime`, runServer),
// installed on first run into .slrs/cache/edge-runtime.

import assert from "node:assert/strict";
import { Ajv2020 } from "npm:ajv@^8.17.1/dist/2020.js";
import { describeFunction, type FunctionInfo } from "../src/info.ts";
import { serverless } from "../mod.ts";
import { vercelEntry, vercelOutput, vercelRoutes } from "../cli/vercel_output.ts";
import { writeFiles } from "../cli/package_files.ts";
import { bundle, bundleFile } from "./support/bundle.ts";
import { freePort, npmCache } from "./support/npm_cache.ts";
import { spawnServer } from "./support/spawn_server.ts";
import { MOD_URL, runCli } from "./support/process.ts";
import shop from "./support/deploy_fixture.ts";

const FIXTURE = new URL("./support/deploy_fixture.ts", import.meta.url);
const decode = (bytes: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(bytes));

// https://vercel.com/docs/build-output-api/v3/configuration: `Config`, the `Source` and `Handler` routes, `crons`.
const HAS = {
  type: "object",
  required: ["type"],
  properties: { type: { enum: ["host", "header", "cookie", "query"] }, key: { type: "string" }, value: {} },
};
const CONFIG_SCHEMA = {
  type: "object",
  required: ["version"],
  additionalProperties: false,
  properties: {
    version: { const: 3 },
    routes: {
      type: "array",
      items: {
        anyOf: [
          {
            type: "object",
            required: ["src"],
            additionalProperties: false,
            properties: {
              src: { type: "string" },
              dest: { type: "string" },
              headers: { type: "object", additionalProperties: { type: "string" } },
              methods: { type: "array", items: { type: "string" } },
              continue: { type: "boolean" },
              caseSensitive: { type: "boolean" },
              check: { type: "boolean" },
              status: { type: "integer" },
              has: { type: "array", items: HAS },
              missing: { type: "array", items: HAS },
              locale: { type: "object" },
              middlewareRawSrc: { type: "array", items: { type: "string" } },
              middlewarePath: { type: "string" },
            },
          },
          {
            type: "object",
            required: ["handle"],
            additionalProperties: false,
            properties: {
              handle: { enum: ["rewrite", "filesystem", "resource", "miss", "hit", "error"] },
              src: { type: "string" },
              dest: { type: "string" },
              status: { type: "integer" },
            },
          },
        ],
      },
    },
    images: { type: "object" },
    wildcard: { type: "array" },
    overrides: { type: "object" },
    cache: { type: "array", items: { type: "string" } },
    crons: {
      type: "array",
      items: {
        type: "object",
        required: ["path", "schedule"],
        additionalProperties: false,
        properties: { path: { type: "string", pattern: "^/" }, schedule: { type: "string" } },
      },
    },
  },
};
// https://vercel.com/docs/build-output-api/v3/primitives: the Vercel Function configuration and its Node.js part.
const NODE_SCHEMA = {
  type: "object",
  required: ["runtime", "handler", "launcherType"],
  additionalProperties: false,
  properties: {
    runtime: { type: "string", pattern: "^nodejs\\d+\\.x$" },
    handler: { type: "string" },
    memory: { type: "integer", minimum: 128, maximum: 4096 },
    maxDuration: { type: "integer", minimum: 1, maximum: 800 },
    architecture: { enum: ["x86_64", "arm64"] },
    environment: { type: "object", additionalProperties: { type: "string" } },
    regions: { type: "array", items: { type: "string" } },
    supportsWrapper: { type: "boolean" },
    supportsResponseStreaming: { type: "boolean" },
    awsLambdaHandler: { type: "string" },
    launcherType: { const: "Nodejs" },
    shouldAddHelpers: { type: "boolean" },
    shouldAddSourcemapSupport: { type: "boolean" },
  },
};
// https://vercel.com/docs/build-output-api/v3/primitives: the Edge function configuration.
const EDGE_SCHEMA = {
  type: "object",
  required: ["runtime", "entrypoint"],
  additionalProperties: false,
  properties: {
    runtime: { const: "edge" },
    entrypoint: { type: "string" },
    envVarsInUse: { type: "array", items: { type: "string" } },
    regions: { anyOf: [{ type: "string" }, { type: "array", items: { type: "string" } }] },
  },
};
const ajv = new Ajv2020({ allErrors: true, strict: true });
const validators = {
  config: ajv.compile(CONFIG_SCHEMA),
  node: ajv.compile(NODE_SCHEMA),
  edge: ajv.compile(EDGE_SCHEMA),
};

function assertValid(kind: keyof typeof validators, doc: unknown): void {
  const validate = validators[kind];
  assert.ok(validate(doc), `${kind}: ${JSON.stringify(validate.errors)}\n${JSON.stringify(doc)}`);
}

function info(overrides: Record<string, string | number | string[]> = {}, fn = shop): FunctionInfo {
  return describeFunction({ fn, entry: "deploy_fixture.ts", exportName: "default" }, { vercel: overrides });
}

// Vercel's routing as config.json describes it: the first route whose `src` matches the pathname gives `dest`.
function routeOf(config: { routes: { src: string; dest: string }[] }, path: string): string | undefined {
  return config.routes.find((route) => new RegExp(route.src).test(path))?.dest;
}

Deno.test("vercel Build Output API files", async (t) => {
  const code = new TextEncoder().encode("export default {}");

  await t.step("writes config.json and a Node.js .vc-config.json that match Vercel's documented schema", () => {
    const files = vercelOutput([{ info: info({ regions: ["fra1"] }), bundle: code, sourceMap: code }]);
    const config = decode(files.get(".vercel/output/config.json"));
    const vc = decode(files.get(".vercel/output/functions/shop.func/.vc-config.json"));
    assertValid("config", config);
    assertValid("node", vc);
    assert.equal(vc.runtime, "nodejs22.x");
    assert.equal(vc.launcherType, "Nodejs");
    assert.deepEqual([vc.memory, vc.maxDuration, vc.regions], [2048, 300, ["fra1"]]);
    assert.equal(vc.shouldAddSourcemapSupport, true);
    assert.ok(files.has(`.vercel/output/functions/shop.func/${vc.handler}`), "the handler file is in the .func");
    assert.ok(files.has(`.vercel/output/functions/shop.func/${vc.handler}.map`));
  });

  await t.step("routes send every route path and the cron paths to the function, and nothing else", () => {
    const config = decode(vercelOutput([{ info: info(), bundle: code }]).get(".vercel/output/config.json"));
    for (const path of ["/", "/hello/ada", "/orders", "/_slrs/cron/shop/0"]) {
      assert.equal(routeOf(config, path), "/shop");
    }
    for (const path of ["/hello", "/hello/ada/more", "/ordersx", "/_slrs/cron/shop/x"]) {
      assert.equal(routeOf(config, path), undefined, path);
    }
    assert.deepEqual(config.crons, [{ path: "/_slrs/cron/shop/0", schedule: "*/15 * * * *" }]);
  });

  await t.step("route patterns escape literal characters and take a trailing * as the rest of the path", () => {
    const fn = serverless({ name: "files", fetch: () => new Response() });
    const wild = { ...info({}, fn), routes: [{ method: "GET" as const, path: "/a.b/*" }] };
    const [route] = vercelRoutes(wild);
    assert.equal(route!.src, "^/a\\.b(?:/.*)?$");
    assert.ok(new RegExp(route!.src).test("/a.b/c/d") && !new RegExp(route!.src).test("/aXb/c"));
    assert.equal(vercelRoutes(info({}, fn))[0]!.src, "^(?:/.*)?$", "a plain handler takes every path");
  });

  await t.step("an edge runtime choice writes an Edge function config with no Node.js keys", () => {
    const files = vercelOutput([{ info: info({ runtime: "edge" }), bundle: code }]);
    const vc = decode(files.get(".vercel/output/functions/shop.func/.vc-config.json"));
    assertValid("edge", vc);
    assert.deepEqual(vc, { runtime: "edge", entrypoint: "index.js" });
    assert.ok(files.has(".vercel/output/functions/shop.func/index.js"));
  });

  await t.step("the edge runtime warns about what its fixed 128 MB and 300 s cannot give", () => {
    const needy = serverless({
      name: "needy",
      requirements: { memory: 512, timeout: 600 },
      fetch: () => new Response(),
    });
    const warnings = info({ runtime: "edge" }, needy).platforms.vercel.warnings.join("\n");
    assert.match(warnings, /memory 512 MB is above the edge runtime's fixed 128 MB/);
    assert.match(warnings, /timeout 600 s is above the edge runtime's 300 s/);
    assert.deepEqual(info({ runtime: "edge" }).platforms.vercel.warnings, [], "a function with no needs gets none");
    assert.match(
      info({ runtime: "deno" }).platforms.vercel.warnings.join(),
      /runtime "deno" is not one of: nodejs, edge/,
    );
  });

  await t.step("the Hobby plan refuses Pro limits with a message; a Pro plan takes them", () => {
    const big = info({ memory: 4096, maxDuration: 800 });
    assert.throws(
      () => vercelOutput([{ info: big, bundle: code }]),
      /memory 4096 MB is above the hobby plan's 2048 MB and maxDuration 800 s is above the hobby plan's 300 s.*plan to "pro"/,
    );
    const vc = decode(
      vercelOutput([{ info: big, bundle: code }], { plan: "pro" }).get(
        ".vercel/output/functions/shop.func/.vc-config.json",
      ),
    );
    assert.deepEqual([vc.memory, vc.maxDuration], [4096, 800]);
    const viaSetting = info({ memory: 4096, maxDuration: 800, plan: "pro" });
    assert.deepEqual(viaSetting.platforms.vercel.warnings, [], "--info does not warn about limits the plan has");
    assert.doesNotThrow(() => vercelOutput([{ info: viaSetting, bundle: code }]));
  });
});

Deno.test("cli.ts build --target vercel writes config files that match Vercel's documented schema", async (t) => {
  const out = await Deno.makeTempDir({ prefix: "slrs-vercel-build-" });
  try {
    const overrides = `${out}/overrides.json`;
    await Deno.writeTextFile(overrides, JSON.stringify({ shop: { vercel: { regions: ["fra1"] } } }));
    const entries = ["tests/support/deploy_fixture.ts", "tests/adapters/fixtures/vercel_edge_app.ts"];
    const edge = `${out}/edge.json`;
    await Deno.writeTextFile(edge, JSON.stringify({ "edge-shop": { vercel: { runtime: "edge" } } }));
    const node = await runCli(["build", "--target", "vercel", ...entries, "--out", out, "--overrides", overrides]);
    assert.equal(node.code, 0, node.stderr);
    const output = `${out}/vercel/.vercel/output`;
    const read = async (path: string) => JSON.parse(await Deno.readTextFile(`${output}/${path}`));

    await t.step("config.json routes both functions and lists both functions' crons", async () => {
      const config = await read("config.json");
      assertValid("config", config);
      assert.equal(routeOf(config, "/hello/ada"), "/shop");
      assert.deepEqual(config.crons.map((c: { path: string }) => c.path), [
        "/_slrs/cron/shop/0",
        "/_slrs/cron/edge-shop/0",
        "/_slrs/cron/edge-shop/1",
      ]);
    });

    await t.step("each .func has a Node.js .vc-config.json with the --info settings and its handler file", async () => {
      const vc = await read("functions/shop.func/.vc-config.json");
      assertValid("node", vc);
      assert.deepEqual(vc.regions, ["fra1"]);
      assert.ok((await Deno.stat(`${output}/functions/shop.func/${vc.handler}`)).isFile);
    });

    await t.step("the runtime setting edge writes an Edge .vc-config.json and its entrypoint", async () => {
      const again = await runCli(["build", "--target", "vercel", ...entries, "--out", out, "--overrides", edge]);
      assert.equal(again.code, 0, again.stderr);
      const vc = await read("functions/edge-shop.func/.vc-config.json");
      assertValid("edge", vc);
      assert.ok((await Deno.stat(`${output}/functions/edge-shop.func/${vc.entrypoint}`)).isFile);
      assertValid("node", await read("functions/shop.func/.vc-config.json"));
      const left = (await Array.fromAsync(Deno.readDir(`${output}/functions/edge-shop.func`))).map((e) => e.name);
      assert.deepEqual(
        left.sort(),
        [".vc-config.json", "index.js", "index.js.map"],
        "the earlier Node.js bundle is gone",
      );
    });

    await t.step("a plan limit above Hobby stops the build before anything is bundled", async () => {
      const big = `${out}/big.json`;
      await Deno.writeTextFile(big, JSON.stringify({ shop: { vercel: { memory: 4096 } } }));
      const run = await runCli(["build", "--target", "vercel", entries[0]!, "--out", `${out}/big`, "--overrides", big]);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /memory 4096 MB needs a Pro or Enterprise plan/);
      assert.equal(await Deno.stat(`${out}/big`).then(() => true, () => false), false);
    });

    await t.step("a requirement above the Hobby plan's limits also stops it, naming the plan override", async () => {
      await Deno.writeTextFile(
        `${out}/big.ts`,
        `import { serverless } from ${JSON.stringify(MOD_URL)};\n` +
          `export default serverless({ name: "big", requirements: { memory: 4096 }, fetch: () => new Response() });\n`,
      );
      const run = await runCli(["build", "--target", "vercel", `${out}/big.ts`, "--out", `${out}/big-req`]);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /big on vercel: memory 4096 MB is above the hobby plan's 2048 MB.*plan to "pro"/);
      assert.equal(await Deno.stat(`${out}/big-req`).then(() => true, () => false), false);
    });
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("vercel Node.js output exports the web handlers Vercel's Node.js runtime calls", async () => {
  const dir = await Deno.makeTempDir({ prefix: "slrs-vercel-node-" });
  try {
    const fn = info();
    const entry = vercelEntry(fn, "nodejs");
    const code = await bundle(dir, entry.bundleName, {
      lines: entry.lines,
      adapter: "vercel",
      fn: FIXTURE,
      platform: entry.bundlePlatform,
    });
    await writeFiles(dir, vercelOutput([{ info: fn, bundle: code }]));
    const func = `${dir}/.vercel/output/functions/shop.func`;
    const vc = JSON.parse(await Deno.readTextFile(`${func}/.vc-config.json`));
    // @vercel/node detects web handlers by a `fetch` or per-method function on the handler's default export.
    const { default: handlers } = await import(`file://${func}/${vc.handler}`);
    assert.equal(typeof handlers.fetch, "function");
    const res = await handlers.GET(new Request("https://shop.vercel.app/hello/ada"));
    assert.deepEqual(await res.json(), { hello: "ada", platform: "vercel" });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("vercel Edge output under Vercel's edge-runtime", async (t) => {
  const cache = await npmCache("edge-runtime", { "edge-runtime": "4" });
  const dir = await Deno.makeTempDir({ dir: cache, prefix: "out-" });
  try {
    const fn = info({ runtime: "edge" });
    const entry = vercelEntry(fn, "edge");
    const code = await bundle(dir, entry.bundleName, {
      lines: entry.lines,
      adapter: "vercel",
      fn: FIXTURE,
      platform: entry.bundlePlatform,
    });
    await writeFiles(dir, vercelOutput([{ info: fn, bundle: code }]));
    const func = `${dir}/.vercel/output/functions/shop.func`;
    const vc = JSON.parse(await Deno.readTextFile(`${func}/.vc-config.json`));
    const config = JSON.parse(await Deno.readTextFile(`${dir}/.vercel/output/config.json`));

    // Vercel runs the entrypoint's default export per request; edge-runtime evaluates a script with a fetch
    // listener, so the entrypoint is wrapped (as `vercel dev` does) and bundled as a script.
    await Deno.writeTextFile(
      `${dir}/edge_script.js`,
      `import handler from ${JSON.stringify(`${func}/${vc.entrypoint}`)};\n` +
        "addEventListener('fetch', (event) => event.respondWith(handler(event.request)));\n",
    );
    const script = await bundleFile(`${dir}/edge_script.js`, `${dir}/edge_script.iife.js`, {
      platform: "browser",
      format: "iife",
    });
    const server = await startEdgeRuntime(cache, new TextDecoder().decode(script));
    try {
      const send = (path: string, init?: RequestInit) => {
        assert.equal(routeOf(config, path), "/shop", `config.json routes ${path} to the function`);
        return fetch(`${server.url}${path}`, init);
      };

      await t.step("answers the routes with the router's responses", async () => {
        const hello = await send("/hello/ada");
        assert.equal(hello.status, 200);
        assert.deepEqual(await hello.json(), { hello: "ada", platform: "vercel" });
        assert.equal(await (await send("/")).text(), "shop");
        const order = await send("/orders", { method: "POST", body: JSON.stringify({ id: 7 }) });
        assert.equal(order.status, 201);
        assert.deepEqual(await order.json(), { id: 7 });
        const wrong = await send("/orders");
        assert.equal(wrong.status, 405);
        await wrong.body?.cancel();
      });

      await t.step("runs the scheduled trigger on the cron path config.json lists", async () => {
        const [cron] = config.crons;
        const res = await send(cron.path, { headers: { "user-agent": "vercel-cron/1.0" } });
        assert.equal(res.status, 204);
        await res.body?.cancel();
        const denied = await send(cron.path);
        assert.equal(denied.status, 401);
        await denied.body?.cancel();
        await server.waitFor(/slrs-fixture scheduled \{"cron":"\*\/15 \* \* \* \*"\}/, 2000);
      });
    } finally {
      await server.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function startEdgeRuntime(cache: string, initialCode: string) {
  const port = freePort();
  await Deno.writeTextFile(
    `${cache}serve.mjs`,
    `import { EdgeRuntime, runServer } from "edge-runtime";
import { readFileSync } from "node:fs";
const runtime = new EdgeRuntime({ initialCode: readFileSync(0, "utf8") });
const server = await runServer({ runtime, port: ${port}, host: "127.0.0.1" });
console.log("listening " + server.url);
`,
  );
  const server = await spawnServer("node", ["serve.mjs"], { cwd: cache, ready: /listening /, stdin: initialCode });
  return { url: `http://127.0.0.1:${port}`, ...server };
}
