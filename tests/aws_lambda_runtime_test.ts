import assert from "node:assert/strict";
import { Router, serverless } from "../mod.ts";
import { runtime } from "../adapters/aws_lambda.ts";
import { fixture } from "./support/aws_lambda.ts";
import { startRuntimeApi } from "./support/runtime_api_server.ts";

const fn = serverless({
  name: "runtime",
  fetch: new Router()
    .get("/", (_req, ctx) =>
      Response.json({
        requestId: ctx.requestId,
        remaining: ctx.remainingMs(),
        trace: Deno.env.get("_X_AMZN_TRACE_ID") ?? null,
        arn: (ctx.raw as { context: { invokedFunctionArn: string } }).context.invokedFunctionArn,
      }))
    .get("/slow", async (_req, ctx) => {
      // Ignores its signal on purpose: the runtime must not wait for it past the deadline.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      return Response.json({ late: true, aborted: ctx.signal.aborted });
    }),
  queue: {
    name: "SQSQueue",
    run(batch) {
      for (const message of batch.messages) {
        if (message.body === "poison") throw new Error(`cannot process ${message.id}`);
        if (message.body === "later") message.retry();
        else message.ack();
      }
    },
  },
});

function sqsBatch(bodies: string[]): unknown {
  const event = fixture<{ Records: Record<string, unknown>[] }>("sqs.json");
  const template = event.Records[0]!;
  event.Records = bodies.map((body, i) => ({ ...structuredClone(template), messageId: `m${i + 1}`, body }));
  return event;
}

Deno.test("runtime() speaks the Lambda Runtime API", async (t) => {
  await using api = startRuntimeApi();
  const stop = new AbortController();
  const loop = runtime(fn, { api: api.api, signal: stop.signal, env: {}, logSink: () => {} });

  await t.step("a normal invocation posts the HTTP result to /response, with the deadline and trace id", async () => {
    const outcome = await api.invoke(fixture("apigw-v2.json"), { id: "abc-1", timeoutMs: 5000, trace: "Root=1-a-b" });
    assert.equal(outcome.kind, "response");
    const result = outcome.body as { statusCode: number; body: string };
    assert.equal(result.statusCode, 200);
    const seen = JSON.parse(result.body);
    assert.equal(seen.requestId, "abc-1");
    assert.ok(seen.remaining > 3000 && seen.remaining <= 5000, `remaining ${seen.remaining}`);
    assert.equal(seen.trace, "Root=1-a-b");
    assert.equal(seen.arn, "arn:aws:lambda:eu-west-1:123456789012:function:test");
  });

  await t.step("an SQS batch posts batchItemFailures with the retried messages", async () => {
    const outcome = await api.invoke(sqsBatch(["ok", "later", "ok"]));
    assert.deepEqual(outcome, {
      kind: "response",
      body: { batchItemFailures: [{ itemIdentifier: "m2" }] },
      errorType: null,
    });
  });

  await t.step("an invocation that throws posts /error with its type and message", async () => {
    const outcome = await api.invoke(sqsBatch(["poison", "ok"]));
    assert.equal(outcome.kind, "error");
    assert.equal(outcome.errorType, "Error");
    assert.match((outcome.body as { errorMessage: string }).errorMessage, /cannot process m1/);
  });

  await t.step("an unknown event posts /error naming the event's keys", async () => {
    const outcome = await api.invoke({ surprise: true });
    assert.equal(outcome.errorType, "UnknownEventError");
    assert.match((outcome.body as { errorMessage: string }).errorMessage, /\[surprise\]/);
  });

  await t.step(
    "an invocation still running at its deadline is reported as timed out, and the loop goes on",
    async () => {
      const slow = fixture<Record<string, unknown>>("apigw-v2.json");
      slow.rawPath = "/slow";
      const started = Date.now();
      const outcome = await api.invoke(slow, { timeoutMs: 300 });
      const took = Date.now() - started;
      assert.equal(outcome.kind, "error");
      assert.equal(outcome.errorType, "Sandbox.Timedout");
      assert.ok(took < 1400, `reported after ${took} ms, before the handler finished`);
      const next = await api.invoke(fixture("apigw-v2.json"));
      assert.equal((next.body as { statusCode: number }).statusCode, 200);
    },
  );

  stop.abort();
  await loop;
  // Let the abandoned slow handler finish, so the test leaves no timer behind.
  await new Promise((resolve) => setTimeout(resolve, 1500));
});

Deno.test("runtime() reports a failed start-up to /init/error", async (t) => {
  await t.step("a loader that throws is posted as Runtime.InitError and runtime() rejects", async () => {
    await using api = startRuntimeApi();
    const failing = runtime(() => {
      throw new Error("DATABASE_URL is not set");
    }, { api: api.api });
    await assert.rejects(failing, /DATABASE_URL is not set/);
    assert.equal(api.initErrors.length, 1);
    assert.equal(api.initErrors[0]!.errorType, "Runtime.InitError");
    assert.match((api.initErrors[0]!.body as { errorMessage: string }).errorMessage, /DATABASE_URL/);
    assert.equal(api.nextCalls, 0);
  });

  await t.step("a Runtime API that fails /invocation/next stops the loop with a clear error", async () => {
    await using broken = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      () => Response.json({ errorMessage: "boom" }, { status: 500 }),
    );
    await assert.rejects(runtime(fn, { api: `127.0.0.1:${broken.addr.port}` }), /answered 500 to \/invocation\/next/);
  });

  await t.step("a loader that resolves to something else is an init error too", async () => {
    await using api = startRuntimeApi();
    await assert.rejects(runtime(() => ({}) as never, { api: api.api }), /return the value of serverless/);
    assert.equal(api.initErrors.length, 1);
  });
});

Deno.test("runtime({ responseStream: true }) streams HTTP responses", async (t) => {
  await using api = startRuntimeApi();
  const stop = new AbortController();
  const streaming = serverless({
    name: "streaming",
    fetch: () => {
      const headers = new Headers({ "content-type": "text/plain" });
      headers.append("set-cookie", "a=1");
      const chunks = ["one ", "two ", "three"];
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          const next = chunks.shift();
          if (next === undefined) controller.close();
          else controller.enqueue(new TextEncoder().encode(next));
        },
      });
      return new Response(body, { status: 207, headers });
    },
    queue: { name: "q", run: () => {} },
  });
  const loop = runtime(streaming, { api: api.api, signal: stop.signal, env: {}, responseStream: true });

  await t.step("the prelude, 8 NUL bytes and the body go to /response in streaming mode", async () => {
    const outcome = await api.invoke(fixture("function-url.json"));
    assert.equal(outcome.kind, "stream");
    assert.deepEqual(outcome.body, {
      contentType: "application/vnd.awslambda.http-integration-response",
      prelude: { statusCode: 207, headers: { "content-type": "text/plain" }, cookies: ["a=1"] },
      body: "one two three",
    });
  });

  await t.step("a non-HTTP event still gets its JSON result", async () => {
    const outcome = await api.invoke(sqsBatch(["ok"]));
    assert.deepEqual(outcome, { kind: "response", body: { batchItemFailures: [] }, errorType: null });
  });

  stop.abort();
  await loop;
});

Deno.test("runtime() copes with what the Runtime API leaves out or fails", async (t) => {
  await t.step("an invocation without Lambda-Runtime-Deadline-Ms runs with no deadline, not as timed out", async () => {
    await using api = startRuntimeApi();
    const stop = new AbortController();
    const loop = runtime(fn, { api: api.api, signal: stop.signal, env: {}, logSink: () => {} });
    const outcome = await api.invoke(fixture("apigw-v2.json"), { omit: ["lambda-runtime-deadline-ms"] });
    assert.equal(outcome.kind, "response");
    assert.equal(outcome.errorType, null);
    const result = outcome.body as { statusCode: number; body: string };
    assert.equal(result.statusCode, 200);
    // Infinity milliseconds left, which JSON writes as null.
    assert.equal(JSON.parse(result.body).remaining, null);
    stop.abort();
    await loop;
  });

  await t.step("an invocation without a request id stops the loop and posts nothing", async () => {
    await using api = startRuntimeApi();
    void api.invoke(fixture("apigw-v2.json"), { omit: ["lambda-runtime-aws-request-id"] });
    await assert.rejects(
      runtime(fn, { api: api.api, env: {}, logSink: () => {} }),
      /without a Lambda-Runtime-Aws-Request-Id/,
    );
    assert.deepEqual(api.posts.map((p) => `${p.kind} ${p.id}`), []);
  });

  await t.step("a /response post the Runtime API fails is not re-reported as a function error", async () => {
    await using api = startRuntimeApi();
    const stop = new AbortController();
    const loop = runtime(fn, { api: api.api, signal: stop.signal, env: {}, logSink: () => {} });
    void api.invoke(fixture("apigw-v2.json"), { id: "dropped", dropResponse: true });
    // The loop goes on to the next invocation, and nothing was posted to /error for the dropped one.
    const next = await api.invoke(fixture("apigw-v2.json"), { id: "after" });
    assert.equal((next.body as { statusCode: number }).statusCode, 200);
    // (The HTTP client may retry the dropped post once; it is never turned into an /error post.)
    assert.deepEqual(api.posts.filter((p) => p.kind === "error"), []);
    assert.deepEqual(api.posts.map((p) => `${p.kind} ${p.id}`).at(-1), "response after");
    stop.abort();
    await loop;
  });
});

Deno.test("runtime({ responseStream: true }) fails a broken stream with the error trailers", async (t) => {
  await using api = startRuntimeApi();
  const stop = new AbortController();
  const broken = serverless({
    name: "broken-stream",
    fetch: () =>
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode("partial"));
          },
          pull(controller) {
            controller.error(new TypeError("upstream went away"));
          },
        }),
        { headers: { "content-type": "text/plain" } },
      ),
  });
  const loop = runtime(broken, { api: api.api, signal: stop.signal, env: {}, responseStream: true, logSink: () => {} });

  await t.step("an error after the head reaches the Runtime API as Lambda-Runtime-Function-Error-*", async () => {
    const outcome = await api.invoke(fixture("function-url.json"), { id: "broken" });
    assert.deepEqual(outcome, {
      kind: "stream",
      body: {
        contentType: "application/vnd.awslambda.http-integration-response",
        prelude: { statusCode: 200, headers: { "content-type": "text/plain" } },
        body: "partial",
      },
      errorType: "TypeError",
    });
    const post = api.posts.findLast((p) => p.id === "broken")!;
    assert.equal(post.chunked, true);
    const body = JSON.parse(atob(post.trailers["lambda-runtime-function-error-body"]!));
    assert.equal(body.errorMessage, "upstream went away");
    assert.equal(body.errorType, "TypeError");
  });

  stop.abort();
  await loop;
});
