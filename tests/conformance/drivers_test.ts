import assert from "node:assert/strict";
import type { LambdaHttpResult } from "../../adapters/aws_lambda.ts";
import { CORPUS } from "./corpus.ts";
import type { Limit } from "./driver.ts";
import { albQueryLimit, decodedPathLimit, decodedQueryLimit, joinedHeadersLimit } from "./drivers/_aws_limits.ts";
import { GATEWAY_REFUSAL, isRefusal, LAMBDA_PAYLOAD_LIMIT, lambdaInvoker } from "./drivers/_aws.ts";
import { knownMethodsOnly, resolvedDotSegments } from "./drivers/_limits.ts";
import { albEvent, albResponse } from "./drivers/aws_alb.ts";
import { restEvent, restResponse } from "./drivers/aws_v1.ts";
import { v2Event, v2Response } from "./drivers/aws_v2.ts";
import { serverless } from "../../mod.ts";

const byName = (name: string) => CORPUS.find((c) => c.name === name)!;
const fixture = (name: string) =>
  JSON.parse(Deno.readTextFileSync(new URL(`../fixtures/aws/${name}`, import.meta.url))) as Record<string, unknown>;
const keys = (value: unknown) => Object.keys(JSON.parse(JSON.stringify(value))).sort();
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

Deno.test("the AWS drivers build events shaped like the real ones", async (t) => {
  await t.step("REST (1.0) has the fields of a real capture, the stage only in requestContext.path", () => {
    const real = fixture("apigw-v1-stage-in-requestcontext-path.json");
    const event = restEvent(byName("get"));
    assert.deepEqual(keys(event), keys(real));
    assert.equal(event.path, "/echo/method");
    assert.equal(event.requestContext.path, "/prod/echo/method");
    assert.equal(event.queryStringParameters, null, "null maps without a query, as in the capture");
    assert.equal(event.body, null);
    assert.equal(event.isBase64Encoded, false);
  });

  await t.step("REST keeps every value of a repeated header and query key, decoded, `+` as a space", () => {
    const headers = restEvent(byName("repeated-header"));
    assert.deepEqual(headers.multiValueHeaders["x-c-multi"], ["one", "two"]);
    assert.equal(headers.headers["x-c-multi"], "two", "the single-value map keeps the last value");
    assert.equal(restEvent(byName("header-mixed-case")).headers["X-C-Mixed-Case"], "Value", "the client's case");
    const query = restEvent(byName("query-repeated-keys"));
    assert.deepEqual(query.multiValueQueryStringParameters, { a: ["1", "2", "3"], b: ["x"] });
    assert.deepEqual(restEvent(byName("query-plus")).queryStringParameters, { q: "a b" });
    const body = restEvent(byName("post-text"));
    assert.equal(body.isBase64Encoded, true, 'binaryMediaTypes ["*/*"] base64s every body');
    assert.equal(atob(body.body!), "hello");
  });

  await t.step("HTTP API (2.0) has no fields a real event lacks, decodes rawPath, splits cookies", () => {
    const real = fixture("apigw-v2-cookies.json");
    const event = v2Event(byName("cookie-header"));
    for (const key of keys(event)) assert.ok(keys(real).includes(key), `${key} is not in a real 2.0 event`);
    for (const key of keys(event.requestContext)) {
      assert.ok(keys(real.requestContext).includes(key), `requestContext.${key} is not in a real 2.0 event`);
    }
    assert.deepEqual(event.cookies, ["a=1", "b=2", "c=three"]);
    assert.equal(event.headers.cookie, undefined);
    assert.equal(v2Event(byName("repeated-header")).headers["x-c-multi"], "one,two");
    assert.equal(v2Event(byName("path-unicode")).rawPath, "/echo/café/✓/😀");
    assert.equal(v2Event(byName("path-encoded-hash")).rawPath, "/echo/a#b", "as in wakujs/waku#458");
    assert.equal(v2Event(byName("query-repeated-keys")).rawQueryString, "a=1&a=2&a=3&b=x");
    assert.equal(v2Event(byName("query-repeated-keys")).queryStringParameters?.a, "1,2,3");
    const binary = v2Event(byName("post-binary-all-bytes"));
    assert.equal(binary.isBase64Encoded, true);
    assert.equal(v2Event(byName("post-unicode-text")).body, "héllo ✓ 日本語 😀");
  });

  await t.step("a Function URL keeps the path encoded and the cookie header next to cookies[]", () => {
    const real = fixture("function-url.json");
    const source = { host: "x.lambda-url.eu-west-1.on.aws", decodesPath: false, keepsCookieHeader: true };
    const event = v2Event(byName("cookie-header"), source);
    for (const key of keys(event)) assert.ok(keys(real).includes(key), `${key} is not in a real Function URL event`);
    assert.deepEqual(event.cookies, ["a=1", "b=2", "c=three"]);
    assert.equal(event.headers.cookie, "a=1; b=2; c=three");
    assert.equal(v2Event(byName("path-unicode"), source).rawPath, "/echo/caf%C3%A9/%E2%9C%93/%F0%9F%98%80");
  });

  await t.step("ALB in multi-value mode has the fields of a real event, query values undecoded", () => {
    const real = fixture("alb-multivalue.json");
    const event = albEvent(byName("query-percent-encoded"));
    assert.deepEqual(keys(event), keys(real));
    assert.deepEqual(event.multiValueQueryStringParameters, { q: ["a%20b%2Bc%26d%3De"] });
    assert.equal(event.body, "", 'no body is ""');
    assert.equal(albEvent(byName("post-form")).isBase64Encoded, true, "form bodies are not among ALB's text types");
    assert.equal(albEvent(byName("roundtrip-json")).isBase64Encoded, false);
  });
});

Deno.test("the AWS drivers read results as the sources do", async (t) => {
  await t.step("1.0: multiValueHeaders win over headers of the same name; base64 bodies are decoded", () => {
    const binary = restResponse("GET", fixture("apigw-v1-response-binary.json") as unknown as LambdaHttpResult);
    assert.deepEqual(binary.headers, [["content-type", "image/svg+xml"]]);
    assert.ok(text(binary.body).startsWith('<?xml version="1.0"'));
    const merged = restResponse("GET", {
      statusCode: 200,
      headers: { "set-cookie": "lost", "x-a": "1" },
      multiValueHeaders: { "Set-Cookie": ["a=1", "b=2"] },
      body: "x",
      isBase64Encoded: false,
    });
    assert.deepEqual(merged.headers, [["x-a", "1"], ["set-cookie", "a=1"], ["set-cookie", "b=2"]]);
    assert.equal(restResponse("HEAD", { statusCode: 200, body: "x", isBase64Encoded: false }).body.byteLength, 0);
  });

  await t.step("2.0: one Set-Cookie per cookies[] entry", () => {
    const result = v2Response("GET", fixture("function-url-response.json") as unknown as LambdaHttpResult);
    assert.equal(result.status, 201);
    assert.deepEqual(result.headers.filter(([name]) => name === "set-cookie").map(([, v]) => v), [
      "Cookie_1=Value1; Expires=21 Oct 2021 07:48 GMT",
      "Cookie_2=Value2; Max-Age=78000",
    ]);
  });

  await t.step("ALB: statusDescription must match, and multi-value mode reads only multiValueHeaders", () => {
    const real = fixture("alb-response.json") as unknown as LambdaHttpResult;
    assert.throws(() => albResponse("GET", real), /multiValueHeaders only/, "the doc sample carries both maps");
    delete real.headers;
    const result = albResponse("GET", real);
    assert.equal(result.headers.filter(([name]) => name === "set-cookie").length, 2);
    assert.throws(
      () => albResponse("GET", { statusCode: 404, statusDescription: "200 OK", body: "", isBase64Encoded: false }),
      /does not match 404/,
    );
  });

  await t.step("an event over 6 MB is refused with 413 before the function runs", async () => {
    let runs = 0;
    const fn = serverless({ name: "count", fetch: () => new Response(String(++runs)) });
    const lambda = lambdaInvoker({ fn: fn as never, module: "" });
    const limits = { event: LAMBDA_PAYLOAD_LIMIT, result: LAMBDA_PAYLOAD_LIMIT, refusal: GATEWAY_REFUSAL };
    const small = await lambda.invoke(v2Event(byName("get")), limits);
    assert.ok(!isRefusal(small) && small.statusCode === 200);
    const big = await lambda.invoke({ ...v2Event(byName("get")), body: "x".repeat(LAMBDA_PAYLOAD_LIMIT) }, limits);
    assert.ok(isRefusal(big) && big.status === 413);
    assert.equal(runs, 1);
  });
});

Deno.test("each limit applies to exactly the cases its platform rule describes", () => {
  const matching = (limit: Limit) => CORPUS.filter((c) => limit.applies(c)).map((c) => c.name);
  assert.deepEqual(matching(decodedQueryLimit("q")), ["query-empty-values", "query-plus", "query-comma-values"]);
  assert.deepEqual(matching(albQueryLimit("a")), ["query-empty-values"]);
  assert.deepEqual(matching(decodedPathLimit("p")), ["path-encoded-slash", "wildcard-encoded-traversal"]);
  assert.deepEqual(matching(joinedHeadersLimit("h")), ["repeated-header"]);
  assert.deepEqual(matching(resolvedDotSegments("d", "")), [
    "dot-segment",
    "dot-segment-encoded",
    "dot-segment-mixed-case",
    "dot-segment-single",
    "dot-segment-trailing",
  ]);
  assert.deepEqual(matching(knownMethodsOnly("m")), ["method-constructor", "method-proto", "method-tostring-routed"]);
});
