/**
 * `cli.ts dev [entry] [--port N]`: the local server. It reloads on change, logs one line per request, prints handler
 * errors with their stack in the terminal (never in the response), reads `.env` into `ctx.env`, and gives each `kv`
 * binding a local store under `.slrs/kv/` that survives reloads.
 *
 * @module
 */

import { resolve } from "node:path";
import process from "node:process";
import { parseEnv } from "node:util";
import { createContext } from "../src/context.ts";
import type { LogRecord } from "../src/log.ts";
import type { ServerlessFunction } from "../src/serverless.ts";
import { type ClientInfo, internalRouteRefusal } from "./dev_guard.ts";
import { CliError } from "./errors.ts";
import { LocalKv } from "./local_kv.ts";
import { pollFile } from "./poll_file.ts";
import { discoverEntries, importEntry, readProjectConfig } from "./project.ts";
import type { Runtime, Server } from "./runtime.ts";

/** Options of the `dev` command. */
export interface DevOptions {
  /** The entry module; discovered from `slrs.functions` when it is the only one. */
  entry?: string | undefined;
  /** The port; 0 picks a free one. */
  port: number;
  /** The interface to listen on. */
  hostname: string;
}

/** Set in the child process that the watcher restarts, so it serves instead of watching again. */
const WATCHED = "SLRS_DEV_WATCHED";
/** The prefix of the dev server's own routes, which only this machine may use (see dev_guard.ts). */
const INTERNAL_PREFIX = "/__slrs/";
/** Where `dev` answers scheduled runs by hand: `POST /__slrs/scheduled?cron=…`. */
const SCHEDULED_PATH = "/__slrs/scheduled";
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
  const entry = options.entry ?? await soleEntry(runtime);
  if (runtime.env()[WATCHED] === undefined) {
    await refuseTakenPort(runtime, options);
    // The modules the entry imports are watched anyway; a folder is not, so kv writes under .slrs/ never restart.
    return runtime.runWatched(cliArgs, resolve(runtime.cwd(), entry), [resolve(runtime.cwd(), ".env")], {
      [WATCHED]: "1",
    });
  }
  const attempt = await waitUntilImportable(runtime, entry);
  const server = await startDevServer(runtime, { ...options, entry }, attempt);
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

async function soleEntry(runtime: Runtime): Promise<string> {
  const config = await readProjectConfig(runtime);
  const entries = await discoverEntries(runtime, config.functions);
  if (entries.length === 1) return entries[0]!;
  const found = entries.length === 0 ? "none was found" : `found ${entries.join(", ")}`;
  throw new CliError(`dev needs one entry: pass it (cli.ts dev functions/orders.ts); ${found} in slrs.functions.`, 2);
}

/**
 * Starts the dev server for one entry, without watching: what the watched child runs, and what tests call.
 *
 * @param runtime The runtime layer.
 * @param options The entry, port and hostname.
 * @param attempt Which import of the entry to use (dev imports a failing entry again under a new URL).
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
  options: DevOptions & { entry: string },
  attempt = 0,
): Promise<Server> {
  const [source] = await importEntry(runtime, options.entry, attempt);
  const fn = source!.fn as ServerlessFunction<Record<string, unknown>>;
  const env = await localEnv(runtime, fn);
  const server = await runtime.serve((request, client) => answer(fn, env, request, client), options);
  console.log(`slrs dev: serving "${fn.name}" from ${source!.entry} on http://localhost:${server.port}`);
  return server;
}

async function answer(
  fn: ServerlessFunction<Record<string, unknown>>,
  env: Record<string, unknown>,
  request: Request,
  client: ClientInfo,
) {
  const started = performance.now();
  const ctx = createContext({ platform: "dev", env, signal: request.signal, logSink: devLog, raw: request });
  const url = new URL(request.url);
  const response = url.pathname.startsWith(INTERNAL_PREFIX)
    ? await internalRoute(fn, request, client, url, ctx)
    : await fn.dispatch(request, ctx);
  const ms = (performance.now() - started).toFixed(1);
  console.log(`${request.method} ${url.pathname}${url.search} ${response.status} ${ms}ms`);
  return response;
}

type DevContext = Parameters<ServerlessFunction<Record<string, unknown>>["scheduled"]>[1];

function internalRoute(
  fn: ServerlessFunction<Record<string, unknown>>,
  request: Request,
  client: ClientInfo,
  url: URL,
  ctx: DevContext,
): Promise<Response> | Response {
  const refusal = internalRouteRefusal(request, client);
  if (refusal !== undefined) {
    return Response.json({ error: `${url.pathname} is a route of slrs dev, which ${refusal}` }, { status: 403 });
  }
  if (url.pathname !== SCHEDULED_PATH) {
    return Response.json({ error: `slrs dev has no route ${url.pathname}; it has POST ${SCHEDULED_PATH}.` }, {
      status: 404,
    });
  }
  if (request.method !== "POST") {
    return Response.json({ error: `${SCHEDULED_PATH} takes POST.` }, { status: 405, headers: { allow: "POST" } });
  }
  return runScheduled(fn, url, ctx);
}

async function runScheduled(
  fn: ServerlessFunction<Record<string, unknown>>,
  url: URL,
  ctx: DevContext,
): Promise<Response> {
  const crons = fn.metadata.triggers.flatMap((t) => t.type === "schedule" ? [t.cron] : []);
  if (crons.length === 0) {
    return Response.json({ error: `"${fn.name}" has no scheduled trigger.` }, { status: 404 });
  }
  const known = `"${fn.name}" has: ${crons.map((c) => JSON.stringify(c)).join(", ")}`;
  const asked = url.searchParams.get("cron");
  if (asked === null && crons.length > 1) {
    return Response.json({ error: `Say which schedule to run with ?cron=…; ${known}.`, crons }, { status: 400 });
  }
  const cron = asked ?? crons[0]!;
  if (!crons.includes(cron)) {
    return Response.json({ error: `No schedule ${JSON.stringify(cron)}; ${known}.`, crons }, { status: 404 });
  }
  try {
    await fn.scheduled({ cron, scheduledTime: Date.now() }, ctx);
    return Response.json({ ran: cron });
  } catch (error) {
    devLog({ level: "error", msg: "scheduled run failed", requestId: ctx.requestId, time: "", error });
    return Response.json({ error: "scheduled run failed", requestId: ctx.requestId }, { status: 500 });
  }
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

async function localEnv(runtime: Runtime, fn: ServerlessFunction<Record<string, unknown>>) {
  const dotenv = await runtime.readText(resolve(runtime.cwd(), ".env"));
  const fromFile = dotenv === undefined ? {} : parseEnv(dotenv) as Record<string, string>;
  const env: Record<string, unknown> = { ...fromFile, ...runtime.env() };
  const { bindings = {}, env: required = [] } = fn.metadata.requirements;
  for (const name of required) {
    if (env[name] === undefined) console.error(`slrs dev: warning: ${name} is required by "${fn.name}" but not set.`);
  }
  for (const name of bindings.kv ?? []) {
    env[name] = await LocalKv.open(runtime, resolve(runtime.cwd(), ".slrs", "kv", `${name}.json`));
  }
  for (const [kind, names] of Object.entries(bindings)) {
    if (kind === "kv") continue;
    for (const name of names ?? []) {
      console.error(`slrs dev: warning: no local stand-in for the ${kind} binding ${name}.`);
    }
  }
  return env;
}
