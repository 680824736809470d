import assert from "node:assert/strict";
import { schemaErrors } from "./support/schema.ts";
import { VERSION } from "../mod.ts";
import { CLI_RUNTIMES } from "./support/cli_runtimes.ts";
import { DenoProcess, MOD_URL, ROOT, runCli } from "./support/process.ts";

async function project(files: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "slrs_cli_" });
  for (const [name, text] of Object.entries(files)) {
    const path = `${dir}/${name}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(path, text);
  }
  return dir;
}

const entry = (name: string, extra = "") => `
import { Router, serverless } from "${MOD_URL}";
console.log("module side effect on stdout");
export default serverless({
  name: "${name}",
  requirements: { memory: 512, timeout: 30 },
  fetch: new Router().get("/x/:id", () => new Response("x")),
  ${extra}
});
`;

Deno.test("cli.ts --info on the hello example prints one schema-valid JSON document", async () => {
  const run = await runCli(["--info", "examples/hello/main.ts"]);
  assert.equal(run.code, 0, run.stderr);
  const doc = JSON.parse(run.stdout);
  assert.equal(schemaErrors(doc), undefined);
  const [hello] = doc.functions;
  assert.equal(hello.name, "hello");
  assert.equal(hello.entry, "examples/hello/main.ts");
  assert.equal(hello.export, "default");
  assert.ok(hello.routes.length >= 3);
  assert.deepEqual(hello.triggers.map((t: { type: string }) => t.type), ["http", "schedule"]);
  assert.equal(hello.requirements.memory, 256);
  assert.deepEqual(Object.keys(hello.platforms), ["aws-lambda", "cloudflare", "azure", "vercel", "gcp"]);
  assert.match(hello.platforms.cloudflare.warnings.join(), /256 MB is above the 128 MB/);
});

Deno.test("cli.ts --info discovers entries, applies overrides and keeps stdout for JSON", async (t) => {
  const dir = await project({
    "deno.json": JSON.stringify({
      slrs: {
        functions: ["functions/*.ts"],
        overrides: { orders: { "aws-lambda": { memory: 1024, timeout: 60 } } },
      },
    }),
    "functions/orders.ts": entry("orders", 'queue: { name: "orders", run() {} },'),
    "functions/billing.ts": entry("billing"),
    "functions/notes.md": "not an entry",
    "overrides.json": JSON.stringify({ orders: { "aws-lambda": { timeout: 120 } } }),
  });

  await t.step("finds every entry the globs match, sorted", async () => {
    const run = await runCli(["--info"], dir);
    assert.equal(run.code, 0, run.stderr);
    const doc = JSON.parse(run.stdout);
    assert.equal(schemaErrors(doc), undefined);
    assert.deepEqual(doc.functions.map((f: { entry: string }) => f.entry), [
      "functions/billing.ts",
      "functions/orders.ts",
    ]);
    const lambda = doc.functions[1].platforms["aws-lambda"];
    assert.equal(lambda.settings.memory, 1024);
    assert.deepEqual(lambda.overridden, ["memory", "timeout"]);
    assert.match(run.stderr, /module side effect on stdout/);
  });

  await t.step("an --overrides file wins over deno.json, setting by setting", async () => {
    const run = await runCli(["--info", "--overrides", "overrides.json"], dir);
    assert.equal(run.code, 0, run.stderr);
    const lambda = JSON.parse(run.stdout).functions[1].platforms["aws-lambda"];
    assert.equal(lambda.settings.memory, 1024);
    assert.equal(lambda.settings.timeout, 120);
  });

  await t.step("a bad override names the key and exits 1", async () => {
    await Deno.writeTextFile(`${dir}/bad.json`, JSON.stringify({ orders: { "aws-lambda": { memroy: 1 } } }));
    const run = await runCli(["--info", "--overrides", "bad.json"], dir);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, "");
    assert.match(
      run.stderr,
      /--overrides bad\.json: orders\.aws-lambda\.memroy: unknown setting \(did you mean "memory"\?\).* Fix the override in bad\.json\./,
    );
  });

  await Deno.remove(dir, { recursive: true });
});

Deno.test("cli.ts reports user mistakes with a message and an exit code", async (t) => {
  const dir = await project({
    "broken.ts": "export default ;",
    "throws.ts": 'throw new Error("cannot reach the database");',
    "empty.ts": "export const x = 1;",
    "a.ts": entry("same"),
    "b.ts": entry("same"),
    "invalid.ts":
      `import { serverless } from "${MOD_URL}"; export default serverless({ name: "x", requirements: { memory: 1 } });`,
  });

  await t.step("--help prints usage and exits 0", async () => {
    const run = await runCli(["--help"]);
    assert.equal(run.code, 0);
    assert.match(
      run.stdout,
      /Usage:[\s\S]*--info[\s\S]*dev[\s\S]*build --target[\s\S]*iac terraform[\s\S]*iac wrangler/,
    );
  });

  await t.step("a flag of another command exits 2 and names it", async () => {
    const info = await runCli(["--info", "a.ts", "--target", "deno"]);
    assert.equal(info.code, 2);
    assert.match(info.stderr, /--target not used by --info/);
    const build = await runCli(["build", "--target", "deno", "--platform", "cloudflare"]);
    assert.equal(build.code, 2);
    assert.match(build.stderr, /--platform not used by build/);
  });

  await t.step("--version prints the version", async () => {
    const run = await runCli(["--version"]);
    assert.equal(run.stdout.trim(), VERSION);
  });

  await t.step("an unknown command exits 2 and lists what is accepted", async () => {
    const run = await runCli(["deploy"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /unknown command "deploy"; the commands are --info, dev, build, iac and init/);
    assert.match(run.stderr, /Usage:/);
  });

  await t.step("an unknown flag exits 2", async () => {
    const run = await runCli(["--info", "--verbose"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /Unknown option '--verbose'/);
  });

  await t.step("a bad --port exits 2", async () => {
    const run = await runCli(["dev", "a.ts", "--port", "http"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--port must be a whole number from 0 to 65535; got "http"/);
  });

  await t.step("an entry with a syntax error names the file and exits 1", async () => {
    const run = await runCli(["--info", "broken.ts"], dir);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Could not import broken\.ts: /);
  });

  await t.step("an entry that throws while loading names the file and the cause", async () => {
    const run = await runCli(["--info", "throws.ts"], dir);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Could not import throws\.ts: cannot reach the database/);
  });

  await t.step("a missing entry names the file", async () => {
    const run = await runCli(["--info", "nope.ts"], dir);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Could not import nope\.ts/);
  });

  await t.step("an entry without a function says how to export one", async () => {
    const run = await runCli(["--info", "empty.ts"], dir);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /empty\.ts exports no function defined with serverless\(\)/);
  });

  await t.step("a definition error surfaces with its field", async () => {
    const run = await runCli(["--info", "invalid.ts"], dir);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /requirements\.memory must be an integer from 128 to 10240/);
  });

  await t.step("two functions with one name are refused", async () => {
    const run = await runCli(["--info", "a.ts", "b.ts"], dir);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Two functions are named "same": a\.ts \(default\) and b\.ts \(default\)/);
  });

  await t.step("no entries and no globs explains where to list them", async () => {
    const run = await runCli(["--info"], dir);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /No entries: pass them/);
  });

  await Deno.remove(dir, { recursive: true });
});

Deno.test("deno.json discovers the examples", async () => {
  const run = await runCli(["--info"], ROOT);
  assert.equal(run.code, 0, run.stderr);
  const names = JSON.parse(run.stdout).functions.map((f: { name: string }) => f.name);
  assert.ok(names.includes("hello"), names.join());
});

Deno.test("deno serve runs a function with no adapter", async () => {
  const server = new DenoProcess(["serve", "--port", "0", "--host", "127.0.0.1", "examples/hello/main.ts"], ROOT);
  try {
    const match = await server.waitFor(/Listening on http:\/\/[^:]+:(\d+)/, { stream: "stderr" });
    const res = await fetch(`http://127.0.0.1:${match[1]}/hello/serve`);
    assert.deepEqual(await res.json(), { hello: "serve", greeting: "Hello" });
  } finally {
    await server.stop();
  }
});

for (const runtime of CLI_RUNTIMES) {
  Deno.test(
    `help shows each command's options and examples, and suggests what was meant, on ${runtime.name}`,
    async (t) => {
      const dir = await Deno.makeTempDir({ prefix: `slrs_cli_help_${runtime.name}_` });
      const cli = (args: string[]) => runtime.run(args, dir);
      try {
        await runtime.project(dir);
        for (const command of ["--info", "dev", "build", "iac", "init"]) {
          await t.step(`help ${command} and ${command} --help print its options and two examples`, async () => {
            const [viaHelp, viaFlag] = await Promise.all([cli(["help", command]), cli([command, "--help"])]);
            assert.equal(viaHelp.code, 0, viaHelp.stderr);
            assert.equal(viaFlag.code, 0, viaFlag.stderr);
            assert.equal(viaFlag.stdout, viaHelp.stdout);
            assert.match(viaHelp.stdout, /^Options:$/m);
            const bare = command.replace(/^--/, "\\-\\-");
            const deno = viaHelp.stdout.match(new RegExp(`^    deno run -A jsr:@slrs/core/cli ${bare}\\b`, "gm")) ?? [];
            const node = viaHelp.stdout.match(new RegExp(`^    npx slrs ${bare}\\b`, "gm")) ?? [];
            assert.ok(deno.length >= 2 && node.length >= 2, viaHelp.stdout);
          });
        }

        await t.step("build --help lists the targets", async () => {
          const run = await cli(["build", "--help"]);
          assert.match(run.stdout, /Targets: aws-lambda, aws-lambda-deno, cloudflare/);
        });

        await t.step("a mistyped command exits 2 and suggests the command", async () => {
          const run = await cli(["biuld"]);
          assert.equal(run.code, 2);
          assert.match(run.stderr, /unknown command "biuld" \(did you mean "build"\?\)/);
        });

        await t.step("help for a mistyped command exits 2 and suggests the command", async () => {
          const run = await cli(["help", "iak"]);
          assert.equal(run.code, 2);
          assert.match(run.stderr, /no help for "iak" \(did you mean "iac"\?\)/);
        });

        await t.step("a mistyped --target exits 2 and suggests the target", async () => {
          const run = await cli(["build", "--target", "aws-lamda"]);
          assert.equal(run.code, 2);
          assert.match(run.stderr, /--target, one of .*; got "aws-lamda" \(did you mean "aws-lambda"\?\)/);
        });

        await t.step("a mistyped --platform exits 2 and suggests the platform", async () => {
          const run = await cli(["iac", "terraform", "--platform", "cloudflar"]);
          assert.equal(run.code, 2);
          assert.match(run.stderr, /--platform cloudflar \(did you mean "cloudflare"\?\)/);
        });
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  );
}
