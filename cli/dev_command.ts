/**
 * `cli.ts dev [entry] [--port N] [--target T]`: the local server. Without an entry it serves every function
 * `slrs.functions` names, each under its routes. It reloads on change, logs one line per request naming the
 * function, prints handler errors with their stack in the terminal (never in the response), reads `.env` into
 * `ctx.env`, gives each `kv` and `buckets` binding a local store under `.slrs/bindings/` (bindings/local_kv.ts,
 * bindings/local_bucket.ts) that survives reloads, holds each function to
 * its `requirements.timeout` and `memory` (dev_limits.ts), runs queue batches and CloudEvents by hand
 * (dev_triggers.ts), and with `--target` sends each request through that platform's adapter (dev_targets.ts).
 *
 * @module
 */

import { relative, resolve } from "node:path";
import process from "node:process";
import { parseEnv } from "node:util";
import { createContext } from "../src/context.ts";
import type { LogRecord } from "../src/log.ts";
import type { ServerlessFunction } from "../src/serverless.ts";
import { localBucketVariable, localKvVariable } from "../src/binding_variables.ts";
import { type ClientInfo, internalRouteRefusal } from "./dev_guard.ts";
import { answerWithin, type Deadline, MemoryWatch, startDeadline } from "./dev_limits.ts";
import { type DevFunction, RouteTable } from "./dev_routes.ts";
import { DEV_TARGETS, requireTargetPackage, startTarget, type TargetFunction } from "./dev_targets.ts";
import { deliverEvent, deliverQueue, type QueueRunner } from "./dev_triggers.ts";
import { devQueue } from "./dev_queue.ts";
import { CliError } from "./errors.ts";
import { localBucket } from "../bindings/local_bucket.ts";
import { localKv } from "../bindings/local_kv.ts";
import { pollFile } from "./poll_file.ts";
import { discoverEntries, importEntry, readProjectConfig } from "./project.ts";
import type { Runtime, Server } from "./runtime.ts";

/** Options of the `dev` command. */
export interface DevOptions {
  /** The entry module; without one, every entry `slrs.functions` names is served. */
  entry?: string | undefined;
  /** The port; 0 picks a free one. */
  port: number;
  /** The interface to listen on. */
  hostname: string;
  /** Run each request through this platform's adapter (one of `DEV_TARGETS`); plain dev without it. */
  target?: string | undefined;
}

/** Set in the child process that the watcher restarts, so it serves instead of watching again. */
const WATCHED = "SLRS_DEV_WATCHED";
/** The prefix of the dev server's own routes, which only this machine may use (see dev_guard.ts). */
const INTERNAL_PREFIX = "/__slrs/";
/** Where `dev` answers scheduled runs by hand: `POST /__slrs/scheduled?cron=…`. */
const SCHEDULED_PATH = "/__slrs/scheduled";
/** Where `dev` delivers a queue batch: `POST /__slrs/queue/<queue>`. */
const QUEUE_PREFIX = "/__slrs/queue/";
/** Where `dev` delivers a CloudEvent: `POST /__slrs/event`. */
const EVENT_PATH = "/__slrs/event";
/** How long a stopping server waits for open requests (a reload, Ctrl-C) before it lets them go. */
const SHUTDOWN_GRACE_MS = 10_000;
/** How often a missing or failing entry is looked at again. */
const ENTRY_POLL_MS = 300;

/**
 * Runs the dev server: in the parent process, a watcher that restarts the server on change; in the child, the
 * server itself.
 *
 * @param runtime The runtime layer.
 * @param options The entry, port and hostname.
 * @param cliArgs The arguments to start the child with.
 * @returns The exit code once the server stops.
 *
 * @example Usage
 * ```ts ignore
 * import { dev } from "./dev_command.ts";
 * import { currentRuntime } from "./runtime.ts";
 * await dev(currentRuntime(), { entry: "examples/hello/main.ts", port: 8000, hostname: "127.0.0.1" }, ["dev"]);
 * ```
 */
export async function dev(runtime: Runtime, options: DevOptions, cliArgs: string[]): Promise<number> {
  if (options.target !== undefined && !DEV_TARGETS.includes(options.target)) {
    throw new CliError(
      `dev --target takes one of ${DEV_TARGETS.join(", ")}; got ${JSON.stringify(options.target)}.`,
      2,
    );
  }
  const entries = options.entry === undefined ? await configuredEntries(runtime) : [options.entry];
  if (runtime.env()[WATCHED] === undefined) {
    await refuseTakenPort(runtime, options);
    if (options.target !== undefined) await requireTargetPackage(options.target);
    // The modules the first entry imports are watched anyway, and the other entries themselves; a folder is not,
    // so kv writes under .slrs/ never restart.
    const [first, ...others] = entries.map((entry) => resolve(runtime.cwd(), entry));
    return runtime.runWatched(cliArgs, first!, [...others, resolve(runtime.cwd(), ".env")], {
      [WATCHED]: "1",
    });
  }
  const attempts: number[] = [];
  for (const entry of entries) attempts.push(await waitUntilImportable(runtime, entry));
  const server = await startDevServer(runtime, { ...options, entries }, attempts);
  // The watcher stops this process with SIGTERM to reload, Ctrl-C with SIGINT: open requests are answered first.
  // The listeners stay until the server is down, so the same signal again (the watcher forwards Ctrl-C) is ignored.
  // Not Promise.withResolvers: the CLI runs on Node 20, which lacks it.
  let onSignal = () => {};
  const stop = new Promise<void>((resolve) => onSignal = resolve);
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  await stop;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([server.shutdown(), new Promise((done) => timer = setTimeout(done, SHUTDOWN_GRACE_MS))]);
  clearTimeout(timer);
  process.off("SIGTERM", onSignal);
  process.off("SIGINT", onSignal);
  return 0;
}

/**
 * Checks the port before the watcher starts: a child that cannot listen would only be restarted on the next change,
 * so a taken port would look like a hang. (The child still reports it, should the port be taken in between.)
 */
async function refuseTakenPort(runtime: Runtime, options: DevOptions): Promise<void> {
  if (options.port === 0) return;
  const probe = await runtime.serve(() => Promise.resolve(new Response()), options);
  await probe.shutdown();
}

/**
 * Imports the entry until it loads: a missing or failing entry is reported, then waited for, never a silent hang or
 * an exit. The watcher cannot always see the fix (Node follows only modules that loaded; Deno's folder may not exist
 * yet), so the server process looks for it itself.
 *
 * @returns The attempt that loaded, for {@linkcode startDevServer} to import the same module.
 */
async function waitUntilImportable(runtime: Runtime, entry: string): Promise<number> {
  const path = resolve(runtime.cwd(), entry);
  for (let attempt = 0;; attempt++) {
    try {
      await importEntry(runtime, entry, attempt);
      return attempt;
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      console.error(`slrs: ${error.message}`);
      console.error(`slrs dev: waiting for ${entry} to appear or change, then starting again (Ctrl-C stops).`);
      await new Promise<void>((done) => pollFile(path, ENTRY_POLL_MS, done));
    }
  }
}

async function configuredEntries(runtime: Runtime): Promise<string[]> {
  const config = await readProjectConfig(runtime);
  const entries = await discoverEntries(runtime, config.functions);
  if (entries.length > 0) return entries;
  throw new CliError(
    `dev needs an entry: pass it (slrs dev functions/orders.ts), or name entries in ${config.file} under ` +
      `"slrs": { "functions": ["functions/*.ts"] }; none was found.`,
    2,
  );
}

/**
 * Starts the dev server for its entries, without watching: what the watched child runs, and what tests call.
 *
 * @param runtime The runtime layer.
 * @param options The entry (or entries), port, hostname and target.
 * @param attempts Which import of each entry to use (dev imports a failing entry again under a new URL).
 * @returns The running server.
 *
 * @example Usage
 * ```ts
 * import { startDevServer } from "./dev_command.ts";
 * import { currentRuntime } from "./runtime.ts";
 * const server = await startDevServer(currentRuntime(), { entry: "examples/hello/main.ts", port: 0, hostname: "127.0.0.1" });
 * const res = await fetch(`http://127.0.0.1:${server.port}/`);
 * await res.body?.cancel();
 * await server.shutdown();
 * ```
 */
export async function startDevServer(
  runtime: Runtime,
  options: DevOptions & ({ entry: string } | { entries: readonly string[] }),
  attempts: readonly number[] = [],
): Promise<Server> {
  const entries = "entries" in options ? options.entries : [options.entry];
  const functions: Served[] = [];
  const { dotenv, env: base } = await readEnv(runtime);
  try {
    for (const [index, entry] of entries.entries()) {
      const [source] = await importEntry(runtime, entry, attempts[index] ?? 0);
      const fn = source!.fn as ServerlessFunction<Record<string, unknown>>;
      // In workerd the Worker gets its bindings from Miniflare instead.
      const inWorkerd = options.target === "cloudflare";
      const env = inWorkerd ? base : await localEnv(runtime, fn, base, functions);
      const served: Served = { fn, entry: source!.entry, env };
      functions.push(served);
      if (options.target !== undefined) {
        served.target = await startTarget(options.target, { runtime, fn, entry: source!.entry, vars: dotenv });
        served.queue = served.target.queue;
      }
    }
    const routes = new RouteTable(functions);
    const memory = new MemoryWatch();
    const server = await runtime.serve(
      (request, client) => answer({ functions, routes, memory }, request, client),
      options,
    );
    const mode = options.target === undefined ? "" : ` through the ${options.target} adapter`;
    for (const served of functions) {
      console.log(
        `slrs dev: serving "${served.fn.name}" from ${served.entry} on http://localhost:${server.port}${mode}`,
      );
    }
    return {
      port: server.port,
      async shutdown() {
        await server.shutdown();
        await closeTargets(functions);
      },
    };
  } catch (error) {
    await closeTargets(functions);
    throw error;
  }
}

/** A served function: its env, and the platform it runs behind with `--target`. */
interface Served extends DevFunction {
  readonly env: Record<string, unknown>;
  target?: TargetFunction;
  /** Where its queue batches run: the target's runtime, when it has one. */
  queue?: QueueRunner | undefined;
}

/** What every request shares. */
interface Serving {
  readonly functions: readonly Served[];
  readonly routes: RouteTable;
  readonly memory: MemoryWatch;
}

async function closeTargets(functions: readonly Served[]): Promise<void> {
  await Promise.all(functions.map((served) => served.target?.close()));
}

async function answer(serving: Serving, request: Request, client: ClientInfo): Promise<Response> {
  const started = performance.now();
  const url = new URL(request.url);
  const internal = url.pathname.startsWith(INTERNAL_PREFIX);
  const served = internal ? undefined : serving.routes.owner(request.method, url.pathname) as Served;
  const response = served === undefined
    ? await internalRoute(serving, request, client, url)
    : await answerHttp(serving, served, request, client);
  const ms = (performance.now() - started).toFixed(1);
  const who = served === undefined ? "slrs dev" : served.fn.name;
  console.log(`${request.method} ${url.pathname}${url.search} ${response.status} ${ms}ms ${who}`);
  return response;
}

/** One HTTP request of one function, within its timeout, through its target's adapter when there is one. */
async function answerHttp(serving: Serving, served: Served, request: Request, client: ClientInfo): Promise<Response> {
  const fn = served.fn as ServerlessFunction<never>;
  const deadline = startDeadline(fn, request.signal);
  const requestId = crypto.randomUUID();
  const run = served.target === undefined
    ? Promise.resolve(served.fn.dispatch(request, devContext(served, deadline, requestId, request)))
    : served.target.fetch(request, { requestId, deadline: deadline.at, env: served.env, client }).catch((error) => {
      devLog({ level: "error", msg: "the platform adapter failed", requestId, time: "", error });
      return Response.json({ error: "Internal Server Error", requestId }, { status: 500 });
    });
  const response = await answerWithin(fn, deadline, requestId, run);
  serving.memory.check(fn, requestId);
  return response;
}

function devContext(served: Served, deadline: Deadline, requestId: string, raw: unknown): DevContext {
  return createContext({
    platform: "dev",
    env: served.env,
    signal: deadline.signal,
    deadline: deadline.at,
    requestId,
    logSink: devLog,
    raw,
  });
}

type DevContext = Parameters<ServerlessFunction<Record<string, unknown>>["scheduled"]>[1];

async function internalRoute(serving: Serving, request: Request, client: ClientInfo, url: URL): Promise<Response> {
  const refusal = internalRouteRefusal(request, client);
  if (refusal !== undefined) {
    return Response.json({ error: `${url.pathname} is a route of slrs dev, which ${refusal}` }, { status: 403 });
  }
  const known = `POST ${SCHEDULED_PATH}, POST ${QUEUE_PREFIX}<queue> and POST ${EVENT_PATH}`;
  const isQueue = url.pathname.startsWith(QUEUE_PREFIX) && url.pathname.length > QUEUE_PREFIX.length;
  if (url.pathname !== SCHEDULED_PATH && url.pathname !== EVENT_PATH && !isQueue) {
    return Response.json({ error: `slrs dev has no route ${url.pathname}; it has ${known}.` }, { status: 404 });
  }
  if (request.method !== "POST") {
    return Response.json({ error: `${url.pathname} takes POST.` }, { status: 405, headers: { allow: "POST" } });
  }
  // A trigger's ctx.signal aborts at its function's timeout too; the run is awaited (queues and events wait for
  // their handler on every platform), and the timers end with it.
  const deadlines: Deadline[] = [];
  const context = (served: DevFunction) => {
    const deadline = startDeadline(served.fn as ServerlessFunction<never>, request.signal);
    deadlines.push(deadline);
    return devContext(served as Served, deadline, crypto.randomUUID(), request);
  };
  try {
    return await runTrigger(serving, request, url, isQueue, context);
  } finally {
    for (const deadline of deadlines) deadline.clear();
  }
}

function runTrigger(
  serving: Serving,
  request: Request,
  url: URL,
  isQueue: boolean,
  context: (served: DevFunction) => DevContext,
): Promise<Response> {
  if (isQueue) {
    let queue: string;
    try {
      queue = decodeURIComponent(url.pathname.slice(QUEUE_PREFIX.length));
    } catch {
      return Promise.resolve(
        Response.json({ error: "The queue name in the path is not valid percent-encoding." }, { status: 400 }),
      );
    }
    return deliverQueue(serving.functions, queue, request, context);
  }
  if (url.pathname === EVENT_PATH) return deliverEvent(serving.functions, request, context);
  return runScheduled(serving.functions, url, context);
}

async function runScheduled(
  functions: readonly Served[],
  url: URL,
  context: (served: DevFunction) => DevContext,
): Promise<Response> {
  const all = functions.flatMap((served) =>
    served.fn.metadata.triggers.flatMap((t) => t.type === "schedule" ? [{ served, cron: t.cron }] : [])
  );
  if (all.length === 0) {
    const names = functions.map((s) => `"${s.fn.name}"`).join(", ");
    return Response.json({ error: `${names} ${functions.length === 1 ? "has" : "have"} no scheduled trigger.` }, {
      status: 404,
    });
  }
  const crons = all.map((s) => s.cron);
  const known = all.map((s) => `"${s.served.fn.name}" has: ${JSON.stringify(s.cron)}`);
  const summary = functions.length === 1
    ? `"${functions[0]!.fn.name}" has: ${crons.map((c) => JSON.stringify(c)).join(", ")}`
    : known.join("; ");
  const asked = url.searchParams.get("cron");
  if (asked === null && all.length > 1) {
    return Response.json({ error: `Say which schedule to run with ?cron=…; ${summary}.`, crons }, { status: 400 });
  }
  const chosen = asked === null ? all : all.filter((s) => s.cron === asked);
  if (chosen.length === 0) {
    return Response.json({ error: `No schedule ${JSON.stringify(asked)}; ${summary}.`, crons }, { status: 404 });
  }
  const cron = chosen[0]!.cron;
  for (const { served } of chosen) {
    const ctx = context(served);
    try {
      await served.fn.scheduled({ cron, scheduledTime: Date.now() }, ctx);
    } catch (error) {
      devLog({ level: "error", msg: "scheduled run failed", requestId: ctx.requestId, time: "", error });
      return Response.json({ error: "scheduled run failed", requestId: ctx.requestId }, { status: 500 });
    }
  }
  return Response.json({ ran: cron });
}

// In the terminal a stack reads better as lines than inside a JSON string.
function devLog(record: LogRecord): void {
  const { level, msg, requestId, time: _time, error, ...fields } = record;
  const extra = Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : "";
  const line = `[${level}] ${msg}${extra} (request ${requestId})`;
  if (level === "error" || level === "warn") {
    console.error(error === undefined ? line : `${line}\n${error instanceof Error ? error.stack : error}`);
  } else {
    console.log(line);
  }
}

/** `.env` (its variables, for the platforms that read them) under the process environment. */
async function readEnv(runtime: Runtime): Promise<{ dotenv: Record<string, string>; env: Record<string, unknown> }> {
  const text = await runtime.readText(resolve(runtime.cwd(), ".env"));
  const dotenv = text === undefined ? {} : parseEnv(text) as Record<string, string>;
  return { dotenv, env: { ...dotenv, ...runtime.env() } };
}

async function localEnv(
  runtime: Runtime,
  fn: ServerlessFunction<Record<string, unknown>>,
  base: Record<string, unknown>,
  functions: readonly Served[],
) {
  const env: Record<string, unknown> = { ...base };
  const { bindings = {}, env: required = [] } = fn.metadata.requirements;
  for (const name of required) {
    if (env[name] === undefined) console.error(`slrs dev: warning: ${name} is required by "${fn.name}" but not set.`);
  }
  // The same backends a self-hosted build uses, so dev honours the whole KV and bucket contract (types, metadata,
  // expiry, list pages), kept under .slrs/bindings/ across reloads.
  const state = resolve(runtime.cwd(), ".slrs", "bindings");
  for (const name of bindings.kv ?? []) {
    const file = resolve(state, "kv", `${name}.json`);
    const kv = localKv(name, { [localKvVariable(name)]: file });
    // Read now, so a file this store cannot read stops dev with its name instead of failing every request.
    await kv.list({ limit: 1 }).catch((error) => {
      throw new CliError(
        `The local KV file ${relative(runtime.cwd(), file)} cannot be read (${
          error.cause?.message ?? error.message
        }); ` +
          "delete it to start with an empty namespace.",
      );
    });
    env[name] = kv;
  }
  for (const name of bindings.buckets ?? []) {
    env[name] = localBucket(name, { [localBucketVariable(name)]: resolve(state, "buckets", name) });
  }
  // Delivered in this process to the served function consuming the queue of the binding's name.
  for (const name of bindings.queues ?? []) env[name] = devQueue(name, functions);
  for (const [kind, names] of Object.entries(bindings)) {
    if (kind === "kv" || kind === "buckets" || kind === "queues") continue;
    for (const name of names ?? []) {
      console.error(`slrs dev: warning: no local stand-in for the ${kind} binding ${name}.`);
    }
  }
  return env;
}
