import assert from "node:assert/strict";
import { createContext, serverless } from "../mod.ts";
import { handle, runtime } from "../adapters/aws_lambda.ts";
import { errorPolicyApp } from "./adapters/fixtures/error_policy_app.ts";
import { fixture, lambdaContext } from "./support/aws_lambda.ts";
import { startOnNode } from "./support/child_server.ts";
import { startRuntimeApi } from "./support/runtime_api_server.ts";

// What each route of the error-policy app must answer, and the log line it must leave. Every adapter gets the same
// table: nothing a handler throws, returns from onError or logs may crash the adapter or move the blame.
interface Case {
  step: string;
  path: string;
  status: number;
  /** The JSON error message, for answers of the error policy (which carry the request id). */
  error?: string;
  /** The plain text, for answers the handler or onError made. */
  text?: string;
  logs: RegExp[];
}

const CASES: Case[] = [
  {
    step: "an HttpError with an invalid header value keeps its status and logs the bad header",
    path: "/http-error-bad-header",
    status: 401,
    error: "Sign in first",
    logs: [/"level":"error","msg":"HttpError headers are not valid HTTP headers/],
  },
  {
    step: "a thrown Object.create(null) answers 500 with the request id and is logged",
    path: "/throw-null-prototype",
    status: 500,
    error: "Internal Server Error",
    logs: [/"error":"\[object Object\]","level":"error","msg":"unhandled error"/],
  },
  {
    step: "a logged BigInt is written as text and the handler's answer stands",
    path: "/log-bigint",
    status: 200,
    text: "logged",
    logs: [/"n":"1","level":"info","msg":"counted"/],
  },
  {
    step: "a logged circular value is written with [Circular] and the handler's answer stands",
    path: "/log-circular",
    status: 200,
    text: "logged",
    logs: [/"value":\{"name":"loop","self":"\[Circular\]"\},"level":"info","msg":"looped"/],
  },
  {
    step: "an async onError resolving to a non-Response answers 500 and logs both errors",
    path: "/onerror-resolves-non-response",
    status: 500,
    error: "Internal Server Error",
    logs: [/"msg":"onError failed on this error"/, /handed to onError/, /The onError handler returned string/],
  },
  {
    step: "onError is given HttpErrors too",
    path: "/http-error-to-onerror",
    status: 410,
    text: "onError saw it",
    logs: [],
  },
];

interface Answer {
  status: number;
  headers: Headers;
  body: string;
}

async function checkAnswer(answer: Answer, expected: Case, logs: string, requestId?: string): Promise<void> {
  assert.equal(answer.status, expected.status, answer.body);
  if (expected.text !== undefined) assert.equal(answer.body, expected.text);
  if (expected.error !== undefined) {
    const body = JSON.parse(answer.body) as { error: string; requestId: string };
    assert.equal(body.error, expected.error);
    assert.equal(answer.headers.get("x-request-id"), body.requestId);
    if (requestId !== undefined) assert.equal(body.requestId, requestId);
    assert.ok(!answer.body.includes("at "), "no stack in the response");
  }
  for (const log of expected.logs) assert.match(logs, log);
  await Promise.resolve();
}

// Collects what the default console sink writes while `run` runs.
async function consoleOf<T>(run: () => Promise<T>): Promise<[T, string]> {
  const lines: string[] = [];
  const { log, error } = console;
  console.log = (...args: unknown[]) => void lines.push(args.join(" "));
  console.error = (...args: unknown[]) => void lines.push(args.join(" "));
  try {
    return [await run(), lines.join("\n")];
  } finally {
    console.log = log;
    console.error = error;
  }
}

Deno.test("the error policy holds in the core", async (t) => {
  for (const expected of CASES) {
    await t.step(expected.step, async () => {
      const ctx = createContext({ platform: "fetch", requestId: "req-core" });
      const [answer, logs] = await consoleOf(async () => {
        const res = await errorPolicyApp.dispatch(new Request(`http://localhost${expected.path}`), ctx);
        return { status: res.status, headers: res.headers, body: await res.text() };
      });
      await checkAnswer(answer, expected, logs, "req-core");
    });
  }
});

Deno.test("ctx.log never throws into the code that logs", async (t) => {
  await t.step("a field whose toJSON throws keeps the record's level, message and request id", async () => {
    const ctx = createContext({ platform: "fetch", requestId: "req-log" });
    const bad = {
      toJSON() {
        throw new Error("no JSON for you");
      },
    };
    const [, logs] = await consoleOf(() => Promise.resolve(ctx.log.info("odd field", { bad })));
    const record = JSON.parse(logs);
    assert.equal(record.msg, "odd field");
    assert.equal(record.requestId, "req-log");
    assert.match(record.logError, /could not be written as JSON: Error: no JSON for you/);
  });

  await t.step("a sink that throws is reported on the console instead", async () => {
    const ctx = createContext({
      platform: "fetch",
      requestId: "req-sink",
      logSink: () => {
        throw new Error("sink down");
      },
    });
    const [, logs] = await consoleOf(() => Promise.resolve(ctx.log.warn("still logged")));
    assert.match(logs, /"msg":"still logged","requestId":"req-sink".*"logError":"Error: sink down/);
  });
});

Deno.test("the error policy holds on AWS Lambda", async (t) => {
  const lambda = handle(errorPolicyApp);
  for (const expected of CASES) {
    await t.step(expected.step, async () => {
      const event = fixture<Record<string, unknown> & { requestContext: { http: { path: string; method: string } } }>(
        "function-url.json",
      );
      event.rawPath = expected.path;
      event.requestContext.http.path = expected.path;
      event.requestContext.http.method = "GET";
      delete event.body;
      const [result, logs] = await consoleOf(async () =>
        await lambda(event, lambdaContext(3000, "req-aws")) as {
          statusCode: number;
          headers: Record<string, string>;
          body: string;
        }
      );
      const answer = { status: result.statusCode, headers: new Headers(result.headers), body: result.body };
      await checkAnswer(answer, expected, logs, "req-aws");
    });
  }
});

Deno.test("the AWS Lambda runtime loop survives a trigger that throws Object.create(null)", async () => {
  await using api = startRuntimeApi();
  const stop = new AbortController();
  const fn = serverless({
    name: "odd-throws",
    queue: {
      name: "q",
      run: () => {
        throw Object.create(null);
      },
    },
    fetch: () => new Response("still up"),
  });
  // The loop is returned in an object: an async function returning the promise itself would wait for it to end.
  const [{ loop }, logs] = await consoleOf(async () => {
    const loop = runtime(fn, { api: api.api, signal: stop.signal, env: {}, logSink: () => {} });
    const failed = await api.invoke(fixture("sqs.json"));
    assert.equal(failed.kind, "error");
    assert.match(JSON.stringify(failed.body), /\[object Object\]/);
    const next = await api.invoke(fixture("function-url.json"));
    assert.equal((next.body as { body: string }).body, "still up");
    return { loop };
  });
  assert.match(logs, /"msg":"invocation failed"/);
  stop.abort();
  await loop;
});

Deno.test("the error policy holds on the Node adapter under real Node 20", async (t) => {
  const server = await startOnNode("tests/adapters/fixtures/error_policy_node_main.ts");
  try {
    for (const expected of CASES) {
      await t.step(expected.step, async () => {
        const res = await fetch(new URL(expected.path, server.url));
        const answer = { status: res.status, headers: res.headers, body: await res.text() };
        // The log line is written before the response is, so it is in the output by now or very soon.
        let logs = server.output();
        for (let i = 0; i < 50 && !expected.logs.every((log) => log.test(logs)); i++) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          logs = server.output();
        }
        await checkAnswer(answer, expected, logs);
      });
    }
    await t.step("the server still answers after all of them", async () => {
      const res = await fetch(new URL("/ok", server.url));
      assert.equal(await res.text(), "still up");
    });
  } finally {
    await server.close();
  }
});
