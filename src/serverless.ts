/**
 * `serverless()`: defines a function once, validates it, and carries the metadata `--info` reads.
 *
 * @module
 */

import { type Context, createContext, type DefaultEnv } from "./context.ts";
import { type Answer, expectResponse, settle } from "./answer.ts";
import { DOT_SEGMENT_MESSAGE, hasDotSegment, routedPath } from "./dot_segments.ts";
import { errorResponse, jsonError } from "./error_response.ts";
import type { CloudEvent, MessageBatch, ScheduledEvent } from "./events.ts";
import type { CheckedDefinition, ScheduledTrigger, ServerlessOptions } from "./definition.ts";
import type { Handler, RouteInfo } from "./handler.ts";
import type { Requirements } from "./requirements.ts";
import { isRoutable, type Routable } from "./routable.ts";
import { validateDefinition } from "./validate_definition.ts";

/** One way a function is invoked, as `--info` lists it. */
export type Trigger =
  | { readonly type: "http" }
  | { readonly type: "schedule"; readonly cron: string }
  | { readonly type: "queue"; readonly queue: string }
  | { readonly type: "event"; readonly sources: readonly string[] };

/** What a function says about itself, without running anything. */
export interface FunctionMetadata {
  /** The function's name. */
  readonly name: string;
  /** Its description. */
  readonly description: string | undefined;
  /** Its validated requirements. */
  readonly requirements: Requirements;
  /** Its HTTP routes; one `ALL /*` row for a plain handler, none without `fetch`. */
  readonly routes: readonly RouteInfo[];
  /** How it is invoked. */
  readonly triggers: readonly Trigger[];
}

/** A defined function: runnable as `{ fetch }` by `deno serve` and Bun, and by every adapter. */
export interface ServerlessFunction<Env = DefaultEnv> {
  /** The function's name. */
  readonly name: string;
  /** Its metadata, for `--info`. */
  readonly metadata: FunctionMetadata;
  /** Answers a request with a bare context (platform `fetch`), for `deno serve`, Bun and tests. */
  fetch(request: Request): Response | Promise<Response>;
  /**
   * Answers a request with a context built by an adapter: synchronously when the handler answered synchronously,
   * otherwise with a promise that never rejects. Errors follow the error policy.
   */
  dispatch(request: Request, ctx: Context<Env>): Response | Promise<Response>;
  /** Runs the scheduled trigger whose cron matches `event.cron` (the only one, if there is one). */
  scheduled(event: ScheduledEvent, ctx: Context<Env>): Promise<void>;
  /** Runs the queue trigger. */
  queue(batch: MessageBatch, ctx: Context<Env>): Promise<void>;
  /** Runs the event trigger. */
  event(event: CloudEvent, ctx: Context<Env>): Promise<void>;
}

const BRAND = Symbol.for("slrs.function");

/**
 * Defines a serverless function. The options are checked now, so a mistake fails at import time with a message that
 * names the field, the value and what is accepted; the returned object carries the metadata `cli.ts --info` reads
 * and runs on every platform through its adapter.
 *
 * @typeParam Env The shape of `ctx.env`: variables and bindings.
 * @param options The definition.
 * @returns The function.
 *
 * @example A function with routes, a schedule and requirements
 * ```ts
 * import { Router, serverless } from "../mod.ts";
 *
 * const fn = serverless({
 *   name: "shop",
 *   requirements: { memory: 256, timeout: 10 },
 *   fetch: new Router().get("/hello/:name", (_req, ctx) => Response.json({ hello: ctx.params.name })),
 *   scheduled: { cron: "0 3 * * *", run: (_event, ctx) => ctx.log.info("nightly") },
 * });
 *
 * const res = await fn.fetch(new Request("http://localhost/hello/ada"));
 * console.assert((await res.json()).hello === "ada");
 * console.assert(fn.metadata.triggers.some((t) => t.type === "schedule"));
 * ```
 */
export function serverless<Env = DefaultEnv>(options: ServerlessOptions<Env>): ServerlessFunction<Env> {
  const definition = validateDefinition(options);
  const name = definition.name;
  const answer = httpAnswer(definition.fetch);
  const schedules = definition.scheduled ?? [];
  return {
    [BRAND]: true,
    name,
    get metadata(): FunctionMetadata {
      return metadataOf(definition, schedules);
    },
    fetch: (request: Request) => answer(request, createContext<Env>({ platform: "fetch" })),
    dispatch: answer,
    async scheduled(event, ctx) {
      const trigger = schedules.length === 1 ? schedules[0] : schedules.find((s) => s.cron === event.cron);
      if (trigger === undefined) {
        const declared = JSON.stringify(schedules.map((s) => s.cron));
        throw new Error(`Function "${name}" has no scheduled trigger for cron "${event.cron}"; declared: ${declared}.`);
      }
      await trigger.run(event, ctx);
    },
    queue: (batch, ctx) => runTrigger(name, "queue", definition.queue, batch, ctx),
    event: (event, ctx) => runTrigger(name, "event", definition.event, event, ctx),
  } as ServerlessFunction<Env>;
}

/**
 * Whether a value was made by {@linkcode serverless}: how the CLI finds functions among a module's exports.
 *
 * @param value Anything, e.g. a module export.
 * @returns `true` for a function defined with `serverless()`.
 *
 * @example Usage
 * ```ts
 * import { isServerlessFunction, serverless } from "../mod.ts";
 * console.assert(isServerlessFunction(serverless({ name: "a" })));
 * console.assert(!isServerlessFunction({ fetch() {} }));
 * ```
 */
export function isServerlessFunction(value: unknown): value is ServerlessFunction<never> {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

// The dot-segment rule (dot_segments.ts) holds wherever the platform hands over the path as received (Deno's
// server, workerd); adapters that build the URL themselves apply it before the URL parser resolves the segments away.
function httpAnswer<Env>(
  fetch: Routable<Env> | Handler<Env> | undefined,
): (request: Request, ctx: Context<Env>) => Answer {
  const answer = handlerAnswer(fetch);
  return (request, ctx) =>
    hasDotSegment(routedPath(request.url)) ? jsonError(400, DOT_SEGMENT_MESSAGE, ctx.requestId) : answer(request, ctx);
}

function handlerAnswer<Env>(
  fetch: Routable<Env> | Handler<Env> | undefined,
): (request: Request, ctx: Context<Env>) => Answer {
  if (isRoutable(fetch)) return (request, ctx) => fetch.fetch(request, ctx);
  if (fetch === undefined) {
    return (_request, ctx) =>
      errorResponse(
        new Error("This function has no fetch handler: define `fetch` in serverless() to answer HTTP."),
        ctx,
      );
  }
  return (request, ctx) => settle(() => expectResponse(fetch(request, ctx)), (error) => errorResponse(error, ctx));
}

async function runTrigger<Input, Env>(
  name: string,
  kind: "queue" | "event",
  trigger: { run(input: Input, ctx: Context<Env>): void | Promise<void> } | undefined,
  input: Input,
  ctx: Context<Env>,
): Promise<void> {
  if (trigger === undefined) {
    throw new Error(`Function "${name}" was invoked with a ${kind} event but defines no \`${kind}\` trigger.`);
  }
  await trigger.run(input, ctx);
}

function metadataOf<Env>(definition: CheckedDefinition<Env>, schedules: ScheduledTrigger<Env>[]): FunctionMetadata {
  const { fetch, queue, event } = definition;
  return {
    name: definition.name,
    description: definition.description,
    requirements: definition.requirements,
    routes: fetch === undefined ? [] : isRoutable(fetch) ? fetch.routes : [{ method: "ALL", path: "/*" }],
    triggers: [
      ...(fetch === undefined ? [] : [{ type: "http" } as const]),
      ...schedules.map(({ cron }) => ({ type: "schedule", cron }) as const),
      ...(queue ? [{ type: "queue", queue: queue.name } as const] : []),
      ...(event ? [{ type: "event", sources: event.sources ?? [] } as const] : []),
    ],
  };
}
