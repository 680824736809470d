/**
 * Conformance driver: an Application Load Balancer target group with `lambda.multi_value_headers.enabled`, through the
 * AWS Lambda adapter's `handle(fn)`. The event is built from the corpus request as ALB builds it in multi-value mode
 * (awsdocs/elb-application-load-balancers-user-guide `doc_source/lambda-functions.md` @01db3bf,
 * tests/fixtures/aws/alb-multivalue.json): only `multiValueHeaders` and `multiValueQueryStringParameters`, query values
 * left percent-encoded, `body` `""` when empty, and the body as text only for `text/*`, `application/json`,
 * `application/javascript` and `application/xml` (base64 otherwise). The result is read as ALB reads it (same guide):
 * `statusDescription` must be the code and reason phrase, only `multiValueHeaders` counts in this mode, and a base64
 * body is decoded. ALB refuses a request body or a response JSON over 1 MB.
 *
 * @module
 */

import type { ALBEvent } from "npm:@types/aws-lambda@^8.10.164";
import type { LambdaHttpResult } from "../../../adapters/aws_lambda.ts";
import { type Driver, type Observed, observedFrom, requestParts } from "../driver.ts";
import type { CorpusCase } from "../corpus.ts";
import { ALB_LIMIT, bodyless, isRefusal, lambdaInvoker, type Refusal, resultBody } from "./_aws.ts";
import { albQueryLimit } from "./_aws_limits.ts";

const HOST = "conformance-alb-1234567890.eu-west-1.elb.amazonaws.com";
const TEXT = /^(text\/|application\/(json|javascript|xml)\s*(;|$))/i;

/** What ALB answers instead: 413 for a request body over 1 MB, 502 for a response JSON over 1 MB. */
const ALB_REFUSAL: Refusal = {
  request: observedFrom(
    413,
    [["content-type", "text/html"]],
    "<html><body><h1>413 Request Entity Too Large</h1></body></html>",
  ),
  response: observedFrom(502, [["content-type", "text/html"]], "<html><body><h1>502 Bad Gateway</h1></body></html>"),
};

/**
 * The ALB multi-value event for a corpus request.
 *
 * @param c The request.
 * @returns The event.
 */
export function albEvent(c: CorpusCase): ALBEvent {
  const p = requestParts(c);
  const multiValueHeaders: Record<string, string[]> = {};
  const sent: [string, string][] = [
    // A case's own Host (a hostile one) reaches the function as the client sent it.
    ...(p.headers.some(([name]) => name === "host") ? [] : [["host", HOST] as [string, string]]),
    ...p.headers,
    ["x-amzn-trace-id", "Root=1-67a1b2c3-0123456789abcdef01234567"],
    ["x-forwarded-for", "203.0.113.7"],
    ["x-forwarded-port", "443"],
    ["x-forwarded-proto", "https"],
  ];
  for (const [name, value] of sent) (multiValueHeaders[name] ??= []).push(value);
  const multiQuery: Record<string, string[]> = {};
  for (const part of p.rawQuery.split("&")) {
    if (part === "") continue;
    const at = part.indexOf("=");
    const [key, value] = at < 0 ? [part, ""] : [part.slice(0, at), part.slice(at + 1)];
    (multiQuery[key] ??= []).push(value);
  }
  const type = p.headers.find(([name]) => name === "content-type")?.[1] ?? "";
  const bytes = p.body ?? new Uint8Array(0);
  const asText = bytes.byteLength === 0 || TEXT.test(type);
  return {
    requestContext: {
      elb: { targetGroupArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/conf/0123456789abcdef" },
    },
    httpMethod: c.method,
    path: p.path,
    multiValueQueryStringParameters: multiQuery,
    multiValueHeaders,
    body: asText ? new TextDecoder().decode(bytes) : p.bodyBase64!,
    isBase64Encoded: !asText,
  };
}

/**
 * The response ALB sends for a multi-value result.
 *
 * @param method The request method.
 * @param result The function's result.
 * @returns Status, header pairs and body.
 * @throws {Error} When `statusDescription` is not the status code and its reason phrase.
 */
export function albResponse(method: string, result: LambdaHttpResult): Observed {
  if (!result.statusDescription?.startsWith(`${result.statusCode} `)) {
    throw new Error(
      `statusDescription ${JSON.stringify(result.statusDescription)} does not match ${result.statusCode}`,
    );
  }
  if (result.headers !== undefined) throw new Error("a multi-value mode result must use multiValueHeaders only");
  const pairs: [string, string][] = [];
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    for (const value of values) pairs.push([name, value]);
  }
  return observedFrom(result.statusCode, pairs, bodyless(method, result.statusCode) ? "" : resultBody(result));
}

const driver: Driver = {
  name: "aws-alb",
  start(app) {
    const lambda = lambdaInvoker(app);
    return Promise.resolve({
      async send(c) {
        const event = albEvent(c);
        if (event.body!.length > ALB_LIMIT) return ALB_REFUSAL.request;
        const answer = await lambda.invoke(event, { event: Infinity, result: ALB_LIMIT, refusal: ALB_REFUSAL });
        return isRefusal(answer) ? answer : albResponse(c.method, answer);
      },
      close: () => Promise.resolve(),
    });
  },
  limits: [
    {
      id: "alb-1mb",
      applies: (c) => c.tags.includes("large"),
      reason: "ALB refuses a request body or a response JSON over 1 MB",
    },
    albQueryLimit("alb-query-map"),
  ],
};

export default driver;
