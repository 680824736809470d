/**
 * A Lambda Runtime API client, so Deno itself runs on `provided.al2023`: fetch the next invocation, run it through the
 * same pipeline as `handle()`, post the result or the error, repeat.
 *
 * Protocol (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html): `GET /2018-06-01/runtime/invocation/next`
 * returns the event with `Lambda-Runtime-Aws-Request-Id`, `Lambda-Runtime-Deadline-Ms`,
 * `Lambda-Runtime-Invoked-Function-Arn` and `Lambda-Runtime-Trace-Id`; the answer goes to `…/invocation/{id}/response`
 * or `…/invocation/{id}/error`; a failed start-up goes to `/2018-06-01/runtime/init/error`. All answer 202.
 *
 * @module
 */

import { isServerlessFunction, type ServerlessFunction } from "../../src/serverless.ts";
import { type Json, readHead, type Shape } from "./_http.ts";
import { shapeOf } from "./_event_shape.ts";
import { Invocation, invoke, type LambdaContextLike, type Resolved, respond } from "./_invoke.ts";
import { processEnv } from "../_env.ts";
import { errorText } from "../../src/log.ts";
import { encodeBase64 } from "./_base64.ts";
import { pipe } from "./_stream.ts";

/** A function, or what loads it (so a failing import is reported to Lambda as an init error). */
export type FunctionSource<Env> =
  | ServerlessFunction<Env>
  | (() => ServerlessFunction<Env> | Promise<ServerlessFunction<Env>>);

/** Where the runtime loop talks to and when it stops. */
export interface LoopOptions {
  /** `host:port` of the Runtime API; `AWS_LAMBDA_RUNTIME_API` by default. */
  api: string | undefined;
  /** Stops the loop (tests, graceful shutdown); Lambda itself just freezes or kills the process. */
  signal: AbortSignal | undefined;
  /** Stream HTTP responses (Function URL in RESPONSE_STREAM mode) instead of posting one JSON result. */
  responseStream: boolean;
}

/** The Lambda context the runtime builds from the `/next` headers and the environment. */
interface RuntimeContext extends LambdaContextLike {
  readonly invokedFunctionArn: string;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly memoryLimitInMB: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly clientContext: unknown;
  readonly identity: unknown;
  readonly callbackWaitsForEmptyEventLoop: boolean;
}

/**
 * Runs the invocation loop until `loop.signal` aborts.
 *
 * @param source The function or its loader.
 * @param options The resolved handle options.
 * @param loop The API address and the stop signal.
 * @returns When the loop is stopped.
 */
export async function runLoop<Env>(source: FunctionSource<Env>, options: Resolved, loop: LoopOptions): Promise<void> {
  const env = processEnv();
  const api = loop.api ?? env.AWS_LAMBDA_RUNTIME_API;
  if (api === undefined || api === "") {
    throw new Error(
      "runtime() needs the Lambda Runtime API: AWS_LAMBDA_RUNTIME_API is not set. It is set inside Lambda " +
        '(runtime provided.al2023); elsewhere, pass { api: "host:port" } or use handle() with the Node.js runtime.',
    );
  }
  const base = `http://${api}/2018-06-01/runtime`;
  let fn: ServerlessFunction<never>;
  try {
    fn = (isServerlessFunction(source) ? source : await (source as () => unknown)()) as ServerlessFunction<never>;
    if (!isServerlessFunction(fn)) {
      throw new TypeError(`The function loader returned ${typeof fn}; return the value of serverless({...}).`);
    }
  } catch (error) {
    await post(`${base}/init/error`, errorBody(error, "Runtime.InitError"), "Runtime.InitError");
    throw error;
  }
  while (loop.signal?.aborted !== true) {
    let next: Response;
    try {
      next = await fetch(`${base}/invocation/next`, loop.signal ? { signal: loop.signal } : {});
    } catch (error) {
      if (loop.signal?.aborted) return;
      throw error;
    }
    if (!next.ok) {
      // The Runtime API only fails like this when the sandbox is broken; exiting lets Lambda start a fresh one.
      throw new Error(`The Runtime API answered ${next.status} to /invocation/next: ${await next.text()}`);
    }
    const id = next.headers.get("lambda-runtime-aws-request-id");
    const text = await next.text();
    if (id === null || id === "") {
      // Without the id there is nowhere to answer (`/invocation//response` is no address); like a failed /next, only
      // a broken sandbox does this, and exiting lets Lambda start a fresh one.
      throw new Error("The Runtime API sent an invocation without a Lambda-Runtime-Aws-Request-Id header.");
    }
    const deadline = deadlineOf(next.headers.get("lambda-runtime-deadline-ms"));
    const trace = next.headers.get("lambda-runtime-trace-id");
    // The X-Ray SDK and any code that propagates traces read the id from here.
    if (trace !== null) setEnv("_X_AMZN_TRACE_ID", trace);
    const context = contextOf(id, deadline, next.headers, env);
    const target = `${base}/invocation/${encodeURIComponent(id)}`;
    let answer: string;
    try {
      const event = JSON.parse(text);
      const shape = loop.responseStream && typeof event === "object" && event !== null
        ? shapeOf(event, options.shapes)
        : undefined;
      if (shape?.kind === "http") {
        await withDeadline(stream(fn, shape, event, context, options, `${target}/response`), deadline);
        continue;
      }
      answer = JSON.stringify((await withDeadline(invoke(fn, event, context, options), deadline)) ?? null);
    } catch (error) {
      if (error instanceof PostFailed) {
        logPostFailure(id, error);
        continue;
      }
      const type = error instanceof DeadlineExceeded ? "Sandbox.Timedout" : errorType(error);
      if (!(error instanceof DeadlineExceeded)) {
        console.error(
          JSON.stringify({ level: "error", msg: "invocation failed", requestId: id, error: errorMessage(error) }),
        );
      }
      await post(`${target}/error`, errorBody(error, type), type).catch((e) => logPostFailure(id, e));
      continue;
    }
    // Outside the try: the function succeeded, so a post the Runtime API fails is not the function's error.
    await post(`${target}/response`, answer, undefined).catch((e) => logPostFailure(id, e));
  }
}

/** A post to the Runtime API that could not be made: the API's failure, never the function's. */
class PostFailed extends Error {
  override name = "PostFailed";
}

function logPostFailure(id: string, error: unknown): void {
  const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
  console.error(
    JSON.stringify({ level: "error", msg: "could not post to the Runtime API", requestId: id, error: String(cause) }),
  );
}

// A missing or unreadable deadline means "no deadline known" (NaN), not "0 ms left": Number(null) is 0.
function deadlineOf(header: string | null): number {
  if (header === null || header.trim() === "") return NaN;
  const deadline = Number(header);
  return Number.isFinite(deadline) && deadline > 0 ? deadline : NaN;
}

// Streaming from a custom runtime: the same POST to /response, with Lambda-Runtime-Function-Response-Mode: streaming
// and a chunked body made of the JSON prelude, 8 NUL bytes, then the body, read only as fast as Lambda takes it. An
// error after the head goes out as the documented trailers (Lambda-Runtime-Function-Error-Type, -Error-Body), so the
// client sees a failed response, not a clean end of a short one; fetch() cannot send trailers, node:http can.
async function stream(
  fn: ServerlessFunction<never>,
  shape: Shape,
  event: Json,
  context: LambdaContextLike,
  options: Resolved,
  url: string,
): Promise<void> {
  const invocation = new Invocation(context, event, options);
  try {
    const response = await respond(fn, shape, event, invocation, options);
    const head = readHead(response);
    const prelude: Record<string, unknown> = { statusCode: head.status, headers: head.headers };
    if (head.cookies.length > 0) {
      if (shape.v2) prelude.cookies = head.cookies;
      else prelude.multiValueHeaders = { "set-cookie": head.cookies };
    }
    const target = new URL(url);
    // Loaded here, not at import: only a streaming custom runtime needs node:http, and on Node 22 loading it loads
    // undici, which a buffered deployment should not pay for at start-up.
    const { request } = await import("node:http");
    const post = request({
      hostname: target.hostname,
      port: target.port,
      method: "POST",
      path: target.pathname,
      headers: {
        "content-type": "application/vnd.awslambda.http-integration-response",
        "lambda-runtime-function-response-mode": "streaming",
        "transfer-encoding": "chunked",
        trailer: `${ERROR_TYPE_TRAILER}, ${ERROR_BODY_TRAILER}`,
      },
    });
    const answered = new Promise<void>((resolve, reject) => {
      post.once("response", (answer) => {
        answer.resume();
        answer.once("end", resolve);
        answer.once("error", reject);
      });
      post.once("error", reject);
    });
    answered.catch(() => {}); // awaited below; a failure before that must not be unhandled
    post.write(JSON.stringify(prelude));
    post.write(new Uint8Array(8));
    let failure: { error: unknown } | undefined;
    try {
      if (response.body !== null) await pipe(response.body, post);
    } catch (error) {
      invocation.ctx.log.error("response stream failed after the head was sent", { error: String(error) });
      failure = { error };
    }
    if (failure !== undefined && !post.destroyed) {
      const type = errorType(failure.error);
      post.addTrailers({
        [ERROR_TYPE_TRAILER]: type,
        [ERROR_BODY_TRAILER]: encodeBase64(new TextEncoder().encode(errorBody(failure.error, type))),
      });
    }
    post.end();
    try {
      await answered;
    } catch (error) {
      throw new PostFailed(`POST ${url} failed`, { cause: error });
    }
    await invocation.finish();
  } finally {
    invocation.dispose();
  }
}

const ERROR_TYPE_TRAILER = "Lambda-Runtime-Function-Error-Type";
const ERROR_BODY_TRAILER = "Lambda-Runtime-Function-Error-Body";

class DeadlineExceeded extends Error {
  override name = "DeadlineExceeded";
}

// Lambda would kill the sandbox at the deadline; here the runtime reports the timeout itself and serves the next
// invocation, so a handler that ignores its signal cannot wedge the loop.
function withDeadline<T>(work: Promise<T>, deadline: number): Promise<T> {
  if (!Number.isFinite(deadline)) return work;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    const ms = Math.max(0, deadline - Date.now());
    timer = setTimeout(() => reject(new DeadlineExceeded(`Task timed out after ${ms} ms`)), ms);
  });
  work.catch(() => {}); // a late failure of abandoned work must not become an unhandled rejection
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function contextOf(
  id: string,
  deadline: number,
  headers: Headers,
  env: Record<string, string | undefined>,
): RuntimeContext {
  const context: RuntimeContext = {
    awsRequestId: id,
    getRemainingTimeInMillis: () => Number.isFinite(deadline) ? Math.max(0, deadline - Date.now()) : NaN,
    invokedFunctionArn: headers.get("lambda-runtime-invoked-function-arn") ?? "",
    functionName: env.AWS_LAMBDA_FUNCTION_NAME ?? "",
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION ?? "$LATEST",
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? "",
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME ?? "",
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME ?? "",
    clientContext: parseHeader(headers.get("lambda-runtime-client-context")),
    identity: parseHeader(headers.get("lambda-runtime-cognito-identity")),
    callbackWaitsForEmptyEventLoop: false,
  };
  return context;
}

function parseHeader(value: string | null): unknown {
  if (value === null || value === "") return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

// Posts are not cut short by the stop signal: the invocation in hand is answered, then the loop stops.
async function post(url: string, body: string, errorType: string | undefined): Promise<void> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (errorType !== undefined) headers["lambda-runtime-function-error-type"] = errorType;
  const response = await fetch(url, { method: "POST", body, headers });
  const answer = await response.text();
  if (response.status !== 202) {
    console.error(
      JSON.stringify({ level: "error", msg: "Runtime API refused a post", url, status: response.status, answer }),
    );
  }
}

function errorBody(error: unknown, type: string): string {
  const stack = error instanceof Error && error.stack ? error.stack.split("\n").slice(1).map((l) => l.trim()) : [];
  return JSON.stringify({ errorMessage: errorMessage(error), errorType: type, stackTrace: stack });
}

function errorType(error: unknown): string {
  return error instanceof Error ? error.name : "Error";
}

// errorText, not String(): a thrown `Object.create(null)` has no toString, and failing here would end the loop.
function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : errorText(error);
}

function setEnv(name: string, value: string): void {
  const process = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  if (process?.env !== undefined) process.env[name] = value;
  else {
    try {
      (globalThis as unknown as { Deno: { env: { set(n: string, v: string): void } } }).Deno.env.set(name, value);
    } catch {
      // Without env permission the trace id stays in the raw context only.
    }
  }
}
