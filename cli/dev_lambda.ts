/**
 * `dev --target aws-lambda`: each request becomes the payload 2.0 event the function's exposure sends (the
 * `exposure` setting of aws-lambda: a Function URL by default, or an HTTP API), runs through the adapter's
 * `handle(fn)` exactly as deployed, and its result is turned back into the HTTP response the front end would send.
 * The 6 MB limits apply both ways: a larger request is refused with 413 before the function runs, a larger result is
 * answered by the adapter (its 500).
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads and
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
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
/** An HTTP API id, for its `execute-api` host. */
const API_ID = "slrsdev000";

/** How a Lambda function is reached over HTTP: the aws-lambda `exposure` setting. */
export type LambdaExposure = "url" | "http-api" | "none";

/** What differs between the two payload 2.0 front ends. */
interface Front {
  host: string;
  id: string;
  accountId: string;
  /** HTTP API percent-decodes the path; a Function URL passes it as sent. */
  decodesPath: boolean;
  /** A Function URL keeps the `Cookie` header next to `cookies[]`; HTTP API drops it. */
  keepsCookieHeader: boolean;
}

const FRONTS: Record<Exclude<LambdaExposure, "none">, Front> = {
  url: {
    host: `${URL_ID}.lambda-url.us-east-1.on.aws`,
    id: URL_ID,
    accountId: "anonymous",
    decodesPath: false,
    keepsCookieHeader: true,
  },
  "http-api": {
    host: `${API_ID}.execute-api.us-east-1.amazonaws.com`,
    id: API_ID,
    accountId: "123456789012",
    decodesPath: true,
    keepsCookieHeader: false,
  },
};

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
 * @param exposure What is in front of it: a Function URL, an HTTP API, or nothing (every request gets a 404).
 * @returns Answers a request as the front end and `handle(fn)` would.
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
  exposure: LambdaExposure = "url",
): (request: Request, invocation: LambdaInvocation) => Promise<Response> {
  let env: Record<string, unknown> = {};
  const handler = handle(fn, { env: () => env });
  return async (request, invocation) => {
    if (exposure === "none") {
      const error = `"${fn.name}" has no HTTP front end on Lambda: its aws-lambda exposure is "none" ` +
        '(set "exposure": "url" or "http-api" in slrs.overrides to reach it).';
      return Response.json({ error }, { status: 404 });
    }
    const event = await payloadV2Event(request, invocation.requestId, invocation.client?.address, exposure);
    if (event === undefined) return Response.json({ message: "Request Too Long" }, { status: 413 });
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
 * The payload 2.0 event a Function URL or an HTTP API sends for a request: lowercase headers with repeats joined, the
 * `Cookie` header split into `cookies[]` (and kept by a Function URL), the path as sent (percent-decoded by HTTP
 * API), text bodies as text and others base64.
 *
 * @param request The request.
 * @param requestId The request id.
 * @param sourceIp The client's address (the front end reports the caller's).
 * @param exposure Which front end.
 * @returns The event, or `undefined` when it would exceed Lambda's 6 MB.
 *
 * @example Usage
 * ```ts
 * import { payloadV2Event } from "./dev_lambda.ts";
 * const request = new Request("http://localhost/a?b=1", { headers: { cookie: "x=1; y=2" } });
 * const event = await payloadV2Event(request, "r-1");
 * console.assert(event?.rawPath === "/a" && event.cookies?.length === 2);
 * ```
 */
export async function payloadV2Event(
  request: Request,
  requestId: string,
  sourceIp = "127.0.0.1",
  exposure: Exclude<LambdaExposure, "none"> = "url",
): Promise<FunctionUrlEvent | undefined> {
  const front = FRONTS[exposure];
  const url = new URL(request.url);
  const sent = request.url.slice(url.origin.length).split("?")[0]!.split("#")[0]!;
  const rawPath = front.decodesPath ? decodePath(sent) : sent;
  const host = front.host;
  const headers: Record<string, string> = Object.create(null);
  for (const [name, value] of request.headers) {
    if (name === "cookie" && !front.keepsCookieHeader) continue;
    headers[name] = value; // Headers already joins repeats with ", "
  }
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
      accountId: front.accountId,
      apiId: front.id,
      domainName: host,
      domainPrefix: front.id,
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

/** The payload 2.0 event (`APIGatewayProxyEventV2` in `@types/aws-lambda`). */
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

// HTTP API hands the function the decoded path; a run that is not valid UTF-8 stays as sent.
function decodePath(path: string): string {
  return path.replace(/(%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
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
