/**
 * One invocation, whatever the event: find its kind, build the context, run the function, shape the result, and
 * finish the `waitUntil` work before returning (Lambda freezes the sandbox as soon as the handler returns).
 *
 * @module
 */

import { type Context, createContext } from "../../src/context.ts";
import { errorResponse, jsonError } from "../../src/error_response.ts";
import { errorText, type LogSink } from "../../src/log.ts";
import type { ServerlessFunction } from "../../src/serverless.ts";
import { BadEvent, type HttpOptions, type Json, type Shape, toRequest, toResult } from "./_http.ts";
import { unwatch, watch } from "./_deadline.ts";
import { type AnyShape, shapeOf, type SourceOptions } from "./_event_shape.ts";
import { pending } from "../_env.ts";
import { unsupportedKind } from "./_unsupported.ts";
import { eventName } from "./_event_name.ts";
import { BUFFERED_LIMIT, resultBytes } from "./_limits.ts";

/** How many shapes `handle()` accepts: a handler with fewer was specialised, and its error says how to widen it. */
const ALL_SHAPE_COUNT = 8;

/** The parts of the Lambda context object the adapter reads (the managed runtime's object has them all). */
export interface LambdaContextLike {
  /** The invocation's id. */
  readonly awsRequestId: string;
  /** Milliseconds left before Lambda stops the invocation. */
  getRemainingTimeInMillis(): number;
}

/** Everything `handle()` was configured with, resolved. */
export interface Resolved extends HttpOptions, SourceOptions {
  signalMarginMs: number;
  env: (() => unknown) | undefined;
  logSink: LogSink | undefined;
  /** The event shapes this handler accepts; any other event is an {@linkcode UnknownEventError}. */
  shapes: readonly AnyShape[];
}

/**
 * Thrown to Lambda for an event that is not one the handler accepts; the message names what arrived (its kind, or
 * its top-level keys) and the shapes the handler accepts.
 *
 * @example Usage
 * ```ts
 * import { serverless } from "../../mod.ts";
 * import { handle, UnknownEventError } from "../aws_lambda.ts";
 *
 * const handler = handle(serverless({ name: "a", fetch: () => new Response("ok") }));
 * const error = await handler({ hello: "world" }, { awsRequestId: "r", getRemainingTimeInMillis: () => 1000 })
 *   .catch((e: unknown) => e);
 * console.assert(error instanceof UnknownEventError && error.message.includes("[hello]"));
 * ```
 */
export class UnknownEventError extends Error {
  /** Always `"UnknownEventError"`. */
  override name = "UnknownEventError";
}

/**
 * Runs one invocation.
 *
 * @param fn The function.
 * @param event The event as Lambda delivered it.
 * @param lambda The Lambda context.
 * @param options Resolved options.
 * @returns The result for Lambda.
 */
export async function invoke(
  fn: ServerlessFunction<never>,
  event: unknown,
  lambda: LambdaContextLike,
  options: Resolved,
): Promise<Json | undefined> {
  if (typeof event !== "object" || event === null || Array.isArray(event)) throw unknownEvent(event, options.shapes);
  const json = event as Json;
  const shape = shapeOf(json, options.shapes);
  if (shape === undefined) throw unknownEvent(event, options.shapes);
  if (shape.kind === "http") return await http(fn, shape, json, lambda, options);
  const invocation = new Invocation(lambda, event, options);
  try {
    return await shape.run(fn, json, invocation.ctx, options);
  } finally {
    // Finished whether the trigger succeeded or threw: the sandbox is frozen as soon as the handler settles.
    await invocation.finish();
    invocation.dispose();
  }
}

/**
 * Converts an HTTP event and runs the function: a malformed event is answered 400 without reaching it.
 *
 * @param fn The function.
 * @param shape The event's shape.
 * @param event The event.
 * @param invocation The invocation (its context and deadline signal).
 * @param options Resolved options.
 * @returns The function's response.
 */
export function respond(
  fn: ServerlessFunction<never>,
  shape: Shape,
  event: Json,
  invocation: Invocation,
  options: Resolved,
): Response | Promise<Response> {
  const ctx = invocation.ctx;
  let request: Request;
  try {
    request = toRequest(shape, event, options, () => invocation.signal());
  } catch (error) {
    // Only the conversion can throw: dispatch never rejects, so it needs no await here. A BadEvent says what was
    // wrong with the event; anything else would be a bug of the adapter, whose details stay in the log.
    const message = error instanceof BadEvent ? error.message : "The event could not be converted to a request.";
    ctx.log.warn("bad request event", {
      shape: shape.name,
      error: error instanceof BadEvent ? message : errorText(error),
    });
    return jsonError(400, message, ctx.requestId);
  }
  return fn.dispatch(request, ctx);
}

async function http(
  fn: ServerlessFunction<never>,
  shape: Shape,
  event: Json,
  lambda: LambdaContextLike,
  options: Resolved,
): Promise<Json> {
  const invocation = new Invocation(lambda, event, options);
  const ctx = invocation.ctx;
  try {
    const response = await respond(fn, shape, event, invocation, options);
    let result: Json;
    try {
      result = await toResult(shape, event, response, options);
    } catch (error) {
      result = await toResult(shape, event, errorResponse(error, ctx), options);
    }
    const bytes = resultBytes(result);
    if (bytes > BUFFERED_LIMIT) {
      ctx.log.error("response too large for Lambda", { bytes, limit: BUFFERED_LIMIT, status: result.statusCode });
      const message = `The response is too large for AWS Lambda: ${bytes} bytes, over the limit of ${BUFFERED_LIMIT}.`;
      result = await toResult(shape, event, jsonError(500, message, ctx.requestId), options);
    }
    const finished = invocation.finish();
    if (finished !== undefined) await finished;
    return result;
  } finally {
    invocation.dispose();
  }
}

/** The per-invocation state: context, deadline timer and the `waitUntil` promises. */
export class Invocation {
  readonly ctx: Context<never>;
  readonly #work = pending();
  #watch: ReturnType<typeof watch> | undefined;
  #signal: AbortSignal | undefined;
  #abortAt: number;
  #disposed = false;

  constructor(lambda: LambdaContextLike, event: unknown, options: Resolved) {
    const remaining = remainingOf(lambda);
    const deadline = Date.now() + remaining;
    this.#abortAt = deadline - options.signalMarginMs;
    this.ctx = createContext<never, { event: unknown; context: LambdaContextLike }>({
      platform: "aws-lambda",
      requestId: typeof lambda.awsRequestId === "string" ? lambda.awsRequestId : crypto.randomUUID(),
      env: (options.env?.() ?? {}) as never,
      deadline,
      waitUntil: this.#work.add,
      raw: { event, context: lambda },
      // Made on first read: an AbortSignal costs more than the rest of a small invocation on Node 20, and most
      // handlers never look at it.
      signal: () => this.signal(),
      ...(options.logSink && { logSink: options.logSink }),
    }) as Context<never>;
  }

  /** The signal that aborts `signalMarginMs` before the deadline (made on first call). */
  signal(): AbortSignal {
    if (this.#signal === undefined) {
      const controller = new AbortController();
      this.#signal = controller.signal;
      if (Number.isFinite(this.#abortAt) && !this.#disposed) this.#watch = watch(controller, this.#abortAt);
    }
    return this.#signal;
  }

  /**
   * Waits for every `waitUntil` promise, including ones added while waiting; `undefined` when none was added (most
   * invocations), so the caller need not await anything.
   */
  finish(): Promise<void> | undefined {
    return this.#work.settled();
  }

  /** Stops watching the deadline. */
  dispose(): void {
    this.#disposed = true;
    if (this.#watch !== undefined) unwatch(this.#watch);
  }
}

function remainingOf(lambda: LambdaContextLike): number {
  const remaining = typeof lambda.getRemainingTimeInMillis === "function" ? lambda.getRemainingTimeInMillis() : NaN;
  return typeof remaining === "number" && remaining >= 0 ? remaining : Infinity;
}

function unknownEvent(event: unknown, shapes: readonly AnyShape[]): UnknownEventError {
  const known = typeof event === "object" && event !== null && !Array.isArray(event)
    ? unsupportedKind(event as Json) ?? eventName(event as Json)
    : undefined;
  const what = known !== undefined
    ? known
    : typeof event !== "object" || event === null
    ? `a ${event === null ? "null" : typeof event} value`
    : Array.isArray(event)
    ? "an array"
    : `an object with top-level keys [${Object.keys(event).slice(0, 20).join(", ")}]`;
  const error = new UnknownEventError(
    `slrs/aws-lambda cannot handle this event: got ${what}. This handler accepts: ` +
      `${shapes.map((shape) => shape.name).join(", ") || "no events"}.` +
      (shapes.length < ALL_SHAPE_COUNT
        ? " It was built for the event sources the deployment declares; if this source is meant to reach the " +
          "function, declare its trigger (or its exposure) and build again, or export handle(fn), which accepts every shape."
        : ""),
  );
  console.error(JSON.stringify({ level: "error", msg: error.message }));
  return error;
}
