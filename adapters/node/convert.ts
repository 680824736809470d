/**
 * The two conversions of the Node adapter: `IncomingMessage` → Fetch `Request` and Fetch `Response` →
 * `ServerResponse`, both streaming with backpressure. Re-exported by `../node.ts`; other `node:http`-style bridges
 * can use them too.
 *
 * @module
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import { Buffer } from "node:buffer";
import { setImmediate } from "node:timers";
import { HttpError } from "../../src/http_error.ts";
import { lazyRequest } from "../_lazy_request.ts";
import { assertFetchMethod, requestUrl, socketHost } from "../_request_url.ts";
import { responseHeaderFilter } from "../_framing.ts";

const NO_BODY_STATUS = new Set([101, 103, 204, 205, 304]);
const PENDING = Symbol("pending");

/**
 * Converts a `node:http` request into a Fetch `Request`: the URL from `Host` (or the socket's address, when `Host`
 * is missing or not a valid `host[:port]`) and the request target, every header including repeated ones, and the
 * body as a stream that pauses the socket while nobody reads it. GET and HEAD requests, and requests without
 * `Content-Length` or `Transfer-Encoding`, get no body.
 *
 * @param req The incoming request.
 * @param signal Becomes `request.signal`; abort it when the client disconnects.
 * @returns The Fetch request.
 * @throws {Error} A `BadTarget` (message fit for a 400) when the path has a `.` or `..` segment or the target is not
 *   a path or an absolute http(s) URL.
 *
 * @example Usage
 * ```ts
 * import { createServer } from "node:http";
 * import { toRequest } from "../node.ts";
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
  return build(req, req.method ?? "GET", urlOf(req), signal, undefined);
}

// The methods the Fetch constructor accepts and normalizes to themselves (Node's parser hands them over in capitals);
// anything else (CONNECT, TRACE, an extension method) is built at once, so it fails or passes exactly as before.
const LAZY_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]);

/** A lazily built request, and how to keep its body readable once the response goes out. */
export interface LazyNodeRequest {
  /** The request the function gets. */
  request: Request;
  /**
   * Starts taking the body now if the `Request` has not been built yet. Call it before the response is written: Node
   * discards a body nobody has started to read once the response finishes, and a `waitUntil` task may still read it.
   */
  holdBody(): void;
}

const HELD = (): void => {};

/**
 * What the Node adapter hands to the function: the same `Request` as {@linkcode toRequest} makes, built on first use
 * beyond `method`, `url` and `signal` (see `../_lazy_request.ts`). The body stream, the `Request` and its copy of
 * the client-gone signal are only made when a handler needs them; a router that reads the method and the URL and a
 * handler that never reads the request cost neither.
 *
 * @param req The incoming request.
 * @param signal Gives the client-gone signal, the same one on every call; it is made when first asked for.
 * @returns The Fetch request (or one that turns into it on first use) and `holdBody`.
 */
export function lazyToRequest(req: IncomingMessage, signal: () => AbortSignal): LazyNodeRequest {
  const method = req.method ?? "GET";
  const url = urlOf(req);
  if (!LAZY_METHODS.has(method)) assertFetchMethod(method);
  if (!LAZY_METHODS.has(method)) return { request: build(req, method, url, signal(), undefined), holdBody: HELD };
  let built = false;
  let body: ReadableStream<Uint8Array> | undefined;
  const request = lazyRequest(method, url, signal, () => {
    built = true;
    try {
      return build(req, method, url, signal(), body);
    } catch (error) {
      // Node's parser has checked the headers already, so this is not expected; if it happens, it is the client's.
      throw new HttpError(400, `Bad Request: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  const holdBody = () => {
    if (!built && body === undefined && hasBody(req, method)) body = bodyOf(req);
  };
  return { request, holdBody };
}

function urlOf(req: IncomingMessage): string {
  const scheme = (req.socket as { encrypted?: boolean }).encrypted ? "https" : "http";
  return requestUrl(
    scheme,
    req.url ?? "/",
    req.headers.host,
    () => socketHost(req.socket.localAddress, req.socket.localPort),
  );
}

function hasBody(req: IncomingMessage, method: string): boolean {
  return method !== "GET" && method !== "HEAD" &&
    (req.headers["transfer-encoding"] !== undefined ||
      (req.headers["content-length"] !== undefined && req.headers["content-length"] !== "0"));
}

function build(
  req: IncomingMessage,
  method: string,
  url: string,
  signal: AbortSignal | undefined,
  body: ReadableStream<Uint8Array> | undefined,
): Request {
  // Pairs, not a Headers object: the Request builds its own Headers from them, so they are converted once.
  const headers: [string, string][] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.push([raw[i]!, raw[i + 1]!]);
  const init: RequestInit & { duplex?: "half" } = { method, headers };
  // Node's Request follows a given signal through a dependent signal of its own, which costs about a fifth of the
  // adapter's CPU per request (BENCHMARKS.md); it is kept because `new Request(request)` and `fetch(request)` then
  // carry the client's abort on, as they should. The lazy request only pays it when the Request is built.
  if (signal) init.signal = signal;
  if (hasBody(req, method)) {
    init.body = body ?? bodyOf(req);
    init.duplex = "half";
  }
  return new Request(url, init);
}

/**
 * The value of header `name` as `Headers.get` would report it, read from `req.rawHeaders` without building a
 * `Headers`: every occurrence, in order, joined with `, `, leading and trailing spaces and tabs removed.
 *
 * @param req The incoming request.
 * @param name The header name, in any case.
 * @returns The value, or `null` when the header is absent.
 */
export function headerOf(req: IncomingMessage, name: string): string | null {
  const raw = req.rawHeaders;
  let value: string | null = null;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const key = raw[i]!;
    if (key.length !== name.length || key.toLowerCase() !== name.toLowerCase()) continue;
    const one = raw[i + 1]!.replace(/^[\t ]+|[\t ]+$/g, "");
    value = value === null ? one : `${value}, ${one}`;
  }
  return value;
}

/**
 * How much of a request body still on the wire when its response goes out is read after it. Up to this much is read
 * (and kept, for a `waitUntil` task that reads the body late), so the next request on the keep-alive connection can
 * be parsed; a longer body gets `Connection: close` instead, as reading it would cost more than a new connection.
 */
const UNREAD_BODY_LIMIT = 4 * 1024 * 1024;

/** The body stream of a request, as the response side needs to see it. */
interface BodyState {
  /** Bytes received so far. */
  received: number;
  /** Stops holding the socket back: every chunk from now on is taken at once (up to the limit). */
  drain(): void;
  /** Whether a reader has the body (`text()`, `getReader()`, …), which then takes it at its own pace. */
  read(): boolean;
}

const BODIES = new WeakMap<IncomingMessage, BodyState>();

/**
 * Makes sure a request body nobody has read to its end cannot stall the connection once the response is out: Node
 * only discards the rest of a body nobody started to read, and the adapter's body stream has started (it holds the
 * socket back until a reader asks). Call it before the response is written. A body a reader has started on is left
 * to it. Of one nobody reads, at most `UNREAD_BODY_LIMIT` (4 MiB) left is read after the response (kept for a late
 * reader); a longer one, or a chunked one that turns out longer, closes the connection (`Connection: close`, or cut
 * once past the limit).
 *
 * @param req The request.
 * @param res Its response, before anything is written.
 */
export function settleUnreadBody(req: IncomingMessage, res: ServerResponse): void {
  const state = BODIES.get(req);
  // A reader that has started (often a waitUntil task reading on after the response) takes the rest itself.
  if (state === undefined || req.complete || state.read()) return;
  const declared = req.headers["content-length"];
  const left = declared === undefined ? undefined : Number(declared) - state.received;
  if (left !== undefined && !(left <= UNREAD_BODY_LIMIT)) {
    if (!res.headersSent) res.setHeader("connection", "close");
    return;
  }
  res.once("finish", () => state.drain());
}

// Pull-based: the socket is paused whenever the stream's queue is full and resumed when the reader asks for more,
// so a slow handler holds the client back instead of buffering the whole upload.
function bodyOf(req: IncomingMessage): ReadableStream<Uint8Array> {
  let draining = false;
  let after = 0;
  const state: BodyState = {
    received: 0,
    drain() {
      draining = true;
      req.resume();
    },
    read: () => false,
  };
  BODIES.set(req, state);
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      // Made lazily, the stream may start after the client has gone: the events it would have seen are past.
      if (req.destroyed && !req.readableEnded) {
        return controller.error(req.errored ?? new DOMException("The client went away.", "AbortError"));
      }
      req.on("data", (chunk: Uint8Array) => {
        state.received += chunk.byteLength;
        if (draining && (after += chunk.byteLength) > UNREAD_BODY_LIMIT) {
          // A chunked body longer than the limit, after its response: not worth reading on.
          controller.error(
            new RangeError(`The request body was not read before its response and is over ${UNREAD_BODY_LIMIT} bytes.`),
          );
          return void req.destroy();
        }
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if (!draining && (controller.desiredSize ?? 0) <= 0) req.pause();
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
  state.read = () => stream.locked;
  return stream;
}

/**
 * Writes a Fetch `Response` to a `node:http` response: status, every header (each `Set-Cookie` separately) but
 * the framing ones, and the body with backpressure (it waits for `'drain'` whenever `res.write()` returns `false`).
 * HEAD requests and 204, 205 and 304 responses get no body. A body that is already complete goes out with its real
 * `Content-Length`, a streamed one chunked; hop-by-hop headers, a `Content-Length` the handler set, and the
 * `Content-Encoding` of a body `fetch` already decoded are never sent, so a proxied or mislabelled response cannot
 * desync the connection. When the client disconnects, the body stream is cancelled.
 *
 * @param res The response to write to.
 * @param response The Fetch response.
 * @param method The request method; `HEAD` sends the headers only.
 * @returns Resolves when the response is written or the client went away; rejects when the body stream fails.
 *
 * @example Usage
 * ```ts
 * import { createServer } from "node:http";
 * import { writeResponse } from "../node.ts";
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
  // Framing (length, chunking, keep-alive) is Node's to decide from the bytes it sends: see ../_framing.ts.
  const filter = responseHeaderFilter(response, method);
  for (const [name, value] of response.headers) {
    if (name !== "set-cookie" && filter.keep(name)) res.setHeader(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);

  const body = response.body;
  if (body === null || method === "HEAD" || NO_BODY_STATUS.has(response.status)) {
    if (filter.headLength !== undefined && !res.headersSent) res.setHeader("content-length", filter.headLength);
    await body?.cancel().catch(() => {});
    res.end();
    return;
  }
  const complete = completeBody(response, body);
  if (complete !== undefined) {
    if (!res.headersSent) {
      res.setHeader("content-length", typeof complete === "string" ? Buffer.byteLength(complete) : complete.byteLength);
    }
    return void res.end(complete);
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
      res.setHeader("content-length", byteLength(first.value));
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

// Node's Fetch (undici) keeps what a body was made from next to its stream: the string of `new Response("hello")`,
// the bytes of `Response.json()`, an ArrayBuffer's copy. Such a body is complete and in memory, and its stream would
// hand over exactly these bytes (UTF-8 for a string) in one chunk, so it is written at once, without a reader, a
// stream read or a trip round the event loop. Found by description, checked on every use; where it is not there
// (another runtime, another undici) or does not hold a string or bytes, the stream is read as before.
const STATE: symbol | undefined = Object.getOwnPropertySymbols(new Response("")).find((symbol) =>
  symbol.description === "state"
);
const COMPLETE_LIMIT = 1024 * 1024;

function completeBody(response: Response, stream: ReadableStream<Uint8Array>): string | Uint8Array | undefined {
  if (STATE === undefined || response.bodyUsed || stream.locked) return undefined;
  const body = (response as unknown as Record<symbol, { body?: { stream?: unknown; source?: unknown } } | undefined>)[
    STATE
  ]?.body;
  // The source is only the body while the stream beside it is the one the Response hands out.
  if (body === undefined || body.stream !== stream) return undefined;
  const source = body.source;
  if (typeof source === "string") return source.length <= COMPLETE_LIMIT ? source : undefined;
  return source instanceof Uint8Array && source.byteLength <= COMPLETE_LIMIT ? source : undefined;
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
