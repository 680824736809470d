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
