/**
 * Specialised Lambda entries: `cli.ts build --target aws-lambda` writes an entry that takes only the event shapes the
 * deployment delivers (from the function's triggers and its `exposure`), so the bundle carries only their converters,
 * and an event of another shape is refused with an error naming what arrived and what the function was built for.
 * `handle()` still takes every shape.
 */

import assert from "node:assert/strict";
import { alb, handle, handleHttpV2, handleShapes, sqs, UnknownEventError } from "../adapters/aws_lambda.ts";
import { serverless } from "../mod.ts";
import { fixture, lambdaContext } from "./support/aws_lambda.ts";
import { runCli } from "./support/process.ts";

const HTTP_ONLY = "tests/adapters/fixtures/lambda_http_only_app.ts";
const SOURCES = "tests/adapters/fixtures/lambda_sources_app.ts";

interface Built {
  entry: string;
  bundle: string;
  /** The bundle's `handler`, imported. */
  handler: (event: unknown, context: unknown) => Promise<Record<string, unknown> | undefined>;
}

async function build(out: string, entry: string, name: string, overrides?: unknown): Promise<Built> {
  const args = ["build", "--target", "aws-lambda", entry, "--out", out];
  if (overrides !== undefined) {
    const file = `${out}/overrides_${name}.json`;
    await Deno.writeTextFile(file, JSON.stringify(overrides));
    args.push("--overrides", file);
  }
  const run = await runCli(args);
  assert.equal(run.code, 0, run.stderr);
  const path = `${out}/aws-lambda/${name}.mjs`;
  const module = await import(`file://${path}?${crypto.randomUUID()}`);
  return {
    entry: await Deno.readTextFile(`${out}/aws-lambda/${name}.entry.ts`),
    bundle: await Deno.readTextFile(path),
    handler: module.handler,
  };
}

Deno.test("build --target aws-lambda imports only the event shapes the deployment delivers", async (t) => {
  const out = await Deno.makeTempDir({ prefix: "slrs_special_" });
  try {
    const http = await build(out, HTTP_ONLY, "http-only");

    await t.step("an HTTP-only function behind a Function URL gets the payload 2.0 shape alone", () => {
      assert.match(http.entry, /export const handler = handleShapes\(fn, \[httpV2\]\);/);
    });

    await t.step("its bundle carries no other shape's converter, and no node:http", () => {
      for (
        const text of [
          "SentTimestamp",
          "ApproximateReceiveCount",
          "statusDescription",
          "multiValueQueryStringParameters",
        ]
      ) {
        assert.ok(!http.bundle.includes(text), `the HTTP-only bundle contains ${JSON.stringify(text)}`);
      }
      assert.ok(!http.bundle.includes("node:http"), "the HTTP-only bundle imports node:http");
    });

    await t.step("its bundle leaves out the library modules it does not use, the router among them", () => {
      for (const text of ["is registered twice", "called next() more than once"]) {
        assert.ok(!http.bundle.includes(text), `the HTTP-only bundle carries the router (${JSON.stringify(text)})`);
      }
    });

    await t.step("the bundle answers a Function URL event", async () => {
      const result = await http.handler(fixture("function-url.json"), lambdaContext());
      assert.equal(result?.statusCode, 200);
      assert.equal(result?.body, "Hello from slrs!\n");
    });

    await t.step(
      "an SQS event arriving anyway is an UnknownEventError naming it and what the function takes",
      async () => {
        const error = await http.handler(fixture("sqs.json"), lambdaContext()).catch((e: unknown) => e);
        assert.ok(error instanceof Error && error.name === "UnknownEventError", String(error));
        assert.match(
          error.message,
          /got an SQS event\. This handler accepts: HTTP API \/ Function URL \(payload 2\.0\)\./,
        );
        assert.match(error.message, /declare its trigger \(or its exposure\) and build again/);
      },
    );

    await t.step("a REST (1.0) event is refused too: a Function URL never sends one", async () => {
      const error = await http.handler(fixture("apigw-v1.json"), lambdaContext()).catch((e: unknown) => e);
      assert.match(String(error), /got a REST API \(payload 1\.0\) event/);
    });

    await t.step("the hello example (HTTP and a schedule) gets payload 2.0 and EventBridge schedules", async () => {
      const hello = await build(out, "examples/hello/main.ts", "hello");
      assert.match(hello.entry, /handleShapes\(fn, \[httpV2, schedule\]\)/);
      assert.ok(!hello.bundle.includes("SentTimestamp"), "the hello bundle carries the SQS converter");
    });

    await t.step('exposure "http-api" also takes payload 2.0 only', async () => {
      const api = await build(out, HTTP_ONLY, "http-only", { "http-only": { "aws-lambda": { exposure: "http-api" } } });
      assert.match(api.entry, /handleShapes\(fn, \[httpV2\]\)/);
    });

    await t.step("a queue and S3 consumer takes SQS, S3 and EventBridge, and no HTTP", async () => {
      const sources = await build(out, SOURCES, "sources");
      assert.match(sources.entry, /handleShapes\(fn, \[sqs, s3, eventBridge\]\)/);
      const batch = await sources.handler(fixture("sqs.json"), lambdaContext());
      assert.deepEqual(batch, { batchItemFailures: [] });
      const error = await sources.handler(fixture("apigw-v2.json"), lambdaContext()).catch((e: unknown) => e);
      assert.match(
        String(error),
        /got an HTTP API \/ Function URL \(payload 2\.0\) event\. This handler accepts: SQS, S3/,
      );
    });

    await t.step('the fetchWarmUp setting "init" does the Fetch first touch at module init', async () => {
      assert.ok(!http.entry.includes("warmFetch"), "the default entry warms Fetch at init");
      const warm = await build(out, HTTP_ONLY, "http-only", { "http-only": { "aws-lambda": { fetchWarmUp: "init" } } });
      assert.match(
        warm.entry,
        /import \{ handleShapes, httpV2, warmFetch \} from .*\nimport fn from .*\nawait warmFetch\(\);\n/,
      );
      const result = await warm.handler(fixture("function-url.json"), lambdaContext());
      assert.equal(result?.body, "Hello from slrs!\n");
    });

    await t.step('exposure "none" leaves HTTP out of a function that has routes', async () => {
      const none = await build(out, "examples/hello/main.ts", "hello", {
        hello: { "aws-lambda": { exposure: "none" } },
      });
      assert.match(none.entry, /handleShapes\(fn, \[schedule\]\)/);
    });
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("handleShapes takes only its shapes; handle takes every one", async (t) => {
  const fn = serverless({ name: "shapes", fetch: () => new Response("hi"), queue: { name: "q", run: () => {} } });

  await t.step("an ALB event to an HTTP API handler names ALB and the accepted shape", async () => {
    const error = await handleHttpV2(fn)(fixture("alb.json"), lambdaContext()).catch((e: unknown) => e);
    assert.ok(error instanceof UnknownEventError);
    assert.match(error.message, /got an Application Load Balancer event\. This handler accepts: HTTP API/);
  });

  await t.step("a handler built with [alb, sqs] answers ALB and runs SQS", async () => {
    const handler = handleShapes(fn, [alb, sqs]);
    const result = await handler(fixture("alb.json"), lambdaContext());
    assert.equal((result as { statusDescription?: string }).statusDescription, "200 OK");
    assert.deepEqual(await handler(fixture("sqs.json"), lambdaContext()), { batchItemFailures: [] });
  });

  await t.step("handle() still takes all of them", async () => {
    const handler = handle(fn, { logSink: () => {} });
    for (const name of ["alb.json", "apigw-v1.json", "apigw-v2.json", "function-url.json", "sqs.json"]) {
      await handler(fixture(name), lambdaContext());
    }
  });
});
