// The source folder `cli.ts build --target gcp` writes (cli/gcp_package.ts), run as Google's Node.js runtime runs it: the real `functions-framework`
// command (installed on first run into .slrs/cache/functions-framework) started in the folder with each entry point's
// `--target` and `--signature-type` on a free loopback port, then sent HTTP requests and structured CloudEvents.

import assert from "node:assert/strict";
import { unzipSync } from "npm:fflate@^0.8.2";
import { describeFunction } from "../src/info.ts";
import { GCP_FUNCTIONS_FRAMEWORK_VERSION, gcpPackage } from "../cli/gcp_package.ts";
import { zipFiles } from "../cli/package_files.ts";
import { freePort, npmCache } from "./support/npm_cache.ts";
import { testedRange } from "./support/npm_specifiers.ts";
import { runCli } from "./support/process.ts";
import { spawnServer } from "./support/spawn_server.ts";
import shop from "./support/deploy_fixture.ts";
const PUBSUB_EVENT = await Deno.readTextFile(
  new URL("./fixtures/gcp/cloudevent-pubsub-structured.json", import.meta.url),
);

Deno.test("the gcp source folder cli.ts build writes, under the real functions-framework", async (t) => {
  const cache = await npmCache("functions-framework", { "@google-cloud/functions-framework": "5" });
  const out = await Deno.makeTempDir({ dir: cache, prefix: "build-" });
  const dir = `${out}/gcp/shop`;
  try {
    const info = describeFunction({ fn: shop, entry: "deploy_fixture.ts", exportName: "default" });
    const build = await runCli(["build", "--target", "gcp", "tests/support/deploy_fixture.ts", "--out", out]);
    assert.equal(build.code, 0, build.stderr);
    const built = gcpPackage({
      info,
      bundle: await Deno.readFile(`${dir}/index.js`),
      sourceMap: await Deno.readFile(`${dir}/index.js.map`),
    });
    const names = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
    const files = new Map(await Promise.all(names.map(async (n) => [n, await Deno.readFile(`${dir}/${n}`)] as const)));
    const source = { files, zip: await Deno.readFile(`${out}/gcp/shop.zip`), targets: built.targets };

    await t.step("build prints the entry points to deploy", async () => {
      assert.match(build.stdout, /^gcp shop: .*shop\.zip .*; entry points shop \(http\), shop-events \(cloudevent\)$/m);
      assert.deepEqual([...built.files.keys()].sort(), names, "the folder holds what gcpPackage makes");
      // Compared as text: a deepEqual of two large byte arrays that differ takes minutes to print its diff.
      assert.equal(
        new TextDecoder("latin1").decode(await zipFiles(built.files)),
        new TextDecoder("latin1").decode(source.zip),
      );
    });

    await t.step("package.json names the bundle, ESM, Node >= 20 and the framework", async () => {
      const pkg = JSON.parse(new TextDecoder().decode(source.files.get("package.json")));
      assert.equal(pkg.type, "module");
      assert.ok(source.files.has(pkg.main), "main names a file of the folder");
      assert.deepEqual(pkg.engines, { node: ">=20" });
      assert.deepEqual(pkg.dependencies, { "@google-cloud/functions-framework": GCP_FUNCTIONS_FRAMEWORK_VERSION });
      assert.equal(GCP_FUNCTIONS_FRAMEWORK_VERSION, await testedRange("@google-cloud/functions-framework"));
      assert.deepEqual(source.targets, [
        { entryPoint: "shop", signatureType: "http" },
        { entryPoint: "shop-events", signatureType: "cloudevent" },
      ]);
    });

    await t.step("the zip holds exactly the folder's files", () => {
      const unzipped = unzipSync(source.zip);
      assert.deepEqual(Object.keys(unzipped).sort(), [...source.files.keys()].sort());
      for (const [path, bytes] of source.files) assert.deepEqual(unzipped[path], bytes, path);
    });

    await Deno.symlink(`${cache}node_modules`, `${dir}/node_modules`);
    const serve = async (target: (typeof source.targets)[number]) => {
      const port = freePort();
      const server = await spawnServer(
        "node",
        [
          "node_modules/@google-cloud/functions-framework/build/src/main.js",
          `--target=${target.entryPoint}`,
          `--signature-type=${target.signatureType}`,
          `--port=${port}`,
        ],
        { cwd: dir, ready: /URL: http/ },
      );
      // The framework prints its URL just before it listens.
      for (let i = 0; i < 100; i++) {
        try {
          (await Deno.connect({ hostname: "127.0.0.1", port })).close();
          break;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
      return { url: `http://127.0.0.1:${port}`, ...server };
    };

    await t.step("the HTTP entry point answers requests through the router", async () => {
      const server = await serve(source.targets[0]!);
      try {
        const hello = await fetch(`${server.url}/hello/ada`);
        assert.equal(hello.status, 200);
        assert.deepEqual(await hello.json(), { hello: "ada", platform: "gcp" });
        const order = await fetch(`${server.url}/orders`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ id: 7 }),
        });
        assert.equal(order.status, 201);
        assert.deepEqual(await order.json(), { id: 7 });
        const missing = await fetch(`${server.url}/nope`);
        assert.equal(missing.status, 404);
        await missing.body?.cancel();
      } finally {
        await server.stop();
      }
    });

    await t.step("the CloudEvent entry point runs queue for Pub/Sub and scheduled for Cloud Scheduler", async () => {
      const server = await serve(source.targets[1]!);
      try {
        const structured = { "content-type": "application/cloudevents+json" };
        const pubsub = await fetch(server.url, { method: "POST", headers: structured, body: PUBSUB_EVENT });
        assert.ok(pubsub.ok, `Pub/Sub event: ${pubsub.status} ${await pubsub.text()}`);
        await server.waitFor(/slrs-fixture queue "test message 3"/, 2000);
        const scheduler = await fetch(server.url, {
          method: "POST",
          headers: structured,
          body: JSON.stringify({
            specversion: "1.0",
            type: "google.cloud.scheduler.job.v1.executed",
            source: "//cloudscheduler.googleapis.com/projects/test-project/locations/us-central1/jobs/shop-0",
            id: "run-1",
            time: "2026-01-01T10:15:00Z",
            datacontenttype: "application/json",
            data: { customData: btoa("*/15 * * * *") },
          }),
        });
        assert.ok(scheduler.ok, `Scheduler event: ${scheduler.status} ${await scheduler.text()}`);
        await server.waitFor(/slrs-fixture scheduled \{"cron":"\*\/15 \* \* \* \*"\}/, 2000);
      } finally {
        await server.stop();
      }
    });
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
