/**
 * The AWS Terraform that `slrs iac terraform` writes, checked by Terraform itself: `terraform validate` with the real
 * `hashicorp/aws` provider, for the examples, for a streaming function URL, for the folder the README's `build` then
 * `iac terraform` give in a copy of the AWS example, and for a function whose description and dist path hold
 * `${var.x}` and `%{if}`; then `terraform plan`, to see that such text reaches the planned resource exactly as the user
 * wrote it. The README's `build` and `iac wrangler`, in a copy of the Cloudflare example, are checked by wrangler's own
 * `deploy --dry-run` (wrangler 4, installed on first run into .slrs/cache/wrangler).
 *
 * Terraform and the provider must be installed: the test looks for `terraform` on the PATH and the provider in a
 * filesystem mirror (`<root>/registry.terraform.io/hashicorp/aws/<version>/<os_arch>/`) under /opt, /usr/local or
 * /usr/share, or `SLRS_TF_PLUGIN_DIR`. Without them it says so and is ignored, rather than passing silently. The
 * mirror is given through a CLI configuration (`provider_installation.filesystem_mirror`), which links the provider
 * into `.terraform/` instead of copying it as `-plugin-dir` does.
 */

import assert from "node:assert/strict";
import { MOD_URL, ROOT, runCli } from "./support/process.ts";
import { placeholderArtifacts } from "./support/artifacts.ts";
import { npmCache } from "./support/npm_cache.ts";
import { serverless } from "../mod.ts";
import { describeFunction } from "../src/info.ts";
import { terraform as terraformJson } from "../cli/iac/terraform.ts";
import { wranglerConfig } from "../cli/iac/wrangler.ts";

const HOSTILE = "costs ${var.x} and %{if true}yes%{endif}, $${kept}";
/** A dist folder name Terraform would evaluate if it were written raw. */
const HOSTILE_DIST = "dist-${var.x}-%{if}";

/** Arguments provider 6.x documents that the 5.x provider in the mirror does not know. */
const SIX_ONLY = ["invoked_via_function_url"];

const terraform = await findTerraform();
const mirror = terraform === undefined ? undefined : await findProviderMirror();
const missing = terraform === undefined
  ? "terraform is not on the PATH"
  : mirror === undefined
  ? "no hashicorp/aws provider mirror was found under /opt, /usr/local or /usr/share (set SLRS_TF_PLUGIN_DIR)"
  : undefined;
if (missing !== undefined) console.warn(`terraform_validate_test: ${missing}; the terraform validate test is ignored.`);

Deno.test({
  name: "the generated AWS Terraform passes terraform validate with the real provider",
  ignore: missing !== undefined,
  async fn(t) {
    const dir = await Deno.makeTempDir({ prefix: "slrs_tf_validate_" });
    const infra = `${dir}/infra`;
    const tf = (...args: string[]) => run(terraform!, args, infra, { TF_CLI_CONFIG_FILE: `${dir}/terraformrc` });
    /** Puts `files` in place of the generated Terraform (the provider override stays), fakes the function's zip under
     * `dist`, and validates. */
    const validateInstead = async (files: Record<string, unknown>, dist: string, fn: string) => {
      for (const file of await Array.fromAsync(Deno.readDir(infra))) {
        if (file.name.endsWith(".tf.json") && file.name !== "check_override.tf.json") {
          await Deno.remove(`${infra}/${file.name}`);
        }
      }
      for (const [name, json] of Object.entries(files)) {
        await Deno.writeTextFile(`${infra}/${name}`, JSON.stringify(json));
      }
      await Deno.mkdir(`${dir}/${dist}/aws-lambda`, { recursive: true });
      await Deno.writeTextFile(`${dir}/${dist}/aws-lambda/${fn}.zip`, "not a real zip");
      return await validateProblems(tf);
    };
    try {
      await Deno.writeTextFile(
        `${dir}/terraformrc`,
        `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n` +
          `    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n}\n`,
      );

      await t.step("the examples' Terraform is valid (but for arguments only provider 6.x knows)", async () => {
        await generate(ROOT, infra, `${dir}/dist`);
        const init = await tf("init", "-backend=false", "-input=false", "-no-color");
        assert.equal(init.code, 0, init.output);
        assert.deepEqual(await validateProblems(tf), []);
      });

      await t.step('a streaming function URL (invoke_mode = "RESPONSE_STREAM") is valid', async () => {
        const fn = describeFunction({
          fn: serverless({ name: "live", fetch: () => new Response("ok") }),
          entry: "live.ts",
          exportName: "default",
        });
        // The setting as --info gives it to a function that streams its response.
        fn.platforms["aws-lambda"].settings.invokeMode = "RESPONSE_STREAM";
        const { files, errors } = terraformJson({ slrs: "test", functions: [fn] }, {
          platforms: ["aws-lambda"],
          dist: "../stream-dist",
        });
        assert.deepEqual(errors, []);
        assert.equal(files["aws.tf.json"]!.resource!.aws_lambda_function_url!.live!.invoke_mode, "RESPONSE_STREAM");
        assert.deepEqual(await validateInstead(files, "stream-dist", "live"), []);
      });

      await t.step("a function with kv, bucket and queue bindings, consuming its own queue, is valid", async () => {
        const fn = describeFunction({
          fn: serverless({
            name: "stateful",
            requirements: { env: ["MODE"], bindings: { kv: ["COUNTER"], buckets: ["UPLOADS"], queues: ["jobs"] } },
            fetch: () => new Response("ok"),
            queue: { name: "jobs", run() {} },
          }),
          entry: "stateful.ts",
          exportName: "default",
        });
        const { files, errors } = terraformJson({ slrs: "test", functions: [fn] }, {
          platforms: ["aws-lambda"],
          dist: "../bindings-dist",
        });
        assert.deepEqual(errors, []);
        assert.ok(files["aws.tf.json"]!.resource!.aws_dynamodb_table !== undefined);
        assert.deepEqual(await validateInstead(files, "bindings-dist", "stateful"), []);
      });

      await t.step("bindings overridden to Redis and Upstash, with ${ and quotes in a name, are valid", async () => {
        const fn = describeFunction({
          fn: serverless({
            name: "elsewhere",
            requirements: { bindings: { kv: ["COUNTER"], buckets: ["UPLOADS"], queues: ["jobs"] } },
            fetch: () => new Response("ok"),
            queue: { name: "jobs", run() {} },
          }),
          entry: "elsewhere.ts",
          exportName: "default",
        }, { "aws-lambda": { kvBackend: "upstash", queueBackend: "redis-queue" } });
        // serverless() refuses such a name; an --info document read from elsewhere is not checked.
        fn.requirements.bindings = { kv: ["COUNTER"], buckets: ["UPLOADS"], queues: ['jobs${var.x}%{if}"\\'] };
        const { files, errors } = terraformJson({ slrs: "test", functions: [fn] }, {
          platforms: ["aws-lambda"],
          dist: "../bindings-dist",
        });
        assert.deepEqual(errors, []);
        const resources = files["aws.tf.json"]!.resource!;
        assert.equal(resources.aws_dynamodb_table, undefined, "no table for a kv binding on Upstash");
        assert.ok(resources.aws_s3_bucket !== undefined, "the bucket binding stays on S3");
        assert.doesNotMatch(JSON.stringify(resources.aws_iam_role_policy), /dynamodb|sqs:/);
        assert.deepEqual(await validateInstead(files, "bindings-dist", "elsewhere"), []);
      });

      await t.step(
        "the README's build then iac terraform, in a copy of the example, gives a valid folder",
        async () => {
          const project = await exampleCopy(dir, "aws-lambda", "main.ts");
          // Exactly the README's build and iac terraform commands, with nothing built beforehand by the test.
          const commands = (await readmeDeployCommands()).filter(([command, kind]) =>
            command === "build" || kind === "terraform"
          );
          assert.deepEqual(commands.map((args) => args.slice(0, 2)), [["build", "--target"], ["iac", "terraform"]]);
          for (const args of commands) {
            const step = await runCli(args, project);
            assert.equal(step.code, 0, `${args.join(" ")}: ${step.stderr}`);
          }
          const written = (await Array.fromAsync(Deno.readDir(`${project}/infra`))).map((e) => e.name).sort();
          assert.deepEqual(written, [".slrs-iac.json", "aws.tf.json", "main.tf.json"], "only what was built");
          await checkOverride(`${project}/infra`);
          const tfHere = (...args: string[]) =>
            run(terraform!, args, `${project}/infra`, { TF_CLI_CONFIG_FILE: `${dir}/terraformrc` });
          const init = await tfHere("init", "-backend=false", "-input=false", "-no-color");
          assert.equal(init.code, 0, init.output);
          assert.deepEqual(await validateProblems(tfHere), []);
        },
      );

      await t.step("a description and a dist path with ${var.x} and %{if} are valid too", async () => {
        const project = `${dir}/project`;
        await Deno.mkdir(project);
        await Deno.writeTextFile(
          `${project}/main.ts`,
          `import { serverless } from "${MOD_URL}";\n` +
            `export default serverless({ name: "shop", description: ${JSON.stringify(HOSTILE)}, ` +
            `scheduled: { cron: "0 3 * * *", run() {} }, fetch: () => new Response("ok") });\n`,
        );
        for (const file of await Array.fromAsync(Deno.readDir(infra))) {
          if (file.name.endsWith(".tf.json")) await Deno.remove(`${infra}/${file.name}`);
        }
        await generate(project, infra, `${project}/${HOSTILE_DIST}`, ["main.ts"]);
        assert.deepEqual(await validateProblems(tf), []);
      });

      await t.step("terraform plan gives the resource the user's text exactly", async () => {
        // The 5.x provider refuses the 6.x-only arguments; a plan needs them gone.
        const aws = JSON.parse(await Deno.readTextFile(`${infra}/aws.tf.json`));
        for (const permission of Object.values(aws.resource.aws_lambda_permission) as Record<string, unknown>[]) {
          for (const key of SIX_ONLY) delete permission[key];
        }
        await Deno.writeTextFile(`${infra}/aws.tf.json`, JSON.stringify(aws));
        const plan = await tf("plan", "-input=false", "-refresh=false", "-lock=false", "-no-color", "-out=plan");
        assert.equal(plan.code, 0, plan.output);
        const shown = await tf("show", "-json", "plan");
        assert.equal(shown.code, 0, shown.output);
        const resources = JSON.parse(shown.stdout).planned_values.root_module.resources as {
          address: string;
          values: Record<string, unknown>;
        }[];
        const values = (address: string) => resources.find((r) => r.address === address)!.values;
        assert.equal(values("aws_lambda_function.shop").description, HOSTILE);
        assert.equal(values("aws_cloudwatch_event_rule.shop_schedule_0").description, "shop: 0 3 * * *");
        assert.ok(String(values("aws_lambda_function.shop").filename).includes(`/${HOSTILE_DIST}/aws-lambda/shop.zip`));
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** Writes the AWS Terraform for `entries` (all of `slrs.functions` by default), over a placeholder zip per function. */
async function generate(cwd: string, infra: string, dist: string, entries: string[] = []): Promise<void> {
  // filebase64sha256() reads the zips while validating; any bytes do.
  await placeholderArtifacts(cwd, dist, ["aws-lambda"], entries);
  const iac = await runCli(
    ["iac", "terraform", "--platform", "aws-lambda", ...entries, "--out", infra, "--dist", dist],
    cwd,
  );
  assert.equal(iac.code, 0, iac.stderr);
  await checkOverride(infra);
}

/** Only for the check: the mirror's provider is 5.x, and it needs a region and no calls to AWS. */
async function checkOverride(infra: string): Promise<void> {
  await Deno.writeTextFile(
    `${infra}/check_override.tf.json`,
    JSON.stringify({
      terraform: { required_providers: { aws: { source: "hashicorp/aws", version: ">= 5.0" } } },
      provider: {
        aws: {
          region: "us-east-1",
          access_key: "test",
          secret_key: "test",
          skip_credentials_validation: true,
          skip_requesting_account_id: true,
          skip_metadata_api_check: true,
        },
      },
    }),
  );
}

/**
 * The CLI arguments of the commands in the README's "Build and deploy" block, without their comments: `deno task slrs`
 * is the project's task for the CLI, which here is this checkout's `cli.ts`.
 */
async function readmeDeployCommands(): Promise<string[][]> {
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  const section = readme.slice(readme.indexOf("## Build and deploy"));
  const block = section.slice(0, section.indexOf("\n\n", section.indexOf("    ")));
  return block.split("\n")
    .filter((line) => line.startsWith("    deno task slrs "))
    .map((line) => line.replace(/\s+#.*$/, "").trim().split(/\s+/).slice(3));
}

/** A copy of `examples/<name>/` in `dir`, its imports of the library pointed at this checkout, as its only function. */
async function exampleCopy(dir: string, name: string, entry: string): Promise<string> {
  const project = `${dir}/${name}-example`;
  await Deno.mkdir(project);
  for await (const file of Deno.readDir(`${ROOT}examples/${name}`)) {
    if (!file.isFile) continue;
    const text = await Deno.readTextFile(`${ROOT}examples/${name}/${file.name}`);
    await Deno.writeTextFile(`${project}/${file.name}`, text.replaceAll('"../../mod.ts"', JSON.stringify(MOD_URL)));
  }
  const config = JSON.parse(await Deno.readTextFile(`${project}/deno.json`).catch(() => "{}"));
  await Deno.writeTextFile(`${project}/deno.json`, JSON.stringify({ ...config, slrs: { functions: [entry] } }));
  return project;
}

/** `terraform validate`'s errors and warnings, less the 6.x-only arguments the 5.x provider does not know. */
async function validateProblems(tf: (...args: string[]) => Promise<Output>): Promise<string[]> {
  const result = await tf("validate", "-json", "-no-color");
  const report = JSON.parse(result.stdout) as {
    diagnostics: { severity: string; summary: string; detail: string; snippet?: { context?: string } }[];
  };
  return report.diagnostics
    .filter((d) => !SIX_ONLY.some((name) => d.detail.includes(`named "${name}"`)))
    .map((d) => `${d.severity}: ${d.summary}: ${d.detail} (${d.snippet?.context ?? "?"})`);
}

interface Output {
  code: number;
  stdout: string;
  output: string;
}

async function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<Output> {
  const result = await new Deno.Command(command, {
    args,
    cwd,
    env: { ...env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" },
    stdin: "null",
  }).output();
  const stdout = new TextDecoder().decode(result.stdout);
  return { code: result.code, stdout, output: stdout + new TextDecoder().decode(result.stderr) };
}

async function findTerraform(): Promise<string | undefined> {
  try {
    const found = await run("sh", ["-c", "command -v terraform"], ROOT);
    return found.code === 0 ? found.stdout.trim() : undefined;
  } catch {
    return undefined;
  }
}

/** The root of a filesystem mirror that holds hashicorp/aws: six levels above the provider binary. */
async function findProviderMirror(): Promise<string | undefined> {
  const given = Deno.env.get("SLRS_TF_PLUGIN_DIR");
  if (given !== undefined) return given;
  const found = await run("sh", [
    "-c",
    "find /opt /usr/local /usr/share -maxdepth 7 -type f -name 'terraform-provider-aws_*' 2>/dev/null | head -n 1",
  ], ROOT);
  const binary = found.stdout.trim();
  if (binary === "") return undefined;
  return binary.split("/").slice(0, -6).join("/");
}

Deno.test("the README's build then iac wrangler gives a Worker that wrangler deploy --dry-run accepts", async (t) => {
  let cache: string;
  try {
    cache = await npmCache("wrangler", { wrangler: "4" });
  } catch (error) {
    console.warn(`terraform_validate_test: wrangler@4 could not be installed, so wrangler was not run: ${error}`);
    return;
  }
  const dir = await Deno.makeTempDir({ prefix: "slrs_wrangler_dry_" });
  try {
    const project = await exampleCopy(dir, "cloudflare", "main.ts");
    // The README's build, for the Worker target its comment lists, then its iac wrangler.
    const commands = await readmeDeployCommands();
    const build = commands.find(([command]) => command === "build")!.map((arg) =>
      arg === "aws-lambda" ? "cloudflare" : arg
    );
    for (const args of [build, commands.find(([command, kind]) => command === "iac" && kind === "wrangler")!]) {
      const step = await runCli(args, project);
      assert.equal(step.code, 0, `${args.join(" ")}: ${step.stderr}`);
    }
    await t.step("wrangler reads the generated wrangler.jsonc and the built bundle", async () => {
      const dry = await run(
        `${cache}node_modules/.bin/wrangler`,
        ["deploy", "--dry-run", "--outdir", `${dir}/out`, "-c", "infra/wrangler/cloudflare-example/wrangler.jsonc"],
        project,
        { HOME: dir, PATH: Deno.env.get("PATH") ?? "", WRANGLER_SEND_METRICS: "false", CI: "1" },
      );
      assert.equal(dry.code, 0, dry.output);
      assert.match(dry.output, /--dry-run: exiting now/);
      assert.match(dry.output, /env\.CACHE/);
    });
    await t.step("wrangler reads the KV, R2 and queue bindings iac wrangler writes for them", async () => {
      const fn = describeFunction({
        fn: serverless({
          name: "stateful",
          requirements: { bindings: { kv: ["COUNTER"], buckets: ["UPLOADS"], queues: ["jobs"] } },
          fetch: () => new Response("ok"),
          queue: { name: "jobs", run() {} },
        }),
        entry: "stateful.ts",
        exportName: "default",
      });
      const config = wranglerConfig(fn, { main: "dist/cloudflare/cloudflare-example.js" })
        .replace("<id of stateful-COUNTER>", "0123456789abcdef0123456789abcdef");
      await Deno.writeTextFile(`${project}/stateful.wrangler.jsonc`, config);
      const dry = await run(
        `${cache}node_modules/.bin/wrangler`,
        ["deploy", "--dry-run", "--outdir", `${dir}/out-stateful`, "-c", "stateful.wrangler.jsonc"],
        project,
        { HOME: dir, PATH: Deno.env.get("PATH") ?? "", WRANGLER_SEND_METRICS: "false", CI: "1" },
      );
      assert.equal(dry.code, 0, dry.output);
      assert.match(dry.output, /env\.COUNTER/);
      assert.match(dry.output, /env\.UPLOADS \(stateful-uploads\)/);
      assert.match(dry.output, /env\.jobs \(jobs\)/);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
