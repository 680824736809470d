// The function app folder `cli.ts build --target azure` writes (cli/azure_package.ts), loaded the way the Functions
// host loads a v4 Node.js app: the
// real `@azure/functions` (installed on first run into .slrs/cache/azure-functions) is imported from the folder
// under Node, `main` from its package.json is imported, and what the library registers is captured where the host
// receives it: the `@azure/functions-core` module the Node worker injects into `require` (the library calls its
// `registerFunction(metadata, handler)`). Each trigger's handler is then invoked with the library's own
// HttpRequest and InvocationContext.

import assert from "node:assert/strict";
import { unzipSync } from "npm:fflate@^0.8.2";
import { describeFunction } from "../src/info.ts";
import { AZURE_FUNCTIONS_VERSION, azurePackage } from "../cli/azure_package.ts";
import { type PackageFiles, zipFiles } from "../cli/package_files.ts";
import { npmCache } from "./support/npm_cache.ts";
import { testedRange } from "./support/npm_specifiers.ts";
import { runCli } from "./support/process.ts";
import shop from "./support/deploy_fixture.ts";

/** A folder's files by relative path, as a package. */
async function readFolder(dir: string, prefix = ""): Promise<PackageFiles> {
  const files: PackageFiles = new Map();
  for await (const entry of Deno.readDir(`${dir}/${prefix}`)) {
    const path = `${prefix}${entry.name}`;
    if (entry.isDirectory) { for (const [p, b] of await readFolder(dir, `${path}/`)) files.set(p, b); }
    else files.set(path, await Deno.readFile(`${dir}/${path}`));
  }
  return files;
}

// A stand-in for the Node worker's startup: it answers `require("@azure/functions-core")` with the host API (as the
// worker does), imports package.json's `main`, and invokes the registered handlers with the library's classes.
const HOST = `
const Module = require("node:module");
const fs = require("node:fs");
const path = require("node:path");
const { pathToFileURL } = require("node:url");
const dir = process.argv[2];
const registered = [];
const core = {
  setProgrammingModel() {},
  getProgrammingModel() {},
  registerHook() { return { dispose() {} }; },
  registerFunction(metadata, handler) { registered.push({ metadata, handler }); return { dispose() {} }; },
  log() {},
};
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === "@azure/functions-core" ? core : load.call(this, request, ...rest);
};
const trigger = (metadata) => Object.values(metadata.bindings).find((b) => /Trigger$/.test(b.type));
(async () => {
  const { main } = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  await import(pathToFileURL(path.join(dir, main)).href);
  const az = require(require.resolve("@azure/functions", { paths: [dir] }));
  const logs = [];
  const context = (name, extra = {}) => new az.InvocationContext({
    invocationId: "inv-" + name, functionName: name, logHandler: (level, ...args) => logs.push(args.join(" ")), ...extra,
  });
  const results = [];
  for (const { metadata, handler } of registered) {
    const binding = trigger(metadata);
    if (binding.type === "httpTrigger") {
      for (const [method, url, body] of [
        ["GET", "http://localhost:7071/api/hello/ada"],
        ["POST", "http://localhost:7071/api/orders", JSON.stringify({ id: 7 })],
        ["GET", "http://localhost:7071/api/nope"],
      ]) {
        const request = new az.HttpRequest({ method, url, headers: {}, ...(body && { body: { string: body } }) });
        const response = new az.HttpResponse(await handler(request, context(metadata.name)));
        results.push({ name: metadata.name, method, url, status: response.status, body: await response.text() });
      }
    } else if (binding.type === "timerTrigger") {
      const timer = { isPastDue: false, schedule: { adjustForDST: true },
        scheduleStatus: { last: "", lastUpdated: "", next: "2026-01-01T10:15:00Z" } };
      await handler(timer, context(metadata.name));
      results.push({ name: metadata.name, ran: true });
    } else if (binding.type === "queueTrigger") {
      const meta = { triggerMetadata: { id: "m-1", dequeueCount: 1, insertionTime: "2026-01-01T00:00:00Z" } };
      await handler({ sku: "tea" }, context(metadata.name, meta));
      results.push({ name: metadata.name, ran: true });
    }
  }
  console.log("HOST " + JSON.stringify({ registered: registered.map((r) => r.metadata), results }));
})().catch((error) => { console.error(error); process.exit(1); });
`;

interface HostReport {
  registered: { name: string; bindings: Record<string, Record<string, unknown>> }[];
  results: { name: string; method?: string; url?: string; status?: number; body?: string; ran?: boolean }[];
}

Deno.test("the azure function app folder cli.ts build writes, loaded like the Functions host", async (t) => {
  const cache = await npmCache("azure-functions", { "@azure/functions": "4" });
  const out = await Deno.makeTempDir({ dir: cache, prefix: "build-" });
  const dir = `${out}/azure/shop`;
  try {
    const info = describeFunction({ fn: shop, entry: "deploy_fixture.ts", exportName: "default" });
    const build = await runCli(["build", "--target", "azure", "tests/support/deploy_fixture.ts", "--out", out]);
    assert.equal(build.code, 0, build.stderr);
    const app = { files: await readFolder(dir), zip: await Deno.readFile(`${out}/azure/shop.zip`) };
    const code = app.files.get("index.js")!;

    await t.step("host.json and package.json are what a v4 Node.js app needs", async () => {
      const host = JSON.parse(new TextDecoder().decode(app.files.get("host.json")));
      assert.deepEqual(host, {
        version: "2.0",
        extensionBundle: { id: "Microsoft.Azure.Functions.ExtensionBundle", version: "[4.*, 5.0.0)" },
        functionTimeout: "00:30:00",
        extensions: { http: { routePrefix: "api" } },
      });
      const pkg = JSON.parse(new TextDecoder().decode(app.files.get("package.json")));
      assert.equal(pkg.type, "module");
      assert.ok(app.files.has(pkg.main), "main names a file of the folder");
      assert.deepEqual(pkg.dependencies, { "@azure/functions": AZURE_FUNCTIONS_VERSION });
      assert.equal(AZURE_FUNCTIONS_VERSION, await testedRange("@azure/functions"));
    });

    await t.step("the zip holds exactly the folder's files", async () => {
      const unzipped = unzipSync(app.zip);
      assert.deepEqual(Object.keys(unzipped).sort(), [...app.files.keys()].sort());
      for (const [path, bytes] of app.files) assert.deepEqual(unzipped[path], bytes, path);
      const again = await zipFiles(
        azurePackage({ info, bundle: code, sourceMap: app.files.get("index.js.map")! }).files,
      );
      // Compared as text: a deepEqual of two large byte arrays that differ takes minutes to print its diff.
      assert.equal(
        new TextDecoder("latin1").decode(again),
        new TextDecoder("latin1").decode(app.zip),
        "same files, same zip",
      );
    });

    await Deno.symlink(`${cache}node_modules`, `${dir}/node_modules`);
    await Deno.writeTextFile(`${dir}/host.cjs`, HOST);
    const run = await new Deno.Command("node", { args: [`${dir}/host.cjs`, dir], stdout: "piped", stderr: "piped" })
      .output();
    const stdout = new TextDecoder().decode(run.stdout);
    assert.ok(run.success, `${stdout}\n${new TextDecoder().decode(run.stderr)}`);
    const report: HostReport = JSON.parse(stdout.split("\n").find((line) => line.startsWith("HOST "))!.slice(5));

    await t.step("the library registers an HTTP, a timer and a queue function from package.json's main", () => {
      const byType = Object.fromEntries(report.registered.map((r) => {
        const binding = Object.values(r.bindings).find((b) => String(b.type).endsWith("Trigger"))!;
        return [binding.type, { ...binding, name: r.name }];
      }));
      assert.deepEqual(
        [byType.httpTrigger?.name, byType.httpTrigger?.route, byType.httpTrigger?.authLevel],
        ["shop", "{*path}", "anonymous"],
      );
      assert.deepEqual([byType.timerTrigger?.name, byType.timerTrigger?.schedule], [
        "shop-scheduled",
        "0 */15 * * * *",
      ]);
      assert.deepEqual(
        [byType.queueTrigger?.name, byType.queueTrigger?.queueName, byType.queueTrigger?.connection],
        ["shop-queue", "orders", "AzureWebJobsStorage"],
      );
    });

    await t.step("each registered handler answers: HTTP through the router, timer and queue run", () => {
      const http = report.results.filter((r) => r.name === "shop");
      assert.deepEqual(http.map((r) => [r.method, r.status]), [["GET", 200], ["POST", 201], ["GET", 404]]);
      assert.deepEqual(JSON.parse(http[0]!.body!), { hello: "ada", platform: "azure" });
      assert.deepEqual(JSON.parse(http[1]!.body!), { id: 7 });
      assert.match(stdout, /slrs-fixture scheduled \{"cron":"\*\/15 \* \* \* \*"\}/);
      assert.match(stdout, /slrs-fixture queue \{"sku":"tea"\}/);
    });
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
