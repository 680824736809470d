/**
 * Azure Functions (v4 Node programming model): timer and Storage queue triggers, and {@linkcode register}, which
 * declares every trigger of a function with `app.http`, `app.timer` and `app.storageQueue`.
 *
 * @module
 */

import { type Context, type ServerlessFunction, trackBatch } from "../../mod.ts";
import { pending } from "../_env.ts";
import { runSingleMessage } from "../_single_message.ts";
import { azureContext, type AzureHttpOptions, handle } from "./http.ts";
import type { AzureApp, AzureHttpMethod, AzureInvocationContext, AzureTimer } from "./types.ts";

/** Options for {@linkcode register}. */
export interface AzureRegisterOptions extends AzureHttpOptions {
  /**
   * One catch-all HTTP function (`{*path}`, the default), or one Azure function per route (the root route and a
   * root wildcard share one catch-all). Per route, a method no route has gets Azure's 404, not the router's 405.
   */
  routes?: "catch-all" | "each";
  /** The HTTP functions' auth level. Default `"anonymous"`. */
  authLevel?: "anonymous" | "function" | "admin";
  /** Streams request and response bodies (`app.setup({ enableHttpStream: true })`, host 4.28+). Default `true`. */
  stream?: boolean;
  /** The app setting holding the Storage connection for the queue trigger. Default `"AzureWebJobsStorage"`. */
  queueConnection?: string;
}

/** What {@linkcode register} declared, by Azure function name. */
export interface AzureRegistration {
  /** The HTTP functions and their routes. */
  http: { name: string; route: string; methods: AzureHttpMethod[] }[];
  /** The timer functions and their NCRONTAB schedules. */
  timers: { name: string; schedule: string }[];
  /** The queue function, if any. */
  queue?: { name: string; queueName: string };
}

const ALL_METHODS: AzureHttpMethod[] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/**
 * Declares a function's triggers on the Azure app: its routes with `app.http` (one catch-all, or one function per
 * route), each `scheduled` cron with `app.timer` (as a six-field NCRONTAB expression, UTC unless the app sets
 * `WEBSITE_TIME_ZONE`), and its `queue` with `app.storageQueue`.
 *
 * @param app `app` from `@azure/functions`.
 * @param fn The function.
 * @param options Routing, auth level, streaming and the queue connection.
 * @returns What was registered.
 *
 * @example Register a function
 * ```ts
 * import az from "npm:@azure/functions@^4.16.5";
 * import { serverless } from "../../mod.ts";
 * import { register } from "./triggers.ts";
 *
 * const fn = serverless({
 *   name: "shop",
 *   fetch: () => new Response("ok"),
 *   scheduled: { cron: "*\/5 * * * *", run: () => {} },
 * });
 * const registered = register(az.app, fn, { stream: false });
 * console.assert(registered.timers[0]?.schedule === "0 *\/5 * * * *");
 * ```
 */
export function register(
  app: AzureApp,
  fn: ServerlessFunction<never>,
  options: AzureRegisterOptions = {},
): AzureRegistration {
  const registration: AzureRegistration = { http: [], timers: [] };
  const { routes, triggers } = fn.metadata;
  if (triggers.some((t) => t.type === "http")) {
    if (options.stream ?? true) app.setup?.({ enableHttpStream: true });
    const handler = handle(fn, options);
    const authLevel = options.authLevel ?? "anonymous";
    const http = options.routes === "each" ? perRoute(fn.name, routes) : [catchAll(fn.name)];
    for (const { name, route, methods } of http) app.http(name, { methods, authLevel, route, handler });
    registration.http = http;
  }
  const crons = triggers.flatMap((t) => t.type === "schedule" ? [t.cron] : []);
  crons.forEach((cron, index) => {
    const name = crons.length === 1 ? `${fn.name}-scheduled` : `${fn.name}-scheduled-${index}`;
    const schedule = ncrontab(cron);
    app.timer(name, { schedule, handler: scheduledHandler(fn, cron) });
    registration.timers.push({ name, schedule });
  });
  const queue = triggers.find((t) => t.type === "queue");
  if (queue) {
    const name = `${fn.name}-queue`;
    const connection = options.queueConnection ?? "AzureWebJobsStorage";
    app.storageQueue(name, { queueName: queue.queue, connection, handler: queueHandler(fn, queue.queue) });
    registration.queue = { name, queueName: queue.queue };
  }
  return registration;
}

function catchAll(name: string): AzureRegistration["http"][number] {
  return { name, route: "{*path}", methods: ALL_METHODS };
}

// `/users/:id` → `users/{id}`, a trailing `*` → `{*rest}`; HEAD rides along with GET as the router answers it.
// Every function calls the whole router, so routes Azure cannot template on their own (the root `/`, a root
// wildcard) are served together by one catch-all, which Azure matches last.
function perRoute(
  fnName: string,
  routes: readonly { method: string; path: string }[],
): AzureRegistration["http"] {
  const seen = new Set<string>();
  const functions: AzureRegistration["http"] = [];
  let needsCatchAll = false;
  for (const { method, path } of routes) {
    const route = path.replace(/^\//, "").replace(/:([A-Za-z0-9_]+)/g, "{$1}").replace(/\*$/, "{*rest}");
    if (route === "" || route === "{*rest}") {
      needsCatchAll = true;
      continue;
    }
    const methods: AzureHttpMethod[] = method === "ALL"
      ? ALL_METHODS
      : method === "GET"
      ? ["GET", "HEAD"]
      : [method as AzureHttpMethod];
    const slug = `${fnName}-${method.toLowerCase()}-${path.replace(/[^A-Za-z0-9]+/g, "-")}`.replace(/-+/g, "-")
      .replace(/-$/, "");
    let name = slug;
    for (let i = 2; seen.has(name); i++) name = `${slug}-${i}`;
    seen.add(name);
    functions.push({ name, route, methods });
  }
  if (needsCatchAll) functions.push(catchAll(fnName));
  return functions;
}

/**
 * A five-field cron as the six-field NCRONTAB Azure's timer takes: seconds `0` first, and Sunday as `0` (NCRONTAB
 * does not accept `7`).
 *
 * @param cron A five-field cron expression, as `scheduled.cron` holds it.
 * @returns The NCRONTAB expression.
 *
 * @example Usage
 * ```ts
 * import { ncrontab } from "./triggers.ts";
 * console.assert(ncrontab("30 2 * * 7") === "0 30 2 * * 0");
 * console.assert(ncrontab("0 9 * * 1-7") === "0 0 9 * * 1-6,0");
 * ```
 */
export function ncrontab(cron: string): string {
  const fields = cron.trim().split(/\s+/);
  const dow = fields[4] ?? "*";
  fields[4] = dow.split(",").map((part) => part === "7" ? "0" : part.replace(/^(\d)-7$/, "$1-6,0")).join(",");
  return `0 ${fields.join(" ")}`;
}

/**
 * The `app.timer` handler for one cron: runs `fn.scheduled` with `scheduledTime` taken from the timer's
 * `scheduleStatus.next` (the occurrence being run; the invocation time when Azure keeps no schedule status).
 *
 * @param fn The function.
 * @param cron The cron as declared.
 * @returns The timer handler.
 *
 * @example Run a timer tick
 * ```ts
 * import az from "npm:@azure/functions@^4.16.5";
 * import { serverless } from "../../mod.ts";
 * import { scheduledHandler } from "./triggers.ts";
 *
 * let ran = 0;
 * const fn = serverless({ name: "tick", scheduled: { cron: "0 * * * *", run: (e) => void (ran = e.scheduledTime) } });
 * const timer = { isPastDue: false, schedule: { adjustForDST: true }, scheduleStatus: { last: "", lastUpdated: "", next: "2026-01-01T10:00:00Z" } };
 * await scheduledHandler(fn, "0 * * * *")(timer, new az.InvocationContext());
 * console.assert(ran === Date.UTC(2026, 0, 1, 10));
 * ```
 */
export function scheduledHandler(
  fn: ServerlessFunction<never>,
  cron: string,
): (timer: AzureTimer, context: AzureInvocationContext) => Promise<void> {
  return async (timer, context) => {
    const work = pending();
    const ctx = azureContext(timer, context, work.add) as Context<never>;
    const next = Date.parse(timer?.scheduleStatus?.next ?? "");
    try {
      await fn.scheduled({ cron, scheduledTime: Number.isNaN(next) ? Date.now() : next }, ctx);
    } finally {
      await work.settled();
    }
  };
}

/**
 * The `app.storageQueue` handler: each invocation carries one message, handed to `fn.queue` as a batch of one
 * (`attempts` from `dequeueCount`). `retry()`, or a thrown error before `ack()`, fails the invocation, so the queue
 * delivers the message again after its visibility timeout (per-message delays cannot be set) and moves it to the
 * `-poison` queue after `maxDequeueCount` attempts. After `ack()` the message is done even if the handler throws
 * (the error is logged).
 *
 * @param fn The function.
 * @param queueName The queue's name, for `batch.queue`.
 * @returns The queue handler.
 *
 * @example Handle a queue message
 * ```ts
 * import az from "npm:@azure/functions@^4.16.5";
 * import { serverless } from "../../mod.ts";
 * import { queueHandler } from "./triggers.ts";
 *
 * const seen: unknown[] = [];
 * const fn = serverless({ name: "q", queue: { name: "orders", run: (b) => void seen.push(b.messages[0]?.body) } });
 * const context = new az.InvocationContext({ triggerMetadata: { id: "m-1", dequeueCount: 1 } });
 * await queueHandler(fn, "orders")({ id: 7 }, context);
 * console.assert((seen[0] as { id: number }).id === 7);
 * ```
 */
export function queueHandler(
  fn: ServerlessFunction<never>,
  queueName: string,
): (entry: unknown, context: AzureInvocationContext) => Promise<void> {
  return async (entry, context) => {
    const meta = context.triggerMetadata ?? {};
    const id = String(meta.id ?? context.invocationId);
    const inserted = Date.parse(String(meta.insertionTime ?? ""));
    const tracked = trackBatch(queueName, [{
      id,
      body: entry,
      attempts: Number(meta.dequeueCount ?? 1),
      timestamp: new Date(Number.isNaN(inserted) ? Date.now() : inserted),
    }]);
    const work = pending();
    try {
      const ctx = azureContext(entry, context, work.add) as Context<never>;
      await runSingleMessage(fn, tracked, ctx, "failing the invocation so the queue delivers it again");
    } finally {
      await work.settled();
    }
  };
}
