/// <reference types="npm:@cloudflare/workers-types@^4" />
/**
 * The Cloudflare Workers adapter: `export default handle(fn)` turns a function defined with `serverless()` into a
 * module worker whose `fetch`, `scheduled` and `queue` handlers run the function's router and triggers, with the
 * worker's bindings (KV, D1, queues, variables) as `ctx.env`.
 *
 * @example A worker entry
 * ```ts
 * import { Router, serverless } from "../mod.ts";
 * import { handle } from "./cloudflare.ts";
 *
 * interface Env {
 *   CACHE: KVNamespace;
 * }
 *
 * const fn = serverless<Env>({
 *   name: "hello",
 *   fetch: new Router<Env>().get("/hello/:name", async (_req, ctx) => {
 *     await ctx.env.CACHE.put("last", ctx.params.name);
 *     return Response.json({ hello: ctx.params.name });
 *   }),
 * });
 *
 * const worker = handle(fn); // in the worker's entry module: `export default handle(fn);`
 * console.assert(typeof worker.fetch === "function");
 * ```
 *
 * @module
 */

import type { Context, ServerlessFunction } from "../mod.ts";
// Values come from their own modules rather than mod.ts, so a worker bundle carries only what the adapter uses.
import { createContext } from "../src/context.ts";
import { trackBatch } from "../src/events.ts";

/** What `ctx.raw` holds on Workers: the native event and the worker's `ExecutionContext`. */
export type CloudflareRaw =
  | { readonly trigger: "fetch"; readonly request: Request; readonly ctx: ExecutionContext }
  | { readonly trigger: "scheduled"; readonly controller: ScheduledController; readonly ctx: ExecutionContext }
  | { readonly trigger: "queue"; readonly batch: MessageBatch; readonly ctx: ExecutionContext };

/** The module worker {@linkcode handle} returns: an `ExportedHandler` whose three handlers are always there. */
export interface CloudflareWorker<Env> extends ExportedHandler<Env> {
  /** Answers HTTP requests through the function's router. */
  fetch: ExportedHandlerFetchHandler<Env>;
  /** Runs the function's scheduled trigger for a cron tick. */
  scheduled: ExportedHandlerScheduledHandler<Env>;
  /** Runs the function's queue trigger for a batch. */
  queue: ExportedHandlerQueueHandler<Env>;
}

/**
 * Makes a module worker out of a function: export the result as the worker's default export.
 *
 * - `fetch(request, env, ctx)` answers through the function (its router and error policy), with `ctx.env` = the
 *   bindings, `ctx.requestId` = the `cf-ray` header when present, `ctx.waitUntil` = the worker's `waitUntil`
 *   (the work goes on after the response), and `ctx.signal` = the request's signal.
 * - `scheduled(controller, env, ctx)` runs the scheduled trigger whose cron fired, with `cron` and `scheduledTime`.
 * - `queue(batch, env, ctx)` runs the queue trigger; each message's `ack()`/`retry()` is passed to Cloudflare's.
 *   When the handler returns, messages it left unsettled are acknowledged; when it throws, every message it did not
 *   acknowledge is retried and the error is rethrown, so the invocation is recorded as failed.
 *
 * @typeParam Env The worker's bindings, as declared in `serverless<Env>()`.
 * @param fn A function defined with `serverless()`.
 * @returns The worker: `export default handle(fn)`.
 *
 * @example Usage
 * ```ts
 * import { serverless } from "../mod.ts";
 * import { handle } from "./cloudflare.ts";
 *
 * const worker = handle(serverless({ name: "hello", fetch: () => new Response("hello") }));
 * console.assert(typeof worker.fetch === "function" && typeof worker.queue === "function");
 * ```
 */
export function handle<Env>(fn: ServerlessFunction<Env>): CloudflareWorker<Env> {
  let unchecked = true;
  // Once per isolate, on the first event: `env` exists only inside handlers.
  const checkBindings = (env: Env) => {
    if (!unchecked) return;
    unchecked = false;
    for (const problem of missingBindings(fn, env)) console.warn(problem);
  };
  return {
    fetch(request, env, ctx) {
      checkBindings(env);
      const requestId = request.headers.get("cf-ray");
      const context = createContext<Env, CloudflareRaw>({
        platform: "cloudflare",
        ...(requestId !== null && { requestId }),
        env,
        signal: request.signal,
        waitUntil: (promise) => ctx.waitUntil(promise),
        raw: { trigger: "fetch", request, ctx },
      });
      return fn.dispatch(request, context);
    },

    scheduled(controller, env, ctx) {
      checkBindings(env);
      const context = workerContext(env, ctx, { trigger: "scheduled", controller, ctx });
      return fn.scheduled({ cron: controller.cron, scheduledTime: controller.scheduledTime }, context);
    },

    async queue(batch, env, ctx) {
      checkBindings(env);
      const tracked = trackBatch(
        batch.queue,
        batch.messages.map((m) => ({ id: m.id, body: m.body, attempts: m.attempts, timestamp: m.timestamp })),
      );
      let failure: { error: unknown } | undefined;
      try {
        await fn.queue(tracked.batch, workerContext(env, ctx, { trigger: "queue", batch, ctx }));
      } catch (error) {
        failure = { error };
      }
      const outcomes = tracked.outcomes();
      const delays = tracked.retryDelays();
      for (const message of batch.messages) {
        const outcome = outcomes.get(message.id);
        if (outcome === "ack" || (outcome === "unsettled" && failure === undefined)) {
          message.ack();
        } else {
          const delaySeconds = delays.get(message.id);
          message.retry(delaySeconds === undefined ? undefined : { delaySeconds });
        }
      }
      if (failure !== undefined) throw failure.error;
    },
  };
}

const WRANGLER_KEYS: Record<string, string> = {
  env: '"vars" (or `wrangler secret put`)',
  kv: '"kv_namespaces"',
  d1: '"d1_databases"',
  sql: '"hyperdrive"',
  queues: '"queues.producers"',
  buckets: '"r2_buckets"',
  secrets: "`wrangler secret put`",
};

// The names `requirements` declares (what `--info` reports) that the deployed worker was not given.
function missingBindings(fn: ServerlessFunction<never>, env: unknown): string[] {
  const { env: vars, bindings } = fn.metadata.requirements;
  const declared = Object.entries({ env: vars, ...bindings });
  const given = Object(env) as Record<string, unknown>;
  return declared.flatMap(([kind, names = []]) =>
    names.filter((name) => given[name] === undefined).map((name) =>
      `slrs: function "${fn.name}" declares ${kind === "env" ? "requirements.env" : `requirements.bindings.${kind}`} ` +
      `"${name}", but the worker has no binding "${name}": add it under ${WRANGLER_KEYS[kind]} in wrangler.jsonc, ` +
      `or remove it from requirements.`
    )
  );
}

function workerContext<Env>(env: Env, ctx: ExecutionContext, raw: CloudflareRaw): Context<Env> {
  return createContext<Env, CloudflareRaw>({
    platform: "cloudflare",
    env,
    waitUntil: (promise) => ctx.waitUntil(promise),
    raw,
  });
}
