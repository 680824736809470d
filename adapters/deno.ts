/**
 * Runs a function on Deno with `Deno.serve`: self-hosted, in a container, on Deno Deploy, or with `deno serve`.
 *
 * `serve(fn)` starts a server with a context per request (platform `deno`, env from `Deno.env`, the request id from
 * `x-request-id` or a new UUID, `ctx.signal` aborting when the client goes away), keeps `waitUntil` work alive, and
 * shuts down gracefully on SIGINT/SIGTERM. `handle(fn)` gives what `Deno.serve` and `deno serve` take, for when you
 * start the server yourself.
 *
 * @example Serve a function
 * ```ts ignore
 * import { serve } from "@slrs/core/deno";
 * import shop from "./shop.ts";
 *
 * serve(shop, { port: 8000 });
 * ```
 *
 * @module
 */

import {
  type Context,
  createContext,
  type DefaultEnv,
  jsonError,
  type LogSink,
  type ServerlessFunction,
} from "../mod.ts";
import { BadTarget, checkedRequest, listeningHost } from "./_request_url.ts";
import {
  checkPort,
  localUrl,
  once,
  PendingTasks,
  REQUEST_ID_HEADER,
  requestIdFrom,
  type RunningServer,
  SHUTDOWN_SIGNALS,
  SHUTDOWN_TIMEOUT_MS,
  SIGNAL_EXIT_CODES,
} from "./_self_hosted.ts";
import { withSafeFraming } from "./_framing.ts";

export type { RunningServer } from "./_self_hosted.ts";

/** What `ctx.raw` holds on Deno. */
export interface DenoRaw {
  /** The request as `Deno.serve` gave it. */
  request: Request;
  /** The connection info from `Deno.serve` (remote address, completion promise); absent for a bare `fetch` call. */
  info: Deno.ServeHandlerInfo | undefined;
}

/** Options for {@linkcode handle}. */
export interface DenoHandleOptions {
  /** Variables and bindings added to (and winning over) the process environment in `ctx.env`. */
  env?: Record<string, unknown>;
  /** Whether `ctx.env` starts from `Deno.env` (when env access is granted). Default `true`. */
  processEnv?: boolean;
  /** The header a request id is taken from, or `false` to always make a UUID. Default `x-request-id`. */
  requestIdHeader?: string | false;
  /** Where `ctx.log` writes; JSON lines on the console by default. */
  logSink?: LogSink;
}

/** Options for {@linkcode serve}. */
export interface DenoServeOptions extends DenoHandleOptions {
  /** The port; default the `PORT` environment variable, else 8000. `0` lets the OS pick one. */
  port?: number;
  /** The address to listen on. Default `0.0.0.0`. */
  hostname?: string;
  /** Aborting it shuts the server down gracefully. */
  signal?: AbortSignal;
  /** Called once listening; by default a `Listening on …` line is printed. */
  onListen?: (addr: Deno.NetAddr) => void;
  /** Whether SIGINT/SIGTERM shut the server down gracefully (a second one exits at once). Default `true`. */
  handleSignals?: boolean;
  /**
   * How long shutdown waits for in-flight requests (a streamed response too) and `waitUntil` tasks, in ms, before it
   * ends what is still open. Default 10000.
   */
  shutdownTimeoutMs?: number;
}

/** What {@linkcode handle} returns: a `Deno.serve` handler that is also a `{ fetch }` object for `deno serve`. */
export interface DenoHandler {
  /** Answers a request, as `Deno.serve(handler)` calls it. */
  (request: Request, info?: Deno.ServeHandlerInfo): Response | Promise<Response>;
  /** The same function, for `export default handle(fn)` run by `deno serve`. */
  fetch(request: Request, info?: Deno.ServeHandlerInfo): Response | Promise<Response>;
}

/**
 * Wraps a function for `Deno.serve` or `deno serve`: each request gets a context with platform `deno`, `ctx.env`
 * from `Deno.env` plus `options.env`, the request id from `x-request-id` (or a UUID) and `ctx.signal` aborting when
 * the client disconnects.
 *
 * @typeParam Env The shape of `ctx.env`.
 * @param fn The function, from `serverless()`.
 * @param options Environment, request id header and log sink.
 * @returns A handler for `Deno.serve(handler)`, which also works as `export default handle(fn)` for `deno serve`.
 *
 * @example Answer a request without a server
 * ```ts
 * import { serverless } from "../mod.ts";
 * import { handle } from "./deno.ts";
 *
 * const fn = serverless({ name: "hi", fetch: (_req, ctx) => new Response(`${ctx.platform} ${ctx.requestId}`) });
 * const handler = handle(fn);
 * const res = await handler.fetch(new Request("http://localhost/", { headers: { "x-request-id": "r-1" } }));
 * console.assert((await res.text()) === "deno r-1");
 * ```
 */
export function handle<Env = DefaultEnv>(fn: ServerlessFunction<Env>, options: DenoHandleOptions = {}): DenoHandler {
  return handlerFor(fn, options, new PendingTasks());
}

function handlerFor<Env>(
  fn: ServerlessFunction<Env>,
  options: DenoHandleOptions,
  tasks: PendingTasks,
  ownHost: () => string | undefined = () => undefined,
  inFlight?: InFlight,
): DenoHandler {
  const env = { ...(options.processEnv === false ? {} : processEnv()), ...options.env } as Env;
  const header = options.requestIdHeader ?? REQUEST_ID_HEADER;
  const waitUntil = (promise: Promise<unknown>) => tasks.add(promise);
  const answer = (given: Request, info?: Deno.ServeHandlerInfo): Response | Promise<Response> => {
    const requestId = requestIdFrom(given.headers, header);
    let request: Request;
    try {
      request = checkedRequest(given, ownHost);
    } catch (error) {
      if (!(error instanceof BadTarget)) throw error;
      return jsonError(400, error.message, requestId);
    }
    // `request.signal` aborts when the client goes away, and also after every successful response (Deno's legacy
    // behaviour, unless --unstable-no-legacy-abort). `ctx.signal` follows it, but not for a delivered response:
    // `info.completed` resolves just before that abort, so its reaction runs before the check queued here.
    const gone = new AbortController();
    let delivered = false;
    info?.completed.then(() => delivered = true, () => {});
    const follow = () => {
      const reason = request.signal.reason;
      queueMicrotask(() => delivered || gone.abort(reason));
    };
    if (request.signal.aborted) follow();
    else request.signal.addEventListener("abort", follow, { once: true });
    const ctx: Context<Env, DenoRaw> = createContext<Env, DenoRaw>({
      platform: "deno",
      requestId,
      env,
      signal: gone.signal,
      waitUntil,
      raw: { request: given, info },
      ...(options.logSink && { logSink: options.logSink }),
    });
    // Deno.serve frames a response itself but sends hop-by-hop headers on, and trusts a re-wrapped fetch
    // response's stale Content-Length: see ./_framing.ts.
    const answered = fn.dispatch(request, ctx);
    const safe = answered instanceof Response
      ? withSafeFraming(answered, request.method)
      : answered.then((response) => withSafeFraming(response, request.method));
    return inFlight === undefined ? safe : inFlight.bound(safe);
  };
  return Object.assign(answer, { fetch: answer });
}

/**
 * Serves a function with `Deno.serve` until SIGINT/SIGTERM or `options.signal`, then shuts down gracefully: stops
 * accepting connections, lets in-flight requests finish and waits for `waitUntil` tasks (up to
 * `shutdownTimeoutMs`). A second signal during shutdown exits at once.
 *
 * @typeParam Env The shape of `ctx.env`.
 * @param fn The function, from `serverless()`.
 * @param options Port, hostname, abort signal, `onListen`, environment and shutdown settings.
 * @returns The running server: its port and URL, `finished`, and `shutdown()`.
 *
 * @example Serve on a free port, call it, stop it
 * ```ts
 * import { serverless } from "../mod.ts";
 * import { serve } from "./deno.ts";
 *
 * const fn = serverless({ name: "hi", fetch: () => new Response("hi") });
 * const server = serve(fn, { port: 0, hostname: "127.0.0.1", handleSignals: false, onListen() {} });
 * const res = await fetch(server.url);
 * console.assert((await res.text()) === "hi");
 * await server.shutdown();
 * ```
 */
export function serve<Env = DefaultEnv>(fn: ServerlessFunction<Env>, options: DenoServeOptions = {}): RunningServer {
  const tasks = new PendingTasks();
  const inFlight = new InFlight();
  // Asked for only when a request's Host is invalid, by which time the server is listening.
  const handler: DenoHandler = handlerFor(
    fn,
    options,
    tasks,
    (): string | undefined => listeningHost(server.addr),
    inFlight,
  );
  const port = checkPort(options.port ?? envPort() ?? 8000, options.port === undefined ? "PORT" : "options.port");
  const hostname = options.hostname ?? "0.0.0.0";
  const server = Deno.serve({
    port,
    hostname,
    onListen: options.onListen ??
      ((addr) => console.log(`Listening on ${localUrl(addr.hostname, addr.port)} (${fn.name})`)),
  }, handler);
  const addr = server.addr;

  const stopSignals = options.handleSignals === false ? () => {} : listenForSignals(() => shutdown());
  const shutdown = once(async () => {
    stopSignals();
    options.signal?.removeEventListener("abort", onAbort);
    const timeoutMs = options.shutdownTimeoutMs ?? SHUTDOWN_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    // Deno.serve's shutdown waits for every open response, however long it streams: end them at the deadline.
    const timer = setTimeout(() => inFlight.expire(), timeoutMs);
    try {
      await server.shutdown();
      await tasks.settle(Math.max(0, deadline - Date.now()));
    } finally {
      clearTimeout(timer);
    }
  });
  const onAbort = () => void shutdown();
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener("abort", onAbort, { once: true });
  // `server.finished` also resolves when Deno.serve stops by itself; waitUntil tasks are awaited either way.
  const finished = server.finished.then(() => shutdown());

  return {
    hostname: addr.hostname,
    port: addr.port,
    url: localUrl(addr.hostname, addr.port),
    finished,
    shutdown,
    [Symbol.asyncDispose]: shutdown,
  };
}

/**
 * The requests `serve()` is still answering, so that shutdown can end them once `shutdownTimeoutMs` is over:
 * `Deno.serve` has no way to close a connection with a response still open. A handler still running then gets a
 * 503 sent for it; a response body still streaming is cut (the client sees it end early, not a clean end).
 */
class InFlight {
  readonly #cuts = new Set<() => void>();
  // Each pending answer's way to give up on it; removed once it settles, so a long-running server keeps none.
  readonly #waiting = new Set<() => void>();
  #expired = false;

  /** The answer to send: `answer`, with a body that can be cut; a 503 if it is not there by the deadline. */
  bound(answer: Response | Promise<Response>): Response | Promise<Response> {
    if (answer instanceof Response) return this.#cuttable(answer);
    if (this.#expired) return shuttingDown();
    return new Promise<Response>((resolve, reject) => {
      const giveUp = () => resolve(shuttingDown());
      this.#waiting.add(giveUp);
      answer.then((response) => {
        // Too late: a 503 went out in its place.
        if (!this.#waiting.delete(giveUp)) return void response.body?.cancel().catch(() => {});
        resolve(this.#cuttable(response));
      }, (error) => {
        this.#waiting.delete(giveUp);
        reject(error);
      });
    });
  }

  /** The deadline has passed: end everything still open. */
  expire(): void {
    this.#expired = true;
    for (const giveUp of this.#waiting) giveUp();
    this.#waiting.clear();
    for (const cut of this.#cuts) cut();
  }

  #cuttable(response: Response): Response {
    if (this.#expired || response.status === 101 || !streamsItsBody(response)) return response;
    const body = response.body!;
    const reader = body.getReader();
    const cuts = this.#cuts;
    let cut = () => {};
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        cut = () => {
          cuts.delete(cut);
          controller.error(new Error("The server shut down before the response was complete."));
          reader.cancel(new DOMException("The server is shutting down.", "AbortError")).catch(() => {});
        };
        cuts.add(cut);
      },
      async pull(controller) {
        const next = await reader.read();
        if (!cuts.has(cut)) return;
        if (next.done) {
          cuts.delete(cut);
          controller.close();
        } else controller.enqueue(next.value);
      },
      cancel(reason) {
        cuts.delete(cut);
        return reader.cancel(reason);
      },
    });
    return new Response(stream, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  }
}

function shuttingDown(): Response {
  return new Response("Service Unavailable: the server is shutting down.\n", {
    status: 503,
    headers: { "content-type": "text/plain; charset=utf-8", connection: "close" },
  });
}

// Deno keeps a body given as a string or bytes apart from a stream until someone asks for `response.body`, and
// asking turns it into one (and costs Deno.serve its fast path): so look without asking. Found by description and
// checked on every use; where the internals are not there, every body counts as streamed, which is only slower.
const INNER: symbol | undefined = Object.getOwnPropertySymbols(new Response("")).find((symbol) =>
  symbol.description === "response"
);

function streamsItsBody(response: Response): boolean {
  if (INNER === undefined) return response.body !== null;
  const inner = (response as unknown as Record<symbol, { body?: { streamOrStatic?: unknown } | null } | undefined>)[
    INNER
  ];
  if (inner === undefined || !("body" in inner)) return response.body !== null;
  return inner.body?.streamOrStatic instanceof ReadableStream;
}

function listenForSignals(shutdown: () => Promise<void>): () => void {
  let received = false;
  const listeners = SHUTDOWN_SIGNALS.map((signal) => {
    const listener = () => {
      if (received) Deno.exit(SIGNAL_EXIT_CODES[signal]);
      received = true;
      void shutdown();
    };
    try {
      Deno.addSignalListener(signal, listener);
    } catch {
      return undefined; // SIGTERM cannot be listened to on Windows.
    }
    return [signal, listener] as const;
  });
  return () => {
    for (const entry of listeners) if (entry) Deno.removeSignalListener(...entry);
  };
}

function processEnv(): Record<string, string> {
  return Deno.permissions.querySync({ name: "env" }).state === "granted" ? Deno.env.toObject() : {};
}

function envPort(): number | undefined {
  if (Deno.permissions.querySync({ name: "env", variable: "PORT" }).state !== "granted") return undefined;
  const value = Deno.env.get("PORT");
  return value === undefined || value === "" ? undefined : Number(value);
}
