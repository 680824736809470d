/**
 * The npm package as a Node user gets it: built with scripts/build_npm.ts, packed with `npm pack`, installed from the
 * tarball into a fresh project with npm, and used from Node (the `node` on PATH: 20 here, 20 and 22 in CI).
 *
 * tests/fixtures/aws/apigw-v2.json is aws/aws-lambda-go `events/testdata/apigw-v2-request-no-authorizer.json`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import ts from "npm:typescript@^5.9.3";
import { buildNpm, BUNDLE_ONLY_MODULES, type PackageJson } from "../scripts/build_npm.ts";
import { pollUntil } from "./support/poll.ts";
import { schemaErrors } from "./support/schema.ts";
import { ROOT } from "./support/process.ts";
import { testedRange } from "./support/npm_specifiers.ts";

const NAME = "@slrs/core";
const ENV = {
  NO_COLOR: "1",
  RUST_BACKTRACE: "0",
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_update_notifier: "false",
  npm_config_loglevel: "error",
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  const output = await new Deno.Command(command, { args, cwd, env: { ...ENV, ...env }, stdin: "null" }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

async function ok(command: string, args: string[], cwd: string): Promise<string> {
  const result = await run(command, args, cwd);
  const shown = `${command} ${args.join(" ")}`;
  assert.equal(result.code, 0, `${shown} failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** The PATH without any folder that holds a `deno`: what a Node user without Deno has. */
function pathWithoutDeno(): string {
  const dirs = (Deno.env.get("PATH") ?? "").split(":").filter((dir) => {
    try {
      Deno.statSync(`${dir}/deno`);
      return false;
    } catch {
      return true;
    }
  });
  return dirs.join(":");
}

/** Runs a Node ES module (given as text) inside the consumer project and parses the JSON it prints last. */
async function node(app: string, name: string, code: string): Promise<unknown> {
  await Deno.writeTextFile(`${app}/${name}`, code);
  const stdout = await ok("node", [name], app);
  return JSON.parse(stdout.trim().split("\n").at(-1)!);
}

/** Every module a set of entries reaches through relative imports (in code and in declarations). */
function reachable(dir: string, files: Set<string>, entries: string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file) || !files.has(file)) continue;
    seen.add(file);
    const text = Deno.readTextFileSync(`${dir}/${file}`);
    for (const ref of ts.preProcessFile(text, true, true).importedFiles) {
      if (!ref.fileName.startsWith(".")) continue;
      const target = new URL(ref.fileName, `file:///${file}`).pathname.slice(1);
      queue.push(target, target.replace(/\.js$/, ".d.ts"));
    }
  }
  return seen;
}

Deno.test("the npm package, packed and installed into a fresh project, works on Node", async (t) => {
  const started = performance.now();
  const work = await Deno.makeTempDir({ prefix: "slrs-npm-" });
  const app = `${work}/app`;
  const built = `${work}/package`;
  const nodeVersion = (await ok("node", ["--version"], work)).trim();
  console.log(`Node ${nodeVersion}, npm ${(await ok("npm", ["--version"], work)).trim()}`);
  let pkg: PackageJson;
  let tarball: string;
  try {
    await t.step("scripts/build_npm.ts builds every deno.json export with its types, and the slrs bin", () => {
      const config = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));
      const result = buildNpm(built);
      pkg = result.packageJson;
      assert.deepEqual(Object.keys(pkg.exports).sort(), Object.keys(config.exports).sort());
      for (const [subpath, source] of Object.entries<string>(config.exports)) {
        const base = source.replace(/\.ts$/, "");
        assert.deepEqual(pkg.exports[subpath], { types: `${base}.d.ts`, import: `${base}.js` });
      }
      assert.equal(pkg.name, config.name);
      assert.equal(pkg.version, config.version);
      assert.equal(pkg.license, config.license);
      assert.equal(pkg.engines.node, ">=20");
      assert.equal(pkg.sideEffects, false);
      assert.equal(pkg.bin.slrs, "./cli.js");
      assert.match(Deno.readTextFileSync(`${built}/cli.js`), /^#!\/usr\/bin\/env node\n/);
      // Nothing the published code imports at run time is a dev tool; type packages are optional peers.
      for (const dep of Object.keys(pkg.dependencies ?? {})) assert.ok(!/^(typescript|ajv|hono|@types\/)/.test(dep));
      for (const peer of Object.keys(pkg.peerDependencies ?? {})) {
        assert.equal(pkg.peerDependenciesMeta?.[peer]?.optional, true, `${peer} should be an optional peer`);
      }
    });

    await t.step(
      "npm pack holds the compiled modules, their maps and types, README, LICENSE and the schema only",
      async () => {
        const [packed] = JSON.parse(await ok("npm", ["pack", "--json", "--pack-destination", work], built));
        tarball = `${work}/${packed.filename}`;
        const files: string[] = packed.files.map((f: { path: string }) => f.path).sort();
        const modules = new Set(files.filter((f) => /\.(js|d\.ts)$/.test(f)));
        const swapped = BUNDLE_ONLY_MODULES.map((m) => m.slice(2).replace(/\.ts$/, ""));
        const entries = [
          ...Object.values(pkg.exports).flatMap((e) => [e.import.slice(2), e.types.slice(2)]),
          ...swapped.flatMap((m) => [`${m}.js`, `${m}.d.ts`]),
        ];
        const needed = reachable(built, modules, entries);
        const allowed = new Set(["package.json", "README.md", "LICENSE", "src/info_schema.json"]);
        for (const module of needed) {
          allowed.add(module);
          if (module.endsWith(".js")) allowed.add(`${module}.map`);
        }
        const extra = files.filter((f) => !allowed.has(f));
        assert.deepEqual(extra, [], `the tarball carries files nothing needs: ${extra.join(", ")}`);
        for (const file of [...entries, "README.md", "LICENSE", "cli.js.map"]) {
          assert.ok(files.includes(file), `the tarball lacks ${file}`);
        }
        const unwanted = files.filter((f) =>
          /(^|\/)(tests?|fixtures|scripts|examples|\.github)\/|_test\.|\.ts$/.test(f)
        );
        assert.deepEqual(unwanted.filter((f) => !f.endsWith(".d.ts")), []);
        console.log(
          `npm tarball ${packed.filename}: ${(packed.size / 1024).toFixed(1)} kB packed, ` +
            `${(packed.unpackedSize / 1024).toFixed(1)} kB unpacked, ${files.length} files`,
        );
      },
    );

    await t.step("npm installs the tarball into a fresh project (the JavaScript example)", async () => {
      await Deno.mkdir(app);
      await ok("cp", ["-R", `${ROOT}examples/node/.`, app], work);
      const typescript = `typescript@${await testedRange("typescript")}`;
      const major = nodeVersion.replace(/^v(\d+).*/, "$1");
      const peers = Object.entries(pkg.peerDependencies ?? {})
        .map(([name, range]) => name === "@types/node" ? `${name}@^${major}` : `${name}@${range}`);
      await ok("npm", ["install", "--no-package-lock", tarball, typescript, ...peers], app);
      const installed = JSON.parse(Deno.readTextFileSync(`${app}/node_modules/${NAME}/package.json`));
      assert.equal(installed.version, pkg.version);
      await Deno.stat(`${app}/node_modules/.bin/slrs`);
    });

    await t.step("Node imports every subpath, each with the same exports as the Deno sources", async () => {
      const onNode = await node(
        app,
        "imports.mjs",
        `const exports = ${JSON.stringify(Object.keys(pkg.exports))};
const seen = {};
for (const subpath of exports) {
  const module = await import(subpath === "." ? "${NAME}" : "${NAME}" + subpath.slice(1));
  seen[subpath] = Object.keys(module).sort();
}
console.log(JSON.stringify(seen));`,
      );
      const config = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));
      const onDeno: Record<string, string[]> = {};
      for (const [subpath, source] of Object.entries<string>(config.exports)) {
        onDeno[subpath] = Object.keys(await import(pathToFileURL(`${ROOT}${source}`).href)).sort();
      }
      assert.deepEqual(onNode, onDeno);
      assert.ok(onDeno["."]!.includes("serverless") && onDeno["./node"]!.includes("serve"));
    });

    await t.step("the README's Node example runs as written", async () => {
      const readme = Deno.readTextFileSync(`${ROOT}README.md`);
      const code = readme.match(/```js ignore\n([\s\S]*?)```/)?.[1];
      assert.ok(
        code?.includes(`from "${NAME}/node"`),
        "README has no Node example (```js ignore) using the Node adapter",
      );
      await Deno.writeTextFile(`${app}/readme.mjs`, code!);
      const child = spawnGroup(["node", "readme.mjs"], app, { PORT: "0" });
      let status: Deno.CommandStatus;
      try {
        const listening = () => child.output().match(/Listening on \S+:(\d+)/)?.[1];
        const port = await pollUntil("its Listening line", listening, Boolean);
        const res = await fetch(`http://127.0.0.1:${port}/hello/ada`);
        assert.deepEqual(await res.json(), { hello: "ada" });
      } finally {
        status = await child.stop();
      }
      assert.equal(status.code, 0, `it did not exit cleanly on SIGTERM:\n${child.output()}`);
    });

    await t.step("`npx slrs --info` describes the JavaScript example, valid against the schema", async () => {
      const doc = JSON.parse(await ok("npx", ["--no-install", "slrs", "--info"], app));
      assert.equal(schemaErrors(doc), undefined);
      assert.equal(doc.slrs, pkg.version);
      const [fn] = doc.functions;
      assert.equal(doc.functions.length, 1);
      assert.equal(fn.name, "hello-node");
      assert.equal(fn.entry, "functions/hello.js");
      assert.deepEqual(fn.routes.map((r: { path: string }) => r.path), ["/", "/hello/:name", "/teapot"]);
      assert.equal(fn.requirements.memory, 128);
    });

    await t.step("`npx slrs dev` serves the example on a free port and reloads when it changes", async () => {
      const dev = spawnGroup(["npx", "--no-install", "slrs", "dev", "--port", "0"], app);
      try {
        const url = await pollUntil("the dev server's first line", () => dev.servingUrls()[0], Boolean, 20_000);
        const first = await fetch(`${url}/hello/ada`);
        assert.equal(first.status, 200);
        assert.deepEqual(await first.json(), { hello: "ada", platform: "dev" });
        const teapot = await fetch(`${url}/teapot`);
        assert.equal(teapot.status, 418);
        await teapot.body?.cancel();

        const file = `${app}/functions/hello.js`;
        await Deno.writeTextFile(
          file,
          Deno.readTextFileSync(file).replace("hello: ctx.params.name", "hi: ctx.params.name"),
        );
        const second = await pollUntil("a restart after the edit", () => dev.servingUrls()[1], Boolean, 20_000);
        const res = await fetch(`${second}/hello/ada`);
        assert.deepEqual(await res.json(), { hi: "ada", platform: "dev" });
        assert.match(dev.output(), /GET \/hello\/ada 200/);
      } finally {
        await dev.stop();
      }
    });

    await t.step("`npx slrs build --target aws-lambda` needs no Deno and gives the bytes Deno gives", async () => {
      const onNode = await run(
        "npx",
        ["--no-install", "slrs", "build", "--target", "aws-lambda", "--out", "on-node"],
        app,
        {
          PATH: pathWithoutDeno(),
        },
      );
      assert.equal(onNode.code, 0, onNode.stderr);
      const cli = `${app}/node_modules/${NAME}/cli.js`;
      await ok(Deno.execPath(), ["run", "-A", cli, "build", "--target", "aws-lambda", "--out", "on-deno"], app);
      const names = (dir: string) => Array.from(Deno.readDirSync(dir), (e) => e.name).sort();
      const built = names(`${app}/on-node/aws-lambda`);
      assert.deepEqual(built, ["hello-node.entry.ts", "hello-node.mjs", "hello-node.mjs.map", "hello-node.zip"]);
      assert.deepEqual(names(`${app}/on-deno/aws-lambda`), built);
      for (const name of built) {
        const node = Deno.readFileSync(`${app}/on-node/aws-lambda/${name}`);
        assert.deepEqual(Deno.readFileSync(`${app}/on-deno/aws-lambda/${name}`), node, `${name} differs`);
      }
      const bundle = Deno.readTextFileSync(`${app}/on-node/aws-lambda/hello-node.mjs`);
      assert.ok(!bundle.includes("five-field cron"), "the definition checks are in the bundle");
    });

    await t.step("a handler's error in a built Lambda bundle has its stack at the user's file and line", async () => {
      await Deno.writeTextFile(
        `${app}/functions/boom.js`,
        `import { serverless } from "${NAME}";
export default serverless({
  name: "boom",
  fetch() {
    throw new Error("boom from the user's code");
  },
});
`,
      );
      const build = ["--no-install", "slrs", "build", "--target", "aws-lambda", "functions/boom.js", "--out", "boom"];
      const built = await run("npx", build, app, { PATH: pathWithoutDeno() });
      assert.equal(built.code, 0, built.stderr);
      const event = `${ROOT}tests/fixtures/aws/apigw-v2.json`;
      await Deno.writeTextFile(
        `${app}/invoke.mjs`,
        `import { readFileSync } from "node:fs";
import { handler } from "./boom/aws-lambda/boom.mjs";
const context = { awsRequestId: "r-1", functionName: "boom", getRemainingTimeInMillis: () => 30000 };
const result = await handler(JSON.parse(readFileSync(${JSON.stringify(event)}, "utf8")), context);
console.log(result.statusCode);`,
      );
      const invoked = await run("node", ["--enable-source-maps", "invoke.mjs"], app);
      assert.equal(invoked.stdout.trim(), "500", invoked.stderr);
      assert.match(invoked.stderr, /boom from the user's code/);
      assert.match(invoked.stderr, /functions\/boom\.js:5:11/, invoked.stderr);
    });

    const lambda = "./aws-lambda" in pkg!.exports;
    if (!lambda) {
      console.log(
        "Note: skipping the Lambda step: deno.json exports no ./aws-lambda yet (it comes with that adapter).",
      );
    }
    await t.step({
      name: "a Lambda event (API Gateway v2) runs through @slrs/core/aws-lambda on Node",
      ignore: !lambda,
      fn: async () => {
        const fixture = `${ROOT}tests/fixtures/aws/apigw-v2.json`;
        const result = await node(
          app,
          "lambda.mjs",
          `import { readFileSync } from "node:fs";
import { serverless } from "${NAME}";
import { handle } from "${NAME}/aws-lambda";
const fn = serverless({
  name: "lambda-check",
  fetch: (req, ctx) => Response.json({ method: req.method, path: new URL(req.url).pathname, platform: ctx.platform }),
});
const event = JSON.parse(readFileSync(${JSON.stringify(fixture)}, "utf8"));
const context = {
  awsRequestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", functionName: "lambda-check", functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:us-west-2:123456789012:function:lambda-check", memoryLimitInMB: "128",
  logGroupName: "/aws/lambda/lambda-check", logStreamName: "2026/11/27/[$LATEST]abc", callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 30000, done() {}, fail() {}, succeed() {},
};
console.log(JSON.stringify(await handle(fn)(event, context)));`,
        ) as { statusCode: number; body: string; isBase64Encoded?: boolean };
        assert.equal(result.statusCode, 200);
        const body = result.isBase64Encoded ? atob(result.body) : result.body;
        assert.deepEqual(JSON.parse(body), { method: "GET", path: "/", platform: "aws-lambda" });
      },
    });

    await t.step("a consumer type-checks with tsc --strict against the published .d.ts files", async () => {
      // Every subpath except ./deno, whose types name Deno's own namespace (Deno users get them from Deno).
      const subpaths = Object.keys(pkg.exports).filter((s) => s !== "./deno");
      const namespaces = subpaths.map((s, i) => `import * as m${i} from "${s === "." ? NAME : NAME + s.slice(1)}";`);
      await Deno.writeTextFile(
        `${app}/consumer.ts`,
        `${namespaces.join("\n")}
import { HttpError, Router, serverless, type Context } from "${NAME}";
import { handle, serve, type NodeServer } from "${NAME}/node";
import type { IncomingMessage, ServerResponse } from "node:http";

export const modules = [${subpaths.map((_, i) => `m${i}`).join(", ")}];
interface Env { GREETING?: string }
const router = new Router<Env>().get("/hello/:name", (_req, ctx: Context<Env>) => {
  const name: string = ctx.params.name;
  if (name === "") throw new HttpError(400, "name is empty");
  return Response.json({ hello: name, greeting: ctx.env.GREETING ?? "Hi" });
});
export const fn = serverless<Env>({ name: "typed", requirements: { memory: 256 }, fetch: router });
export const listener: (req: IncomingMessage, res: ServerResponse) => void = handle(fn);
export const start = (): Promise<NodeServer> => serve(fn, { port: 0 });
// The types are real, not \`any\`: each of these must be an error.
// @ts-expect-error memory is a number of MB
serverless({ name: "bad", requirements: { memory: "big" } });
// @ts-expect-error a route's params are strings
new Router().get("/a/:id", (_req, ctx) => Response.json({ id: ctx.params.id satisfies number }));
`,
      );
      await Deno.writeTextFile(
        `${app}/tsconfig.json`,
        JSON.stringify({
          compilerOptions: {
            strict: true,
            module: "nodenext",
            moduleResolution: "nodenext",
            target: "es2022",
            lib: ["es2022"],
            types: ["node"],
            noEmit: true,
            skipLibCheck: false,
          },
          files: ["consumer.ts"],
        }),
      );
      await ok("npx", ["--no-install", "tsc", "-p", ".", "--strict"], app);
    });
  } finally {
    await Deno.remove(work, { recursive: true });
    console.log(`npm consumer test: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
});

/** A command in its own process group (npx → sh → node → watcher → server), stopped as a whole. */
function spawnGroup(command: string[], cwd: string, env: Record<string, string> = {}) {
  // setsid makes the child a group leader, so signalling -pid reaches every process npx starts.
  const child = new Deno.Command("setsid", {
    args: command,
    cwd,
    env: { ...ENV, ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const reading = Promise.all([child.stdout, child.stderr].map(async (stream) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) text += chunk;
  }));
  return {
    output: () => text,
    servingUrls: () => [...text.matchAll(/serving .* on (http:\/\/localhost:\d+)/g)].map((m) => m[1]!),
    async stop(): Promise<Deno.CommandStatus> {
      try {
        Deno.kill(-child.pid, "SIGTERM");
      } catch {
        // Already gone.
      }
      const status = await child.status;
      await reading;
      return status;
    },
  };
}
