/**
 * `cli.ts iac terraform|wrangler`: golden files for the examples, structural checks of the Terraform JSON against the
 * providers' documented attributes, overrides (precedence, and errors for values a platform cannot take), and the
 * cron conversion for EventBridge.
 *
 * Regenerate the golden files after an intended change with
 * `SLRS_UPDATE_GOLDEN=1 deno test -A tests/iac_test.ts` and review the diff (tests/golden/README.md).
 */

import assert from "node:assert/strict";
import { describeFunction, type InfoDocument, type Overrides } from "../src/info.ts";
import { eventBridgeCron } from "../cli/iac/cron.ts";
import { literal, terraform, TerraformFile } from "../cli/iac/terraform.ts";
import { wranglerConfig } from "../cli/iac/wrangler.ts";
import { serverless } from "../mod.ts";
import { MOD_URL, ROOT, runCli } from "./support/process.ts";
import { templates, terraformProblems } from "./support/iac_checks.ts";
import { placeholderArtifacts } from "./support/artifacts.ts";

const GOLDEN = `${ROOT}tests/golden/iac`;
const UPDATE = Deno.env.get("SLRS_UPDATE_GOLDEN") === "1";

type Json = Record<string, unknown>;

async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = `${prefix}${entry.name}`;
    if (entry.isDirectory) files.push(...await listFiles(`${dir}/${entry.name}`, `${path}/`));
    else files.push(path);
  }
  return files.sort();
}

function stripComments(text: string): string {
  return text.replace(/("(?:\\.|[^"\\])*")|\/\/[^\n]*/g, (_, string) => string ?? "");
}

/** One function's `--info` entry, described in-process. */
function info(options: Parameters<typeof serverless>[0], overrides?: Overrides[string]) {
  return describeFunction({ fn: serverless(options), entry: "functions/x.ts", exportName: "default" }, overrides);
}

const doc = (...functions: ReturnType<typeof info>[]): InfoDocument => ({ slrs: "test", functions });

Deno.test("iac terraform and iac wrangler on the examples match the golden files", async (t) => {
  const tmp = await Deno.makeTempDir({ prefix: "slrs_iac_" });
  try {
    await placeholderArtifacts(ROOT, `${tmp}/dist`, ["aws-lambda", "cloudflare", "azure", "gcp"]);
    const terraformRun = await runCli(["iac", "terraform", "--out", `${tmp}/infra`, "--dist", `${tmp}/dist`]);
    assert.equal(terraformRun.code, 0, terraformRun.stderr);
    const wranglerRun = await runCli(["iac", "wrangler", "--out", `${tmp}/infra/wrangler`, "--dist", `${tmp}/dist`]);
    assert.equal(wranglerRun.code, 0, wranglerRun.stderr);
    await Deno.remove(`${tmp}/infra/.slrs-iac.json`);
    const written = await listFiles(`${tmp}/infra`);

    if (UPDATE) {
      await Deno.remove(GOLDEN, { recursive: true }).catch(() => {});
      for (const file of written) {
        await Deno.mkdir(`${GOLDEN}/${file}`.replace(/\/[^/]+$/, ""), { recursive: true });
        await Deno.copyFile(`${tmp}/infra/${file}`, `${GOLDEN}/${file}`);
      }
      console.log(`Updated ${written.length} golden files in tests/golden/iac/.`);
    }

    await t.step("writes the same files, with the same text", async () => {
      assert.deepEqual(written, await listFiles(GOLDEN), "the set of files differs from tests/golden/iac/");
      for (const file of written) {
        const actual = await Deno.readTextFile(`${tmp}/infra/${file}`);
        const expected = await Deno.readTextFile(`${GOLDEN}/${file}`);
        assert.equal(actual, expected, `${file} differs from the golden file; if intended, SLRS_UPDATE_GOLDEN=1`);
      }
    });

    await t.step("says which file it wrote and which requirements a platform cannot meet", () => {
      assert.match(terraformRun.stderr, /wrote .*main\.tf\.json/);
      assert.match(terraformRun.stderr, /warning: hello on cloudflare: memory 256 MB is above the 128 MB/);
    });

    await t.step("the Terraform JSON passes the structural checks", async () => {
      const files: Record<string, Json> = {};
      for (const file of written.filter((f) => f.endsWith(".tf.json"))) {
        files[file] = JSON.parse(await Deno.readTextFile(`${tmp}/infra/${file}`));
      }
      assert.deepEqual(Object.keys(files).sort(), [
        "aws.tf.json",
        "azure.tf.json",
        "cloudflare.tf.json",
        "gcp.tf.json",
        "main.tf.json",
      ]);
      assert.deepEqual(terraformProblems(files), []);
    });

    await t.step("the wrangler configurations are JSONC with what the functions need", async () => {
      const config = JSON.parse(
        stripComments(await Deno.readTextFile(`${tmp}/infra/wrangler/cloudflare-example/wrangler.jsonc`)),
      );
      assert.equal(config.main, "../../../dist/cloudflare/cloudflare-example.js");
      assert.deepEqual(config.kv_namespaces.map((kv: Json) => kv.binding), ["CACHE"]);
      assert.deepEqual(config.d1_databases.map((d1: Json) => d1.binding), ["DB"]);
      assert.deepEqual(config.triggers.crons, ["0 3 * * *", "*/15 * * * *"]);
      assert.deepEqual(config.queues.consumers.map((c: Json) => c.queue), ["jobs"]);
      assert.deepEqual(config.limits, { cpu_ms: 30000 });
    });
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("Terraform for AWS Lambda", async (t) => {
  const shop = info({
    name: "shop",
    requirements: { memory: 512, timeout: 20, env: ["DATABASE_URL"], bindings: { secrets: ["API_KEY"] } },
    fetch: () => new Response("ok"),
    scheduled: [{ cron: "*/15 * * * *", run() {} }, { cron: "30 2 * * 1-5", run() {} }],
    queue: { name: "orders", run() {} },
  });
  const { files, errors } = terraform(doc(shop), { platforms: ["aws-lambda"] });
  const aws = files["aws.tf.json"]!.resource!;

  await t.step("describes the function with its settings, role, log group and a function URL", () => {
    assert.deepEqual(errors, []);
    const lambda = aws.aws_lambda_function!.shop!;
    assert.equal(lambda.runtime, "nodejs22.x");
    assert.equal(lambda.handler, "index.handler");
    assert.equal(lambda.memory_size, 512);
    assert.equal(lambda.timeout, 20);
    assert.deepEqual(lambda.architectures, ["arm64"]);
    assert.equal(lambda.filename, "${local.dist}/aws-lambda/shop.zip");
    assert.equal(lambda.source_code_hash, '${filebase64sha256("${local.dist}/aws-lambda/shop.zip")}');
    assert.equal(aws.aws_cloudwatch_log_group!.shop!.name, "/aws/lambda/shop");
    assert.equal(aws.aws_cloudwatch_log_group!.shop!.retention_in_days, 14);
    assert.equal(aws.aws_lambda_function_url!.shop!.authorization_type, "NONE");
    const actions = Object.values(aws.aws_lambda_permission!).map((p) => String(p.action));
    assert.ok(actions.includes("lambda:InvokeFunctionUrl") && actions.includes("lambda:InvokeFunction"));
    assert.deepEqual(terraformProblems(files), []);
  });

  await t.step("passes the environment through a checked variable", () => {
    const variable = files["main.tf.json"]!.variable!.shop_env!;
    assert.equal(variable.type, "map(string)");
    assert.match(JSON.stringify(variable.validation), /DATABASE_URL.*API_KEY/);
    assert.deepEqual(aws.aws_lambda_function!.shop!.environment, { variables: "${var.shop_env}" });
  });

  await t.step("gives SQS rights and reports batch item failures for a queue trigger", () => {
    const policies = Object.values(aws.aws_iam_role_policy_attachment!).map((p) => p.policy_arn);
    assert.ok(policies.some((arn) => String(arn).endsWith("AWSLambdaSQSQueueExecutionRole")));
    const mapping = aws.aws_lambda_event_source_mapping!.shop_orders!;
    assert.deepEqual(mapping.function_response_types, ["ReportBatchItemFailures"]);
    assert.equal(mapping.event_source_arn, "${aws_sqs_queue.orders.arn}");
    assert.equal(aws.aws_sqs_queue!.orders!.visibility_timeout_seconds, 120);
  });

  await t.step("turns each schedule into an EventBridge rule, target and permission", () => {
    const rules = Object.values(aws.aws_cloudwatch_event_rule!).map((r) => r.schedule_expression);
    assert.deepEqual(rules, ["cron(*/15 * * * ? *)", "cron(30 2 ? * 2-6 *)"]);
    assert.equal(Object.keys(aws.aws_cloudwatch_event_target!).length, 2);
    const fromEvents = Object.values(aws.aws_lambda_permission!).filter((p) => p.principal === "events.amazonaws.com");
    assert.equal(fromEvents.length, 2);
  });

  await t.step("exposure http-api makes an HTTP API with payload 2.0 instead of a function URL", () => {
    const fn = info({ name: "api", fetch: () => new Response("ok") }, { "aws-lambda": { exposure: "http-api" } });
    const result = terraform(doc(fn), { platforms: ["aws-lambda"] });
    const resources = result.files["aws.tf.json"]!.resource!;
    assert.equal(resources.aws_lambda_function_url, undefined);
    assert.equal(resources.aws_apigatewayv2_integration!.api!.payload_format_version, "2.0");
    assert.equal(resources.aws_apigatewayv2_route!.api!.route_key, "$default");
    assert.equal(resources.aws_apigatewayv2_stage!.api!.auto_deploy, true);
    assert.equal(resources.aws_lambda_permission!.api_api!.source_arn, "${aws_apigatewayv2_api.api.execution_arn}/*/*");
    assert.equal(result.files["aws.tf.json"]!.output!.api_aws_url!.value, "${aws_apigatewayv2_api.api.api_endpoint}");
    assert.deepEqual(terraformProblems(result.files), []);
  });

  await t.step("runtime provided.al2023 takes the Deno zip and its bootstrap", () => {
    const fn = info({ name: "d", fetch: () => new Response("ok") }, { "aws-lambda": { runtime: "provided.al2023" } });
    const lambda = terraform(doc(fn), { platforms: ["aws-lambda"] }).files["aws.tf.json"]!.resource!
      .aws_lambda_function!.d!;
    assert.equal(lambda.handler, "bootstrap");
    assert.equal(lambda.filename, "${local.dist}/aws-lambda-deno/d.zip");
  });

  await t.step('invokeMode "RESPONSE_STREAM" sets the function URL\'s invoke_mode; buffered writes none', () => {
    const streaming = info({ name: "live", fetch: () => new Response("ok") });
    // The setting as --info gives it for a function that requires streaming (or overrides invokeMode).
    streaming.platforms["aws-lambda"].settings.invokeMode = "RESPONSE_STREAM";
    const result = terraform(doc(streaming), { platforms: ["aws-lambda"] });
    assert.deepEqual(result.errors, []);
    assert.equal(result.files["aws.tf.json"]!.resource!.aws_lambda_function_url!.live!.invoke_mode, "RESPONSE_STREAM");
    assert.deepEqual(terraformProblems(result.files), []);
    const buffered = info({ name: "plain", fetch: () => new Response("ok") });
    buffered.platforms["aws-lambda"].settings.invokeMode = "BUFFERED";
    const url = terraform(doc(buffered), { platforms: ["aws-lambda"] }).files["aws.tf.json"]!.resource!
      .aws_lambda_function_url!.plain!;
    assert.equal(url.invoke_mode, undefined, "BUFFERED is the provider's default");
  });

  await t.step("a schedule EventBridge cannot express is an error", () => {
    const fn = info({ name: "both", fetch: () => new Response(""), scheduled: { cron: "0 0 1 * 1", run() {} } });
    const result = terraform(doc(fn), { platforms: ["aws-lambda"] });
    assert.match(result.errors.join(), /both day-of-month \(1\) and day-of-week \(1\)/);
  });
});

Deno.test("Terraform for Cloudflare Workers", async (t) => {
  const fn = info(
    {
      name: "edge",
      requirements: { timeout: 20, env: ["GREETING"], bindings: { kv: ["CACHE"], d1: ["DB"], secrets: ["TOKEN"] } },
      fetch: () => new Response("ok"),
      scheduled: { cron: "0 3 * * *", run() {} },
      queue: { name: "jobs", run() {} },
    },
    { cloudflare: { routes: ["example.com/api/*"], compatibilityFlags: ["nodejs_compat"] } },
  );
  const { files, errors } = terraform(doc(fn), { platforms: ["cloudflare"] });
  const cf = files["cloudflare.tf.json"]!.resource!;

  await t.step("binds the KV namespace, D1 database and environment it creates", () => {
    assert.deepEqual(errors, []);
    const script = cf.cloudflare_workers_script!.edge!;
    assert.equal(script.script_name, "edge");
    assert.equal(script.main_module, "edge.js");
    assert.deepEqual(script.limits, { cpu_ms: 20000 });
    assert.deepEqual(script.compatibility_flags, ["nodejs_compat"]);
    assert.deepEqual(script.bindings, [
      { type: "kv_namespace", name: "CACHE", namespace_id: "${cloudflare_workers_kv_namespace.edge_CACHE.id}" },
      { type: "d1", name: "DB", id: "${cloudflare_d1_database.edge_DB.id}" },
      { type: "plain_text", name: "GREETING", text: '${var.edge_env["GREETING"]}' },
      { type: "secret_text", name: "TOKEN", text: '${var.edge_env["TOKEN"]}' },
    ]);
  });

  await t.step("adds cron triggers, the queue consumer, routes and outputs", () => {
    assert.deepEqual(cf.cloudflare_workers_cron_trigger!.edge!.schedules, [{ cron: "0 3 * * *" }]);
    assert.equal(cf.cloudflare_queue_consumer!.edge_jobs!.queue_id, "${cloudflare_queue.jobs.queue_id}");
    assert.equal(cf.cloudflare_workers_route!.edge_0!.pattern, "example.com/api/*");
    assert.equal(cf.cloudflare_workers_route!.edge_0!.zone_id, "${var.cloudflare_zone_id}");
    assert.match(
      String(files["cloudflare.tf.json"]!.output!.edge_cloudflare_routes!.value),
      /https:\/\/example\.com\/api/,
    );
    assert.deepEqual(terraformProblems(files), []);
  });

  await t.step("the wrangler configuration says the same", () => {
    const config = JSON.parse(stripComments(wranglerConfig(fn)));
    assert.deepEqual(config.routes, ["example.com/api/*"]);
    assert.deepEqual(config.compatibility_flags, ["nodejs_compat"]);
    assert.match(wranglerConfig(fn), /npx wrangler secret put GREETING; npx wrangler secret put TOKEN/);
  });
});

Deno.test("a user's text reaches Terraform and wrangler literally, never as an expression", async (t) => {
  const HOSTILE = "costs ${var.x} %{if true}yes%{endif} $${kept}";
  const ESCAPED = "costs $${var.x} %%{if true}yes%%{endif} $$${kept}";
  const fn = info(
    { name: "shop", description: HOSTILE, fetch: () => new Response("ok"), scheduled: { cron: "0 3 * * *", run() {} } },
    {
      cloudflare: {
        routes: ["shop.example.com/${var.x}/*"],
        compatibilityFlags: ["%{if true}x%{endif}"],
        compatibilityDate: '${file("/etc/passwd")}',
      },
    },
  );
  const { files, errors } = terraform(doc(fn), { dist: "../dist-${var.x}" });
  const aws = files["aws.tf.json"]!.resource!;
  const cf = files["cloudflare.tf.json"]!.resource!;

  await t.step("escapes a description with ${var.x} and %{if} as $${ and %%{", () => {
    assert.deepEqual(errors, []);
    assert.equal(aws.aws_lambda_function!.shop!.description, ESCAPED);
  });

  await t.step("keeps the generator's own references as templates", () => {
    assert.equal(aws.aws_lambda_function!.shop!.role, "${aws_iam_role.shop.arn}");
    assert.equal(cf.cloudflare_workers_route!.shop_0!.script, "${cloudflare_workers_script.shop.script_name}");
  });

  await t.step("escapes overrides written as they are: routes, flags and the compatibility date", () => {
    assert.equal(cf.cloudflare_workers_route!.shop_0!.pattern, "shop.example.com/$${var.x}/*");
    assert.deepEqual(cf.cloudflare_workers_script!.shop!.compatibility_flags, ["%%{if true}x%%{endif}"]);
    assert.equal(cf.cloudflare_workers_script!.shop!.compatibility_date, '$${file("/etc/passwd")}');
    assert.equal(
      files["cloudflare.tf.json"]!.output!.shop_cloudflare_routes!.value,
      '${["https://shop.example.com/$${var.x}/*"]}',
    );
  });

  await t.step("escapes the --dist path inside local.dist and inside the hash expressions", () => {
    assert.equal(files["main.tf.json"]!.locals!.dist, "${path.module}/../dist-$${var.x}");
    assert.equal(
      aws.aws_lambda_function!.shop!.source_code_hash,
      '${filebase64sha256("${local.dist}/aws-lambda/shop.zip")}',
    );
  });

  await t.step("leaves no expression that points at anything undeclared", () => {
    assert.deepEqual(terraformProblems(files), []);
  });

  await t.step("a raw string in an expression position does not compile; escaped text does", () => {
    const file = new TerraformFile();
    // @ts-expect-error: user text must go through literal() (or hcl`…` with escaped parts) first.
    file.resource("aws_sqs_queue", "raw", { name: HOSTILE });
    file.resource("aws_sqs_queue", "escaped", { name: literal(HOSTILE) });
    assert.equal(file.json.resource!.aws_sqs_queue!.escaped!.name, ESCAPED);
  });

  await t.step("wrangler.jsonc: a line break in the entry's path stays inside its comment", () => {
    const evil = { ...fn, entry: 'x.ts\n"name": "evil", "main": "/etc/passwd",\u2028' };
    const config = JSON.parse(stripComments(wranglerConfig(evil)));
    assert.equal(config.name, "shop");
    assert.equal(config.compatibility_date, '${file("/etc/passwd")}');
    assert.deepEqual(config.routes, ["shop.example.com/${var.x}/*"]);
  });
});

Deno.test("one module for every platform: each file's names are its own", async (t) => {
  const shop = info({
    name: "shop",
    requirements: { env: ["DATABASE_URL"] },
    fetch: () => new Response("ok"),
    scheduled: { cron: "0 3 * * *", run() {} },
    queue: { name: "orders", run() {} },
  });
  const { files, errors } = terraform(doc(shop));

  await t.step("writes main.tf.json and one file per platform, each passing the one allow-list", () => {
    assert.deepEqual(errors, []);
    assert.deepEqual(Object.keys(files), [
      "main.tf.json",
      "aws.tf.json",
      "cloudflare.tf.json",
      "azure.tf.json",
      "gcp.tf.json",
    ]);
    assert.deepEqual(terraformProblems(files), []);
  });

  await t.step("names each URL output after its platform, so no two files declare the same output", () => {
    const outputs = Object.values(files).flatMap((file) => Object.keys(file.output ?? {}));
    assert.deepEqual(outputs.filter((name) => name.endsWith("_url")).sort(), [
      "shop_aws_url",
      "shop_azure_url",
      "shop_cloudflare_url",
      "shop_gcp_url",
    ]);
    assert.equal(new Set(outputs).size, outputs.length);
  });

  await t.step("the checks catch an output, variable, resource or local declared in two files", () => {
    const twice = {
      "a.tf.json": {
        output: { url: { value: "x" } },
        variable: { region: { type: "string" } },
        locals: { dist: "d" },
        resource: { aws_sqs_queue: { q: { name: "q" } } },
      },
      "b.tf.json": {
        output: { url: { value: "y" } },
        variable: { region: { type: "string" } },
        locals: { dist: "d" },
        resource: { aws_sqs_queue: { q: { name: "q" } } },
      },
    };
    const problems = terraformProblems(twice).join("\n");
    assert.match(problems, /b\.tf\.json: output url is declared in a\.tf\.json too/);
    assert.match(problems, /b\.tf\.json: variable region is declared in a\.tf\.json too/);
    assert.match(problems, /b\.tf\.json: locals dist is declared in a\.tf\.json too/);
    assert.match(problems, /b\.tf\.json: resource aws_sqs_queue\.q is declared in a\.tf\.json too/);
  });

  await t.step("a generator that names an output twice in one file fails at once", () => {
    const file = new TerraformFile();
    file.output("url", literal("a"), "first");
    assert.throws(() => file.output("url", literal("b"), "second"), /Two outputs are named "url"/);
  });
});

Deno.test("the structural checks catch what they are meant to", () => {
  const files = {
    "x.tf.json": {
      resource: {
        aws_lambda_function: {
          f: { function_name: "f", runtime: "nodejs22.x", handler: "h", filename: "z", color: "red" },
        },
        aws_made_up: { m: {} },
        aws_lambda_function_url: {
          u: { function_name: "${aws_lambda_function.g.function_name}", authorization_type: "NONE" },
        },
      },
      output: { o: { value: "${var.missing}" } },
      outputs: {},
    },
  };
  const problems = terraformProblems(files).join("\n");
  assert.match(problems, /root key "outputs"/);
  assert.match(problems, /argument "color" is not documented/);
  assert.match(problems, /required argument "role" is missing/);
  assert.match(problems, /aws_made_up is not in the allow-list/);
  assert.match(problems, /names aws_lambda_function\.g, which is not declared/);
  assert.match(problems, /names var\.missing, which is not declared/);
  assert.deepEqual(templates({ a: ['x ${f("${local.a}/b.zip")} y'] }), ['f("")', "local.a"]);
});

Deno.test("iac terraform describes what was built, removes what no longer applies, and refuses missing artifacts", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "slrs_iac_stale_" });
  const exists = async (path: string) => (await Deno.stat(`${dir}/${path}`).catch(() => null)) !== null;
  const written = async () => (await listFiles(`${dir}/infra`).catch(() => [] as string[]));
  const main = async () => JSON.parse(await Deno.readTextFile(`${dir}/infra/main.tf.json`));
  try {
    await Deno.writeTextFile(
      `${dir}/shop.ts`,
      `import { serverless } from "${MOD_URL}";\nexport default serverless({ name: "shop", fetch: () => new Response("ok") });\n`,
    );
    await Deno.writeTextFile(`${dir}/deno.json`, JSON.stringify({ slrs: { functions: ["shop.ts"] } }));

    await t.step("with nothing built it exits 1, writes nothing and says which build to run", async () => {
      const run = await runCli(["iac", "terraform"], dir);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /there is no build output in dist\/ to describe/);
      assert.match(run.stderr, /deno run -A jsr:@slrs\/core\/cli build --target aws-lambda/);
      assert.equal(await exists("infra"), false);
    });

    await t.step(
      "--platform with an artifact missing exits 1, naming the file and the exact build command",
      async () => {
        const run = await runCli(["iac", "terraform", "--platform", "aws-lambda,gcp"], dir);
        assert.equal(run.code, 1, run.stderr);
        assert.match(run.stderr, /dist\/aws-lambda\/shop\.zip \(shop on aws-lambda\)/);
        assert.match(run.stderr, /dist\/gcp\/shop\.zip \(shop on gcp\)/);
        assert.match(run.stderr, /\n {2}deno run -A jsr:@slrs\/core\/cli build --target aws-lambda\n/);
        assert.match(run.stderr, /\n {2}deno run -A jsr:@slrs\/core\/cli build --target gcp\n/);
        assert.match(run.stderr, /or add --build/);
        assert.equal(await exists("infra"), false);
      },
    );

    await t.step("after build --target aws-lambda it writes only AWS's provider, variables and file", async () => {
      const built = await runCli(["build", "--target", "aws-lambda"], dir);
      assert.equal(built.code, 0, built.stderr);
      const run = await runCli(["iac", "terraform"], dir);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(await written(), [".slrs-iac.json", "aws.tf.json", "main.tf.json"]);
      const { terraform: settings, provider, variable } = await main();
      assert.deepEqual(Object.keys(settings.required_providers), ["aws"]);
      assert.deepEqual(Object.keys(provider), ["aws"]);
      assert.deepEqual(Object.keys(variable), ["aws_region"]);
    });

    await t.step("a platform built later is added, and one no longer asked for is removed", async () => {
      const built = await runCli(["build", "--target", "cloudflare"], dir);
      assert.equal(built.code, 0, built.stderr);
      const both = await runCli(["iac", "terraform"], dir);
      assert.equal(both.code, 0, both.stderr);
      assert.deepEqual(await written(), [".slrs-iac.json", "aws.tf.json", "cloudflare.tf.json", "main.tf.json"]);
      const aws = await runCli(["iac", "terraform", "--platform", "aws-lambda"], dir);
      assert.equal(aws.code, 0, aws.stderr);
      assert.match(aws.stderr, /removed infra\/cloudflare\.tf\.json: an earlier run wrote it; it no longer applies/);
      assert.deepEqual(await written(), [".slrs-iac.json", "aws.tf.json", "main.tf.json"]);
      assert.deepEqual(Object.keys((await main()).provider), ["aws"]);
    });

    await t.step("it never deletes a file it did not write, or one changed since it wrote it", async () => {
      await runCli(["iac", "terraform", "--platform", "aws-lambda,cloudflare"], dir);
      await Deno.writeTextFile(`${dir}/infra/backend.tf.json`, "{}");
      await Deno.writeTextFile(`${dir}/infra/cloudflare.tf.json`, "{}");
      const run = await runCli(["iac", "terraform", "--platform", "aws-lambda"], dir);
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        run.stderr,
        /warning: kept infra\/cloudflare\.tf\.json: an earlier run wrote it, but it was changed/,
      );
      assert.deepEqual(await written(), [
        ".slrs-iac.json",
        "aws.tf.json",
        "backend.tf.json",
        "cloudflare.tf.json",
        "main.tf.json",
      ]);
      // A manifest that names a file outside the folder is not followed.
      const hash = "0".repeat(64);
      await Deno.writeTextFile(`${dir}/infra/.slrs-iac.json`, JSON.stringify({ files: { "../shop.ts": hash } }));
      assert.equal((await runCli(["iac", "terraform", "--platform", "aws-lambda"], dir)).code, 0);
      assert.equal(await exists("shop.ts"), true);
    });

    await t.step("--build builds what the files refer to before writing them", async () => {
      await Deno.remove(`${dir}/dist`, { recursive: true });
      const run = await runCli(["iac", "terraform", "--platform", "cloudflare", "--build"], dir);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(await exists("dist/cloudflare/shop.js"), true);
      assert.equal(await exists("infra/cloudflare.tf.json"), true);
      assert.equal(await exists("infra/aws.tf.json"), false, "the AWS file no longer applies");
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("eventBridgeCron converts five-field cron to EventBridge's six fields", async (t) => {
  await t.step("puts ? in the day field that is not restricted and adds the year", () => {
    assert.equal(eventBridgeCron("0 * * * *"), "cron(0 * * * ? *)");
    assert.equal(eventBridgeCron("0 3 1 * *"), "cron(0 3 1 * ? *)");
    assert.equal(eventBridgeCron("0 3 * JAN-MAR SUN"), "cron(0 3 ? JAN-MAR SUN *)");
  });
  await t.step("numbers weekdays from Sunday = 1", () => {
    assert.equal(eventBridgeCron("0 0 * * 0"), "cron(0 0 ? * 1 *)");
    assert.equal(eventBridgeCron("0 0 * * 7"), "cron(0 0 ? * 1 *)");
    assert.equal(eventBridgeCron("0 0 * * 1,3,5"), "cron(0 0 ? * 2,4,6 *)");
    assert.equal(eventBridgeCron("0 0 * * 5-7"), "cron(0 0 ? * 6-7,1 *)");
    assert.equal(eventBridgeCron("0 0 * * 0-6"), "cron(0 0 ? * 1-7 *)");
  });
  await t.step("refuses what EventBridge cannot say", () => {
    assert.throws(() => eventBridgeCron("0 0 1 * 1"), /only one of them/);
    assert.throws(() => eventBridgeCron("0 0 * * */2"), /no step/);
  });
});

Deno.test("overrides: deno.json, then --overrides, and values a platform cannot take are errors", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "slrs_iac_overrides_" });
  try {
    await Deno.writeTextFile(
      `${dir}/shop.ts`,
      `import { serverless } from "${MOD_URL}";\n` +
        `export default serverless({ name: "shop", requirements: { memory: 256 }, fetch: () => new Response("ok") });\n`,
    );
    await Deno.writeTextFile(
      `${dir}/deno.json`,
      JSON.stringify({
        slrs: {
          functions: ["shop.ts"],
          overrides: { shop: { "aws-lambda": { memory: 1024, timeout: 30, logRetentionDays: 7 } } },
        },
      }),
    );
    await Deno.writeTextFile(`${dir}/file.json`, JSON.stringify({ shop: { "aws-lambda": { timeout: 60 } } }));
    await Deno.writeTextFile(`${dir}/bad.json`, JSON.stringify({ shop: { "aws-lambda": { memory: 20000 } } }));
    await Deno.writeTextFile(`${dir}/below.json`, JSON.stringify({ shop: { "aws-lambda": { memory: 128 } } }));
    await Deno.writeTextFile(
      `${dir}/retention.json`,
      JSON.stringify({ shop: { "aws-lambda": { logRetentionDays: 10 } } }),
    );
    await Deno.writeTextFile(`${dir}/cpu.json`, JSON.stringify({ shop: { cloudflare: { cpuMs: 600000 } } }));
    await placeholderArtifacts(dir, `${dir}/dist`, ["aws-lambda"]);
    const lambda = async (args: string[]) => {
      const run = await runCli(["iac", "terraform", "--platform", "aws-lambda", ...args], dir);
      assert.equal(run.code, 0, run.stderr);
      const aws = JSON.parse(await Deno.readTextFile(`${dir}/infra/aws.tf.json`));
      return { fn: aws.resource.aws_lambda_function.shop, logs: aws.resource.aws_cloudwatch_log_group.shop };
    };

    await t.step("deno.json's slrs.overrides win over the recommendations", async () => {
      const { fn, logs } = await lambda([]);
      assert.equal(fn.memory_size, 1024);
      assert.equal(fn.timeout, 30);
      assert.equal(logs.retention_in_days, 7);
    });

    await t.step("an --overrides file wins over deno.json, setting by setting", async () => {
      const { fn, logs } = await lambda(["--overrides", "file.json"]);
      assert.equal(fn.timeout, 60, "from the file");
      assert.equal(fn.memory_size, 1024, "still from deno.json");
      assert.equal(logs.retention_in_days, 7);
    });

    await t.step("an override outside the platform's limits stops iac and build with exit 1, naming both", async () => {
      for (const command of [["iac", "terraform"], ["build", "--target", "aws-lambda", "--out", "out"]]) {
        const run = await runCli([...command, "--overrides", "bad.json"], dir);
        assert.equal(run.code, 1, run.stderr);
        assert.match(run.stderr, /shop on aws-lambda: memory 20000 MB is outside Lambda's 128–10240 MB/);
        assert.match(run.stderr, /overridden: memory=20000/);
      }
      assert.equal(await Deno.stat(`${dir}/out`).catch(() => null), null, "build wrote nothing");
    });

    await t.step("so is one below what the function requires, or a value the platform does not know", async () => {
      const below = await runCli(["iac", "terraform", "--overrides", "below.json"], dir);
      assert.equal(below.code, 1);
      assert.match(below.stderr, /memory 128 MB is below the 256 MB the function requires/);
      const retention = await runCli(["iac", "terraform", "--overrides", "retention.json"], dir);
      assert.equal(retention.code, 1);
      assert.match(retention.stderr, /logRetentionDays 10 is not a period CloudWatch Logs keeps: 1, 3, 5, 7/);
      const cpu = await runCli(["iac", "wrangler", "--overrides", "cpu.json"], dir);
      assert.equal(cpu.code, 1);
      assert.match(cpu.stderr, /cpuMs 600000 is above the Workers maximum of 300000/);
    });

    await t.step("a requirement the platform cannot meet is only a warning", async () => {
      const run = await runCli(["iac", "wrangler"], dir);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /warning: shop on cloudflare: memory 256 MB is above the 128 MB/);
    });

    await t.step("bad command lines exit 2", async () => {
      const kind = await runCli(["iac", "pulumi"], dir);
      assert.equal(kind.code, 2);
      assert.match(kind.stderr, /"iac terraform" or "iac wrangler"; got "pulumi"/);
      const platform = await runCli(["iac", "terraform", "--platform", "vercel"], dir);
      assert.equal(platform.code, 2);
      assert.match(platform.stderr, /--platform vercel: Terraform is written for aws-lambda, cloudflare, azure, gcp/);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("overrides of the wrong type stop --info, build and iac with exit 1, naming the file", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "slrs_iac_override_types_" });
  const config = (overrides: unknown) =>
    Deno.writeTextFile(`${dir}/deno.json`, JSON.stringify({ slrs: { functions: ["shop.ts"], overrides } }));
  const file = (name: string, overrides: unknown) => Deno.writeTextFile(`${dir}/${name}`, JSON.stringify(overrides));
  const commands = [["--info"], ["iac", "terraform"], ["iac", "wrangler"], ["build", "--target", "aws-lambda"]];
  const refused = async (args: string[], message: RegExp) => {
    for (const command of commands) {
      const run = await runCli([...command, ...args, ...(command[0] === "build" ? ["--out", "out"] : [])], dir);
      assert.equal(run.code, 1, `${command.join(" ")}: ${run.stderr}`);
      assert.match(run.stderr, message, command.join(" "));
      assert.equal(run.stdout, "", command.join(" "));
    }
    assert.equal(await Deno.stat(`${dir}/infra`).catch(() => null), null, "iac wrote nothing");
    assert.equal(await Deno.stat(`${dir}/out`).catch(() => null), null, "build wrote nothing");
  };
  try {
    await Deno.writeTextFile(
      `${dir}/shop.ts`,
      `import { serverless } from "${MOD_URL}";\nexport default serverless({ name: "shop", fetch: () => new Response() });\n`,
    );

    await t.step('rejects "memory": "1024" in deno.json instead of writing 128 MB', async () => {
      await config({ shop: { "aws-lambda": { memory: "1024" } } });
      await refused(
        [],
        /deno\.json: slrs\.overrides\.shop\.aws-lambda\.memory must be an integer .*\(MB\); got "1024"/,
      );
    });

    await config({});
    for (const timeout of [-5, 0, 128.5]) {
      await t.step(`rejects timeout ${timeout} in an --overrides file`, async () => {
        await file("bad.json", { shop: { "aws-lambda": { timeout } } });
        await refused(
          ["--overrides", "bad.json"],
          new RegExp(
            `--overrides bad\\.json: shop\\.aws-lambda\\.timeout must be an integer of at least 1 \\(seconds\\); got ${timeout}\\.`,
          ),
        );
      });
    }

    await t.step("rejects a string where a list is wanted, and a compatibility date that is not a date", async () => {
      await file("routes.json", { shop: { cloudflare: { routes: "shop.example.com/*" } } });
      await refused(["--overrides", "routes.json"], /shop\.cloudflare\.routes must be an array of strings/);
      await file("date.json", { shop: { cloudflare: { compatibilityDate: '2026-11-01", "x": "y' } } });
      await refused(["--overrides", "date.json"], /shop\.cloudflare\.compatibilityDate must be a date like 2026-11-01/);
    });

    await t.step("rejects a fractional count on every platform that takes one", async () => {
      await file("count.json", { shop: { gcp: { maxInstances: 2.5 } } });
      await refused(
        ["--overrides", "count.json"],
        /shop\.gcp\.maxInstances must be an integer of at least 1; got 2\.5/,
      );
    });

    await t.step("still takes well-typed overrides", async () => {
      await file("good.json", { shop: { "aws-lambda": { memory: 1024, timeout: 30, reservedConcurrency: 0 } } });
      const run = await runCli(["--info", "--overrides", "good.json"], dir);
      assert.equal(run.code, 0, run.stderr);
      const settings = JSON.parse(run.stdout).functions[0].platforms["aws-lambda"].settings;
      assert.deepEqual([settings.memory, settings.timeout, settings.reservedConcurrency], [1024, 30, 0]);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
