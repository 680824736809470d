import assert from "node:assert/strict";
import { type CloudEvent, createContext, type MessageBatch, type ScheduledEvent, serverless } from "../mod.ts";
import type {
  APIGatewayProxyEventV2,
  Context as AwsContext,
  Handler as AwsHandler,
  SQSEvent,
} from "npm:@types/aws-lambda@^8.10.164";
import { handle, isBinaryDefault, type LambdaContext, UnknownEventError } from "../adapters/aws_lambda.ts";
type LambdaEvent = unknown;
import { type Json, type Shape, toRequest } from "../adapters/aws_lambda/_http.ts";
import { HTTP_API } from "../adapters/aws_lambda/_http_v2.ts";
import { REST } from "../adapters/aws_lambda/_rest.ts";
import { startUpstream, UPSTREAM_TEXT } from "./support/upstream.ts";
import { echoFunction, echoOf, fixture, FIXTURES, lambdaContext, recordingSink } from "./support/aws_lambda.ts";

type Result = Record<string, unknown> & { statusCode: number; body: string; isBase64Encoded: boolean };

const echo = handle(echoFunction(), { env: {} });
const call = async (name: string, mutate?: (event: Record<string, unknown>) => void): Promise<Result> => {
  const event = fixture<Record<string, unknown>>(name);
  mutate?.(event);
  return await echo(event as unknown as LambdaEvent, lambdaContext()) as Result;
};
const header = (headers: [string, string][], name: string) => headers.find(([n]) => n === name)?.[1];

// Every file in tests/fixtures/aws must be named by a test below; a new fixture without a test fails here.
const COVERED = new Set<string>();
const covers = (...names: string[]) => names.forEach((n) => COVERED.add(n));

Deno.test("REST API (payload 1.0) events become the request the client sent", async (t) => {
  await t.step("apigw-v1: method, Host-header URL without the stage, body and headers", async () => {
    covers("apigw-v1.json");
    const result = await call("apigw-v1.json");
    const seen = echoOf(result);
    assert.equal(result.statusCode, 200);
    assert.equal(seen.method, "POST");
    // The Host header (us-east-1) wins over requestContext.domainName (us-east-2): it is what the client asked for.
    assert.equal(seen.url, "https://gy415nuibc.execute-api.us-east-1.amazonaws.com/hello/world?name=me");
    assert.equal(seen.body, '{\r\n\t"a": 1\r\n}');
    assert.equal(header(seen.headers, "headername"), "headerValue");
    assert.equal(seen.requestId, "req-123");
    assert.equal(seen.platform, "aws-lambda");
  });

  await t.step("apigw-v1-multivalue: repeated query keys and repeated headers all survive", async () => {
    covers("apigw-v1-multivalue.json");
    const seen = echoOf(await call("apigw-v1-multivalue.json"));
    assert.deepEqual(new URL(seen.url).searchParams.getAll("name"), ["me", "me2"]);
    assert.equal(header(seen.headers, "headername"), "headerValue, headerValue2");
  });

  await t.step("apigw-v1-stage-in-requestcontext-path: path without stage, null maps, null body", async () => {
    covers("apigw-v1-stage-in-requestcontext-path.json");
    const seen = echoOf(await call("apigw-v1-stage-in-requestcontext-path.json"));
    assert.equal(seen.url, "https://puhdx84jy9.execute-api.eu-west-1.amazonaws.com/no-auth");
    assert.equal(seen.method, "POST");
    assert.equal(seen.body, "");
    assert.equal(header(seen.headers, "cloudfront-viewer-asn"), "7224");
  });

  await t.step("a 1.0 result carries every Set-Cookie in multiValueHeaders", async () => {
    const fn = serverless({
      name: "cookies",
      fetch: () => {
        const headers = new Headers({ "content-type": "text/plain" });
        headers.append("set-cookie", "a=1; Path=/");
        headers.append("set-cookie", "b=2; HttpOnly");
        return new Response("ok", { headers });
      },
    });
    const result = await handle(fn)(fixture("apigw-v1.json"), lambdaContext()) as Result;
    assert.deepEqual(result.multiValueHeaders, { "set-cookie": ["a=1; Path=/", "b=2; HttpOnly"] });
    assert.equal((result.headers as Record<string, string>)["set-cookie"], undefined);
    assert.equal(result.body, "ok");
  });
});

Deno.test("HTTP API and Function URL (payload 2.0) events", async (t) => {
  await t.step("apigw-v2: minimal GET with an empty query", async () => {
    covers("apigw-v2.json");
    const seen = echoOf(await call("apigw-v2.json"));
    assert.equal(seen.method, "GET");
    assert.equal(seen.url, "https://aaaaaaaaaa.execute-api.us-west-2.amazonaws.com/");
  });

  await t.step(
    "apigw-v2-cookies: cookies[] joined into one Cookie header, rawQueryString kept, domainName as host",
    async () => {
      covers("apigw-v2-cookies.json");
      const seen = echoOf(await call("apigw-v2-cookies.json"));
      assert.equal(seen.cookie, "cookie1; cookie2");
      assert.equal(
        seen.url,
        "https://id.execute-api.us-east-1.amazonaws.com/my/path?parameter1=value1&parameter1=value2&parameter2=value",
      );
      assert.deepEqual(new URL(seen.url).searchParams.getAll("parameter1"), ["value1", "value2"]);
      assert.equal(header(seen.headers, "header2"), "value1,value2");
      assert.equal(seen.body, '{"message": "hello world", "username": "tom"}');
    },
  );

  await t.step(
    "apigw-v2-repeated-query: repeated keys come from rawQueryString, not the comma-joined map",
    async () => {
      covers("apigw-v2-repeated-query.json");
      const seen = echoOf(await call("apigw-v2-repeated-query.json"));
      assert.deepEqual(new URL(seen.url).searchParams.getAll("Parameter1"), ["value1", "value2"]);
      // A GET cannot carry a body in a Request: the event's body is dropped.
      assert.equal(seen.method, "GET");
      assert.equal(seen.body, "");
    },
  );

  await t.step("apigw-v2-stage-in-path: the named stage stays in the path unless stripStage is set", async () => {
    covers("apigw-v2-stage-in-path.json");
    const kept = echoOf(await call("apigw-v2-stage-in-path.json"));
    assert.equal(new URL(kept.url).pathname, "/Prod/my/path");
    const stripped = await handle(echoFunction(), { stripStage: true })(
      fixture("apigw-v2-stage-in-path.json"),
      lambdaContext(),
    );
    assert.equal(new URL(echoOf(stripped).url).pathname, "/my/path");
    assert.equal(kept.cookie, "cookie1=value1; cookie2=value2");
  });

  await t.step("function-url: cookies[] and the raw cookie header give one Cookie header, not two", async () => {
    covers("function-url.json");
    const seen = echoOf(await call("function-url.json"));
    assert.equal(seen.cookie, "foo=bar; hello=hello");
    assert.equal(seen.headers.filter(([n]) => n === "cookie").length, 1);
    assert.equal(seen.url, "https://lambda-url-id.lambda-url.us-west-2.on.aws/hello?hello=world&foo=bar");
    assert.equal(header(seen.headers, "header2"), "h1,h2");
    assert.equal(seen.body, '{"hello": "world"}');
  });

  await t.step("function-url-base64: a base64 body is decoded to the exact bytes", async () => {
    covers("function-url-base64.json");
    const seen = echoOf(await call("function-url-base64.json"));
    assert.equal(seen.body, "<idk/>");
    assert.equal(seen.bodyBase64, "PGlkay8+");
    assert.equal(header(seen.headers, "content-type"), "idk");
  });

  await t.step("function-url-response: status, headers and cookies[] in the 2.0 result", async () => {
    covers("function-url-response.json");
    const expected = fixture<Result & { headers: Record<string, string>; cookies: string[] }>(
      "function-url-response.json",
    );
    const fn = serverless({
      name: "url",
      fetch: () => {
        const headers = new Headers(expected.headers);
        for (const cookie of expected.cookies) headers.append("set-cookie", cookie);
        return new Response(expected.body, { status: expected.statusCode, headers });
      },
    });
    const result = await handle(fn)(fixture("function-url.json"), lambdaContext()) as Result;
    assert.equal(result.statusCode, 201);
    assert.deepEqual(result.cookies, expected.cookies);
    assert.equal(result.body, expected.body);
    assert.equal(result.isBase64Encoded, false);
    assert.deepEqual(result.headers, lowerKeys(expected.headers));
  });

  await t.step("a 2.0 result always carries statusCode, even for a JSON body", async () => {
    const fn = serverless({ name: "json", fetch: () => Response.json({ statusCode: "not me" }) });
    const result = await handle(fn)(fixture("apigw-v2.json"), lambdaContext()) as Result;
    assert.equal(result.statusCode, 200);
    assert.equal(result.body, '{"statusCode":"not me"}');
    assert.equal(result.cookies, undefined);
  });
});

Deno.test("ALB events, single- and multi-value mode", async (t) => {
  await t.step(
    "alb: single-value headers and query, http from x-forwarded-proto, result with statusDescription",
    async () => {
      covers("alb.json");
      const result = await call("alb.json");
      const seen = echoOf(result);
      assert.equal(seen.url, "http://lambda-test-alb-1334523864.us-east-1.elb.amazonaws.com/?key=hello");
      assert.equal(header(seen.headers, "x-myheader"), "123");
      assert.equal(result.statusDescription, "200 OK");
      assert.equal(typeof result.headers, "object");
      assert.equal(result.multiValueHeaders, undefined);
    },
  );

  await t.step("alb-multivalue: multi-value request gets a multi-value result", async () => {
    covers("alb-multivalue.json");
    const result = await call("alb-multivalue.json");
    const seen = echoOf(result);
    assert.equal(seen.url, "http://lambda-test-alb-1234567.us-east-1.elb.amazonaws.com/?key=hello");
    assert.equal(result.headers, undefined);
    assert.deepEqual((result.multiValueHeaders as Record<string, string[]>)["content-type"], ["application/json"]);
  });

  await t.step("alb-multivalue-encoded-query: query values arrive undecoded and are decoded exactly once", async () => {
    covers("alb-multivalue-encoded-query.json");
    const seen = echoOf(await call("alb-multivalue-encoded-query.json"));
    assert.deepEqual(new URL(seen.url).searchParams.getAll("myKey"), ["?showAll=true", "?showAll=false"]);
    assert.equal(seen.cookie, "name1=value1; name2=value2");
  });

  await t.step("alb-health-check: no Host anywhere, empty body, empty query map", async () => {
    covers("alb-health-check.json");
    const result = await call("alb-health-check.json");
    const seen = echoOf(result);
    assert.equal(seen.url, "https://localhost/");
    assert.equal(header(seen.headers, "user-agent"), "ELB-HealthChecker/2.0");
    assert.equal(result.statusDescription, "200 OK");
  });

  await t.step("alb-response: multi-value mode keeps every Set-Cookie and sends only multiValueHeaders", async () => {
    covers("alb-response.json");
    const expected = fixture<Result & { multiValueHeaders: Record<string, string[]> }>("alb-response.json");
    const fn = serverless({ name: "alb", fetch: () => albResponse(expected) });
    const multi = await handle(fn)(fixture("alb-multivalue.json"), lambdaContext()) as Result;
    assert.equal(multi.statusDescription, expected.statusDescription);
    assert.equal(multi.body, expected.body);
    assert.equal(multi.headers, undefined);
    assert.deepEqual(multi.multiValueHeaders, lowerKeys(expected.multiValueHeaders));
  });

  await t.step("alb-response: single-value mode sends each Set-Cookie under its own spelling of the name", async () => {
    const expected = fixture<Result & { multiValueHeaders: Record<string, string[]> }>("alb-response.json");
    const fn = serverless({ name: "alb", fetch: () => albResponse(expected) });
    const single = await handle(fn)(fixture("alb.json"), lambdaContext()) as Result;
    const headers = single.headers as Record<string, string>;
    const cookies = Object.entries(headers).filter(([n]) => n.toLowerCase() === "set-cookie").map(([, v]) => v);
    assert.deepEqual(cookies, expected.multiValueHeaders["Set-cookie"]);
    assert.equal(new Set(Object.keys(headers)).size, Object.keys(headers).length);
    assert.equal(single.multiValueHeaders, undefined);
    const last = await handle(fn, { albCookies: "last" })(fixture("alb.json"), lambdaContext()) as Result;
    assert.equal((last.headers as Record<string, string>)["set-cookie"], expected.multiValueHeaders["Set-cookie"]![1]);
  });
});

Deno.test("response bodies go out as text or base64 by type", async (t) => {
  await t.step("apigw-v1-response-binary: the isBinary option reproduces AWS's base64 SVG byte for byte", async () => {
    covers("apigw-v1-response-binary.json");
    const expected = fixture<Result>("apigw-v1-response-binary.json");
    const bytes = Uint8Array.from(atob(expected.body), (c) => c.charCodeAt(0));
    const fn = serverless({
      name: "svg",
      fetch: () => new Response(bytes, { headers: { "content-type": "image/svg+xml" } }),
    });
    const binary = await handle(fn, { isBinary: (type) => type?.startsWith("image/") ?? true })(
      fixture("apigw-v1.json"),
      lambdaContext(),
    ) as Result;
    assert.equal(binary.body, expected.body);
    assert.equal(binary.isBase64Encoded, true);
    assert.equal(binary.statusCode, expected.statusCode);
    // By default +xml is a text type: the same SVG goes out as text.
    const text = await handle(fn)(fixture("apigw-v1.json"), lambdaContext()) as Result;
    assert.equal(text.isBase64Encoded, false);
    assert.equal(text.body, new TextDecoder().decode(bytes));
  });

  await t.step("apigw-v1-response-gzip-base64: any Content-Encoding forces base64, even for JSON", async () => {
    covers("apigw-v1-response-gzip-base64.json");
    const expected = fixture<Result>("apigw-v1-response-gzip-base64.json");
    const gzip = Uint8Array.from(atob(expected.body), (c) => c.charCodeAt(0));
    const fn = serverless({
      name: "gzip",
      fetch: () => new Response(gzip, { headers: { "content-type": "application/json", "content-encoding": "gzip" } }),
    });
    const result = await handle(fn)(fixture("apigw-v1.json"), lambdaContext()) as Result;
    assert.equal(result.body, expected.body);
    assert.equal(result.isBase64Encoded, true);
    const json = await new Response(new Response(gzip).body!.pipeThrough(new DecompressionStream("gzip"))).json();
    assert.equal(typeof json, "object");
  });

  await t.step("text types by the default rule", () => {
    for (const type of ["text/html", "application/json", "application/xml", "application/javascript"]) {
      assert.equal(isBinaryDefault(type, null), false, type);
    }
    for (const type of ["application/ld+json; charset=utf-8", "application/x-www-form-urlencoded", "image/svg+xml"]) {
      assert.equal(isBinaryDefault(type, null), false, type);
    }
    for (const type of ["image/png", "application/octet-stream", "application/pdf", "application/jsonx"]) {
      assert.equal(isBinaryDefault(type, null), true, type);
    }
    assert.equal(isBinaryDefault("text/plain", "br"), true);
    assert.equal(isBinaryDefault("text/plain", "identity"), false);
    assert.equal(isBinaryDefault(null, null), true);
  });

  await t.step("an empty body without a type is plain empty text", async () => {
    const fn = serverless({ name: "empty", fetch: () => new Response(null, { status: 204 }) });
    const result = await handle(fn)(fixture("apigw-v2.json"), lambdaContext()) as Result;
    assert.deepEqual([result.statusCode, result.body, result.isBase64Encoded], [204, "", false]);
  });
});

Deno.test("framing headers of a response stay behind in every HTTP result", async (t) => {
  const upstream = await startUpstream();
  try {
    const fn = serverless({
      name: "proxy",
      fetch: (req) =>
        new URL(req.url).pathname === "/wrong"
          ? new Response("abcdef", {
            headers: [
              ["content-length", "3"],
              ["transfer-encoding", "chunked"],
              ["connection", "keep-alive, x-hop"],
              ["x-hop", "secret"],
              ["keep-alive", "timeout=77"],
              ["upgrade", "h2c"],
              ["te", "trailers"],
              ["trailer", "x-trailer"],
              ["proxy-connection", "keep-alive"],
              ["x-kept", "yes"],
            ],
          })
          : fetch(`${upstream.url}gzip`),
    });
    const lambda = handle(fn, { env: {} });
    for (const name of ["apigw-v1.json", "apigw-v2.json", "alb.json", "alb-multivalue.json", "function-url.json"]) {
      await t.step(
        `${name}: a proxied gzip response goes out decoded, without its stale length and encoding`,
        async () => {
          const event = fixture<Record<string, unknown>>(name);
          const result = await lambda(event as unknown as LambdaEvent, lambdaContext()) as Result;
          const names = resultHeaderNames(result);
          for (const gone of ["content-encoding", "content-length", "connection", "keep-alive", "x-hop"]) {
            assert.ok(!names.includes(gone), `${gone} in ${JSON.stringify(names)}`);
          }
          assert.equal(result.isBase64Encoded, false);
          assert.equal(result.body, UPSTREAM_TEXT);
        },
      );
      await t.step(`${name}: hop-by-hop headers and a wrong Content-Length are not copied`, async () => {
        const event = fixture<Record<string, unknown>>(name);
        setPath(event, "/wrong");
        const result = await lambda(event as unknown as LambdaEvent, lambdaContext()) as Result;
        const names = resultHeaderNames(result);
        for (const gone of ["content-length", "transfer-encoding", "connection", "keep-alive", "x-hop", "upgrade"]) {
          assert.ok(!names.includes(gone), `${gone} in ${JSON.stringify(names)}`);
        }
        for (const gone of ["te", "trailer", "proxy-connection"]) assert.ok(!names.includes(gone), gone);
        assert.ok(names.includes("x-kept"));
        assert.equal(result.body, "abcdef");
      });
    }
  } finally {
    await upstream.close();
  }
});

function resultHeaderNames(result: Result): string[] {
  const single = (result.headers ?? {}) as Record<string, string>;
  const multi = (result.multiValueHeaders ?? {}) as Record<string, string[]>;
  return [...Object.keys(single), ...Object.keys(multi)].map((name) => name.toLowerCase());
}

function setPath(event: Record<string, unknown>, path: string): void {
  if ("rawPath" in event) event.rawPath = path;
  else event.path = path;
}

Deno.test("SQS batches run the queue trigger and report exactly the failed messages", async (t) => {
  const batchOf = (ids: string[]) => {
    const event = fixture<{ Records: Record<string, unknown>[] }>("sqs.json");
    const template = event.Records[0]!;
    event.Records = ids.map((id) => ({ ...structuredClone(template), messageId: id, body: `body of ${id}` }));
    return event as unknown as LambdaEvent;
  };
  const queueFn = (run: (batch: MessageBatch) => void | Promise<void>) =>
    serverless({ name: "worker", queue: { name: "SQSQueue", run } });

  await t.step("sqs: the message arrives with id, body, attempts, timestamp and the queue's name", async () => {
    covers("sqs.json");
    let seen: MessageBatch | undefined;
    const result = await handle(queueFn((batch) => void (seen = batch)))(fixture("sqs.json"), lambdaContext());
    assert.deepEqual(result, { batchItemFailures: [] });
    assert.equal(seen?.queue, "SQSQueue");
    const message = seen!.messages[0]!;
    assert.deepEqual([message.id, message.body, message.attempts], ["MessageID_1", "Message Body", 2]);
    assert.equal(message.timestamp.getTime(), 1520621625029);
  });

  await t.step("sqs-batch-response: retried messages are the batch item failures", async () => {
    covers("sqs-batch-response.json");
    const fn = queueFn((batch) => {
      for (const m of batch.messages) m.id === "id2" || m.id === "id4" ? m.retry() : m.ack();
    });
    const result = await handle(fn)(batchOf(["id1", "id2", "id3", "id4"]), lambdaContext());
    assert.deepEqual(result, fixture("sqs-batch-response.json"));
  });

  await t.step("when the handler returns, unsettled messages count as done", async () => {
    const fn = queueFn((batch) => batch.messages[1]!.retry());
    assert.deepEqual(await handle(fn)(batchOf(["a", "b", "c"]), lambdaContext()), {
      batchItemFailures: [{ itemIdentifier: "b" }],
    });
  });

  await t.step(
    "when the handler throws, every message not acknowledged is retried and none acknowledged is",
    async () => {
      const { sink, records } = recordingSink();
      const fn = queueFn((batch) => {
        batch.messages[0]!.ack();
        batch.messages[2]!.retry();
        throw new Error("database down");
      });
      const result = await handle(fn, { logSink: sink })(batchOf(["a", "b", "c", "d"]), lambdaContext());
      assert.deepEqual(result, { batchItemFailures: ["b", "c", "d"].map((itemIdentifier) => ({ itemIdentifier })) });
      assert.ok(records.some((r) => String(r.error).includes("database down")));
    },
  );

  await t.step("when the handler throws before acknowledging anything, the invocation fails", async () => {
    const fn = queueFn(() => {
      throw new Error("boom");
    });
    await assert.rejects(handle(fn)(batchOf(["a", "b"]), lambdaContext()), /boom/);
  });

  await t.step("waitUntil work is finished even when the handler throws", async () => {
    const done: string[] = [];
    const fn = serverless({
      name: "worker",
      queue: {
        name: "SQSQueue",
        run(_batch, ctx) {
          ctx.waitUntil(new Promise((resolve) => setTimeout(resolve, 20)).then(() => done.push("flushed")));
          throw new Error("after scheduling");
        },
      },
    });
    await assert.rejects(handle(fn)(batchOf(["a"]), lambdaContext()), /after scheduling/);
    assert.deepEqual(done, ["flushed"]);
  });

  await t.step("with batchItemFailures off, any failure fails the whole batch", async () => {
    const fn = queueFn((batch) => batch.messages[0]!.retry());
    await assert.rejects(
      handle(fn, { batchItemFailures: false })(batchOf(["a", "b"]), lambdaContext()),
      /1 of 2 SQS messages failed \(a\)/,
    );
  });

  await t.step("a function without a queue trigger rejects the batch with a clear error", async () => {
    await assert.rejects(handle(echoFunction())(batchOf(["a"]), lambdaContext()), /defines no `queue` trigger/);
  });
});

Deno.test("EventBridge, SNS and S3 events reach scheduled and event", async (t) => {
  const eventFn = (seen: CloudEvent[]) =>
    serverless({ name: "events", event: { sources: ["aws.s3", "aws.sns"], run: (e) => void seen.push(e) } });

  await t.step("scheduled: an EventBridge schedule runs the scheduled trigger", async () => {
    covers("scheduled.json");
    let seen: ScheduledEvent | undefined;
    const fn = serverless({ name: "cron", scheduled: { cron: "0 3 * * *", run: (event) => void (seen = event) } });
    assert.equal(await handle(fn)(fixture("scheduled.json"), lambdaContext()), undefined);
    assert.deepEqual(seen, { cron: "0 3 * * *", scheduledTime: Date.parse("2015-10-08T16:53:06Z") });
  });

  await t.step("scheduled: with several schedules the rule name picks the cron", async () => {
    const seen: string[] = [];
    const fn = serverless({
      name: "crons",
      scheduled: [{ cron: "0 3 * * *", run: (e) => void seen.push(e.cron) }, {
        cron: "*/5 * * * *",
        run: (e) => void seen.push(e.cron),
      }],
    });
    await assert.rejects(handle(fn)(fixture("scheduled.json"), lambdaContext()), /my-scheduled-rule/);
    await handle(fn, { schedules: { "my-scheduled-rule": "*/5 * * * *" } })(fixture("scheduled.json"), lambdaContext());
    assert.deepEqual(seen, ["*/5 * * * *"]);
  });

  await t.step("eventbridge: any other EventBridge event becomes a CloudEvent", async () => {
    covers("eventbridge.json");
    const seen: CloudEvent[] = [];
    await handle(eventFn(seen))(fixture("eventbridge.json"), lambdaContext());
    const original = fixture<Record<string, unknown>>("eventbridge.json");
    assert.deepEqual(seen, [{
      specversion: "1.0",
      id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
      source: "aws.ec2",
      type: "aws.ec2.EC2 Instance State-change Notification",
      time: "2017-12-22T18:43:48Z",
      subject: "arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0",
      datacontenttype: "application/json",
      data: original,
    }]);
  });

  await t.step("sns: each record becomes a CloudEvent with the topic as source", async () => {
    covers("sns.json");
    const seen: CloudEvent[] = [];
    await handle(eventFn(seen))(fixture("sns.json"), lambdaContext());
    const record = fixture<{ Records: unknown[] }>("sns.json").Records[0];
    assert.deepEqual(seen, [{
      specversion: "1.0",
      id: "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
      source: "arn:aws:sns:EXAMPLE",
      type: "aws.sns.Notification",
      time: "2015-06-03T17:43:27.123Z",
      subject: "TestInvoke",
      datacontenttype: "application/json",
      data: record,
    }]);
  });

  await t.step("s3: each record becomes a CloudEvent whose subject is the decoded key", async () => {
    covers("s3.json");
    const seen: CloudEvent[] = [];
    await handle(eventFn(seen))(fixture("s3.json"), lambdaContext());
    const record = fixture<{ Records: unknown[] }>("s3.json").Records[0];
    assert.deepEqual(seen, [{
      specversion: "1.0",
      id: "C3D13FE58DE4C810.FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD",
      source: "arn:aws:s3:::mybucket",
      type: "aws.s3.ObjectCreated:Put",
      time: "1970-01-01T00:00:00.123Z",
      subject: "Happy Face.jpg",
      datacontenttype: "application/json",
      data: record,
    }]);
  });

  await t.step("an event handler that throws fails the invocation", async () => {
    const fn = serverless({ name: "e", event: { run: () => Promise.reject(new Error("nope")) } });
    await assert.rejects(handle(fn)(fixture("sns.json"), lambdaContext()), /nope/);
  });
});

Deno.test("every AWS fixture is exercised by a test above", () => {
  const files = [...Deno.readDirSync(FIXTURES)].map((e) => e.name).filter((n) => n.endsWith(".json")).sort();
  assert.ok(files.length >= 23, `expected the full fixture set, found ${files.length}`);
  assert.deepEqual(files.filter((f) => !COVERED.has(f)), []);
});

Deno.test("context, deadline and waitUntil", async (t) => {
  await t.step("ctx carries the request id, the remaining time and the raw event and context", async () => {
    let seen: { id: string; remaining: number; raw: unknown } | undefined;
    const fn = serverless({
      name: "ctx",
      fetch: (_req, ctx) => {
        seen = { id: ctx.requestId, remaining: ctx.remainingMs(), raw: ctx.raw };
        return new Response("ok");
      },
    });
    const event = fixture("apigw-v2.json");
    const context = lambdaContext(2000, "abc-1");
    await handle(fn)(event, context);
    assert.equal(seen?.id, "abc-1");
    assert.ok(seen!.remaining > 1000 && seen!.remaining <= 2000, `remaining ${seen!.remaining}`);
    assert.deepEqual(seen?.raw, { event, context });
  });

  await t.step("waitUntil work is finished before the invocation returns", async () => {
    const done: string[] = [];
    const fn = serverless({
      name: "later",
      fetch: (_req, ctx) => {
        ctx.waitUntil(new Promise((resolve) => setTimeout(resolve, 30)).then(() => done.push("first")));
        ctx.waitUntil(Promise.reject(new Error("logged, not thrown")));
        return new Response("ok");
      },
    });
    const result = await handle(fn, { logSink: () => {} })(fixture("apigw-v2.json"), lambdaContext()) as Result;
    assert.deepEqual(done, ["first"]);
    assert.equal(result.body, "ok");
  });

  await t.step("the deadline signal is made only when something reads it, once", () => {
    let made = 0;
    const ctx = createContext({ platform: "aws-lambda", signal: () => (made++, new AbortController().signal) });
    assert.equal(made, 0);
    assert.equal(ctx.signal, ctx.signal);
    assert.equal(made, 1);
  });

  await t.step("request.signal and ctx.signal abort shortly before the deadline", async () => {
    const fn = serverless({
      name: "slow",
      fetch: async (request, ctx) => {
        const started = Date.now();
        while (!request.signal.aborted && Date.now() - started < 2000) await new Promise((r) => setTimeout(r, 5));
        return Response.json({ aborted: request.signal.aborted, ctx: ctx.signal.aborted, after: Date.now() - started });
      },
    });
    const result = await handle(fn, { signalMarginMs: 200 })(fixture("apigw-v2.json"), lambdaContext(400)) as Result;
    const body = JSON.parse(result.body);
    assert.equal(body.aborted, true);
    assert.equal(body.ctx, true);
    assert.ok(body.after >= 150 && body.after < 1500, `aborted after ${body.after} ms`);
  });
});

Deno.test("malformed and unknown events", async (t) => {
  await t.step("an HTTP event with a bad base64 body is answered 400 in its own format", async () => {
    const result = await call("apigw-v1.json", (e) => {
      e.isBase64Encoded = true;
      e.body = "not base64!";
    });
    assert.equal(result.statusCode, 400);
    assert.match(JSON.parse(result.body).error, /not valid base64/);
    const alb = await call("alb.json", (e) => (e.httpMethod = 42));
    assert.equal(alb.statusCode, 400);
    assert.equal(alb.statusDescription, "400 Bad Request");
  });

  await t.step("an unknown event throws an error naming its top-level keys", async () => {
    await assert.rejects(
      echo({ hello: "world", other: 1 } as unknown as LambdaEvent, lambdaContext()),
      (error: Error) => error instanceof UnknownEventError && /\[hello, other\]/.test(error.message),
    );
    await assert.rejects(echo(null as unknown as LambdaEvent, lambdaContext()), /null value/);
  });

  await t.step("a header value outside Latin-1 reaches the handler as its UTF-8 bytes", async () => {
    for (const name of ["Zoë", "日本"]) {
      const seen = echoOf(await call("apigw-v2.json", (e) => ((e.headers as Record<string, string>)["x-name"] = name)));
      const value = header(seen.headers, "x-name")!;
      assert.equal(new TextDecoder().decode(Uint8Array.from(value, (c) => c.charCodeAt(0))), name);
    }
  });
});

Deno.test("the request is a real Request, built on first use", async (t) => {
  const capture = async (event: LambdaEvent): Promise<Request> => {
    let kept: Request | undefined;
    const fn = serverless({ name: "keep", fetch: (req) => (kept = req, new Response("ok")) });
    await handle(fn)(event, lambdaContext());
    return kept!;
  };

  await t.step("instanceof, clone, brand-checked methods and new Request(request) all work", async () => {
    const request = await capture(fixture("function-url.json"));
    assert.ok(request instanceof Request);
    assert.equal(Object.prototype.toString.call(request), "[object Request]");
    assert.equal(request.method, "POST");
    assert.equal(await request.clone().text(), '{"hello": "world"}');
    assert.equal(await Request.prototype.text.call(request), '{"hello": "world"}');
    assert.equal(request.bodyUsed, true);
    const other = await capture(fixture("function-url.json"));
    const copy = new Request(other);
    assert.equal(copy.url, other.url);
    assert.equal(copy.headers.get("header1"), "h1");
    assert.equal(await copy.text(), '{"hello": "world"}');
    assert.match(Deno.inspect(request), /Request/);
  });

  await t.step("fetch(request) sends the method, headers and body", async () => {
    await using server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      async (req) => new Response(`${req.method} ${req.headers.get("header3")} ${await req.text()}`),
    );
    const event = fixture<Record<string, unknown>>("function-url.json");
    (event.headers as Record<string, string>).host = `127.0.0.1:${server.addr.port}`;
    (event.headers as Record<string, string>)["x-forwarded-proto"] = "http";
    const request = await capture(event as unknown as LambdaEvent);
    const response = await fetch(request);
    assert.equal(await response.text(), 'POST h3 {"hello": "world"}');
  });

  await t.step("url and method are what the built Request reports", async () => {
    const request = await capture(fixture("apigw-v2.json"));
    const event = fixture<Record<string, unknown>>("apigw-v1.json");
    event.path = "/b c/ü";
    event.httpMethod = "patch";
    const odd = await capture(event as unknown as LambdaEvent);
    const real = new Request(odd);
    assert.equal(odd.url, real.url);
    assert.equal(odd.url, "https://gy415nuibc.execute-api.us-east-1.amazonaws.com/b%20c/%C3%BC?name=me");
    assert.equal(odd.method, "patch");
    assert.equal(request.url, new Request(request).url);
  });
});

Deno.test("headers taken from the event's map as it is equal the gathered ones", async (t) => {
  // The header map is handed to the Request as it is when that gives the same headers; every case where it would
  // not (several Cookie spellings, null or non-string values, text outside ASCII, 1.0 maps that disagree) must still
  // come out exactly as gathering them one by one does.
  const options = { stripStage: false, isBinary: undefined, albCookies: "last" as const };
  const signal = () => new AbortController().signal;
  const gathering = (shape: Shape): Shape => {
    const { plainHeaders: _, ...rest } = shape;
    return rest;
  };
  const headersOf = (shape: Shape, event: Json): [string, string][] | string => {
    try {
      return [...toRequest(shape, event, options, signal).headers];
    } catch (error) {
      return String(error);
    }
  };
  const maps: Record<string, unknown>[] = [
    { host: "h.example", "user-agent": "curl", accept: "*/*" },
    { host: "h.example", cookie: "a=1" },
    { host: "h.example", Cookie: "a=1", cookie: "b=2" },
    { host: "h.example", COOKIE: "a=1", cookie: "b=2", x: "y" },
    { host: "h.example", Accept: "a", accept: "b" },
    { host: "h.example", "x-n": null },
    { host: "h.example", "x-n": 1 },
    { host: "h.example", "x-name": "Zoë" },
    { host: "h.example", "x-name": "日本" },
    { host: "h.example", "bad name": "x" },
    { host: "h.example", "x-bad": "a\r\nb" },
    {},
  ];
  await t.step("2.0: with and without cookies[]", () => {
    for (const map of maps) {
      for (const cookies of [undefined, null, ["c=3", "d=4"]]) {
        const event: Json = { ...fixture<Json>("apigw-v2.json"), headers: map, cookies };
        assert.deepEqual(headersOf(HTTP_API, event), headersOf(gathering(HTTP_API), event));
      }
    }
  });
  await t.step("1.0: multiValueHeaders that agree, add, leave out or change values", () => {
    const variants = (map: Record<string, unknown>): unknown[] => [
      undefined,
      null,
      {},
      Object.fromEntries(Object.entries(map).map(([k, v]) => [k, [v]])),
      Object.fromEntries(Object.entries(map).map(([k, v]) => [k, [v, v]])),
      Object.fromEntries(Object.entries(map).map(([k, v]) => [k.toUpperCase(), [v]])),
      Object.fromEntries(Object.entries(map).slice(1).map(([k, v]) => [k, [v]])),
      Object.fromEntries(Object.entries(map).slice(0, -1).map(([k, v]) => [k, [v]])),
      { ...Object.fromEntries(Object.entries(map).map(([k, v]) => [k, [v]])), "x-more": ["1"] },
      { ...Object.fromEntries(Object.entries(map).map(([k, v]) => [k, [v]])), "x-none": [] },
      Object.fromEntries(Object.entries(map).map(([k]) => [k, ["other"]])),
    ];
    for (const map of maps) {
      for (const multi of variants(map)) {
        const event: Json = { ...fixture<Json>("apigw-v1.json"), headers: map, multiValueHeaders: multi };
        assert.deepEqual(headersOf(REST, event), headersOf(gathering(REST), event));
      }
    }
  });
});

Deno.test("1.0 header maps merge as API Gateway documents it", async (t) => {
  const signal = () => new AbortController().signal;
  const options = { stripStage: false, isBinary: undefined, albCookies: "last" as const };
  const merged = (
    headers: unknown,
    multiValueHeaders: unknown,
  ) => [...toRequest(REST, { ...fixture<Json>("apigw-v1.json"), headers, multiValueHeaders }, options, signal).headers];
  await t.step("multiValueHeaders wins for a name in both, in any spelling; headers adds the rest", () => {
    assert.deepEqual(
      merged({ Host: "h.example", Accept: "a", "X-Only": "1", "x-empty": "e" }, {
        host: ["h.example"],
        accept: ["b", "c"],
        "X-EMPTY": [],
      }),
      [["accept", "b, c"], ["host", "h.example"], ["x-empty", "e"], ["x-only", "1"]],
    );
  });
  await t.step("an empty multiValueHeaders leaves every header to headers", () => {
    assert.deepEqual(merged({ Host: "h.example", Accept: "a" }, {}), [["accept", "a"], ["host", "h.example"]]);
  });
});

function albResponse(expected: Result & { multiValueHeaders: Record<string, string[]> }): Response {
  const headers = new Headers({ "content-type": "application/json" });
  for (const cookie of expected.multiValueHeaders["Set-cookie"]!) headers.append("set-cookie", cookie);
  return new Response(expected.body, { status: expected.statusCode, headers });
}

function lowerKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k.toLowerCase(), v]));
}

Deno.test("the public types fit @types/aws-lambda", () => {
  // Compile-time checks: the Node.js runtime's context, events and handler type all fit handle().
  const handler = handle(echoFunction());
  const asAwsHandler: AwsHandler<APIGatewayProxyEventV2 | SQSEvent, unknown> = (event, context) =>
    handler(event, context);
  const context: AwsContext = lambdaContext();
  const typed: LambdaContext = context;
  assert.equal(typeof asAwsHandler, "function");
  assert.equal(typed.awsRequestId, "req-123");
});
