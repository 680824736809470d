/**
 * The options of `handle()`, resolved once.
 *
 * @module
 */

import type { DefaultEnv } from "../../src/context.ts";
import type { LogSink } from "../../src/log.ts";
import type { AnyShape } from "./_event_shape.ts";
import type { Resolved } from "./_invoke.ts";
import { processEnv } from "../_env.ts";

/** Options for `handle()`. */
export interface HandleOptions<Env = DefaultEnv> {
  /**
   * Remove a named HTTP API stage from the path (`/Prod/my/path` → `/my/path`). HTTP API (2.0) puts a stage other
   * than `$default` in `rawPath`; REST (1.0) never has it in `path`. Default `false`: the path is what AWS sent.
   */
  stripStage?: boolean;
  /**
   * Decides whether a response body goes out base64-encoded. The default (`isBinaryDefault`) sends text
   * types as text and everything else, and anything with a `Content-Encoding`, as base64.
   */
  isBinary?: (contentType: string | null, contentEncoding: string | null) => boolean;
  /**
   * ALB single-value mode carries one value per header name. With several `Set-Cookie`s the default,
   * `"case-variants"`, sends each under a differently cased name (`set-cookie`, `Set-cookie`, …), which the load
   * balancer passes on as separate headers; `"last"` keeps only the last one. Multi-value mode needs neither.
   */
  albCookies?: "case-variants" | "last";
  /**
   * Report failed SQS messages in `batchItemFailures` (default `true`; the event source mapping must have
   * `FunctionResponseTypes: ["ReportBatchItemFailures"]`). With `false`, any failure fails the whole batch.
   */
  batchItemFailures?: boolean;
  /** For a function with several schedules: EventBridge rule name → the cron it stands for. */
  schedules?: Record<string, string>;
  /** How long before the Lambda deadline `ctx.signal` and `request.signal` abort, in ms (default 500). */
  signalMarginMs?: number;
  /** `ctx.env`; by default the process environment, read once. */
  env?: Env | (() => Env);
  /** Where `ctx.log` writes (default: JSON lines on the console, which CloudWatch collects). */
  logSink?: LogSink;
}

/**
 * Resolves options once, at `handle()` time.
 *
 * @param options The user's options.
 * @param shapes The event shapes the handler accepts.
 * @returns The resolved options.
 */
export function resolveOptions<Env>(options: HandleOptions<Env> = {}, shapes: readonly AnyShape[]): Resolved {
  const margin = options.signalMarginMs ?? 500;
  if (typeof margin !== "number" || !(margin >= 0)) {
    throw new TypeError(`signalMarginMs must be a number of milliseconds ≥ 0; got ${String(margin)}.`);
  }
  if (options.albCookies !== undefined && options.albCookies !== "case-variants" && options.albCookies !== "last") {
    throw new TypeError(`albCookies must be "case-variants" or "last"; got ${JSON.stringify(options.albCookies)}.`);
  }
  const given = options.env;
  let env: (() => unknown) | undefined;
  if (typeof given === "function") env = given as () => unknown;
  else if (given !== undefined) env = () => given;
  else {
    let cached: unknown;
    env = () => cached ??= processEnv();
  }
  return {
    stripStage: options.stripStage ?? false,
    isBinary: options.isBinary,
    albCookies: options.albCookies ?? "case-variants",
    batchItemFailures: options.batchItemFailures ?? true,
    schedules: options.schedules,
    signalMarginMs: margin,
    env,
    logSink: options.logSink,
    shapes,
  };
}

/** Options for `runtime()`: those of `handle()`, plus where the Runtime API is and when to stop. */
export interface RuntimeOptions<Env = DefaultEnv> extends HandleOptions<Env> {
  /** `host:port` of the Lambda Runtime API; `AWS_LAMBDA_RUNTIME_API` by default (Lambda sets it). */
  api?: string;
  /** Stops the invocation loop when aborted (for tests and graceful shutdown). */
  signal?: AbortSignal;
  /**
   * Stream HTTP responses to Lambda (`Lambda-Runtime-Function-Response-Mode: streaming`), for a Function URL with
   * `InvokeMode: RESPONSE_STREAM`. Default `false`: one buffered JSON result, as `handle()` returns.
   */
  responseStream?: boolean;
}
