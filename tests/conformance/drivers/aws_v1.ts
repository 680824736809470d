/**
 * Conformance driver: API Gateway REST API, Lambda proxy integration (payload 1.0), through the AWS Lambda adapter's
 * `handle(fn)`. The event is built from the corpus request as REST builds it
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html,
 * tests/fixtures/aws/apigw-v1-multivalue.json): `path` still percent-encoded and without the stage, header names in the
 * client's case, `headers` with the last value of a repeated name and `multiValueHeaders` with all of them, the query
 * only as decoded maps (`+` read as a space, aws/aws-cdk#19827), `null` maps and body when there are none. The API is
 * taken to have `binaryMediaTypes: ["*\/*"]` (what
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings.html describes for binary
 * bodies), so every body arrives base64-encoded and a base64 result goes out as bytes. The result is read as API
 * Gateway merges it: `headers` plus `multiValueHeaders`, whose values win for the same name.
 *
 * @module
 */

import type { APIGatewayProxyEvent } from "npm:@types/aws-lambda@^8.10.164";
import type { LambdaHttpResult } from "../../../adapters/aws_lambda.ts";
import { type Driver, type Limit, observedFrom, requestParts } from "../driver.ts";
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
import { decodedQueryLimit, payloadLimit } from "./_aws_limits.ts";

const HOST = "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com";
const STAGE = "prod";

/**
 * The REST API event for a corpus request.
 *
 * @param c The request.
 * @returns The event API Gateway sends to the function.
 */
export function restEvent(c: CorpusCase): APIGatewayProxyEvent {
  const p = requestParts(c);
  const sent: [string, string][] = [
    // A case's own Host (a hostile one) reaches the function as the client sent it.
    ...(p.headers.some(([name]) => name === "host") ? [] : [["Host", HOST] as [string, string]]),
    ...p.sentHeaders,
    ["X-Forwarded-For", "203.0.113.7"],
    ["X-Forwarded-Port", "443"],
    ["X-Forwarded-Proto", "https"],
  ];
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of sent) {
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  let query: Record<string, string> | null = null;
  let multiQuery: Record<string, string[]> | null = null;
  for (const [key, value] of p.query) {
    (query ??= {})[key] = value;
    ((multiQuery ??= {})[key] ??= []).push(value);
  }
  const time = requestTime();
  const body = p.body && p.body.byteLength > 0 ? p.bodyBase64! : null;
  return {
    resource: "/{proxy+}",
    path: p.path,
    httpMethod: c.method,
    headers,
    multiValueHeaders,
    queryStringParameters: query,
    multiValueQueryStringParameters: multiQuery,
    pathParameters: { proxy: decodePath(p.path.slice(1)) },
    stageVariables: null,
    requestContext: {
      accountId: "123456789012",
      apiId: "a1b2c3d4e5",
      authorizer: undefined,
      domainName: HOST,
      domainPrefix: "a1b2c3d4e5",
      extendedRequestId: "Xyz0AbCdoAMEbQ=",
      httpMethod: c.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: "203.0.113.7",
        user: null,
        userAgent: null,
        userArn: null,
      },
      path: `/${STAGE}${p.path}`,
      protocol: "HTTP/1.1",
      requestId: gatewayRequestId(),
      requestTime: time.text,
      requestTimeEpoch: time.epoch,
      resourceId: "abc123",
      resourcePath: "/{proxy+}",
      stage: STAGE,
    },
    body,
    isBase64Encoded: body !== null,
  };
}

/**
 * The response API Gateway sends for a 1.0 result: `headers` and `multiValueHeaders` merged, the latter winning.
 *
 * @param method The request method.
 * @param result The function's result.
 * @returns Status, header pairs and body.
 */
export function restResponse(method: string, result: LambdaHttpResult): ReturnType<typeof observedFrom> {
  const multi = new Map<string, string[]>();
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    multi.set(name.toLowerCase(), [...(multi.get(name.toLowerCase()) ?? []), ...values]);
  }
  const pairs: [string, string][] = [];
  for (const [name, value] of Object.entries(result.headers ?? {})) {
    if (!multi.has(name.toLowerCase())) pairs.push([name, value]);
  }
  for (const [name, values] of multi) for (const value of values) pairs.push([name, value]);
  const body = bodyless(method, result.statusCode) ? "" : resultBody(result);
  return observedFrom(result.statusCode, pairs, body);
}

const limits: Limit[] = [
  payloadLimit("aws-payload-6mb", (c) => c.tags.includes("over-1mb")),
  decodedQueryLimit("aws-rest-decoded-query"),
];

const driver: Driver = {
  name: "aws-v1",
  start(app) {
    const lambda = lambdaInvoker(app);
    return Promise.resolve({
      async send(c) {
        const answer = await lambda.invoke(restEvent(c), {
          event: LAMBDA_PAYLOAD_LIMIT,
          result: LAMBDA_PAYLOAD_LIMIT,
          refusal: GATEWAY_REFUSAL,
        });
        return isRefusal(answer) ? answer : restResponse(c.method, answer);
      },
      close: () => Promise.resolve(),
    });
  },
  limits,
};

export default driver;
