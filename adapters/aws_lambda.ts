/**
 * AWS Lambda adapter: run a function defined with `serverless()` on Lambda.
 *
 * - {@linkcode handle} is the handler for the Node.js managed runtime. It answers API Gateway REST (payload 1.0),
 *   HTTP API (2.0), Function URLs and ALB (single- and multi-value mode), and runs the other triggers: SQS →
 *   `queue` (with `batchItemFailures`), EventBridge schedules → `scheduled`, SNS, S3 and other EventBridge events →
 *   `event` as CloudEvents 1.0.
 * - {@linkcode streamHandle} streams responses through `awslambda.streamifyResponse` (Function URL with
 *   `InvokeMode: RESPONSE_STREAM`).
 * - {@linkcode runtime} is a Lambda Runtime API client, so Deno itself runs on `provided.al2023`.
 * - {@linkcode handleShapes} and {@linkcode streamHandleShapes} take only the event shapes a deployment receives
 *   ({@linkcode httpV2}, {@linkcode sqs}, …), so a bundle carries only their converters; `slrs build --target
 *   aws-lambda` writes such an entry from the function's triggers and `exposure`. {@linkcode handleHttpV2} is the one
 *   for a function behind a Function URL or an HTTP API. {@linkcode warmFetch} does the Fetch first-touch work at init.
 *
 * See docs/aws-lambda.md for event sources, binary bodies, cookies, streaming and SQS batch failures.
 *
 * @example The two-line entry
 * ```ts
 * import { Router, serverless } from "../mod.ts";
 * import { handle } from "./aws_lambda.ts";
 *
 * const fn = serverless({ name: "hello", fetch: new Router().get("/hi", () => new Response("hi")) });
 * export const handler = handle(fn);
 * ```
 *
 * @module
 */

import type { DefaultEnv } from "../src/context.ts";
import type { ServerlessFunction } from "../src/serverless.ts";
import { ALB } from "./aws_lambda/_alb.ts";
import { ALL_SHAPES } from "./aws_lambda/_all_shapes.ts";
import type { AnyShape, EventShape } from "./aws_lambda/_event_shape.ts";
import { EVENTBRIDGE } from "./aws_lambda/_eventbridge.ts";
import { HTTP_API } from "./aws_lambda/_http_v2.ts";
import { invoke } from "./aws_lambda/_invoke.ts";
import { type HandleOptions, resolveOptions, type RuntimeOptions } from "./aws_lambda/_options.ts";
import { REST } from "./aws_lambda/_rest.ts";
import { type FunctionSource, runLoop } from "./aws_lambda/_runtime.ts";
import { S3 } from "./aws_lambda/_s3.ts";
import { SCHEDULE } from "./aws_lambda/_schedule.ts";
import { SNS } from "./aws_lambda/_sns.ts";
import { SQS } from "./aws_lambda/_sqs.ts";
import { streamify } from "./aws_lambda/_stream.ts";

export { UnknownEventError } from "./aws_lambda/_invoke.ts";
export { isBinaryDefault } from "./aws_lambda/_http.ts";
export type { HandleOptions, RuntimeOptions } from "./aws_lambda/_options.ts";
export type { FunctionSource } from "./aws_lambda/_runtime.ts";
export type { EventShape } from "./aws_lambda/_event_shape.ts";
export { warmFetch } from "./aws_lambda/_warm_fetch.ts";

/**
 * The Lambda context object, as far as the adapter reads it. The Node.js runtime's object (typed `Context` in
 * `@types/aws-lambda`) has all of it.
 */
export interface LambdaContext {
  /** The invocation's id; becomes `ctx.requestId`. */
  readonly awsRequestId: string;
  /** Milliseconds left before Lambda stops the invocation; sets the deadline of `ctx.signal`. */
  getRemainingTimeInMillis(): number;
  /** The function's name. */
  readonly functionName?: string;
  /** The ARN the function was invoked with. */
  readonly invokedFunctionArn?: string;
}

/**
 * An HTTP result, in the shape of the event's source: payload 1.0 (`headers` + `multiValueHeaders` for
 * `Set-Cookie`), payload 2.0 and Function URL (`headers` + `cookies`), or ALB (`statusDescription`, and `headers` or
 * `multiValueHeaders` by the target group's mode). The `@types/aws-lambda` names are `APIGatewayProxyResult`,
 * `APIGatewayProxyStructuredResultV2` and `ALBResult`.
 */
export interface LambdaHttpResult {
  /** The HTTP status, always present. */
  statusCode: number;
  /** ALB only: the status code and reason phrase, e.g. `"200 OK"`. */
  statusDescription?: string;
  /** Single-valued headers, lowercase names. */
  headers?: Record<string, string>;
  /** Multi-valued headers (1.0: `set-cookie`; ALB multi-value mode: every header). */
  multiValueHeaders?: Record<string, string[]>;
  /** 2.0 and Function URL: one entry per `Set-Cookie`. */
  cookies?: string[];
  /** The body, as text or base64. */
  body: string;
  /** Whether `body` is base64. */
  isBase64Encoded: boolean;
}

/** The SQS partial batch response (`SQSBatchResponse` in `@types/aws-lambda`). */
export interface LambdaBatchResult {
  /** The ids of the messages to deliver again; empty when all succeeded. */
  batchItemFailures: { itemIdentifier: string }[];
}

/** What {@linkcode handle} returns to Lambda: an HTTP result, a batch response, or nothing. */
export type LambdaResult = LambdaHttpResult | LambdaBatchResult | undefined;

/** `ctx.raw` on Lambda: the native event and context. */
export interface LambdaRaw {
  /** The event as Lambda delivered it. */
  event: unknown;
  /** The Lambda context object. */
  context: LambdaContext;
}

/**
 * Turns a function into the handler for the Lambda Node.js runtime (`export const handler = handle(fn)`).
 *
 * HTTP events become a `Request` (full URL, repeated query keys and headers kept, cookies joined into `Cookie`,
 * base64 bodies decoded, `request.signal` aborting shortly before the deadline) and the `Response` goes back in the
 * exact shape the source wants. A malformed HTTP event is answered with 400; an event of no known kind throws an
 * {@linkcode UnknownEventError} naming its top-level keys. `ctx.waitUntil` work is finished before the handler
 * returns.
 *
 * @typeParam Env The shape of `ctx.env`.
 * @param fn The function, from `serverless()`.
 * @param options Path, body-encoding, cookie and SQS policies.
 * @returns The Lambda handler.
 *
 * @example Answer an HTTP API event
 * ```ts
 * import { Router, serverless } from "../mod.ts";
 * import { handle, type LambdaContext } from "./aws_lambda.ts";
 *
 * const fn = serverless({ name: "hello", fetch: new Router().get("/hello/:name", (_req, ctx) => Response.json({ hi: ctx.params.name })) });
 * const handler = handle(fn);
 *
 * const event = {
 *   version: "2.0", routeKey: "$default", rawPath: "/hello/ada", rawQueryString: "", isBase64Encoded: false,
 *   headers: { host: "abc.execute-api.eu-west-1.amazonaws.com" },
 *   requestContext: { http: { method: "GET", path: "/hello/ada" }, stage: "$default" },
 * };
 * const context: LambdaContext = { awsRequestId: "r-1", getRemainingTimeInMillis: () => 3000 };
 * const result = await handler(event, context);
 * console.assert(result !== undefined && "statusCode" in result && result.statusCode === 200);
 * ```
 */
export function handle<Env = DefaultEnv>(
  fn: ServerlessFunction<Env>,
  options?: HandleOptions<Env>,
): (event: unknown, context: LambdaContext) => Promise<LambdaResult> {
  return handleShapes(fn, ALL_SHAPES, options);
}

/**
 * Like {@linkcode handle}, accepting only the given event shapes: the bundle carries only their converters, and any
 * other event is refused with an {@linkcode UnknownEventError} naming what arrived and what the handler accepts.
 * `slrs build --target aws-lambda` writes this entry from the function's triggers and `exposure`.
 *
 * @typeParam Env The shape of `ctx.env`.
 * @param fn The function, from `serverless()`.
 * @param shapes The shapes the deployment delivers, e.g. `[httpV2, sqs]`.
 * @param options The same options as {@linkcode handle}.
 * @returns The Lambda handler.
 *
 * @example An HTTP API function that also consumes a queue
 * ```ts
 * import { serverless } from "../mod.ts";
 * import { handleShapes, httpV2, type LambdaContext, sqs, UnknownEventError } from "./aws_lambda.ts";
 *
 * const fn = serverless({ name: "hello", fetch: () => new Response("hi"), queue: { name: "jobs", run: () => {} } });
 * const handler = handleShapes(fn, [httpV2, sqs]);
 * const context: LambdaContext = { awsRequestId: "r-1", getRemainingTimeInMillis: () => 3000 };
 * const s3Event = { Records: [{ eventSource: "aws:s3", s3: {} }] };
 * const error = await handler(s3Event, context).catch((e: unknown) => e);
 * console.assert(error instanceof UnknownEventError && error.message.includes("an S3 event"));
 * ```
 */
export function handleShapes<Env = DefaultEnv>(
  fn: ServerlessFunction<Env>,
  shapes: readonly EventShape[],
  options?: HandleOptions<Env>,
): (event: unknown, context: LambdaContext) => Promise<LambdaResult> {
  const resolved = resolveOptions(options, shapes as readonly AnyShape[]);
  const target = fn as unknown as ServerlessFunction<never>;
  return (event, context) => invoke(target, event, context, resolved) as Promise<LambdaResult>;
}

/**
 * The handler for a function reached only over HTTP, through a Function URL or an HTTP API (payload 2.0): the
 * smallest bundle, with no other shape's converter.
 *
 * @typeParam Env The shape of `ctx.env`.
 * @param fn The function, from `serverless()`.
 * @param options The same options as {@linkcode handle}.
 * @returns The Lambda handler.
 *
 * @example Usage
 * ```ts
 * import { serverless } from "../mod.ts";
 * import { handleHttpV2, type LambdaContext } from "./aws_lambda.ts";
 *
 * const handler = handleHttpV2(serverless({ name: "hello", fetch: () => new Response("hi") }));
 * const event = {
 *   version: "2.0", routeKey: "$default", rawPath: "/", rawQueryString: "", isBase64Encoded: false,
 *   headers: { host: "abc.lambda-url.eu-west-1.on.aws" }, requestContext: { http: { method: "GET", path: "/" } },
 * };
 * const context: LambdaContext = { awsRequestId: "r-1", getRemainingTimeInMillis: () => 3000 };
 * const result = await handler(event, context);
 * console.assert(result !== undefined && "body" in result && result.body === "hi");
 * ```
 */
export function handleHttpV2<Env = DefaultEnv>(
  fn: ServerlessFunction<Env>,
  options?: HandleOptions<Env>,
): (event: unknown, context: LambdaContext) => Promise<LambdaResult> {
  return handleShapes(fn, [httpV2], options);
}

/**
 * Runs the function on a Lambda custom runtime (`provided.al2023`): a Runtime API client that fetches each
 * invocation, runs it exactly as {@linkcode handle} would, and posts the result or the error. The deadline comes from
 * `Lambda-Runtime-Deadline-Ms` (an invocation still running at it is reported as `Sandbox.Timedout`), and the trace id
 * is copied to `_X_AMZN_TRACE_ID`. Pass a loader instead of the function to have a failing import reported to Lambda
 * as an init error. With `responseStream: true`, HTTP responses are streamed (Function URL in `RESPONSE_STREAM` mode).
 *
 * @typeParam Env The shape of `ctx.env`.
 * @param source The function, or a function that loads it.
 * @param options `handle()` options, plus the API address and a stop signal.
 * @returns A promise that settles when the loop stops: never inside Lambda, on `options.signal` elsewhere; it
 *   rejects when start-up fails or the Runtime API cannot be reached.
 *
 * @example `bootstrap` entry for Deno on Lambda
 * ```ts ignore
 * import { runtime } from "@slrs/core/aws-lambda";
 * await runtime(() => import("./main.ts").then((module) => module.default));
 * ```
 *
 * @example Outside Lambda it says what is missing
 * ```ts
 * import { serverless } from "../mod.ts";
 * import { runtime } from "./aws_lambda.ts";
 *
 * const fn = serverless({ name: "hello", fetch: () => new Response("hi") });
 * const error = await runtime(fn, { api: "" }).catch((e: Error) => e);
 * console.assert(error instanceof Error && error.message.includes("AWS_LAMBDA_RUNTIME_API"));
 * ```
 */
export function runtime<Env = DefaultEnv>(
  source: FunctionSource<Env>,
  options: RuntimeOptions<Env> = {},
): Promise<void> {
  const { api, signal, responseStream, ...handleOptions } = options;
  return runLoop(source, resolveOptions(handleOptions, ALL_SHAPES), {
    api,
    signal,
    responseStream: responseStream ?? false,
  });
}

/**
 * Turns a function into a response-streaming handler for the Node.js runtime (`export const handler =
 * streamHandle(fn)`), for a Function URL with `InvokeMode: RESPONSE_STREAM` (or `InvokeWithResponseStream`). The
 * status, headers and cookies go out first, through `awslambda.HttpResponseStream.from`; the body follows chunk by
 * chunk, read only as fast as Lambda takes it. A response without a body (204, HEAD, a redirect) still sends its
 * head. An error after the head was sent is logged and rejects the handler, so the runtime ends the stream with the
 * `Lambda-Runtime-Function-Error-Type`/`-Error-Body` trailers and the client sees a failed response, not a short one.
 * Requests are converted exactly as by {@linkcode handle}.
 *
 * @typeParam Env The shape of `ctx.env`.
 * @param fn The function, from `serverless()`.
 * @param options The same options as {@linkcode handle}; the body-encoding ones do not apply.
 * @returns The handler made by `awslambda.streamifyResponse`.
 * @throws {Error} Outside the Lambda Node.js runtime, where the `awslambda` global is missing.
 *
 * @example Stream server-sent events
 * ```ts ignore
 * import { serverless } from "@slrs/core";
 * import { streamHandle } from "@slrs/core/aws-lambda";
 *
 * const fn = serverless({
 *   name: "ticks",
 *   fetch: () => new Response(ReadableStream.from(["data: 1\n\n", "data: 2\n\n"]).pipeThrough(new TextEncoderStream()), {
 *     headers: { "content-type": "text/event-stream" },
 *   }),
 * });
 * export const handler = streamHandle(fn);
 * ```
 *
 * @example Outside Lambda it says what is missing
 * ```ts
 * import { serverless } from "../mod.ts";
 * import { streamHandle } from "./aws_lambda.ts";
 *
 * const fn = serverless({ name: "hello", fetch: () => new Response("hi") });
 * let message = "";
 * try {
 *   streamHandle(fn);
 * } catch (error) {
 *   message = (error as Error).message;
 * }
 * console.assert(message.includes("awslambda"));
 * ```
 */
export function streamHandle<Env = DefaultEnv>(
  fn: ServerlessFunction<Env>,
  options?: HandleOptions<Env>,
): (event: unknown, context: LambdaContext) => Promise<void> {
  return streamHandleShapes(fn, ALL_SHAPES, options);
}

/**
 * Like {@linkcode streamHandle}, accepting only the given event shapes (see {@linkcode handleShapes}).
 *
 * @typeParam Env The shape of `ctx.env`.
 * @param fn The function, from `serverless()`.
 * @param shapes The shapes the deployment delivers, e.g. `[httpV2]` for a Function URL in `RESPONSE_STREAM` mode.
 * @param options The same options as {@linkcode handle}; the body-encoding ones do not apply.
 * @returns The handler made by `awslambda.streamifyResponse`.
 * @throws {Error} Outside the Lambda Node.js runtime, where the `awslambda` global is missing.
 *
 * @example Stream from a Function URL
 * ```ts ignore
 * import { serverless } from "@slrs/core";
 * import { httpV2, streamHandleShapes } from "@slrs/core/aws-lambda";
 *
 * const fn = serverless({ name: "ticks", fetch: () => new Response("tick") });
 * export const handler = streamHandleShapes(fn, [httpV2]);
 * ```
 */
export function streamHandleShapes<Env = DefaultEnv>(
  fn: ServerlessFunction<Env>,
  shapes: readonly EventShape[],
  options?: HandleOptions<Env>,
): (event: unknown, context: LambdaContext) => Promise<void> {
  const target = fn as unknown as ServerlessFunction<never>;
  return streamify(target, resolveOptions(options, shapes as readonly AnyShape[])) as (
    event: unknown,
    context: LambdaContext,
  ) => Promise<void>;
}

/**
 * Payload 2.0 events: an API Gateway HTTP API, or a Function URL.
 *
 * @example Usage
 * ```ts
 * import { serverless } from "../mod.ts";
 * import { handleShapes, httpV2 } from "./aws_lambda.ts";
 * export const handler = handleShapes(serverless({ name: "a", fetch: () => new Response("hi") }), [httpV2]);
 * ```
 */
export const httpV2: EventShape = HTTP_API;

/**
 * Payload 1.0 events: an API Gateway REST API.
 *
 * @example Usage
 * ```ts
 * import { serverless } from "../mod.ts";
 * import { handleShapes, restApi } from "./aws_lambda.ts";
 * export const handler = handleShapes(serverless({ name: "a", fetch: () => new Response("hi") }), [restApi]);
 * ```
 */
export const restApi: EventShape = REST;

/**
 * Application Load Balancer events (single- and multi-value mode).
 *
 * @example Usage
 * ```ts
 * import { serverless } from "../mod.ts";
 * import { alb, handleShapes } from "./aws_lambda.ts";
 * export const handler = handleShapes(serverless({ name: "a", fetch: () => new Response("hi") }), [alb]);
 * ```
 */
export const alb: EventShape = ALB;

/**
 * SQS batches, run by the `queue` trigger.
 *
 * @example Usage
 * ```ts
 * import { serverless } from "../mod.ts";
 * import { handleShapes, sqs } from "./aws_lambda.ts";
 * const fn = serverless({ name: "a", queue: { name: "jobs", run: () => {} } });
 * export const handler = handleShapes(fn, [sqs]);
 * ```
 */
export const sqs: EventShape = SQS;

/**
 * EventBridge scheduled events, run by the `scheduled` trigger.
 *
 * @example Usage
 * ```ts
 * import { serverless } from "../mod.ts";
 * import { handleShapes, schedule } from "./aws_lambda.ts";
 * const fn = serverless({ name: "a", scheduled: { cron: "0 * * * *", run: () => {} } });
 * export const handler = handleShapes(fn, [schedule]);
 * ```
 */
export const schedule: EventShape = SCHEDULE;

/**
 * EventBridge events other than schedules, run by the `event` trigger as CloudEvents.
 *
 * @example Usage
 * ```ts
 * import { serverless } from "../mod.ts";
 * import { eventBridge, handleShapes } from "./aws_lambda.ts";
 * const fn = serverless({ name: "a", event: { run: () => {} } });
 * export const handler = handleShapes(fn, [eventBridge]);
 * ```
 */
export const eventBridge: EventShape = EVENTBRIDGE;

/**
 * SNS notifications, run by the `event` trigger as CloudEvents (one per record).
 *
 * @example Usage
 * ```ts
 * import { serverless } from "../mod.ts";
 * import { handleShapes, sns } from "./aws_lambda.ts";
 * const fn = serverless({ name: "a", event: { run: () => {} } });
 * export const handler = handleShapes(fn, [sns]);
 * ```
 */
export const sns: EventShape = SNS;

/**
 * S3 notifications, run by the `event` trigger as CloudEvents (one per record).
 *
 * @example Usage
 * ```ts
 * import { serverless } from "../mod.ts";
 * import { handleShapes, s3 } from "./aws_lambda.ts";
 * const fn = serverless({ name: "a", event: { run: () => {} } });
 * export const handler = handleShapes(fn, [s3]);
 * ```
 */
export const s3: EventShape = S3;
