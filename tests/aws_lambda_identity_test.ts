import assert from "node:assert/strict";
import { handle } from "../adapters/aws_lambda.ts";
import { DOT_PARAM_MESSAGE, DOT_SEGMENT_MESSAGE } from "../src/dot_segments.ts";
import { echoFunction, echoOf, fixture, lambdaContext } from "./support/aws_lambda.ts";

type Result = Record<string, unknown> & { statusCode: number; body: string; isBase64Encoded: boolean };
type Event = Record<string, unknown> & { headers?: Record<string, string>; requestContext: Record<string, unknown> };

const echo = handle(echoFunction(), { env: {}, logSink: () => {} });
const invoke = async (event: unknown): Promise<Result> => await echo(event as never, lambdaContext()) as Result;

/** Every HTTP shape, with the Host header set to `host` (ALB multi-value mode through `multiValueHeaders`). */
function shapes(host: string | undefined, path = "/public"): [string, Event][] {
  const withHost = (name: string, mutate: (event: Event) => void): [string, Event] => {
    const event = fixture<Event>(name);
    mutate(event);
    return [name, event];
  };
  const single = (event: Event) => {
    const headers = event.headers ?? {};
    for (const name of Object.keys(headers)) if (name.toLowerCase() === "host") delete headers[name];
    if (host !== undefined) headers.host = host;
  };
  return [
    withHost("apigw-v1.json", (e) => {
      single(e);
      delete e.multiValueHeaders;
      e.path = path;
    }),
    withHost("apigw-v2.json", (e) => {
      single(e);
      e.rawPath = path;
    }),
    withHost("function-url.json", (e) => {
      single(e);
      e.rawPath = path;
    }),
    withHost("alb.json", (e) => {
      single(e);
      e.path = path;
    }),
    withHost("alb-multivalue.json", (e) => {
      const multi = e.multiValueHeaders as Record<string, string[]>;
      delete multi.host;
      if (host !== undefined) multi.host = [host];
      e.path = path;
    }),
  ];
}

Deno.test("AWS Lambda: the request URL takes its path from the event and a host only when it is one", async (t) => {
  await t.step("never lets a Host that is not host[:port] move the path, on every HTTP shape", async () => {
    for (const host of ["x/admin?", "x/admin#", "evil.example/admin?a=", "[::1", "a b", "user@evil", "x\\admin"]) {
      for (const [name, event] of shapes(host)) {
        const result = await invoke(event);
        assert.equal(result.statusCode, 200, `${name} with Host ${host}: ${result.body}`);
        const url = new URL(echoOf(result).url);
        assert.equal(url.pathname, "/public", `${name} with Host ${host}`);
        assert.notEqual(url.hostname, "x", `${name} with Host ${host}`);
      }
    }
  });

  await t.step("uses requestContext.domainName for an invalid Host, and a valid Host as it is", async () => {
    const [, v2] = shapes("x/admin?")[1]!;
    v2.requestContext.domainName = "api.example.com";
    assert.equal(echoOf(await invoke(v2)).url, "https://api.example.com/public");
    const [, good] = shapes("shop.example.com:8443")[1]!;
    assert.equal(echoOf(await invoke(good)).url, "https://shop.example.com:8443/public");
  });

  await t.step("answers AWS's documentation sample, whose host is a placeholder, with a fallback host", async () => {
    // The Function URL request payload of https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html: no
    // Host header, and `<url-id>` in domainName. Pasted into a test, it must run the handler, not answer 400.
    const sample = {
      version: "2.0",
      routeKey: "$default",
      rawPath: "/my/path",
      rawQueryString: "parameter1=value1&parameter1=value2&parameter2=value",
      cookies: ["cookie1", "cookie2"],
      headers: { header1: "value1", header2: "value1,value2" },
      queryStringParameters: { parameter1: "value1,value2", parameter2: "value" },
      requestContext: {
        accountId: "123456789012",
        apiId: "<urlid>",
        authentication: null,
        authorizer: { iam: { accessKey: "AKIA...", accountId: "111122223333", callerId: "AIDA...", userArn: "" } },
        domainName: "<url-id>.lambda-url.us-west-2.on.aws",
        domainPrefix: "<url-id>",
        http: {
          method: "POST",
          path: "/my/path",
          protocol: "HTTP/1.1",
          sourceIp: "123.123.123.123",
          userAgent: "agent",
        },
        requestId: "id",
        routeKey: "$default",
        stage: "$default",
        time: "12/Mar/2020:19:03:58 +0000",
        timeEpoch: 1583348638390,
      },
      body: "Hello from client!",
      pathParameters: null,
      isBase64Encoded: false,
      stageVariables: null,
    };
    const result = await invoke(sample);
    assert.equal(result.statusCode, 200, result.body);
    const seen = echoOf(result);
    assert.equal(seen.url, "https://localhost/my/path?parameter1=value1&parameter1=value2&parameter2=value");
    assert.equal(seen.body, "Hello from client!");
    const withHost = structuredClone(sample) as typeof sample & { headers: Record<string, string> };
    withHost.headers.host = "<url-id>.lambda-url.us-west-2.on.aws";
    assert.equal(echoOf(await invoke(withHost)).url.split("/my/")[0], "https://localhost");
  });

  await t.step("answers 400 to a path with a dot segment, on every HTTP shape", async () => {
    for (const path of ["/public/../admin", "/public/%2e%2e/admin", "/public/%2E./admin", "/public/./x", "/a/.."]) {
      for (const [name, event] of shapes("api.example.com", path)) {
        const result = await invoke(event);
        assert.equal(result.statusCode, 400, `${name} ${path}`);
        assert.equal(JSON.parse(result.body).error, DOT_SEGMENT_MESSAGE, `${name} ${path}`);
      }
    }
  });

  await t.step("answers 400 to a * value that decodes to a dot segment", async () => {
    for (const [name, event] of shapes("api.example.com", "/files/..%2f..%2fetc")) {
      const result = await invoke(event);
      assert.equal(result.statusCode, 400, name);
      // HTTP API decodes rawPath itself, so there the path already has the dot segments.
      const error = JSON.parse(result.body).error;
      assert.ok(error === DOT_PARAM_MESSAGE || error === DOT_SEGMENT_MESSAGE, `${name}: ${error}`);
    }
  });
});
