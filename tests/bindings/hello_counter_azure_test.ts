/**
 * examples/hello's Azure function app folder from `cli.ts build --target azure` counts in Table Storage (azurite),
 * loaded under Node as the Functions host loads it: `@azure/functions` and the app's `@azure/data-tables` are
 * installed from npm (as the remote build installs the package.json dependencies), `main` is imported with the host's
 * `@azure/functions-core` stand-in, and the registered HTTP handler is called with the library's own classes.
 */

import assert from "node:assert/strict";
import { TableClient } from "npm:@azure/data-tables@^13.3.2";
import { npmCache } from "../support/npm_cache.ts";
import { runCli } from "../support/process.ts";
import { startLocalServer } from "./_local_server.ts";
import { devConnectionString } from "./_azurite.ts";

const HOST = `
const Module = require("node:module");
const fs = require("node:fs");
const path = require("node:path");
const { pathToFileURL } = require("node:url");
const dir = process.argv[2];
const registered = [];
const core = {
  setProgrammingModel() {}, getProgrammingModel() {}, log() {},
  registerHook() { return { dispose() {} }; },
  registerFunction(metadata, handler) { registered.push({ metadata, handler }); return { dispose() {} }; },
};
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === "@azure/functions-core" ? core : load.call(this, request, ...rest);
};
(async () => {
  const { main } = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  await import(pathToFileURL(path.join(dir, main)).href);
  const az = require(require.resolve("@azure/functions", { paths: [dir] }));
  const http = registered.find(({ metadata }) =>
    Object.values(metadata.bindings).some((b) => b.type === "httpTrigger"));
  const answers = [];
  for (let i = 0; i < 2; i++) {
    const request = new az.HttpRequest({ method: "POST", url: "http://localhost:7071/api/counter", headers: {} });
    const context = new az.InvocationContext({ invocationId: "inv-" + i, functionName: http.metadata.name });
    answers.push(await new az.HttpResponse(await http.handler(request, context)).text());
  }
  console.log("HOST " + JSON.stringify(answers));
})().catch((error) => { console.error(error); process.exit(1); });
`;

Deno.test("examples/hello's Azure app counts in Table Storage", async (t) => {
  const cache = await npmCache("azure-hello", { "@azure/functions": "4", "@azure/data-tables": "13" });
  const out = await Deno.makeTempDir({ dir: cache, prefix: "build-" });
  const azurite = await startLocalServer("azurite-table");
  try {
    const built = await runCli(["build", "--target", "azure", "examples/hello/main.ts", "--out", out]);
    assert.equal(built.code, 0, built.stderr);
    const dir = `${out}/azure/hello`;
    const connection = devConnectionString({ table: azurite.url });
    await TableClient.fromConnectionString(connection, "hellocounter", { allowInsecureConnection: true }).createTable();

    await t.step("POST /counter twice answers count 1, then count 2", async () => {
      await Deno.symlink(`${cache}node_modules`, `${dir}/node_modules`);
      await Deno.writeTextFile(`${dir}/host.cjs`, HOST);
      const run = await new Deno.Command("node", {
        args: [`${dir}/host.cjs`, dir],
        env: { AzureWebJobsStorage: connection, SLRS_COUNTER_TABLE: "hellocounter" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stdout = new TextDecoder().decode(run.stdout);
      assert.ok(run.success, `${stdout}\n${new TextDecoder().decode(run.stderr)}`);
      const answers = JSON.parse(stdout.split("\n").find((line) => line.startsWith("HOST "))!.slice(5));
      assert.deepEqual(answers.map((body: string) => JSON.parse(body)), [{ count: 1 }, { count: 2 }]);
    });
  } finally {
    await azurite.stop();
    await Deno.remove(out, { recursive: true });
  }
});
