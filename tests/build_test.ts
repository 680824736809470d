/**
 * `cli.ts build --target …`: every target builds the examples; the Lambda zip runs under plain `node` on fixture
 * events, the Deno Lambda zip's `bootstrap` runs against a local Runtime API, the Deno bundle answers requests, and
 * the Node bundles leave the platform's own packages out. (The Worker bundle runs in Miniflare in
 * tests/cloudflare/build_worker_test.ts; the Vercel, Azure and Google Cloud folders this build writes run under their
 * platforms' own runtimes in tests/vercel_edge_test.ts, tests/azure_package_test.ts and tests/gcp_package_test.ts; the
 * streaming Lambda zip under aws-lambda-ric in tests/aws_lambda_ric_test.ts.)
 */

import assert from "node:assert/strict";
import { unzipSync } from "npm:fflate@^0.8.2";
import { MOD_URL, ROOT, runCli } from "./support/process.ts";
import { fixture } from "./support/aws_lambda.ts";
import { startRuntimeApi } from "./support/runtime_api_server.ts";
import { freePort } from "./support/npm_cache.ts";
import { testedRange } from "./support/npm_specifiers.ts";

const ENTRIES = ["examples/hello/main.ts", "examples/aws-lambda/main.ts"];
const STREAM_ENTRY = "tests/adapters/fixtures/lambda_stream_app.ts";
const TARGETS = ["aws-lambda", "aws-lambda-deno", "cloudflare", "vercel", "azure", "gcp", "deno"];

/** Runs a Node script (ESM, from stdin) and returns its stdout. */
async function node(script: string, cwd: string): Promise<string> {
  const child = new Deno.Command("node", {
    args: ["--input-type=module", "-"],
    cwd,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(script));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  const text = new TextDecoder().decode(stdout);
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return text;
}

Deno.test("cli.ts build bundles the examples for every target", async (t) => {
  const out = await Deno.makeTempDir({ prefix: "slrs_build_" });
  try {
    const runs = new Map<string, string>();
    for (const target of TARGETS) {
      const run = await runCli(["build", "--target", target, ...ENTRIES, "--out", out]);
      assert.equal(run.code, 0, `${target}: ${run.stderr}`);
      runs.set(target, run.stdout);
    }

    await t.step("prints one line per function with its size and time", () => {
      for (const [target, stdout] of runs) {
        const lines = stdout.trim().split("\n");
        assert.equal(lines.length, 2, stdout);
        for (const [i, name] of ["hello", "aws-lambda-example"].entries()) {
          assert.match(lines[i]!, new RegExp(`^${target} ${name}(?:: .*${name}\\.\\w+)? .*\\d+\\.\\d KB.* in \\d+ ms`));
        }
      }
      assert.match(runs.get("aws-lambda")!, /hello\.zip [\d.]+ KB \(zip [\d.]+ KB\)/);
      assert.match(
        runs.get("vercel")!,
        /^vercel hello: .*vercel\/\.vercel\/output\/functions\/hello\.func [\d.]+ KB in/m,
      );
      assert.match(runs.get("azure")!, /^azure hello: .*azure\/hello\.zip [\d.]+ KB \(zip [\d.]+ KB\) in \d+ ms$/m);
      assert.match(
        runs.get("gcp")!,
        /^gcp hello: .*gcp\/hello\.zip .* in \d+ ms; entry points hello \(http\), hello-events \(cloudevent\)$/m,
      );
    });

    await t.step("writes the generated two-line entry next to each bundle", async () => {
      const entry = await Deno.readTextFile(`${out}/aws-lambda/hello.entry.ts`);
      // Specialised to what the deployment delivers: a Function URL (payload 2.0) and its EventBridge schedule.
      assert.match(entry, /import \{ handleShapes, httpV2, schedule \} from ".*adapters\/aws_lambda\.ts";/);
      // hello's kv binding is wired: the function is imported as base and wrapped with its DynamoDB backend, which
      // sends through node:http on Node (Lambda's runtime) and through fetch on Deno.
      assert.match(entry, /import base from ".*examples\/hello\/main\.ts";/);
      assert.match(entry, /import \{ viaNodeHttp \} from ".*bindings\/node_http_transport\.ts";/);
      assert.match(entry, /const fn = withBindings\(base, \{ "COUNTER": viaNodeHttp\(dynamoDbKvOver\) \}\);/);
      const denoEntry = await Deno.readTextFile(`${out}/aws-lambda-deno/hello.entry.ts`);
      assert.match(denoEntry, /const fn = withBindings\(base, \{ "COUNTER": dynamoDbKv \}\);/);
      assert.doesNotMatch(denoEntry, /node_http_transport/);
      assert.match(entry, /export const handler = handleShapes\(fn, \[httpV2, schedule\]\);/);
      assert.match(await Deno.readTextFile(`${out}/cloudflare/hello.entry.ts`), /export default handle\(fn\);/);
      assert.match(await Deno.readTextFile(`${out}/aws-lambda-deno/hello.entry.ts`), /await runtime\(fn\);/);
    });

    await t.step("leaves the definition checks out of the bundles, since the build already ran them", async () => {
      for (
        const file of ["cloudflare/hello.js", "deno/hello.js", "vercel/.vercel/output/functions/hello.func/index.mjs"]
      ) {
        const target = file.split("/")[0];
        const bundle = await Deno.readTextFile(`${out}/${file}`);
        assert.ok(!bundle.includes("five-field cron expression"), `${target} bundle carries the definition checks`);
        assert.ok(!bundle.includes("may only be the last segment"), `${target} bundle carries the route checks`);
        assert.ok(!bundle.includes("is not a parameter; write"), `${target} bundle carries the route checks`);
        assert.match(bundle, /Greets people/, `${target} bundle lacks the function itself`);
      }
      assert.deepEqual([...Deno.readDirSync(`${out}/cloudflare`)].filter((e) => e.name.endsWith(".json")), []);
    });

    await t.step("the Lambda zip runs under plain node on API Gateway and SQS fixture events", async () => {
      const files = unzipSync(await Deno.readFile(`${out}/aws-lambda/aws-lambda-example.zip`));
      // The map under the name the bundle's sourceMappingURL comment gives, so stacks on Lambda point at the sources.
      assert.deepEqual(Object.keys(files), ["index.mjs", "aws-lambda-example.mjs.map"]);
      const dir = await Deno.makeTempDir({ dir: out });
      await Deno.writeFile(`${dir}/index.mjs`, files["index.mjs"]!);
      const http = fixture("apigw-v2.json");
      http.rawPath = "/hello/ada";
      (http.requestContext as { http: { path: string } }).http.path = "/hello/ada";
      const events = { http, sqs: fixture("sqs.json") };
      const stdout = await node(
        `import { handler } from "./index.mjs";
         const events = ${JSON.stringify(events)};
         const context = { awsRequestId: "req-1", getRemainingTimeInMillis: () => 3000 };
         const http = await handler(events.http, context);
         const sqs = await handler(events.sqs, context);
         process.stdout.write(JSON.stringify({ http, sqs }));`,
        dir,
      );
      const { http: response, sqs } = JSON.parse(stdout);
      assert.equal(response.statusCode, 200);
      assert.deepEqual(JSON.parse(response.body), { hello: "ada", requestId: "req-1" });
      // The example retries bodies that are not JSON; the fixture's are plain text.
      const ids = fixture<{ Records: { messageId: string }[] }>("sqs.json").Records.map((r) => r.messageId);
      assert.deepEqual(sqs, { batchItemFailures: ids.map((id) => ({ itemIdentifier: id })) });
    });

    await t.step("the same zip bytes come out of the same code", async () => {
      const first = await Deno.readFile(`${out}/aws-lambda/hello.zip`);
      // Into the same folder: the source map's paths are relative to it, as they are between two deployments.
      const again = await runCli(["build", "--target", "aws-lambda", "examples/hello/main.ts", "--out", out]);
      assert.equal(again.code, 0, again.stderr);
      // Compared as text: a byte-by-byte deepEqual of a 75 KB array takes minutes.
      assert.equal((await Deno.readFile(`${out}/aws-lambda/hello.zip`)).join(), first.join());
    });

    await t.step("the Deno Lambda zip's bootstrap serves invocations from the Runtime API", async () => {
      const files = unzipSync(await Deno.readFile(`${out}/aws-lambda-deno/aws-lambda-example.zip`));
      assert.deepEqual(Object.keys(files).sort(), ["aws-lambda-example.js.map", "bootstrap", "main.js"]);
      await using api = startRuntimeApi();
      const child = await startBootstrap(files, out, api.api);
      try {
        const http = fixture("apigw-v2.json");
        http.rawPath = "/hello/deno";
        (http.requestContext as { http: { path: string } }).http.path = "/hello/deno";
        const outcome = await api.invoke(http, { id: "inv-1" });
        assert.equal(outcome.kind, "response");
        const body = outcome.body as { statusCode: number; body: string };
        assert.equal(body.statusCode, 200);
        assert.deepEqual(JSON.parse(body.body), { hello: "deno", requestId: "inv-1" });
      } finally {
        child.kill("SIGTERM");
        await child.status;
      }
    });

    await t.step("the zip marks bootstrap executable (Unix mode 755)", async () => {
      const zip = await Deno.readFile(`${out}/aws-lambda-deno/hello.zip`);
      // Central directory entries: signature PK\1\2, external attributes at offset 38, name at 46.
      const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
      const modes: Record<string, number> = {};
      for (let i = 0; i + 46 < zip.length; i++) {
        if (view.getUint32(i, true) !== 0x02014b50) continue;
        const nameLength = view.getUint16(i + 28, true);
        const name = new TextDecoder().decode(zip.subarray(i + 46, i + 46 + nameLength));
        modes[name] = (view.getUint32(i + 38, true) >>> 16) & 0o777;
      }
      assert.deepEqual(modes, { "main.js": 0o644, "hello.js.map": 0o644, bootstrap: 0o755 });
    });

    await t.step("the Deno Deploy entrypoint serves the function under deno run and stops on SIGINT", async () => {
      const entry = await Deno.readTextFile(`${out}/deno/hello.deploy.js`);
      assert.match(
        entry,
        /deno deploy create .*deno --app hello --source local --runtime-mode dynamic --entrypoint hello\.deploy\.js/,
      );
      assert.match(entry, /deno deploy .*deno --app hello --prod/);
      const port = freePort();
      // Deno Deploy runs the entrypoint with every permission and waits for its HTTP server.
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", `${out}/deno/hello.deploy.js`],
        env: { PORT: String(port), RUST_BACKTRACE: "0", NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      try {
        let response: Response | undefined;
        for (let i = 0; i < 200 && response === undefined; i++) {
          response = await fetch(`http://127.0.0.1:${port}/hello/deploy`).catch(() => undefined);
          if (response === undefined) await new Promise((r) => setTimeout(r, 25));
        }
        assert.equal(response?.status, 200);
        assert.equal((await response!.json()).hello, "deploy");
        child.kill("SIGINT");
        const status = await child.output();
        assert.equal(status.code, 0, new TextDecoder().decode(status.stderr));
      } catch (error) {
        child.kill("SIGKILL");
        await child.output();
        throw error;
      }
    });

    await t.step("the Deno bundle answers requests as `deno serve` would call it", async () => {
      const module = await import(`file://${out}/deno/hello.js`);
      const response: Response = await module.default.fetch(new Request("http://localhost/hello/bob"));
      assert.equal(response.status, 200);
      assert.equal((await response.json()).hello, "bob");
    });

    await t.step(
      "vercel writes the Build Output API folder, with the settings from --info in .vc-config.json",
      async () => {
        const output = `${out}/vercel/.vercel/output`;
        const config = JSON.parse(await Deno.readTextFile(`${output}/config.json`));
        assert.equal(config.version, 3);
        assert.deepEqual(
          config.routes.map((r: { dest: string }) => r.dest).filter((d: string, i: number, all: string[]) =>
            all.indexOf(d) === i
          ),
          ["/hello", "/aws-lambda-example"],
        );
        const vc = JSON.parse(await Deno.readTextFile(`${output}/functions/hello.func/.vc-config.json`));
        assert.deepEqual([vc.runtime, vc.handler, vc.launcherType, vc.memory, vc.maxDuration], [
          "nodejs22.x",
          "index.mjs",
          "Nodejs",
          2048,
          10,
        ]);
        const module = await import(`file://${output}/functions/hello.func/${vc.handler}`);
        assert.equal(module.config, undefined, "the entry exports no config: .vc-config.json carries it");
        const response: Response = await module.default.GET(new Request("https://x.vercel.app/hello/vi"));
        assert.equal((await response.json()).hello, "vi");
        const top = (await Array.fromAsync(Deno.readDir(`${out}/vercel`))).map((e) => e.name).sort();
        assert.deepEqual(top, [".vercel", "aws-lambda-example.entry.ts", "hello.entry.ts"]);
      },
    );

    await t.step("azure and gcp write a folder per function and its zip, with the same files", async () => {
      for (const target of ["azure", "gcp"]) {
        const files = unzipSync(await Deno.readFile(`${out}/${target}/hello.zip`));
        const names = (await Array.fromAsync(Deno.readDir(`${out}/${target}/hello`))).map((e) => e.name).sort();
        assert.deepEqual(Object.keys(files).sort(), names, target);
        assert.deepEqual(files["index.js"], await Deno.readFile(`${out}/${target}/hello/index.js`), target);
        const pkg = JSON.parse(new TextDecoder().decode(files["package.json"]));
        assert.equal(pkg.main, "index.js", target);
      }
      assert.ok(Object.hasOwn(unzipSync(await Deno.readFile(`${out}/azure/hello.zip`)), "host.json"));
      // hello's kv binding is on Table Storage: the remote build installs its SDK, the range slrs is tested with.
      const azurePkg = JSON.parse(await Deno.readTextFile(`${out}/azure/hello/package.json`));
      assert.equal(azurePkg.dependencies["@azure/data-tables"], await testedRange("@azure/data-tables"));
    });

    await t.step("each bundle imports only what its platform provides", async () => {
      const imports = async (path: string) =>
        [...(await Deno.readTextFile(path)).matchAll(/\bfrom\s*"([^"]+)"/g)].map((m) => m[1]).sort();
      // The Table Storage SDK of hello's kv binding is installed by the app's remote build, like @azure/functions.
      assert.deepEqual(await imports(`${out}/azure/hello/index.js`), ["@azure/data-tables", "@azure/functions"]);
      assert.deepEqual(await imports(`${out}/gcp/hello/index.js`), ["@google-cloud/functions-framework"]);
      // The Lambda Node.js runtime has Node's built-in modules and nothing else.
      assert.deepEqual((await imports(`${out}/aws-lambda/hello.mjs`)).filter((m) => !m?.startsWith("node:")), []);
    });
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("cli.ts build --target aws-lambda-deno streams for a function that requires streaming", async (t) => {
  const out = await Deno.makeTempDir({ prefix: "slrs_build_stream_" });
  try {
    const run = await runCli(["build", "--target", "aws-lambda-deno", STREAM_ENTRY, "--out", out]);
    assert.equal(run.code, 0, run.stderr);

    await t.step("the entry runs the Runtime API client in streaming mode", async () => {
      const entry = await Deno.readTextFile(`${out}/aws-lambda-deno/ticks.entry.ts`);
      assert.match(entry, /await runtime\(fn, \{ responseStream: true \}\);/);
    });

    await t.step("the zip's bootstrap posts the prelude, 8 NUL bytes and the body in streaming mode", async () => {
      const files = unzipSync(await Deno.readFile(`${out}/aws-lambda-deno/ticks.zip`));
      await using api = startRuntimeApi();
      const child = await startBootstrap(files, out, api.api);
      try {
        const event = fixture("function-url.json");
        event.rawPath = "/chunks";
        event.rawQueryString = "";
        event.body = null;
        delete event.cookies;
        delete event.queryStringParameters;
        const http = (event.requestContext as { http: Record<string, string> }).http;
        http.method = "GET";
        http.path = "/chunks";
        await api.invoke(event, { id: "inv-s" });
        const post = api.posts.findLast((p) => p.id === "inv-s")!;
        assert.equal(post.headers["lambda-runtime-function-response-mode"], "streaming");
        assert.equal(
          new TextDecoder().decode(post.bytes),
          `{"statusCode":200,"headers":{"content-type":"text/plain"}}${"\0".repeat(8)}one two three`,
        );
      } finally {
        child.kill("SIGTERM");
        await child.status;
      }
    });
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("cli.ts build refuses a bad command line", async (t) => {
  await t.step("an unknown target exits 2 and lists the targets", async () => {
    const run = await runCli(["build", "--target", "heroku", "examples/hello/main.ts"]);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /--target, one of aws-lambda, aws-lambda-deno, cloudflare, vercel, azure, gcp, deno; got "heroku"/,
    );
  });
  await t.step("no target at all exits 2", async () => {
    const run = await runCli(["build", "examples/hello/main.ts"]);
    assert.equal(run.code, 2);
  });
  await t.step("a bad route fails the build, which is why bundles can leave the route checks out", async () => {
    const dir = await Deno.makeTempDir({ prefix: "slrs_build_bad_" });
    try {
      await Deno.writeTextFile(
        `${dir}/main.ts`,
        `import { Router, serverless } from "${MOD_URL}";\n` +
          `export default serverless({ name: "bad", fetch: new Router().get("/files/*/raw", () => new Response()) });\n`,
      );
      const run = await runCli(["build", "--target", "cloudflare", `${dir}/main.ts`, "--out", `${dir}/dist`]);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /Route GET \/files\/\*\/raw: "\*" may only be the last segment/);
      assert.equal(await Deno.stat(`${dir}/dist`).then(() => true, () => false), false, "nothing was bundled");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
  await t.step("an HTTP-only function gets the fetch-only worker, without the queue and scheduled code", async () => {
    const dir = await Deno.makeTempDir({ prefix: "slrs_build_fetch_" });
    try {
      await Deno.writeTextFile(
        `${dir}/main.ts`,
        `import { Router, serverless } from "${MOD_URL}";\n` +
          `export default serverless({ name: "web", fetch: new Router().get("/", () => new Response("hi")) });\n`,
      );
      const run = await runCli(["build", "--target", "cloudflare", `${dir}/main.ts`, "--out", `${dir}/dist`]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(await Deno.readTextFile(`${dir}/dist/cloudflare/web.entry.ts`), /export default handleFetch\(fn\);/);
      const bundle = await Deno.readTextFile(`${dir}/dist/cloudflare/web.js`);
      assert.doesNotMatch(bundle, /unsettled/, "the queue batch tracking is in the bundle");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
  await t.step("a missing entry exits 1 and names it", async () => {
    const run = await runCli(["build", "--target", "deno", "examples/nowhere/main.ts", "--out", `${ROOT}.slrs/never`]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Could not import examples\/nowhere\/main\.ts/);
  });
});

Deno.test("cli.ts build never writes through a symbolic link in its output", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "slrs_build_links_" });
  const outside = `${dir}/outside`;
  const dist = `${dir}/dist`;
  const untouched = "must stay as it is";
  try {
    await Deno.mkdir(outside);
    await Deno.mkdir(`${dist}/aws-lambda`, { recursive: true });
    for (const name of ["hello.entry.ts", "hello.mjs", "hello.zip"]) {
      await Deno.writeTextFile(`${outside}/${name}`, untouched);
      await Deno.symlink(`${outside}/${name}`, `${dist}/aws-lambda/${name}`);
    }
    await Deno.symlink(outside, `${dist}/deno`);

    await t.step("replaces a link to a file outside dist by the built file", async () => {
      const run = await runCli(["build", "--target", "aws-lambda", "examples/hello/main.ts", "--out", dist]);
      assert.equal(run.code, 0, run.stderr);
      for (const name of ["hello.entry.ts", "hello.mjs", "hello.zip"]) {
        assert.equal(await Deno.readTextFile(`${outside}/${name}`), untouched, name);
        const written = await Deno.lstat(`${dist}/aws-lambda/${name}`);
        assert.ok(written.isFile && !written.isSymlink, name);
      }
      assert.equal(unzipSync(await Deno.readFile(`${dist}/aws-lambda/hello.zip`))["index.mjs"] !== undefined, true);
    });

    await t.step("replaces a linked target directory by a real one", async () => {
      const run = await runCli(["build", "--target", "deno", "examples/hello/main.ts", "--out", dist]);
      assert.equal(run.code, 0, run.stderr);
      assert.ok((await Deno.lstat(`${dist}/deno`)).isDirectory);
      assert.ok((await Deno.stat(`${dist}/deno/hello.js`)).isFile);
      assert.deepEqual((await Array.fromAsync(Deno.readDir(outside))).map((e) => e.name).sort(), [
        "hello.entry.ts",
        "hello.mjs",
        "hello.zip",
      ]);
    });

    await t.step(
      "replaces links inside the Vercel, Azure and Google Cloud folders instead of writing through",
      async () => {
        const planted = `${dir}/planted`;
        await Deno.mkdir(planted);
        await Deno.mkdir(`${dist}/azure`, { recursive: true });
        await Deno.mkdir(`${dist}/gcp/hello`, { recursive: true });
        await Deno.mkdir(`${dist}/vercel`, { recursive: true });
        await Deno.symlink(planted, `${dist}/azure/hello`);
        await Deno.symlink(`${planted}/index.js`, `${dist}/gcp/hello/index.js`);
        await Deno.writeTextFile(`${planted}/index.js`, untouched);
        await Deno.symlink(`${planted}/package.json`, `${dist}/gcp/hello/package.json`);
        await Deno.writeTextFile(`${planted}/package.json`, untouched);
        await Deno.symlink(planted, `${dist}/vercel/.vercel`);
        for (const target of ["azure", "gcp", "vercel"]) {
          const run = await runCli(["build", "--target", target, "examples/hello/main.ts", "--out", dist]);
          assert.equal(run.code, 0, run.stderr);
        }
        const names = (await Array.fromAsync(Deno.readDir(planted))).map((e) => e.name).sort();
        assert.deepEqual(names, ["index.js", "package.json"]);
        assert.equal(await Deno.readTextFile(`${planted}/index.js`), untouched);
        assert.equal(await Deno.readTextFile(`${planted}/package.json`), untouched);
        for (const path of ["azure/hello", "vercel/.vercel"]) {
          assert.ok((await Deno.lstat(`${dist}/${path}`)).isDirectory);
        }
        assert.ok((await Deno.lstat(`${dist}/gcp/hello/index.js`)).isFile);
        assert.ok((await Deno.lstat(`${dist}/vercel/.vercel/output/functions/hello.func/index.mjs`)).isFile);
      },
    );

    await t.step("leaves no temporary file behind", async () => {
      const names = (await Array.fromAsync(Deno.readDir(`${dist}/aws-lambda`))).map((e) => e.name).sort();
      assert.deepEqual(names, ["hello.entry.ts", "hello.mjs", "hello.mjs.map", "hello.zip"]);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Unpacks a Deno Lambda zip's files into a folder under `out` and starts its bootstrap against the Runtime API at `api`. */
async function startBootstrap(files: Record<string, Uint8Array>, out: string, api: string): Promise<Deno.ChildProcess> {
  const task = await Deno.makeTempDir({ dir: out });
  await Deno.writeFile(`${task}/main.js`, files["main.js"]!);
  await Deno.writeFile(`${task}/bootstrap`, files.bootstrap!, { mode: 0o755 });
  return new Deno.Command(`${task}/bootstrap`, {
    env: {
      DENO: Deno.execPath(),
      LAMBDA_TASK_ROOT: task,
      AWS_LAMBDA_RUNTIME_API: api,
      DENO_DIR: `${task}/.deno`,
      RUST_BACKTRACE: "0",
    },
    stdout: "null",
    stderr: "null",
  }).spawn();
}
