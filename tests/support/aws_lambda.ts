// Shared by the AWS Lambda tests: fixtures, a Lambda context, and an echo function that reports what it received.

import { Router, serverless, type ServerlessFunction } from "../../mod.ts";
import type { Context as LambdaContext } from "npm:@types/aws-lambda@^8.10.164";

/** The folder of the AWS sample events (copied from the shared fixture set; see its SOURCES.md). */
export const FIXTURES = new URL("../fixtures/aws/", import.meta.url);

/** Reads a fixture as parsed JSON; a fresh copy every call, so a test may mutate it. */
export function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(Deno.readTextFileSync(new URL(name, FIXTURES))) as T;
}

/** A Lambda context as the Node.js runtime passes it, with `remainingMs` before the deadline. */
export function lambdaContext(remainingMs = 3000, requestId = "req-123"): LambdaContext {
  const deadline = Date.now() + remainingMs;
  return {
    awsRequestId: requestId,
    functionName: "test",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:test",
    memoryLimitInMB: "128",
    logGroupName: "/aws/lambda/test",
    logStreamName: "stream",
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** What the echo handler saw. */
export interface Echo {
  method: string;
  url: string;
  headers: [string, string][];
  cookie: string | null;
  body: string;
  bodyBase64: string;
  requestId: string;
  platform: string;
}

/** A function whose every route answers with JSON describing the request it received. */
export function echoFunction(): ServerlessFunction {
  return serverless({
    name: "echo",
    fetch: new Router().all("/*", async (request, ctx) => {
      const bytes = new Uint8Array(await request.arrayBuffer());
      const echo: Echo = {
        method: request.method,
        url: request.url,
        headers: [...request.headers],
        cookie: request.headers.get("cookie"),
        body: new TextDecoder().decode(bytes),
        bodyBase64: btoa(String.fromCharCode(...bytes)),
        requestId: ctx.requestId,
        platform: ctx.platform,
      };
      return Response.json(echo);
    }),
  });
}

/** Reads the echo out of a result body. */
export function echoOf(result: unknown): Echo {
  const body = result as { body: string; isBase64Encoded: boolean };
  if (body.isBase64Encoded) throw new Error("expected a text body");
  return JSON.parse(body.body) as Echo;
}

/** A quiet log sink that keeps the records. */
export function recordingSink(): {
  sink: (record: Record<string, unknown>) => void;
  records: Record<string, unknown>[];
} {
  const records: Record<string, unknown>[] = [];
  return { sink: (record) => void records.push(record), records };
}
