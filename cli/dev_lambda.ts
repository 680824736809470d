/**
 * `dev --target aws-lambda`: each request becomes the payload 2.0 event a Lambda Function URL sends, runs through
 * the adapter's `handle(fn)` exactly as deployed, and its result is turned back into the HTTP response the Function
 * URL would send. The 6 MB limits apply both ways: a larger request is refused with 413 before the function runs
 * (the Function URL's answer), a larger result is answered by the adapter (its 500).
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { handle, type LambdaContext, type LambdaHttpResult, type LambdaResult } from "../adapters/aws_lambda.ts";
import type { ServerlessFunction } from "../src/serverless.ts";
import type { ClientInfo } from "./dev_guard.ts";

/** Lambda's limit on a synchronous invocation's event, 6 MB. */
const EVENT_LIMIT = 6 * 1024 * 1024;
/** What a Function URL host looks like; the function sees it as `Host` and `requestContext.domainName`. */
const URL_ID = "slrsdev0000000000000000000000000";

/** What one invocation knows beyond the request. */
export interface LambdaInvocation {
  /** The invocation id, `awsRequestId`. */
  requestId: string;
  /** The deadline in epoch milliseconds (`Infinity` without a timeout: Lambda's default is then 3 s, not modeled). */
  deadline: number;
  /** `ctx.env`. */
  env: Record<string, unknown>;
  /** The client, whose address becomes `sourceIp` and `x-forwarded-for`. */
  client?: ClientInfo;
}

/**
 * Makes the dev answerer for one function on Lambda.
 *
 * @param fn The function.
 * @returns Answers a request as the Function URL in front of `handle(fn)` would.
 *
 * @example Usage
 * ```ts
 * import { serverless } from "../mod.ts";
 * import { lambdaAnswerer } from "./dev_lambda.ts";
 * const answer = lambdaAnswerer(serverless({ name: "a", fetch: () => new Response("hi") }));
 * const res = await answer(new Request("http://localhost:8000/"), { requestId: "r-1", deadline: Infinity, env: {} });
 * console.assert(await res.text() === "hi");
 * ```
 */
export function lambdaAnswerer(
  fn: ServerlessFunction<Record<string, unknown>>,
): (request: Request, invocation: LambdaInvocation) => Promise<Response> {
  let env: Record<string, unknown> = {};
  const handler = handle(fn, { env: () => env });
  return async (request, invocation) => {
    const event = await functionUrlEvent(request, invocation.requestId, invocation.client?.address);
    if (event === undefined) return Response.json({ message: "Request Entity Too Large" }, { status: 413 });
    env = invocation.env;
    const context: LambdaContext = {
      awsRequestId: invocation.requestId,
      // Without a timeout the invocation may run as long as dev lets it; 15 minutes is Lambda's ceiling.
      getRemainingTimeInMillis: () => Math.max(0, Math.min(invocation.deadline, Date.now() + 900_000) - Date.now()),
      functionName: fn.name,
      invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${fn.name}`,
    };
    return resultResponse(await handler(event, context));
  };
}

/**
 * The payload 2.0 event a Function URL sends for a request: lowercase headers with repeats joined by `,`, the
 * `Cookie` header split into `cookies[]` (and kept, as a Function URL does), the path as sent, text bodies as text
 * and others base64.
 *
 * @param request The request.
 * @param requestId The request id.
 * @param sourceIp The client's address (a Function URL reports the caller's).
 * @returns The event, or `undefined` when it would exceed Lambda's 6 MB.
 *
 * @example Usage
 * ```ts
 * import { functionUrlEvent } from "./dev_lambda.ts";
 * const event = await functionUrlEvent(new Request("http://localhost/a?b=1", { headers: { cookie: "x=1; y=2" } }), "r-1");
 * console.assert(event?.rawPath === "/a" && event.cookies?.length === 2);
 * ```
 */
export async function functionUrlEvent(
  request: Request,
  requestId: string,
  sourceIp = "127.0.0.1",
): Promise<FunctionUrlEvent | undefined> {
  const url = new URL(request.url);
  const rawPath = request.url.slice(url.origin.length).split("?")[0]!.split("#")[0]!;
  const host = `${URL_ID}.lambda-url.us-east-1.on.aws`;
  const headers: Record<string, string> = Object.create(null);
  for (const [name, value] of request.headers) headers[name] = value; // Headers already joins repeats with ", "
  headers.host = host;
  headers["x-forwarded-proto"] = "https";
  headers["x-forwarded-port"] = "443";
  // Set by the Function URL front end, from the connection.
  headers["x-forwarded-for"] = sourceIp.replace(/^::ffff:/i, "");
  const bytes = new Uint8Array(await request.arrayBuffer());
  const text = utf8(bytes);
  const event: FunctionUrlEvent = {
    version: "2.0",
    routeKey: "$default",
    rawPath,
    rawQueryString: url.search.slice(1),
    headers: { ...headers },
    requestContext: {
      accountId: "anonymous",
      apiId: URL_ID,
      domainName: host,
      domainPrefix: URL_ID,
      http: {
        method: request.method,
        path: rawPath,
        protocol: "HTTP/1.1",
        sourceIp: sourceIp.replace(/^::ffff:/i, ""),
        userAgent: request.headers.get("user-agent") ?? "",
      },
      requestId,
      routeKey: "$default",
      stage: "$default",
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    isBase64Encoded: bytes.byteLength > 0 && text === undefined,
  };
  const cookie = request.headers.get("cookie");
  if (cookie !== null) event.cookies = cookie.split(";").map((c) => c.trim()).filter(Boolean);
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = key in query ? `${query[key]},${value}` : value;
  if (Object.keys(query).length > 0) event.queryStringParameters = query;
  if (bytes.byteLength > 0) event.body = text ?? Buffer.from(bytes).toString("base64");
  return new TextEncoder().encode(JSON.stringify(event)).byteLength > EVENT_LIMIT ? undefined : event;
}

/** The payload 2.0 event of a Function URL (`APIGatewayProxyEventV2` in `@types/aws-lambda`). */
export interface FunctionUrlEvent {
  /** Always `2.0`. */
  version: "2.0";
  /** Always `$default`. */
  routeKey: string;
  /** The path as sent. */
  rawPath: string;
  /** The query as sent, without `?`. */
  rawQueryString: string;
  /** Lowercase header names. */
  headers: Record<string, string>;
  /** The `Cookie` header's cookies. */
  cookies?: string[];
  /** The query, repeated keys joined by `,`. */
  queryStringParameters?: Record<string, string>;
  /** Where the request came in. */
  requestContext: Record<string, unknown> & { http: Record<string, string> };
  /** The body, as text or base64. */
  body?: string;
  /** Whether `body` is base64. */
  isBase64Encoded: boolean;
}

function utf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** What the Function URL answers for a result: `headers`, one `Set-Cookie` per `cookies[]` entry, the body. */
function resultResponse(result: LambdaResult): Response {
  if (result === undefined || !("statusCode" in result)) {
    return Response.json({ message: "The function returned no HTTP result." }, { status: 502 });
  }
  const http = result as LambdaHttpResult;
  const headers = new Headers();
  for (const [name, value] of Object.entries(http.headers ?? {})) headers.set(name, value);
  for (const [name, values] of Object.entries(http.multiValueHeaders ?? {})) {
    for (const value of values) headers.append(name, value);
  }
  for (const cookie of http.cookies ?? []) headers.append("set-cookie", cookie);
  const body = http.isBase64Encoded ? Buffer.from(http.body, "base64") : http.body;
  const empty = http.statusCode === 204 || http.statusCode === 304 || (http.statusCode >= 100 && http.statusCode < 200);
  return new Response(empty ? null : body, { status: http.statusCode, headers });
}
