/**
 * Conformance driver: API Gateway HTTP API (payload 2.0), `$default` route and stage, through the AWS Lambda adapter's
 * `handle(fn)`. The event is built from the corpus request as HTTP API builds it
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html,
 * tests/fixtures/aws/apigw-v2-cookies.json): `rawPath` percent-decoded, `rawQueryString` as sent, lowercase header
 * names with repeated values joined by `,`, the `Cookie` header split into `cookies[]`, text bodies as text and the
 * rest base64. The result is read as HTTP API reads it (same page): `headers`, one `Set-Cookie` per `cookies[]` entry,
 * a base64 body decoded.
 *
 * @module
 */

import type { APIGatewayProxyEventV2 } from "npm:@types/aws-lambda@^8.10.164";
import type { LambdaHttpResult } from "../../../adapters/aws_lambda.ts";
import { type Driver, type Limit, type Observed, observedFrom, requestParts } from "../driver.ts";
import type { CorpusCase } from "../corpus.ts";
import {
  bodyless,
  decodePath,
  GATEWAY_REFUSAL,
  gatewayRequestId,
  isRefusal,
  LAMBDA_PAYLOAD_LIMIT,
  lambdaInvoker,
  requestTime,
  resultBody,
} from "./_aws.ts";
import { decodedPathLimit, joinedHeadersLimit, payloadLimit } from "./_aws_limits.ts";

/** How the two payload-2.0 sources differ in what they send. */
export interface V2Source {
  /** The `Host` and `requestContext.domainName`. */
  host: string;
  /** HTTP API decodes the path; a Function URL keeps it as sent. */
  decodesPath: boolean;
  /** A Function URL keeps the raw `Cookie` header next to `cookies[]`; HTTP API drops it. */
  keepsCookieHeader: boolean;
}

const HTTP_API: V2Source = {
  host: "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com",
  decodesPath: true,
  keepsCookieHeader: false,
};

/**
 * The payload 2.0 event for a corpus request.
 *
 * @param c The request.
 * @param source HTTP API or Function URL.
 * @returns The event.
 */
export function v2Event(c: CorpusCase, source: V2Source = HTTP_API): APIGatewayProxyEventV2 {
  const p = requestParts(c);
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  const sent: [string, string][] = [
    // A case's own Host (a hostile one) reaches the function as the client sent it.
    ...(p.headers.some(([name]) => name === "host") ? [] : [["host", source.host] as [string, string]]),
    ...p.headers,
    ["x-forwarded-for", "203.0.113.7"],
    ["x-forwarded-port", "443"],
    ["x-forwarded-proto", "https"],
  ];
  for (const [name, value] of sent) {
    if (name === "cookie") {
      cookies.push(...value.split(";").map((s) => s.trim()).filter(Boolean));
      if (!source.keepsCookieHeader) continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  let query: Record<string, string> | undefined;
  for (const [key, value] of p.query) {
    query ??= {};
    query[key] = key in query ? `${query[key]},${value}` : value;
  }
  const path = source.decodesPath ? decodePath(p.path) : p.path;
  const time = requestTime();
  const hasBody = p.body !== undefined && p.body.byteLength > 0;
  const event: APIGatewayProxyEventV2 = {
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString: p.rawQuery,
    headers,
    requestContext: {
      accountId: "123456789012",
      apiId: source.host.split(".")[0]!,
      domainName: source.host,
      domainPrefix: source.host.split(".")[0]!,
      http: { method: c.method, path, protocol: "HTTP/1.1", sourceIp: "203.0.113.7", userAgent: "" },
      requestId: gatewayRequestId(),
      routeKey: "$default",
      stage: "$default",
      time: time.text,
      timeEpoch: time.epoch,
    },
    isBase64Encoded: hasBody && p.bodyText === undefined,
  };
  if (cookies.length > 0) event.cookies = cookies;
  if (query) event.queryStringParameters = query;
  if (hasBody) event.body = p.bodyText ?? p.bodyBase64!;
  return event;
}

/**
 * The response a payload 2.0 source sends for a result: `headers`, then one `Set-Cookie` per `cookies[]` entry.
 *
 * @param method The request method.
 * @param result The function's result.
 * @returns Status, header pairs and body.
 */
export function v2Response(method: string, result: LambdaHttpResult): Observed {
  const pairs: [string, string][] = Object.entries(result.headers ?? {});
  for (const cookie of result.cookies ?? []) pairs.push(["set-cookie", cookie]);
  return observedFrom(result.statusCode, pairs, bodyless(method, result.statusCode) ? "" : resultBody(result));
}

/**
 * A payload 2.0 driver.
 *
 * @param name The matrix column.
 * @param source What the source sends.
 * @param limits Its documented limits.
 * @returns The driver.
 */
export function v2Driver(name: string, source: V2Source, limits: Limit[]): Driver {
  return {
    name,
    start(app) {
      const lambda = lambdaInvoker(app);
      return Promise.resolve({
        async send(c) {
          const answer = await lambda.invoke(v2Event(c, source), {
            event: LAMBDA_PAYLOAD_LIMIT,
            result: LAMBDA_PAYLOAD_LIMIT,
            refusal: GATEWAY_REFUSAL,
          });
          return isRefusal(answer) ? answer : v2Response(c.method, answer);
        },
        close: () => Promise.resolve(),
      });
    },
    limits,
  };
}

/** Text bodies go as text, so only binary bodies over ~4.5 MB pass 6 MB once base64-encoded. */
export const overPayload = (c: CorpusCase): boolean => c.tags.includes("over-1mb") && c.tags.includes("binary");

export default v2Driver("aws-v2", HTTP_API, [
  payloadLimit("aws-payload-6mb", overPayload),
  decodedPathLimit("aws-http-api-decoded-path"),
  joinedHeadersLimit("aws-v2-joined-headers"),
]);
