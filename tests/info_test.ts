import assert from "node:assert/strict";
import {
  describeFunction,
  type FunctionInfo,
  type Requirements,
  Router,
  serverless,
  validateOverrides,
} from "../mod.ts";
import { schemaErrors } from "./support/schema.ts";

function info(requirements: Requirements, overrides = {}): FunctionInfo {
  const fn = serverless({
    name: "probe",
    requirements,
    fetch: new Router().get("/", () => new Response()),
    queue: { name: "jobs", run() {} },
  });
  return describeFunction({ fn, entry: "probe.ts", exportName: "default" }, overrides);
}

Deno.test("The --info schema accepts what describeFunction writes and rejects what it must not", async (t) => {
  await t.step("a full description is valid", () => {
    const doc = { slrs: "0.1.0", functions: [info({ memory: 512, bindings: { kv: ["A"] } })] };
    assert.equal(schemaErrors(doc), undefined);
  });
  await t.step("a missing platform is invalid", () => {
    const fn = info({});
    const { gcp: _gcp, ...platforms } = fn.platforms;
    assert.notEqual(schemaErrors({ slrs: "0.1.0", functions: [{ ...fn, platforms }] }), undefined);
  });
  await t.step("an unknown trigger type is invalid", () => {
    const fn = { ...info({}), triggers: [{ type: "carrier-pigeon" }] };
    assert.notEqual(schemaErrors({ slrs: "0.1.0", functions: [fn] }), undefined);
  });
  await t.step("memory outside the accepted range is invalid", () => {
    const fn = info({});
    assert.notEqual(schemaErrors({ slrs: "0.1.0", functions: [{ ...fn, requirements: { memory: 1 } }] }), undefined);
  });
});

Deno.test("Recommendations per platform", async (t) => {
  await t.step("Lambda takes memory, timeout and architecture as required", () => {
    const lambda = info({ memory: 1769, timeout: 30, architecture: "x86_64" }).platforms["aws-lambda"];
    assert.deepEqual(lambda.settings, { runtime: "nodejs22.x", memory: 1769, timeout: 30, architecture: "x86_64" });
    assert.deepEqual(lambda.warnings, []);
  });

  await t.step("Lambda streams responses (invokeMode RESPONSE_STREAM) when the function requires streaming", () => {
    assert.equal(info({ streaming: true }).platforms["aws-lambda"].settings.invokeMode, "RESPONSE_STREAM");
    assert.equal(info({ streaming: false }).platforms["aws-lambda"].settings.invokeMode, "BUFFERED");
    assert.equal(info({}).platforms["aws-lambda"].settings.invokeMode, undefined, "Lambda's default, BUFFERED");
    assert.deepEqual(info({ streaming: true }).platforms["aws-lambda"].warnings, []);
    const viaApi = info({ streaming: true }, { "aws-lambda": { exposure: "http-api" } }).platforms["aws-lambda"];
    assert.match(viaApi.warnings.join(), /does not stream through an API Gateway HTTP API/);
    const buffered = info({ streaming: true }, { "aws-lambda": { invokeMode: "BUFFERED" } }).platforms["aws-lambda"];
    assert.equal(buffered.settings.invokeMode, "BUFFERED");
    assert.equal(schemaErrors({ slrs: "0.1.0", functions: [info({ streaming: true })] }), undefined);
  });

  await t.step("Workers warn above 128 MB and cap CPU at 300 s", () => {
    const cf = info({ memory: 1024, timeout: 900 }).platforms.cloudflare;
    assert.equal(cf.settings.cpuMs, 300_000);
    assert.equal(cf.warnings.length, 2);
    assert.match(cf.warnings[0]!, /memory 1024 MB is above the 128 MB/);
    assert.match(cf.warnings[1]!, /timeout 900 s.*300 s/);
  });

  await t.step("Workers stay silent for a function that fits", () => {
    assert.deepEqual(info({ memory: 128, timeout: 10 }).platforms.cloudflare.warnings, []);
  });

  await t.step("Azure rounds memory up to an instance size and warns about the HTTP 230 s limit", () => {
    const azure = info({ memory: 1000, timeout: 600 }).platforms.azure;
    assert.equal(azure.settings.instanceMemory, 2048);
    assert.equal(azure.settings.functionTimeout, "00:10:00");
    assert.match(azure.warnings.join(), /230 s/);
  });

  await t.step("Vercel warns when a plan limit is passed", () => {
    const vercel = info({ memory: 8192, timeout: 900 }).platforms.vercel;
    assert.equal(vercel.settings.memory, 4096);
    assert.match(vercel.warnings.join("\n"), /8192 MB is above Vercel's 4096 MB/);
    assert.match(vercel.warnings.join("\n"), /maxDuration 900 s is above Vercel's 800 s/);
  });

  await t.step("Google rounds memory to a size it offers", () => {
    assert.equal(info({ memory: 300 }).platforms.gcp.settings.memory, 512);
  });
});

Deno.test("Overrides", async (t) => {
  await t.step("win over recommendations and are marked", () => {
    const fn = info({ memory: 256 }, { "aws-lambda": { memory: 2048, logRetentionDays: 14 } });
    const lambda = fn.platforms["aws-lambda"];
    assert.equal(lambda.settings.memory, 2048);
    assert.equal(lambda.settings.logRetentionDays, 14);
    assert.deepEqual(lambda.overridden, ["memory", "logRetentionDays"]);
    assert.deepEqual(fn.platforms.gcp.overridden, []);
  });

  await t.step("that a platform cannot honour produce a warning", () => {
    const fn = info({}, { "aws-lambda": { timeout: 1200 } });
    assert.match(fn.platforms["aws-lambda"].warnings.join(), /timeout 1200 s is above Lambda's 900 s cap/);
  });

  await t.step("below a requirement produce a warning", () => {
    const fn = info({ memory: 1024 }, { "aws-lambda": { memory: 512 } });
    assert.match(fn.platforms["aws-lambda"].warnings.join(), /below the 1024 MB the function requires/);
  });

  await t.step("an invokeMode other than BUFFERED or RESPONSE_STREAM fails and names both", () => {
    assert.throws(
      () => validateOverrides({ probe: { "aws-lambda": { invokeMode: "STREAM" } } }, ["probe"]),
      /slrs\.overrides\.probe\.aws-lambda\.invokeMode must be "BUFFERED" or "RESPONSE_STREAM"; got "STREAM"/,
    );
  });

  await t.step("naming an unknown function, platform or setting fail with a hint", () => {
    assert.throws(() => validateOverrides({ prob: {} }, ["probe"]), /no function named "prob".*did you mean "probe"/);
    assert.throws(
      () => validateOverrides({ probe: { aws: {} } }, ["probe"]),
      /unknown platform.*platforms: aws-lambda/,
    );
    assert.throws(
      () => validateOverrides({ probe: { vercel: { maxDurations: 5 } } }, ["probe"]),
      /unknown setting \(did you mean "maxDuration"\?\)/,
    );
    assert.throws(
      () => validateOverrides({ probe: { vercel: { memory: { a: 1 } } } }, ["probe"]),
      /slrs\.overrides\.probe\.vercel\.memory must be an integer of at least 1 \(MB\); got \{"a":1\}/,
    );
    assert.throws(() => validateOverrides({ probe: { constructor: {} } }, ["probe"]), /unknown platform/);
    assert.throws(() => validateOverrides([], ["probe"]), /must be an object/);
  });
});

Deno.test("--info lists each binding's backend per platform", async (t) => {
  const counter = { bindings: { kv: ["COUNTER"], buckets: ["UPLOADS"], queues: ["EMAILS"] } } as const;

  await t.step(
    "the counter gets DynamoDB on Lambda, named by SLRS_COUNTER_TABLE, with no 'no equivalent' warning",
    () => {
      const lambda = info(counter).platforms["aws-lambda"];
      assert.deepEqual(lambda.bindings.COUNTER, {
        kind: "kv",
        backend: "dynamodb",
        variable: "SLRS_COUNTER_TABLE",
        also: ["AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"],
      });
      assert.deepEqual([lambda.bindings.UPLOADS!.backend, lambda.bindings.EMAILS!.backend], ["s3", "sqs"]);
      assert.doesNotMatch(lambda.warnings.join(), /no Lambda equivalent/);
    },
  );

  await t.step("each platform gets its default backends, and Cloudflare its native bindings", () => {
    const backends = (platform: keyof FunctionInfo["platforms"]) =>
      Object.values(info(counter).platforms[platform].bindings).map((b) => b.backend);
    assert.deepEqual(backends("azure"), ["azure-table", "azure-blob", "azure-queue"]);
    assert.deepEqual(backends("gcp"), ["firestore", "gcs", "pubsub"]);
    assert.deepEqual(backends("vercel"), ["upstash", "vercel-blob", "none"]);
    assert.deepEqual(backends("cloudflare"), ["workers-kv", "r2", "cloudflare-queues"]);
  });

  await t.step("a queue on Vercel warns until an override picks a backend", () => {
    assert.match(
      info(counter).platforms.vercel.warnings.join(),
      /queue binding EMAILS has no native backend on vercel/,
    );
    const sqs = info(counter, { vercel: { queueBackend: "sqs" } }).platforms.vercel;
    assert.equal(sqs.bindings.EMAILS!.variable, "SLRS_EMAILS_QUEUE_URL");
    assert.doesNotMatch(sqs.warnings.join(), /no native backend/);
  });

  await t.step("an override picks another backend, e.g. Redis for the counter on Lambda", () => {
    const redis = info(counter, { "aws-lambda": { kvBackend: "redis" } }).platforms["aws-lambda"];
    assert.deepEqual(redis.bindings.COUNTER, {
      kind: "kv",
      backend: "redis",
      variable: "SLRS_COUNTER_REDIS_URL",
      also: ["REDIS_URL"],
    });
  });

  await t.step("a backend's numbered limits are warnings for that platform", () => {
    assert.match(info(counter).platforms["aws-lambda"].warnings.join(), /limits 1, 2, 7/);
    assert.match(info(counter).platforms.cloudflare.warnings.join(), /eventually consistent/);
    assert.doesNotMatch(info({}).platforms["aws-lambda"].warnings.join(), /docs\/bindings\.md/);
  });

  await t.step("an unknown backend name is refused with a did-you-mean, and one of another kind too", () => {
    assert.throws(
      () => validateOverrides({ probe: { "aws-lambda": { kvBackend: "dynamo" } } }, ["probe"]),
      /kvBackend must be one of dynamodb, azure-table, .* \(did you mean "dynamodb"\?\)/,
    );
    assert.throws(() => validateOverrides({ probe: { azure: { kvBackend: "s3" } } }, ["probe"]), /must be one of/);
    assert.equal(
      validateOverrides({ probe: { gcp: { bucketBackend: "s3" } } }, ["probe"]).probe?.gcp?.bucketBackend,
      "s3",
    );
  });

  await t.step("the listing is valid against the --info schema", () => {
    assert.equal(schemaErrors({ slrs: "0.1.0", functions: [info(counter)] }), undefined);
    const wrong = info(counter);
    (wrong.platforms.azure.bindings.COUNTER as { backend: string }).backend = "mongodb";
    assert.notEqual(schemaErrors({ slrs: "0.1.0", functions: [wrong] }), undefined);
  });
});

Deno.test("build keeps a backend's limits as warnings, even for a backend an override picked", async (t) => {
  const { platformProblems } = await import("../cli/iac/overrides.ts");
  await t.step("the SQS limits of a Vercel queue overridden to SQS do not stop the build", () => {
    const fn = info({ bindings: { queues: ["EMAILS"] } }, { vercel: { queueBackend: "sqs" } });
    const problems = platformProblems(fn, "vercel");
    assert.deepEqual(problems.errors, []);
    assert.match(problems.warnings.join(), /Queue on SQS/);
  });
});
