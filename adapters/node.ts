/**
 * Runs a function on Node.js (20 or later) with `node:http`: self-hosted, in a container, or behind any platform that
 * gives you a port.
 *
 * `IncomingMessage` becomes a Fetch `Request` (repeated headers kept, the body streamed with backpressure, a client
 * abort reaching `request.signal` and `ctx.signal`; built on first use beyond `method`, `url` and `signal`, so a
 * handler that does not read the request does not pay for it), and the `Response` goes back through `ServerResponse`
 * (every `Set-Cookie` kept, the body streamed with backpressure, none for HEAD, 204 and 304). `serve(fn)` starts a
 * server that shuts down gracefully on SIGINT/SIGTERM; `handle(fn)` gives a `(req, res)` listener for a server you
 * own.
 *
 * @example Serve a function
 * ```ts ignore
 * import { serve } from "@slrs/core/node";
 * import shop from "./shop.ts";
 *
 * await serve(shop, { port: 8000 });
 * ```
 *
 * @module
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import process from "node:process";
import {
  type Context,
  createContext,
  type DefaultEnv,
  errorText,
  jsonError,
  type LogSink,
  type ServerlessFunction,
} from "../mod.ts";
import {
  checkPort,
  localUrl,
  once,
  PendingTasks,
  REQUEST_ID_HEADER,
  type RunningServer,
  safeRequestId,
  SHUTDOWN_SIGNALS,
  SHUTDOWN_TIMEOUT_MS,
  SIGNAL_EXIT_CODES,
} from "./_self_hosted.ts";

import { headerOf, type LazyNodeRequest, lazyToRequest, settleUnreadBody, writeResponse } from "./node/convert.ts";
import { BadTarget } from "./_request_url.ts";

export type { RunningServer } from "./_self_hosted.ts";
export { toRequest, writeResponse } from "./node/convert.ts";

/** What `ctx.raw` holds on Node. */
export interface NodeRaw {
  /** The incoming request; its body has been handed to the Fetch `Request`, so read that instead. */
  req: IncomingMessage;
  /** The response the adapter writes; only touch it for what Fetch cannot say (e.g. trailers). */
  res: ServerResponse;
}

/** A `node:http` request listener, as `createServer(listener)` and Express take it. */
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => void;

/** Options for {@linkcode handle}. */
export interface NodeHandleOptions {
  /** Variables and bindings added to (and winning over) `process.env` in `ctx.env`. */
  env?: Record<string, unknown>;
  /** Whether `ctx.env` starts from `process.env`. Default `true`. */
  processEnv?: boolean;
  /** The header a request id is taken from, or `false` to always make a UUID. Default `x-request-id`. */
  requestIdHeader?: string | false;
  /** Where `ctx.log` writes; JSON lines on the console by default. */
  logSink?: LogSink;
}

/** Options for {@linkcode serve}. */
export interface NodeServeOptions extends NodeHandleOptions {
  /** The port; default the `PORT` environment variable, else 8000. `0` lets the OS pick one. */
  port?: number;
  /** The address to listen on. Default `0.0.0.0`. */
  hostname?: string;
  /** Aborting it shuts the server down gracefully. */
  signal?: AbortSignal;
  /** Called once listening; by default a `Listening on …` line is printed. */
  onListen?: (addr: { hostname: string; port: number }) => void;
  /** Whether SIGINT/SIGTERM shut the server down gracefully (a second one exits at once). Default `true`. */
  handleSignals?: boolean;
  /**
   * How long shutdown waits for in-flight requests and `waitUntil` tasks, in ms, before it closes the remaining
   * connections. Default 10000.
   */
  shutdownTimeoutMs?: number;
}

/** What {@linkcode serve} returns: the common {@linkcode RunningServer} plus the `node:http` server itself. */
export interface NodeServer extends RunningServer {
  /** The underlying server, e.g. for `server.headersTimeout`. */
  readonly server: Server;
}

/**
 * Turns a function into a `node:http` request listener: each request becomes a Fetch `Request` with a context
 * (platform `node`, `ctx.env` from `process.env` plus `options.env`, the request id from `x-request-id` or a UUID),
 * and the `Response` is written back with backpressure.
 *
 * @typeParam Env The shape of `ctx.env`.
 * @param fn The function, from `serverless()`.
 * @param options Environment, request id header and log sink.
 * @returns A listener for `http.createServer(listener)` (or `https`, or Express's `app.use`).
 *
 * @example Use your own server
 * ```ts
 * import { createServer } from "node:http";
 * import { serverless } from "../mod.ts";
 * import { handle } from "./node.ts";
 *
 * const fn = serverless({ name: "hi", fetch: (_req, ctx) => new Response(`hi from ${ctx.platform}`) });
 * const server = createServer(handle(fn));
 * await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
 * const { port } = server.address() as { port: number };
 * const res = await fetch(`http://127.0.0.1:${port}/`);
 * console.assert((await res.text()) === "hi from node");
 * await new Promise((resolve) => server.close(resolve));
 * ```
 */
export function handle<Env = DefaultEnv>(fn: ServerlessFunction<Env>, options: NodeHandleOptions = {}): NodeListener {
  return listenerFor(fn, options, new PendingTasks(), () => false);
}

function listenerFor<Env>(
  fn: ServerlessFunction<Env>,
  options: NodeHandleOptions,
  tasks: PendingTasks,
  closing: () => boolean,
): NodeListener {
  const env = { ...(options.processEnv === false ? {} : process.env), ...options.env } as Env;
  const header = options.requestIdHeader ?? REQUEST_ID_HEADER;
  const waitUntil = (promise: Promise<unknown>) => tasks.add(promise);
  const respond = async (req: IncomingMessage, res: ServerResponse) => {
    const gone = new ClientGone();
    res.once("close", () => {
      if (!res.writableFinished) gone.abort();
    });
    // Read from the raw headers, so that the Request need not be built; a UUID is only made if someone asks.
    const requestId = header === false ? undefined : safeRequestId(headerOf(req, header));
    let lazy: LazyNodeRequest;
    try {
      lazy = lazyToRequest(req, gone.signal);
    } catch (error) {
      // The same 400 the function's own checks answer (a bad target, a dot segment), so every adapter agrees.
      const message = error instanceof BadTarget ? error.message : `Bad Request: ${errorText(error)}`;
      await writeResponse(res, jsonError(400, message, requestId ?? crypto.randomUUID()), req.method);
      return;
    }
    const request = lazy.request;
    const ctx: Context<Env, NodeRaw> = createContext<Env, NodeRaw>({
      platform: "node",
      ...(requestId !== undefined && { requestId }),
      env,
      signal: gone.signal,
      waitUntil,
      raw: { req, res },
      ...(options.logSink && { logSink: options.logSink }),
    });
    const response = await fn.dispatch(request, ctx);
    lazy.holdBody();
    settleUnreadBody(req, res);
    if (closing() && !res.headersSent) res.setHeader("connection", "close");
    try {
      await writeResponse(res, response, request.method);
    } catch (error) {
      ctx.log.error("the response body failed while it was being sent", { error: String(error) });
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  };
  return (req, res) =>
    void respond(req, res).catch((error) => {
      // Not expected (dispatch never rejects); a listener must not leave an unhandled rejection behind either way.
      console.error(`slrs node adapter: ${error instanceof Error ? error.stack : String(error)}`);
      res.destroy();
    });
}

/**
 * Serves a function with `node:http` until SIGINT/SIGTERM or `options.signal`, then shuts down gracefully: stops
 * accepting connections, closes idle keep-alive connections, lets in-flight requests finish and waits for
 * `waitUntil` tasks; after `shutdownTimeoutMs` the remaining connections are closed. A second signal exits at once.
 *
 * @typeParam Env The shape of `ctx.env`.
 * @param fn The function, from `serverless()`.
 * @param options Port, hostname, abort signal, `onListen`, environment and shutdown settings.
 * @returns Once listening: the port and URL, `finished`, `shutdown()` and the `node:http` server.
 *
 * @example Serve on a free port, call it, stop it
 * ```ts
 * import { serverless } from "../mod.ts";
 * import { serve } from "./node.ts";
 *
 * const fn = serverless({ name: "hi", fetch: () => new Response("hi") });
 * const server = await serve(fn, { port: 0, hostname: "127.0.0.1", handleSignals: false, onListen() {} });
 * const res = await fetch(server.url);
 * console.assert((await res.text()) === "hi");
 * await server.shutdown();
 * ```
 */
export async function serve<Env = DefaultEnv>(
  fn: ServerlessFunction<Env>,
  options: NodeServeOptions = {},
): Promise<NodeServer> {
  const tasks = new PendingTasks();
  let closing = false;
  const server = createServer(listenerFor(fn, options, tasks, () => closing));
  const envPort = process.env.PORT ? Number(process.env.PORT) : undefined;
  const port = checkPort(options.port ?? envPort ?? 8000, options.port === undefined ? "PORT" : "options.port");
  const hostname = options.hostname ?? "0.0.0.0";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = localUrl(address.address, address.port);
  (options.onListen ?? (() => console.log(`Listening on ${url} (${fn.name})`)))({
    hostname: address.address,
    port: address.port,
  });

  const timeoutMs = options.shutdownTimeoutMs ?? SHUTDOWN_TIMEOUT_MS;
  const stopSignals = options.handleSignals === false ? () => {} : listenForSignals(() => shutdown());
  const shutdown = once(async () => {
    closing = true;
    stopSignals();
    options.signal?.removeEventListener("abort", onAbort);
    const deadline = Date.now() + timeoutMs;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    // Keep-alive connections become idle as their last response ends: close them then rather than waiting.
    const closeIdle = () => server.closeIdleConnections();
    server.on("request", (_req: IncomingMessage, res: ServerResponse) => res.once("finish", closeIdle));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<void>((resolve) => timer = setTimeout(resolve, timeoutMs));
    await Promise.race([closed, expired]);
    server.closeAllConnections();
    await tasks.settle(Math.max(0, deadline - Date.now()));
    clearTimeout(timer);
    await closed;
  });
  const onAbort = () => void shutdown();
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener("abort", onAbort, { once: true });
  const finished = new Promise<void>((resolve) => server.once("close", () => resolve(shutdown())));

  return {
    hostname: address.address,
    port: address.port,
    url,
    server,
    finished,
    shutdown,
    [Symbol.asyncDispose]: shutdown,
  };
}

/**
 * Whether the client went away before its response was delivered, as an `AbortSignal` made on first use: most
 * requests never read `ctx.signal` or `request.signal`, and an `AbortController` costs a few µs on Node 20.
 */
class ClientGone {
  #controller: AbortController | undefined;
  #reason: DOMException | undefined;

  /** The signal, the same one on every call; already aborted if the client left before it was asked for. */
  readonly signal = (): AbortSignal => {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#reason !== undefined) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  };

  abort(): void {
    if (this.#reason !== undefined) return;
    this.#reason = new DOMException("The client went away.", "AbortError");
    this.#controller?.abort(this.#reason);
  }
}

function listenForSignals(shutdown: () => Promise<void>): () => void {
  let received = false;
  const listeners = SHUTDOWN_SIGNALS.map((signal) => {
    const listener = () => {
      if (received) process.exit(SIGNAL_EXIT_CODES[signal]);
      received = true;
      void shutdown();
    };
    process.on(signal, listener);
    return [signal, listener] as const;
  });
  return () => {
    for (const [signal, listener] of listeners) process.off(signal, listener);
  };
}
