/**
 * The Cloudflare Workers adapter: `export default handle(fn)` turns a function defined with `serverless()` into a
 * module worker whose `fetch`, `scheduled` and `queue` handlers run the function's router and triggers, with the
 * worker's bindings (KV, D1, queues, variables) as `ctx.env`.
 *
 * The adapter declares the few shapes it reads from Workers itself instead of loading `@cloudflare/workers-types`:
 * those declare global `Request`, `Response` and friends that differ from Deno's (`Body.json()` resolves to
 * `unknown`), so loading them here would change the types of every program that imports slrs. A worker project
 * adds them to its own `compilerOptions.types` (see docs/cloudflare.md); there, `handle(fn)` is an
 * `ExportedHandler<Env>`, which `tests/cloudflare/cloudflare_types_test.ts` pins against the real types.
 *
 * @example A worker entry
 * ```ts
 * import { Router, serverless } from "../mod.ts";
 * import { handle } from "./cloudflare.ts";
 *
 * interface Env {
 *   GREETING: string;
 * }
 *
 * const fn = serverless<Env>({
 *   name: "hello",
 *   fetch: new Router<Env>().get("/hello/:name", (_req, ctx) => new Response(`${ctx.env.GREETING}, ${ctx.params.name}`)),
 * });
 *
 * const worker = handle(fn); // in the worker's entry module: `export default handle(fn);`
 * const waitUntil = (_promise: Promise<unknown>) => {};
 * const res = await worker.fetch(new Request("http://localhost/hello/ada"), { GREETING: "Hej" }, { waitUntil });
 * console.assert((await res.text()) === "Hej, ada");
 * ```
 *
 * @module
 */

import type { Context, ServerlessFunction } from "../mod.ts";
// Values come from their own modules rather than mod.ts, so a worker bundle carries only what the adapter uses.
import { createContext } from "../src/context.ts";
import { trackBatch } from "../src/events.ts";
import { withoutNamedHopByHop } from "./_framing.ts";

/** The part of Workers' `ExecutionContext` the adapter uses. */
export interface WorkerExecutionContext {
  /** Keeps the isolate alive until `promise` settles, after the response. */
  waitUntil(promise: Promise<unknown>): void;
}

/** The part of Workers' `ScheduledController` the adapter uses. */
export interface WorkerScheduledController {
  /** The cron expression that fired, as deployed. */
  readonly cron: string;
  /** When the run was scheduled, in epoch milliseconds. */
  readonly scheduledTime: number;
}

/** The part of a Workers queue `Message` the adapter uses. */
export interface WorkerMessage {
  /** The message id. */
  readonly id: string;
  /** The body, as Workers delivers it. */
  readonly body: unknown;
  /** Deliveries so far, counting this one. */
  readonly attempts: number;
  /** When the message was sent. */
  readonly timestamp: Date;
  /** Marks the message as done. */
  ack(): void;
  /** Asks for the message to be delivered again. */
  retry(options?: { delaySeconds?: number }): void;
}

/** The part of a Workers queue `MessageBatch` the adapter uses. */
export interface WorkerMessageBatch {
  /** The queue's name. */
  readonly queue: string;
  /** The messages. */
  readonly messages: readonly WorkerMessage[];
}

/** What `ctx.raw` holds on Workers: the native event and the worker's `ExecutionContext`. */
export type CloudflareRaw =
  | { readonly trigger: "fetch"; readonly request: Request; readonly ctx: WorkerExecutionContext }
  | {
    readonly trigger: "scheduled";
    readonly controller: WorkerScheduledController;
    readonly ctx: WorkerExecutionContext;
  }
  | { readonly trigger: "queue"; readonly batch: WorkerMessageBatch; readonly ctx: WorkerExecutionContext };

/**
 * The module worker {@linkcode handle} returns. Its handlers are function-typed properties, so that `Env` is checked
 * both ways: a worker for one `Env` is not assignable to `ExportedHandler` of another.
 */
export interface CloudflareWorker<Env> {
  /** Answers HTTP requests through the function's router. */
  fetch: (request: Request, env: Env, ctx: WorkerExecutionContext) => Response | Promise<Response>;
  /** Runs the function's scheduled trigger for a cron tick. */
  scheduled: (controller: WorkerScheduledController, env: Env, ctx: WorkerExecutionContext) => Promise<void>;
  /** Runs the function's queue trigger for a batch. */
  queue: (batch: WorkerMessageBatch, env: Env, ctx: WorkerExecutionContext) => Promise<void>;
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
 * - On the first event of each isolate, every name in `requirements.env` and `requirements.bindings` that `env`
 *   lacks is reported with `console.warn`, naming the wrangler.jsonc key to add it to (`vars` and `secrets`
 *   through `wrangler secret put`).
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
  const checkBindings = bindingCheck(fn);
  return {
    fetch: fetchHandler(fn, checkBindings),

    scheduled(controller, env, ctx) {
      checkBindings(env);
      const context = workerContext(env, ctx, { trigger: "scheduled", controller, ctx });
      return fn.scheduled({ cron: controller.cron, scheduledTime: controller.scheduledTime }, context);
    },

    async queue(batch, env, ctx) {
      checkBindings(env);
      const tracked = trackBatch(batch.queue, batch.messages);
      let failed = true;
      try {
        await fn.queue(tracked.batch, workerContext(env, ctx, { trigger: "queue", batch, ctx }));
        failed = false;
      } finally {
        // Settled whether the handler returned or threw; a throw then goes on to mark the invocation failed.
        for (const message of batch.messages) {
          const outcome = tracked.outcomes.get(message.id);
          if (outcome === "ack" || (outcome === "unsettled" && !failed)) {
            message.ack();
          } else {
            const delaySeconds = tracked.retryDelays.get(message.id);
            message.retry(delaySeconds === undefined ? undefined : { delaySeconds });
          }
        }
      }
    },
  };
}

/**
 * Makes a module worker that answers HTTP only: {@linkcode handle} without the `scheduled` and `queue` handlers, so
 * a bundle of it leaves their code out. `cli.ts build --target cloudflare` writes this entry for a function whose
 * only trigger is HTTP; a function with a schedule or a queue needs {@linkcode handle}.
 *
 * @typeParam Env The worker's bindings, as declared in `serverless<Env>()`.
 * @param fn A function defined with `serverless()`.
 * @returns The worker: `export default handleFetch(fn)`.
 *
 * @example Usage
 * ```ts
 * import { serverless } from "../mod.ts";
 * import { handleFetch } from "./cloudflare.ts";
 *
 * const worker = handleFetch(serverless({ name: "hello", fetch: () => new Response("hello") }));
 * const res = await worker.fetch(new Request("http://localhost/"), {}, { waitUntil() {} });
 * console.assert((await res.text()) === "hello" && !("queue" in worker));
 * ```
 */
export function handleFetch<Env>(fn: ServerlessFunction<Env>): Pick<CloudflareWorker<Env>, "fetch"> {
  return { fetch: fetchHandler(fn, bindingCheck(fn)) };
}

// Once per isolate, on the first event: `env` exists only inside handlers.
function bindingCheck<Env>(fn: ServerlessFunction<Env>): (env: Env) => void {
  let unchecked = true;
  return (env) => {
    if (!unchecked) return;
    unchecked = false;
    for (const problem of missingBindings(fn, env)) console.warn(problem);
  };
}

function fetchHandler<Env>(
  fn: ServerlessFunction<Env>,
  checkBindings: (env: Env) => void,
): CloudflareWorker<Env>["fetch"] {
  return (request, env, ctx) => {
    checkBindings(env);
    const context = workerContext(env, ctx, { trigger: "fetch", request, ctx }, request);
    // workerd frames the response itself, but passes the headers a Connection header names on: ./_framing.ts.
    const answered = fn.dispatch(request, context);
    return answered instanceof Response ? withoutNamedHopByHop(answered) : answered.then(withoutNamedHopByHop);
  };
}

// Where each kind goes in wrangler.jsonc.
const WRANGLER_KEYS: Record<string, string> = {
  env: "vars",
  kv: "kv_namespaces",
  d1: "d1_databases",
  sql: "hyperdrive",
  queues: "queues.producers",
  buckets: "r2_buckets",
  secrets: "secrets",
};

// The names `requirements` declares (what `--info` reports) that the deployed worker was not given.
function missingBindings(fn: ServerlessFunction<never>, env: unknown): string[] {
  const { env: vars, bindings } = fn.metadata.requirements;
  const given = Object(env) as Record<string, unknown>;
  return Object.entries({ env: vars, ...bindings }).flatMap(([kind, names = []]) =>
    names.filter((name) => given[name] === undefined).map((name) =>
      `slrs: ${fn.name} declares ${kind} "${name}", which the worker lacks: add it to ${
        WRANGLER_KEYS[kind]
      } in wrangler.jsonc.`
    )
  );
}

function workerContext<Env>(
  env: Env,
  ctx: WorkerExecutionContext,
  raw: CloudflareRaw,
  request?: Request,
): Context<Env> {
  return createContext<Env, CloudflareRaw>({
    platform: "cloudflare",
    // Read on first use: a header lookup, and `request.signal` an allocation, in workerd; most requests use neither.
    requestId: request && (() => request.headers.get("cf-ray") ?? undefined),
    env,
    signal: request && (() => request.signal),
    waitUntil: (promise) => ctx.waitUntil(promise),
    raw,
  });
}
