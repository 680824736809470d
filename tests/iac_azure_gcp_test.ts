/**
 * The Azure (`azurerm`) and Google Cloud (`google`) Terraform of `cli/iac/_azure.ts` and `cli/iac/_gcp.ts`: for the
 * examples' functions, only resource types, arguments and nested blocks the providers document
 * (`tests/support/iac_checks.ts` holds the allow-list with the pages and commits they came from), every `${…}`
 * reference declared, the required arguments present, the settings taken from `--info`, and user text escaped.
 *
 * Not checked here: `terraform validate`. No azurerm or google provider is on the machines this is built on, and
 * none can be downloaded (terraform there has a local mirror of the AWS provider only), and `terraform validate`
 * needs the provider schemas; run it in the output folder before the first apply. What terraform can check without
 * a provider is checked by it, offline, when it is on the PATH (the test says so when it is not): the variables
 * `main.tf.json` gains (`terraform validate`, and `terraform plan` for their validation rules), and the escaped
 * strings (`terraform console` reads them back as the user wrote them). The Cloud Scheduler job's request is checked
 * for real too: sent to the functions-framework's own server, it runs the function's `scheduled` handler.
 */

import assert from "node:assert/strict";
import functions from "npm:@google-cloud/functions-framework@^5.0.5";
import { getTestServer } from "npm:@google-cloud/functions-framework@^5.0.5/testing";
import type { AddressInfo } from "node:net";
import { serverless } from "../mod.ts";
import { register } from "../adapters/gcp.ts";
import { describeFunction, type FunctionInfo, type Overrides } from "../src/info.ts";
import { azureFunctions } from "../cli/iac/_azure.ts";
import { gcpFunctions } from "../cli/iac/_gcp.ts";
import { hcl, literal, TerraformFile, type TerraformJson } from "../cli/iac/terraform_file.ts";
import azureShop from "../examples/azure/shop.ts";
import gcpShop from "../examples/gcp/shop.ts";
import hello from "../examples/hello/main.ts";
import { evaluated, liveTemplates, terraformProblems } from "./support/iac_checks.ts";

type Json = Record<string, unknown>;
type Generator = typeof azureFunctions | typeof gcpFunctions;

const describe = (fn: unknown, overrides?: Overrides[string]) =>
  describeFunction(
    { fn: fn as Parameters<typeof describeFunction>[0]["fn"], entry: "x.ts", exportName: "default" },
    overrides,
  );
const info = (options: Parameters<typeof serverless>[0], overrides?: Overrides[string]) =>
  describe(serverless(options), overrides);

/** Runs a generator as `terraform.ts` will: `main.tf.json` as it starts there, plus the platform's file. */
function generate(generator: Generator, fns: FunctionInfo[], fileName: string) {
  const main = new TerraformFile();
  main.json.terraform = { required_version: ">= 1.6", required_providers: {} };
  main.json.locals = { dist: hcl`\${path.module}/../dist` };
  const file = new TerraformFile();
  const result = generator(file, main, fns);
  const files: Record<string, TerraformJson> = { "main.tf.json": main.json, [fileName]: file.json };
  return {
    ...result,
    main: main.json,
    file: file.json as Json & { resource: Record<string, Record<string, Json>> },
    files,
  };
}
const azure = (...fns: FunctionInfo[]) => generate(azureFunctions, fns, "azure.tf.json");
const gcp = (...fns: FunctionInfo[]) => generate(gcpFunctions, fns, "gcp.tf.json");

function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (typeof value === "object" && value !== null) {
    return [...Object.keys(value), ...Object.values(value).flatMap(strings)];
  }
  return [];
}

const EXAMPLES = [
  ["examples/azure/shop.ts", azureShop],
  ["examples/gcp/shop.ts", gcpShop],
  ["examples/hello/main.ts", hello],
] as const;

Deno.test("the examples' Terraform uses only documented resources and arguments, and declared references", async (t) => {
  for (const [path, fn] of EXAMPLES) {
    await t.step(`azure: ${path}`, () => {
      const { files, errors } = azure(describe(fn));
      assert.deepEqual(errors, []);
      assert.deepEqual(terraformProblems(files), []);
    });
    await t.step(`gcp: ${path}`, () => {
      const { files, errors } = gcp(describe(fn));
      assert.deepEqual(errors, []);
      assert.deepEqual(terraformProblems(files), []);
    });
  }
  await t.step("all three functions in one module declare no name twice", () => {
    const renamed = EXAMPLES.map(([, fn], i) => ({ ...describe(fn), name: `fn-${i}` }));
    assert.deepEqual(terraformProblems(azure(...renamed).files), []);
    assert.deepEqual(terraformProblems(gcp(...renamed).files), []);
  });
  await t.step("the checks catch an undocumented argument, a missing required one and an undeclared reference", () => {
    const { files } = gcp(describe(gcpShop));
    const fn = files["gcp.tf.json"]!.resource!.google_cloudfunctions2_function!.shop! as Json;
    fn.runtime = "nodejs22";
    delete fn.location;
    (fn.build_config as Json).entry_point = "${google_storage_bucket.missing.name}";
    const problems = terraformProblems(files).join("\n");
    assert.match(problems, /argument "runtime" is not documented/);
    assert.match(problems, /required argument "location" is missing/);
    assert.match(problems, /google_storage_bucket\.missing, which is not declared/);
  });
});

Deno.test("what the Azure and Google Terraform leave out is said", async (t) => {
  await t.step("a kv binding (the hello example's COUNTER) is described now, so neither warns about it", () => {
    // tests/iac_bindings_test.ts pins the table and the Firestore TTL policy the binding gets.
    assert.doesNotMatch(azure(describe(hello)).warnings.join(), /not described/);
    assert.doesNotMatch(gcp(describe(hello)).warnings.join(), /not described/);
  });
  await t.step("an Azure app name over 32 characters is a warning", () => {
    const long = "a".repeat(33);
    assert.match(azure(info({ name: long, fetch: () => new Response() })).warnings.join(), /longer than 32 characters/);
    assert.deepEqual(azure(info({ name: "a".repeat(32), fetch: () => new Response() })).warnings, []);
  });
  await t.step("a CloudEvent function name over 63 characters is an error on gcp", () => {
    const fn = (name: string) =>
      info({ name, fetch: () => new Response(), scheduled: { cron: "0 * * * *", run() {} } });
    assert.match(gcp(fn("a".repeat(57))).errors.join(), /longer than the 63 characters Cloud Functions takes/);
    assert.deepEqual(gcp(fn("a".repeat(56))).errors, []);
  });
});

Deno.test("azure: a Flex Consumption app per function, settings from --info", async (t) => {
  await t.step("defaults to a Flex Consumption (FC1) Linux plan, the Flex app and the command that deploys it", () => {
    const { file, main } = azure(describe(azureShop));
    assert.equal(file.resource.azurerm_service_plan!.shop!.sku_name, "FC1");
    assert.equal(file.resource.azurerm_service_plan!.shop!.os_type, "Linux");
    const app = file.resource.azurerm_function_app_flex_consumption!.shop!;
    assert.equal(app.runtime_name, "node");
    assert.equal(app.runtime_version, "22");
    assert.equal(app.service_plan_id, "${azurerm_service_plan.shop.id}");
    assert.equal(app.zip_deploy_file, undefined);
    assert.equal(
      app.storage_container_endpoint,
      "${azurerm_storage_account.slrs.primary_blob_endpoint}${azurerm_storage_container.shop_package.name}",
    );
    assert.deepEqual((file.output as Record<string, Json>).shop_azure_deploy, {
      description: "The command that deploys shop's zip to its Flex Consumption app.",
      value: "az functionapp deployment source config-zip --resource-group ${azurerm_resource_group.slrs.name} " +
        '--name ${azurerm_function_app_flex_consumption.shop.name} --src ${abspath("${local.dist}/azure/shop.zip")}',
    });
    assert.deepEqual((main.terraform as Json).required_providers, {
      azurerm: { source: "hashicorp/azurerm", version: "~> 5.0" },
    });
    assert.deepEqual(main.provider?.azurerm, { features: {}, subscription_id: "${var.azure_subscription_id}" });
  });
  await t.step("rounds requirements.memory up to a Flex instance size", () => {
    const at = (memory: number) =>
      azure(info({ name: "m", requirements: { memory }, fetch: () => new Response() }))
        .file.resource.azurerm_function_app_flex_consumption!.m!.instance_memory_in_mb;
    assert.equal(at(256), 512);
    assert.equal(at(1024), 2048);
    assert.equal(at(3000), 4096);
  });
  await t.step("sets maximum_instance_count from the maximumInstanceCount override", () => {
    const fn = info({ name: "m", fetch: () => new Response() }, { azure: { maximumInstanceCount: 40 } });
    assert.equal(azure(fn).file.resource.azurerm_function_app_flex_consumption!.m!.maximum_instance_count, 40);
  });
  await t.step("passes requirements.env as app settings from the sensitive <fn>_env variable", () => {
    const { file, main } = azure(
      info({ name: "db", requirements: { env: ["DATABASE_URL"] }, fetch: () => new Response() }),
    );
    assert.equal(file.resource.azurerm_function_app_flex_consumption!.db!.app_settings, "${var.db_env}");
    assert.equal(main.variable?.db_env?.sensitive, true);
  });
  await t.step("a consumption or premium plan writes azurerm_linux_function_app with run-from-package", () => {
    for (const [plan, sku] of [["consumption", "Y1"], ["premium", "EP1"]] as const) {
      const fn = info({ name: "c", requirements: { env: ["KEY"] }, fetch: () => new Response() }, { azure: { plan } });
      const { file, files } = azure(fn);
      assert.equal(file.resource.azurerm_service_plan!.c!.sku_name, sku);
      assert.equal(file.resource.azurerm_function_app_flex_consumption, undefined);
      const app = file.resource.azurerm_linux_function_app!.c!;
      assert.equal(app.app_settings, '${merge(var.c_env, { "WEBSITE_RUN_FROM_PACKAGE" = "1" })}');
      assert.deepEqual(app.site_config, { application_stack: { node_version: "22" } });
      assert.equal(app.zip_deploy_file, "${local.dist}/azure/c.zip");
      assert.deepEqual(terraformProblems(files), []);
    }
  });
  await t.step("an unknown plan or a memory Flex does not offer is an error that lists the choices", () => {
    const plan = azure(info({ name: "p", fetch: () => new Response() }, { azure: { plan: "dedicated" } }));
    assert.match(plan.errors.join(), /plan "dedicated" is not one of flex-consumption, consumption, premium/);
    const memory = azure(info({ name: "p", fetch: () => new Response() }, { azure: { instanceMemory: 1000 } }));
    assert.match(memory.errors.join(), /instanceMemory 1000 MB is not a Flex Consumption size: 512, 2048, 4096/);
  });
  await t.step("a queue trigger gets a storage queue in the apps' account, declared once", () => {
    const consumer = (name: string) => info({ name, queue: { name: "orders", run: () => {} } });
    const { file } = azure(consumer("a"), consumer("b"));
    assert.deepEqual(Object.keys(file.resource.azurerm_storage_queue!), ["orders"]);
    assert.equal(file.resource.azurerm_storage_queue!.orders!.storage_account_id, "${azurerm_storage_account.slrs.id}");
  });
  await t.step("a queue name Azure Storage cannot take is an error", () => {
    const { errors } = azure(info({ name: "q", queue: { name: "Orders_2", run: () => {} } }));
    assert.match(errors.join(), /queue "Orders_2" is not an Azure Storage queue name/);
  });
});

Deno.test("gcp: Cloud Functions 2nd gen as register() deploys them", async (t) => {
  const shop = gcp(describe(gcpShop));
  const fns = shop.file.resource.google_cloudfunctions2_function!;

  await t.step("an HTTP function and a CloudEvent function <name>-events share one source zip", () => {
    assert.deepEqual(Object.keys(fns), ["shop", "shop_events"]);
    assert.equal((fns.shop!.build_config as Json).entry_point, "shop");
    assert.equal((fns.shop_events!.build_config as Json).entry_point, "shop-events");
    for (const fn of Object.values(fns)) {
      assert.equal((fn.build_config as Json).runtime, "nodejs22");
      assert.deepEqual(((fn.build_config as Json).source as Json).storage_source, {
        bucket: "${google_storage_bucket.slrs_source.name}",
        object: "${google_storage_bucket_object.shop.name}",
      });
    }
    const object = shop.file.resource.google_storage_bucket_object!.shop!;
    assert.equal(object.source, "${local.dist}/gcp/shop.zip");
    assert.equal(object.name, 'shop-${filemd5("${local.dist}/gcp/shop.zip")}.zip');
  });
  await t.step("service_config takes memory and timeout from --info", () => {
    assert.deepEqual(fns.shop!.service_config, { available_memory: "512Mi", timeout_seconds: 30 });
    const capped = info({ name: "c", fetch: () => new Response() }, { gcp: { maxInstances: 7, memory: 1024 } });
    assert.deepEqual(gcp(capped).file.resource.google_cloudfunctions2_function!.c!.service_config, {
      available_memory: "1Gi",
      timeout_seconds: 60,
      max_instance_count: 7,
    });
  });
  await t.step("available_memory is in MiB or GiB, the units of Cloud Run's sizes", () => {
    const at = (memory: number) =>
      (gcp(info({ name: "m", fetch: () => new Response() }, { gcp: { memory } }))
        .file.resource.google_cloudfunctions2_function!.m!.service_config as Json).available_memory;
    assert.deepEqual([128, 256, 512, 1024, 2048, 32768].map(at), ["128Mi", "256Mi", "512Mi", "1Gi", "2Gi", "32Gi"]);
  });
  await t.step("requirements.env becomes environment_variables from the sensitive <fn>_env variable", () => {
    const { file } = gcp(info({ name: "db", requirements: { env: ["DATABASE_URL"] }, fetch: () => new Response() }));
    const config = file.resource.google_cloudfunctions2_function!.db!.service_config as Json;
    assert.equal(config.environment_variables, "${var.db_env}");
  });
  await t.step("a queue trigger is a Pub/Sub topic and the CloudEvent function's event trigger, retried", () => {
    assert.deepEqual(shop.file.resource.google_pubsub_topic, { orders: { name: "orders" } });
    assert.deepEqual(fns.shop_events!.event_trigger, {
      event_type: "google.cloud.pubsub.topic.v1.messagePublished",
      pubsub_topic: "${google_pubsub_topic.orders.id}",
      trigger_region: "${var.gcp_region}",
      service_account_email: "${google_service_account.slrs_invoker.email}",
      retry_policy: "RETRY_POLICY_RETRY",
    });
  });
  await t.step("only the HTTP function is public; the CloudEvent function admits the invoker account", () => {
    const members = shop.file.resource.google_cloud_run_service_iam_member!;
    assert.deepEqual(members.shop_public, {
      location: "${google_cloudfunctions2_function.shop.location}",
      service: "${google_cloudfunctions2_function.shop.name}",
      role: "roles/run.invoker",
      member: "allUsers",
    });
    assert.equal(members.shop_events_invoker!.member, "serviceAccount:${google_service_account.slrs_invoker.email}");
    assert.equal(Object.values(members).filter((m) => m.member === "allUsers").length, 1);
    const quiet = gcp(info({ name: "q", queue: { name: "orders", run: () => {} } }));
    const only = Object.values(quiet.file.resource.google_cloud_run_service_iam_member!);
    assert.deepEqual(only.map((m) => m.member), ["serviceAccount:${google_service_account.slrs_invoker.email}"]);
  });
  await t.step("an event trigger takes its event type and filters from a variable, one filter block each", () => {
    const { file, main, files } = gcp(
      info({ name: "files", event: { sources: ["google.cloud.storage"], run: () => {} } }),
    );
    const trigger = file.resource.google_cloudfunctions2_function!.files!.event_trigger as Json;
    assert.equal(trigger.event_type, "${var.files_event.event_type}");
    assert.deepEqual(trigger.dynamic, {
      event_filters: {
        for_each: "${var.files_event.filters}",
        content: { attribute: "${event_filters.key}", value: "${event_filters.value}" },
      },
    });
    assert.match(String(main.variable?.files_event?.description), /google\.cloud\.storage/);
    assert.equal(
      file.resource.google_project_iam_member!.slrs_invoker_event_receiver!.role,
      "roles/eventarc.eventReceiver",
    );
    assert.deepEqual(terraformProblems(files), []);
  });
  await t.step("a function with a queue and events warns that the events are not described", () => {
    const fn = info({
      name: "both",
      queue: { name: "orders", run: () => {} },
      event: { sources: ["x"], run: () => {} },
    });
    assert.match(gcp(fn).warnings.join(), /both on gcp: a Cloud Function takes one event trigger/);
  });
  await t.step("one Cloud Scheduler job per cron, in UTC, calling the CloudEvent function with an OIDC token", () => {
    const jobs = shop.file.resource.google_cloud_scheduler_job!;
    assert.deepEqual(Object.keys(jobs), ["shop_schedule_0"]);
    const job = jobs.shop_schedule_0!;
    assert.equal(job.schedule, "*/15 * * * *");
    assert.equal(job.time_zone, "Etc/UTC");
    const target = job.http_target as Json;
    assert.equal(target.uri, "${google_cloudfunctions2_function.shop_events.service_config[0].uri}");
    assert.deepEqual(target.oidc_token, {
      service_account_email: "${google_service_account.slrs_invoker.email}",
      audience: "${google_cloudfunctions2_function.shop_events.service_config[0].uri}",
    });
  });
  await t.step("the job's request, sent to the functions-framework, runs the cron it names", async () => {
    const ran: string[] = [];
    const fn = serverless({
      name: "ticks",
      fetch: () => new Response("ok"),
      scheduled: [
        { cron: "0 * * * *", run: (event) => void ran.push(event.cron) },
        { cron: "30 2 * * 1", run: (event) => void ran.push(event.cron) },
      ],
    });
    const targets = register(functions, fn);
    const { file } = gcp(describe(fn));
    const events = file.resource.google_cloudfunctions2_function!.ticks_events!;
    assert.equal((events.build_config as Json).entry_point, targets.cloudEvent);
    const target = file.resource.google_cloud_scheduler_job!.ticks_schedule_1!.http_target as Json;
    const server = getTestServer(targets.cloudEvent!);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const headers = Object.fromEntries(
        Object.entries(target.headers as Record<string, string>).map((
          [k, v],
        ) => [k, v.replaceAll(/\$\{[^}]*\}/g, "p")]),
      );
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, {
        method: String(target.http_method),
        headers,
        body: Uint8Array.from(atob(String(target.body)), (c) => c.charCodeAt(0)),
      });
      await response.body?.cancel();
      assert.equal(response.status, 204);
      assert.deepEqual(ran, ["30 2 * * 1"]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

/** Whether `terraform` is on the PATH; when not, says so, since the check it would have made is then skipped. */
async function hasTerraform(what: string): Promise<boolean> {
  const found = await new Deno.Command("sh", { args: ["-c", "command -v terraform"], stdout: "null" }).output();
  if (!found.success) console.log(`terraform is not on the PATH: ${what} was not checked by terraform.`);
  return found.success;
}

/** Runs terraform offline in `dir`. */
async function runTerraform(dir: string, args: string[], stdin?: string) {
  const child = new Deno.Command("terraform", {
    args,
    cwd: dir,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    env: { TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1", NO_COLOR: "1" },
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const output = await child.output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { success: output.success, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

Deno.test("terraform takes the variables main.tf.json gains, and their rules", async (t) => {
  if (!(await hasTerraform("the variables"))) return;
  const fns = [
    describe(gcpShop),
    info({ name: "files", requirements: { env: ["API_KEY"] }, event: { sources: ["google.cloud.storage"], run() {} } }),
  ];
  const main = new TerraformFile();
  azureFunctions(new TerraformFile(), main, fns);
  gcpFunctions(new TerraformFile(), main, fns);
  // Without the provider blocks no provider is needed: variables, their types and validations are Terraform's own.
  const variables = { variable: main.json.variable };
  const dir = await Deno.makeTempDir({ prefix: "slrs_tf_vars_" });
  const good = [
    "-var=gcp_project=p",
    "-var=azure_location=westeurope",
    "-var=azure_storage_account=slrsshop1",
    '-var=files_env={ API_KEY = "k" }',
    '-var=files_event={ event_type = "google.cloud.storage.object.v1.finalized", filters = { bucket = "b" } }',
  ];
  const plan = (args: string[]) => runTerraform(dir, ["plan", "-input=false", "-lock=false", ...args]);
  try {
    await Deno.writeTextFile(`${dir}/main.tf.json`, JSON.stringify(variables));
    const init = await runTerraform(dir, ["init", "-backend=false", "-input=false"]);
    assert.ok(init.success, init.stderr);
    await t.step("terraform validate accepts them", async () => {
      const validate = await runTerraform(dir, ["validate"]);
      assert.ok(validate.success, validate.stderr);
    });
    await t.step("a plan with good values passes, the event filters optional", async () => {
      const full = await plan(good);
      assert.ok(full.success, full.stderr);
      const noFilters = await plan([...good.slice(0, 4), '-var=files_event={ event_type = "t" }']);
      assert.ok(noFilters.success, noFilters.stderr);
    });
    await t.step("a storage account name Azure refuses fails with the rule's message", async () => {
      const bad = await plan([
        ...good.filter((a) => !a.includes("azure_storage_account")),
        "-var=azure_storage_account=Bad_Name",
      ]);
      assert.equal(bad.success, false);
      assert.match(bad.stderr, /azure_storage_account must be 3–24 lowercase letters and digits/);
    });
    await t.step("an environment without a name the function reads fails", async () => {
      const bad = await plan([...good.filter((a) => !a.includes("files_env")), '-var=files_env={ OTHER = "x" }']);
      assert.equal(bad.success, false);
      assert.match(bad.stderr, /The environment of files must set API_KEY/);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("user text reaches the Terraform JSON escaped", async (t) => {
  const hostile = "Costs ${var.x} and %{if true}yes%{endif}; $${kept}";
  const overrides: Overrides[string] = { gcp: { region: "europe-west1${var.x}" } };
  const fn = info({
    name: "hostile",
    description: hostile,
    fetch: () => new Response(),
    scheduled: { cron: "0 * * * *", run: () => {} },
    event: { sources: ["google.cloud.storage${var.y}", "%{for}"], run: () => {} },
  }, overrides);

  await t.step("literal doubles the opening of ${ and %{ and nothing else", () => {
    assert.equal(literal(hostile), "Costs $${var.x} and %%{if true}yes%%{endif}; $$${kept}");
    assert.equal(literal("plain $ and % and {}"), "plain $ and % and {}");
  });
  for (
    const [platform, generated] of [
      ["azure", azure(fn)],
      ["gcp", gcp(fn)],
    ] as const
  ) {
    await t.step(`${platform}: no user text is evaluated: no %{ directive, no reference to var.x or var.y`, () => {
      const all = strings(Object.values(generated.files).map(evaluated));
      assert.deepEqual(all.flatMap(liveTemplates).filter((live) => live.startsWith("%")), []);
      assert.deepEqual(terraformProblems(generated.files), []);
    });
  }
  await t.step("azure: the description tag is written escaped", () => {
    const app = azure(fn).file.resource.azurerm_function_app_flex_consumption!.hostile!;
    assert.deepEqual(app.tags, { description: "Costs $${var.x} and %%{if true}yes%%{endif}; $$${kept}" });
  });
  await t.step("terraform reads the escaped strings back as the user wrote them", async () => {
    if (!(await hasTerraform("the escaping"))) return;
    // No provider is needed to evaluate locals, so this runs offline; the JSON syntax is the one *.tf.json uses.
    const written = {
      description: gcp(fn).file.resource.google_cloudfunctions2_function!.hostile!.description,
      tag: (azure(fn).file.resource.azurerm_function_app_flex_consumption!.hostile!.tags as Json).description,
      location: gcp(fn).file.resource.google_cloudfunctions2_function!.hostile!.location,
    };
    const dir = await Deno.makeTempDir({ prefix: "slrs_tf_escape_" });
    try {
      // The variables too: a default is read literally, so the region's default must come back as written.
      const { variable } = gcp(fn).main;
      await Deno.writeTextFile(`${dir}/escape.tf.json`, JSON.stringify({ locals: written, variable }));
      const read = await runTerraform(
        dir,
        ["console", "-var=gcp_project=p", '-var=hostile_event={ event_type = "t" }'],
        "jsonencode([local.description, local.tag, local.location, var.gcp_region])\n",
      );
      assert.ok(read.success, read.stderr);
      const stdout = read.stdout.trim();
      const region = "europe-west1${var.x}";
      assert.deepEqual(JSON.parse(JSON.parse(stdout)), [hostile, hostile, region, region]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
  await t.step("gcp: the description and the region override are written escaped", () => {
    const { file } = gcp(fn);
    const http = file.resource.google_cloudfunctions2_function!.hostile!;
    assert.equal(http.description, "Costs $${var.x} and %%{if true}yes%%{endif}; $$${kept}");
    assert.equal(http.location, "europe-west1$${var.x}");
  });
  await t.step("gcp: the event sources and the region, in a variable's description and default, are as written", () => {
    // Terraform reads a variable's description and default literally: escaped, they would show $${ to the user.
    const { main } = gcp(fn);
    assert.match(
      String(main.variable?.hostile_event?.description),
      /\(sources: google\.cloud\.storage\$\{var\.y\}, %\{for\}\)/,
    );
    assert.equal(main.variable?.gcp_region?.default, "europe-west1${var.x}");
  });
});
