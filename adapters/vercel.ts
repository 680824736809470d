/**
 * Vercel adapter: web-standard exports for Vercel Functions (Node.js runtime), `waitUntil` through Vercel's
 * request context, and the `config` a function's requirements call for.
 *
 * @example Entry file (api/index.ts)
 * ```ts
 * import { serverless } from "../mod.ts";
 * import { handle } from "./vercel.ts";
 *
 * const shop = serverless({ name: "shop", requirements: { timeout: 10 }, fetch: () => new Response("hello") });
 * export default handle(shop);
 * // Vercel reads `config` from the source without running it: write it as a literal (see `config()`).
 * export const config = { maxDuration: 10, memory: 2048 };
 * ```
 *
 * @module
 */

import { type Context, createContext, errorResponse, jsonError, type ServerlessFunction } from "../mod.ts";
import { PLATFORMS } from "../src/platforms.ts";
import { pending, processEnv } from "./_env.ts";
import { withSafeFraming } from "./_framing.ts";

/** What Vercel's runtime keeps per request under `Symbol.for("@vercel/request-context")`, as far as it is used. */
export interface VercelRequestContext {
  /** Keeps the function alive after the response until the promise settles. */
  waitUntil?: (promise: Promise<unknown>) => void;
  /** The invocation deadline, as a date string. */
  deadline?: string;
  /** Request headers the runtime saw. */
  headers?: Record<string, string>;
}

/** What `ctx.raw` holds on Vercel. */
export interface VercelRaw {
  /** The request as the runtime passed it. */
  readonly request: Request;
  /** Vercel's request context, when the runtime provides one. */
  readonly vercel: VercelRequestContext | undefined;
}

/** A handler of the Node.js runtime's web signature. */
export type VercelHandler = (request: Request) => Promise<Response>;

/** The exports Vercel takes: one per method, and `fetch` for `export default`. */
export interface VercelHandlers {
  /** Answers GET. */
  GET: VercelHandler;
  /** Answers HEAD. */
  HEAD: VercelHandler;
  /** Answers POST. */
  POST: VercelHandler;
  /** Answers PUT. */
  PUT: VercelHandler;
  /** Answers PATCH. */
  PATCH: VercelHandler;
  /** Answers DELETE. */
  DELETE: VercelHandler;
  /** Answers OPTIONS. */
  OPTIONS: VercelHandler;
  /** Answers every method: `export default handle(fn)`. */
  fetch: VercelHandler;
}

/** Options for {@linkcode handle} and {@linkcode crons}. */
export interface VercelOptions {
  /**
   * Where Vercel Cron Jobs call the function: `<cronPath>/<index>` runs `scheduled[index]`. Default
   * `"/_slrs/cron"`. Requests there need `Authorization: Bearer $CRON_SECRET` when `CRON_SECRET` is set (Vercel
   * sends it), else the `vercel-cron/1.0` user agent, and a production deployment refuses them without the secret
   * (see {@linkcode VercelOptions.unauthenticatedCrons}).
   */
  cronPath?: string;
  /**
   * Whether a production deployment (`VERCEL_ENV=production`, the only one Vercel runs cron jobs on) without
   * `CRON_SECRET` still runs cron calls that carry only the `vercel-cron/1.0` user agent, which any client can send.
   * Default `false`: they are refused with 401 and the log says how to set the secret. Elsewhere (previews,
   * `vercel dev`, tests) the user agent is accepted, with a warning at the first such run.
   */
  unauthenticatedCrons?: boolean;
}

/** One entry of vercel.json's `crons`. */
export interface VercelCron {
  /** The path Vercel calls with GET. */
  path: string;
  /** The five-field cron expression, in UTC. */
  schedule: string;
}

/** The function settings Vercel reads from an entry's `export const config`. */
export interface VercelConfig {
  /** Seconds the function may run. */
  maxDuration: number;
  /** Memory in MB. */
  memory: number;
  /** Regions to deploy to, where the function requires some. */
  regions?: string[];
}

// The slot the Vercel runtime fills per request; `@vercel/functions` reads the same one (getContext()).
const REQUEST_CONTEXT = Symbol.for("@vercel/request-context");

function vercelContext(): VercelRequestContext | undefined {
  const slot = (globalThis as Record<symbol, { get?: () => VercelRequestContext | undefined } | undefined>)[
    REQUEST_CONTEXT
  ];
  return slot?.get?.();
}

/**
 * Makes Vercel's exports for a function. `ctx.requestId` is `x-vercel-id`, `ctx.signal` is the request's signal
 * (aborted on client disconnect when `supportsCancellation` is on), `ctx.remainingMs()` follows the runtime's
 * deadline, and `ctx.waitUntil` hands work to Vercel's `waitUntil` so it runs after the response; where no
 * Vercel request context exists (another host, a test), the work is awaited before the response is returned.
 * Vercel Cron Jobs (see {@linkcode crons}) run the `scheduled` triggers.
 *
 * @param fn The function.
 * @param options Where cron jobs call.
 * @returns `{ GET, POST, …, fetch }`: export the methods, or the whole object as the default export.
 *
 * @example Answer a request
 * ```ts
 * import { serverless } from "../mod.ts";
 * import { handle } from "./vercel.ts";
 *
 * const fn = serverless({ name: "hi", fetch: (_req, ctx) => Response.json({ id: ctx.requestId }) });
 * const res = await handle(fn).GET(new Request("https://x.vercel.app/", { headers: { "x-vercel-id": "fra1::abc" } }));
 * console.assert((await res.json()).id === "fra1::abc");
 * ```
 */
export function handle(fn: ServerlessFunction<never>, options: VercelOptions = {}): VercelHandlers {
  const cronPath = (options.cronPath ?? DEFAULT_CRON_PATH).replace(/\/+$/, "");
  const schedules = scheduleList(fn);
  const authorized = cronAuthorizer(options.unauthenticatedCrons ?? false);
  const fetch: VercelHandler = async (request) => {
    const vercel = vercelContext();
    const work = pending();
    const deadline = Date.parse(vercel?.deadline ?? "");
    const requestId = request.headers.get("x-vercel-id");
    const ctx = createContext<never, VercelRaw>({
      platform: "vercel",
      ...(requestId && { requestId }),
      env: processEnv() as never,
      signal: request.signal,
      ...(!Number.isNaN(deadline) && { deadline }),
      waitUntil: vercel?.waitUntil ? (promise) => vercel.waitUntil!(promise) : work.add,
      raw: { request, vercel },
    });
    const cron = schedules.length > 0 ? cronOf(request, cronPath, schedules) : undefined;
    const res = cron === undefined
      ? await fn.dispatch(request, ctx)
      : authorized(request, ctx)
      ? await runCron(fn, cron, ctx)
      : jsonError(401, "Unauthorized", ctx.requestId);
    await work.settled();
    // Vercel's runtime writes the response to its own connection: the framing is its to decide (./_framing.ts).
    return withSafeFraming(res, request.method);
  };
  return { GET: fetch, HEAD: fetch, POST: fetch, PUT: fetch, PATCH: fetch, DELETE: fetch, OPTIONS: fetch, fetch };
}

const DEFAULT_CRON_PATH = "/_slrs/cron";

function scheduleList(fn: ServerlessFunction<never>): string[] {
  return fn.metadata.triggers.flatMap((t) => t.type === "schedule" ? [t.cron] : []);
}

// The cron a GET to `<cronPath>/<index>` stands for.
function cronOf(request: Request, cronPath: string, schedules: string[]): string | undefined {
  if (request.method !== "GET") return undefined;
  const path = new URL(request.url).pathname;
  if (!path.startsWith(`${cronPath}/`)) return undefined;
  const index = path.slice(cronPath.length + 1);
  return /^\d+$/.test(index) ? schedules[Number(index)] : undefined;
}

const SET_CRON_SECRET = "set CRON_SECRET (16 or more random characters) in the project's Environment Variables " +
  "and redeploy: Vercel then sends it as `Authorization: Bearer …` with every cron call";

// Who may run a cron trigger. With CRON_SECRET, only its bearer token (compared in constant time). Without it, only
// the user agent is left, which anyone can send: accepted outside production with one warning per instance, and
// refused in production, where Vercel actually calls crons, unless the function opted in.
function cronAuthorizer(unauthenticated: boolean): (request: Request, ctx: Context<never>) => boolean {
  let warned = false;
  return (request, ctx) => {
    const env = processEnv();
    const secret = env.CRON_SECRET;
    if (secret) return sameText(request.headers.get("authorization") ?? "", `Bearer ${secret}`);
    if (!(request.headers.get("user-agent") ?? "").startsWith("vercel-cron/")) return false;
    if (env.VERCEL_ENV === "production" && !unauthenticated) {
      ctx.log.error(`cron call refused: CRON_SECRET is not set, so any client could run it; ${SET_CRON_SECRET}`, {
        path: new URL(request.url).pathname,
      });
      return false;
    }
    if (!warned) {
      warned = true;
      ctx.log.warn(`cron ran on the user agent alone, which any client can send; ${SET_CRON_SECRET}`);
    }
    return true;
  };
}

function sameText(given: string, expected: string): boolean {
  if (given.length !== expected.length) return false;
  let difference = 0;
  for (let i = 0; i < given.length; i++) difference |= given.charCodeAt(i) ^ expected.charCodeAt(i);
  return difference === 0;
}

async function runCron(fn: ServerlessFunction<never>, cron: string, ctx: Context<never>): Promise<Response> {
  try {
    // Vercel does not say when the run was due: the start of the current minute is the nearest cron tick.
    await fn.scheduled({ cron, scheduledTime: Math.floor(Date.now() / 60_000) * 60_000 }, ctx);
    return new Response(null, { status: 204 });
  } catch (error) {
    return errorResponse(error, ctx);
  }
}

/**
 * The `crons` entries of vercel.json for a function's `scheduled` triggers: Vercel calls each path with GET on
 * its schedule (UTC), and {@linkcode handle} runs the matching trigger.
 *
 * @param fn The function.
 * @param options Where cron jobs call.
 * @returns The entries, in the order of `scheduled`.
 *
 * @example Usage
 * ```ts
 * import { serverless } from "../mod.ts";
 * import { crons } from "./vercel.ts";
 *
 * const fn = serverless({ name: "nightly", scheduled: { cron: "0 3 * * *", run: () => {} } });
 * console.assert(crons(fn)[0]?.path === "/_slrs/cron/0" && crons(fn)[0]?.schedule === "0 3 * * *");
 * ```
 */
export function crons(fn: ServerlessFunction<never>, options: VercelOptions = {}): VercelCron[] {
  const cronPath = (options.cronPath ?? DEFAULT_CRON_PATH).replace(/\/+$/, "");
  return scheduleList(fn).map((schedule, index) => ({ path: `${cronPath}/${index}`, schedule }));
}

/**
 * The `config` a function's requirements call for on Vercel: `maxDuration` and `memory` as `--info` recommends
 * them, and `regions` when the function names some. Vercel reads `export const config` from the entry's source
 * without running it, so it must be an object literal there: the `build` command writes this value into the
 * generated entry (or put it under `functions` in vercel.json).
 *
 * @param fn The function.
 * @returns The settings.
 *
 * @example Usage
 * ```ts
 * import { serverless } from "../mod.ts";
 * import { config } from "./vercel.ts";
 *
 * const fn = serverless({ name: "report", requirements: { memory: 3000, timeout: 60 } });
 * console.assert(JSON.stringify(config(fn)) === JSON.stringify({ maxDuration: 60, memory: 4096 }));
 * ```
 */
export function config(fn: ServerlessFunction<never>): VercelConfig {
  const requirements = fn.metadata.requirements;
  const settings = PLATFORMS.vercel.recommend(requirements);
  return {
    maxDuration: settings.maxDuration as number,
    memory: settings.memory as number,
    ...(requirements.regions && { regions: [...requirements.regions] }),
  };
}
