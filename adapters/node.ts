/**
 * Runs a function on Node.js (20 or later) with `node:http`: self-hosted, in a container, or behind any platform that
 * gives you a port.
 *
 * `IncomingMessage` becomes a Fetch `Request` (repeated headers kept, the body streamed with backpressure, a client
 * abort reaching `request.signal` and `ctx.signal`), and the `Response` goes back through `ServerResponse` (every
 * `Set-Cookie` kept, the body streamed with backpressure, none for HEAD, 204 and 304). `serve(fn)` starts a server
 * that shuts down gracefully on SIGINT/SIGTERM; `handle(fn)` gives a `(req, res)` listener for a server you own.
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
import { setImmediate } from "node:timers";
import { type Context, createContext, type DefaultEnv, type LogSink, type ServerlessFunction } from "../mod.ts";
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

export type { RunningServer } from "./_self_hosted.ts";

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

const NO_BODY_STATUS = new Set([101, 103, 204, 205, 304]);
const PENDING = Symbol("pending");

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
    const gone = new AbortController();
    res.once("close", () => {
      if (!res.writableFinished) gone.abort(new DOMException("The client went away.", "AbortError"));
    });
    let request: Request;
    try {
      request = toRequest(req, gone.signal);
    } catch (error) {
      res.writeHead(400, { "content-type": "text/plain; charset=utf-8" });
      res.end(`Bad Request: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    const ctx: Context<Env, NodeRaw> = createContext<Env, NodeRaw>({
      platform: "node",
      requestId: requestIdFrom(request.headers, header),
      env,
      signal: gone.signal,
      waitUntil,
      raw: { req, res },
      ...(options.logSink && { logSink: options.logSink }),
    });
    const response = await fn.dispatch(request, ctx);
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
 * Converts a `node:http` request into a Fetch `Request`: the URL from `Host` (or the socket's address) and the
 * request target, every header including repeated ones, and the body as a stream that pauses the socket while
 * nobody reads it. GET and HEAD requests, and requests without `Content-Length` or `Transfer-Encoding`, get no body.
 *
 * @param req The incoming request.
 * @param signal Becomes `request.signal`; abort it when the client disconnects.
 * @returns The Fetch request.
 *
 * @example Usage
 * ```ts
 * import { createServer } from "node:http";
 * import { toRequest } from "./node.ts";
 *
 * const server = createServer(async (req, res) => {
 *   const request = toRequest(req);
 *   res.end(`${request.method} ${new URL(request.url).pathname} ${await request.text()}`);
 * });
 * await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
 * const { port } = server.address() as { port: number };
 * const res = await fetch(`http://127.0.0.1:${port}/a`, { method: "POST", body: "b" });
 * console.assert((await res.text()) === "POST /a b");
 * await new Promise((resolve) => server.close(resolve));
 * ```
 */
export function toRequest(req: IncomingMessage, signal?: AbortSignal): Request {
  // Pairs, not a Headers object: the Request builds its own Headers from them, so they are converted once.
  const headers: [string, string][] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.push([raw[i]!, raw[i + 1]!]);
  const method = req.method ?? "GET";
  const target = req.url ?? "/";
  const scheme = (req.socket as { encrypted?: boolean }).encrypted ? "https" : "http";
  // The request target is origin-form (`/path?q`) except behind a forward proxy, which sends an absolute URL.
  const url = target.startsWith("/") ? `${scheme}://${hostOf(req)}${target}` : new URL(target).href;
  const hasBody = method !== "GET" && method !== "HEAD" &&
    (req.headers["transfer-encoding"] !== undefined ||
      (req.headers["content-length"] !== undefined && req.headers["content-length"] !== "0"));
  const init: RequestInit & { duplex?: "half" } = { method, headers };
  // Node's Request follows a given signal through a dependent signal of its own, which costs about a fifth of the
  // adapter's CPU per request (BENCHMARKS.md); it is kept because `new Request(request)` and `fetch(request)` then
  // carry the client's abort on, as they should.
  if (signal) init.signal = signal;
  if (hasBody) {
    init.body = bodyOf(req);
    init.duplex = "half";
  }
  return new Request(url, init);
}

function hostOf(req: IncomingMessage): string {
  const host = req.headers.host;
  if (host) return host;
  const { localAddress, localPort } = req.socket;
  return localAddress?.includes(":") ? `[${localAddress}]:${localPort}` : `${localAddress}:${localPort}`;
}

// Pull-based: the socket is paused whenever the stream's queue is full and resumed when the reader asks for more,
// so a slow handler holds the client back instead of buffering the whole upload.
function bodyOf(req: IncomingMessage): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on("data", (chunk: Uint8Array) => {
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.once("end", () => controller.close());
      req.once("error", (error) => controller.error(error));
      req.pause();
    },
    pull() {
      req.resume();
    },
    cancel() {
      req.destroy();
    },
  }, { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength });
}

/**
 * Writes a Fetch `Response` to a `node:http` response: status, every header (each `Set-Cookie` separately), and the
 * body with backpressure (it waits for `'drain'` whenever `res.write()` returns `false`). HEAD requests and 204, 205
 * and 304 responses get no body. A body that is already complete goes out with `Content-Length`, a streamed one
 * chunked. When the client disconnects, the body stream is cancelled.
 *
 * @param res The response to write to.
 * @param response The Fetch response.
 * @param method The request method; `HEAD` sends the headers only.
 * @returns Resolves when the response is written or the client went away; rejects when the body stream fails.
 *
 * @example Usage
 * ```ts
 * import { createServer } from "node:http";
 * import { writeResponse } from "./node.ts";
 *
 * const server = createServer((_req, res) => {
 *   const headers = new Headers([["set-cookie", "a=1"], ["set-cookie", "b=2"]]);
 *   void writeResponse(res, new Response("ok", { status: 201, headers }));
 * });
 * await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
 * const { port } = server.address() as { port: number };
 * const res = await fetch(`http://127.0.0.1:${port}/`);
 * console.assert(res.status === 201 && res.headers.getSetCookie().length === 2 && (await res.text()) === "ok");
 * await new Promise((resolve) => server.close(resolve));
 * ```
 */
export async function writeResponse(res: ServerResponse, response: Response, method = "GET"): Promise<void> {
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  for (const [name, value] of response.headers) if (name !== "set-cookie") res.setHeader(name, value);
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);

  const body = response.body;
  if (body === null || method === "HEAD" || NO_BODY_STATUS.has(response.status)) {
    await body?.cancel().catch(() => {});
    res.end();
    return;
  }
  const reader = body.getReader();
  const cancel = () => {
    if (!res.writableFinished) reader.cancel(new DOMException("The client went away.", "AbortError")).catch(() => {});
  };
  res.once("close", cancel);
  try {
    let next = reader.read();
    // The fast path: a body that is already complete (a string, bytes, JSON) goes out in one write with a
    // Content-Length; anything still being produced is streamed, with the headers sent at once.
    let first = await settledSoon(next);
    if (first === PENDING) {
      res.flushHeaders();
      first = await next;
    }
    if (first.done) return void res.end();
    next = reader.read();
    const second = await settledSoon(next);
    if (second !== PENDING && second.done && !res.headersSent) {
      if (!res.hasHeader("content-length")) res.setHeader("content-length", byteLength(first.value));
      return void res.end(first.value);
    }
    let chunk: ReadableStreamReadResult<Uint8Array> = first;
    for (;;) {
      if (chunk.done) break;
      if (!res.write(chunk.value)) await drained(res);
      if (res.destroyed) return;
      chunk = await next;
      next = chunk.done ? next : reader.read();
    }
    if (!res.destroyed) res.end();
  } finally {
    res.off("close", cancel);
  }
}

// A body that is already there (a string, bytes, JSON) resolves its reads within microtasks; one still being
// produced does not by the time the event loop comes round. The answer only picks the fast path: both paths are right.
function settledSoon<T>(promise: Promise<T>): Promise<T | typeof PENDING> {
  return Promise.race([promise, new Promise<typeof PENDING>((resolve) => setImmediate(resolve, PENDING))]);
}

function byteLength(chunk: Uint8Array | string): number {
  return typeof chunk === "string" ? new TextEncoder().encode(chunk).byteLength : chunk.byteLength;
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
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
