// How the adapter reads the shape of an event: which HTTP payload it is, which header maps count, what the body's
// type is, and which events it refuses (authorizers, VPC Lattice, Bedrock agents) instead of running the handler.

import assert from "node:assert/strict";
import { serverless } from "../mod.ts";
import { handle, UnknownEventError } from "../adapters/aws_lambda.ts";
import { echoFunction, echoOf, fixture, lambdaContext } from "./support/aws_lambda.ts";

const handler = handle(echoFunction(), { logSink: () => {} });

Deno.test("the payload version is read from what only 2.0 has", async (t) => {
  await t.step(
    "a REST (1.0) event that carries rawPath (custom domain, base-path mapping) is answered as 1.0",
    async () => {
      // API Gateway adds rawPath to 1.0 events behind a custom domain with a base-path mapping (honojs/hono#5015).
      const event = fixture("apigw-v1.json");
      event.rawPath = `/api${event.path}`;
      const result = await handler(event, lambdaContext()) as { statusCode: number; multiValueHeaders?: unknown };
      assert.equal(result.statusCode, 200);
      const echo = echoOf(result);
      assert.equal(new URL(echo.url).pathname, event.path);
      assert.equal(echo.method, "POST");
    },
  );

  await t.step('a REST (1.0) event with version "1.0" is answered as 1.0', async () => {
    const event = fixture("apigw-v1.json");
    event.version = "1.0";
    event.rawPath = event.path;
    assert.equal((await handler(event, lambdaContext()) as { statusCode: number }).statusCode, 200);
  });
});

Deno.test("a body's Content-Type is only what the event says", async (t) => {
  await t.step("a text body without a content type reaches the handler without one", async () => {
    const event = fixture("apigw-v1.json");
    delete (event.headers as Record<string, string>)["Content-Type"];
    delete (event.multiValueHeaders as Record<string, string[]>)["Content-Type"];
    const echo = echoOf(await handler(event, lambdaContext()));
    assert.equal(echo.body, event.body);
    assert.equal(echo.headers.find(([name]) => name === "content-type"), undefined);
  });

  await t.step("a text body with a content type keeps exactly that type", async () => {
    const echo = echoOf(await handler(fixture("apigw-v1.json"), lambdaContext()));
    assert.deepEqual(echo.headers.filter(([name]) => name === "content-type"), [["content-type", "application/json"]]);
  });
});

Deno.test("REST (1.0) and ALB header maps are merged, multiValueHeaders winning per name", async (t) => {
  for (const name of ["apigw-v1.json", "alb-multivalue.json"]) {
    await t.step(`${name}: an empty multiValueHeaders does not hide headers`, async () => {
      const event = fixture(name);
      event.multiValueHeaders = {};
      event.headers = { ...event.headers as object, "x-only-single": "1" };
      const echo = echoOf(await handler(event, lambdaContext()));
      assert.deepEqual(echo.headers.filter(([n]) => n === "x-only-single"), [["x-only-single", "1"]]);
    });

    await t.step(
      `${name}: a name only in headers is kept; a name in both takes multiValueHeaders' values`,
      async () => {
        const event = fixture(name);
        event.headers = { ...event.headers as object, "x-single": "s", "X-Both": "from-headers" };
        event.multiValueHeaders = { ...event.multiValueHeaders as object, "x-both": ["m1", "m2"] };
        const echo = echoOf(await handler(event, lambdaContext()));
        assert.deepEqual(echo.headers.filter(([n]) => n === "x-single"), [["x-single", "s"]]);
        assert.deepEqual(echo.headers.filter(([n]) => n === "x-both"), [["x-both", "m1, m2"]]);
      },
    );
  }
});

Deno.test("events that are not HTTP requests the adapter runs are refused by name", async (t) => {
  const REFUSED = new URL("./fixtures/aws/refused/", import.meta.url);
  const expected: Record<string, RegExp> = {
    "apigw-v1-authorizer-request.json": /REST API \(1\.0\) REQUEST authorizer event: it must return a policy/,
    "apigw-v1-authorizer-token.json": /REST API \(1\.0\) TOKEN authorizer event/,
    "apigw-v2-authorizer-request.json": /HTTP API \(2\.0\) REQUEST authorizer event/,
    "vpc-lattice-v2.json": /a VPC Lattice \(v2\) event/,
    "vpc-lattice-v1.json": /a VPC Lattice \(v1\) event/,
    "bedrock-agent.json": /an Amazon Bedrock agent action group event/,
  };
  let ran = false;
  const fn = serverless({ name: "refuses", fetch: () => (ran = true, new Response("ran")) });
  const strict = handle(fn, { logSink: () => {} });
  for (const name of Object.keys(expected)) {
    await t.step(
      `${name}: UnknownEventError naming the event and the supported shapes; the handler never runs`,
      async () => {
        const event = JSON.parse(await Deno.readTextFile(new URL(name, REFUSED)));
        const error = await strict(event, lambdaContext()).then(() => undefined, (e: unknown) => e);
        assert.ok(error instanceof UnknownEventError, `got ${String(error)}`);
        assert.match(error.message, expected[name]!);
        assert.match(
          error.message,
          /This handler accepts: Application Load Balancer, HTTP API \/ Function URL \(payload 2\.0\), REST API \(payload 1\.0\), SQS, S3, SNS, EventBridge scheduled event, EventBridge event\.$/,
        );
        assert.equal(ran, false);
      },
    );
  }

  await t.step("every file in fixtures/aws/refused is checked above", () => {
    const files = [...Deno.readDirSync(REFUSED)].map((e) => e.name).sort();
    assert.deepEqual(files, Object.keys(expected).sort());
  });
});
