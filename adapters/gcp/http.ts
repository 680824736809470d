/**
 * Google Cloud Functions / Cloud Run functions: the functions-framework's Express `(req, res)` to a `Request`, and
 * the `Response` streamed back through `res`.
 *
 * @module
 */

import {
  type Context,
  createContext,
  errorText,
  jsonError,
  logLine,
  type LogSink,
  type ServerlessFunction,
} from "../../mod.ts";
import { pending, processEnv } from "../_env.ts";
import { assertFetchMethod, BadTarget, requestUrl, socketHost } from "../_request_url.ts";
import { responseHeaderFilter } from "../_framing.ts";

/** The parts of the framework's (Express) request the adapter reads. */
export interface GcpRequest extends AsyncIterable<Uint8Array> {
  /** The method. */
  readonly method?: string | undefined;
  /** The path and query as received (Express keeps it in `originalUrl` when routing changes `url`). */
  readonly url?: string | undefined;
  /** The path and query before routing. */
  readonly originalUrl?: string;
  /** `http` or `https`, from `X-Forwarded-Proto` behind Google's front end. */
  readonly protocol?: string;
  /** Header names and values as received, alternating; repeated headers stay apart. */
  readonly rawHeaders: readonly string[];
  /** The body bytes, kept by the framework's body parsers. */
  readonly rawBody?: Uint8Array;
  /** Whether the body stream has been read to its end (by a body parser). */
  readonly readableEnded?: boolean;
  /** The framework's execution id (from `function-execution-id`, or generated). */
  readonly executionId?: string;
  /** The connection; its local address stands in for a `Host` that is not a valid `host[:port]`. */
  readonly socket?: { readonly localAddress?: string | undefined; readonly localPort?: number | undefined };
}

/** The parts of the framework's (Express / `node:http`) response the adapter writes. */
export interface GcpResponse {
  /** The status to send. */
  statusCode: number;
  /** Sets a header; a list sends the header once per value. */
  setHeader(name: string, value: string | string[]): unknown;
  /** Sends the status and headers now, before the body. */
  flushHeaders(): void;
  /** Writes a body chunk; `false` means wait for `drain`. */
  write(chunk: Uint8Array): boolean;
  /** Ends the response. */
  end(): unknown;
  /** Closes the connection at once, so the client sees the body cut short. */
  destroy(error?: Error): unknown;
  /** Listens once for `drain` or `close`. */
  once(event: "drain" | "close", listener: () => void): unknown;
  /** Whether the whole response has been handed to the system. */
  readonly writableFinished: boolean;
  /** Whether the connection is gone. */
  readonly destroyed: boolean;
}

/** What `ctx.raw` holds for an HTTP request on Google Cloud. */
export interface GcpHttpRaw {
  /** The framework's request. */
  readonly req: GcpRequest;
  /** The framework's response. */
  readonly res: GcpResponse;
}

/** The HTTP function the framework calls. */
export type GcpHttpFunction = (req: GcpRequest, res: GcpResponse) => Promise<void>;

/**
 * Makes the functions-framework HTTP function for a function: `functions.http(name, handle(fn))`, or export it
 * as the `--target`. The body comes from the framework's body parsers (`req.rawBody`, which they fill for every
 * content type they read; an unread body streams), repeated headers stay apart, the response streams back with
 * backpressure, every `Set-Cookie` is sent, a client that goes away aborts `request.signal`, and `ctx.log`
 * writes JSON lines with the `severity` Cloud Logging reads. `ctx.waitUntil` work is awaited after the body is
 * written and before the response ends: Cloud Run may throttle the CPU of an instance once no request is open.
 *
 * @param fn The function.
 * @returns The HTTP function.
 *
 * @example Register with the framework
 * ```ts
 * import functions from "npm:@google-cloud/functions-framework@^5.0.5";
 * import { serverless } from "../../mod.ts";
 * import { handle } from "./http.ts";
 *
 * const fn = serverless({ name: "hello", fetch: () => new Response("hi") });
 * functions.http("hello", handle(fn));
 * ```
 */
export function handle(fn: ServerlessFunction<never>): GcpHttpFunction {
  return async (req, res) => {
    const abort = new AbortController();
    res.once("close", () => {
      if (!res.writableFinished) abort.abort(new Error("The client closed the connection."));
    });
    const work = pending();
    const ctx = gcpContext(req.executionId, { req, res }, work.add, abort.signal);
    let response: Response | Promise<Response>;
    try {
      response = fn.dispatch(toRequest(req, abort.signal), ctx as Context<never>);
    } catch (error) {
      // A request Fetch cannot represent (TRACE, a dot segment) is the client's mistake: a 400 saying why, never
      // the framework's crash path.
      const message = error instanceof BadTarget ? error.message : `Bad Request: ${(error as Error).message}`;
      response = jsonError(400, message, ctx.requestId);
    }
    await writeResponse(await response, req.method ?? "GET", res, ctx, work.settled);
  };
}

/**
 * The context of one invocation on Google Cloud.
 *
 * @param requestId The execution id or event id.
 * @param raw The native objects.
 * @param waitUntil Where `ctx.waitUntil` work goes.
 * @param signal Aborts when the client goes away.
 * @returns The context.
 *
 * @example Usage
 * ```ts
 * import { gcpContext } from "./http.ts";
 * const ctx = gcpContext("exec-1", {}, () => {});
 * console.assert(ctx.requestId === "exec-1" && ctx.platform === "gcp");
 * ```
 */
export function gcpContext<Raw>(
  requestId: string | undefined,
  raw: Raw,
  waitUntil: (promise: Promise<unknown>) => void,
  signal?: AbortSignal,
): Context<Record<string, unknown>, Raw> {
  return createContext<Record<string, unknown>, Raw>({
    platform: "gcp",
    ...(requestId && { requestId }),
    env: processEnv(),
    ...(signal && { signal }),
    waitUntil,
    raw,
    logSink: cloudLogging,
  });
}

const SEVERITY = { debug: "DEBUG", info: "INFO", warn: "WARNING", error: "ERROR" } as const;

// Cloud Logging turns a JSON line on stdout into a structured entry and reads its level from `severity`.
const cloudLogging: LogSink = (record) => {
  const line = logLine({ severity: SEVERITY[record.level], ...record });
  if (record.level === "error" || record.level === "warn") console.error(line);
  else console.log(line);
};

function toRequest(req: GcpRequest, signal: AbortSignal): Request {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  // The path from the request line as it came (`//evil.example/admin` is a path, not a host); the host from Host
  // only when it is host[:port], else the socket's own address.
  const url = requestUrl(
    req.protocol === "https" ? "https" : "http",
    req.originalUrl ?? req.url ?? "/",
    headers.get("host"),
    () => socketHost(req.socket?.localAddress, req.socket?.localPort),
  );
  const method = req.method ?? "GET";
  assertFetchMethod(method);
  let body: BodyInit | null = null;
  if (method !== "GET" && method !== "HEAD") {
    // The body parsers read every body they recognize and keep its bytes; one they skipped is still unread.
    if (req.rawBody !== undefined) body = req.rawBody as Uint8Array<ArrayBuffer>;
    else if (!req.readableEnded) body = ReadableStream.from(req);
  }
  return new Request(url, { method, headers, body, signal, ...(body instanceof ReadableStream && { duplex: "half" }) });
}

// `beforeEnd` runs between the last body chunk and the end of the response: Cloud Run may throttle the CPU of an
// instance with no response in flight, so `ctx.waitUntil` work has to finish while the response is still open.
async function writeResponse(
  response: Response,
  method: string,
  res: GcpResponse,
  ctx: Context<unknown>,
  beforeEnd: () => Promise<void> | undefined,
): Promise<void> {
  res.statusCode = response.status;
  // Framing (length, chunking, keep-alive) is the server's to decide from the bytes it sends: see ../_framing.ts.
  const filter = responseHeaderFilter(response, method);
  for (const [name, value] of response.headers) {
    if (name !== "set-cookie" && filter.keep(name)) res.setHeader(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);
  if (filter.headLength !== undefined) res.setHeader("content-length", filter.headLength);
  if (response.body === null) {
    await beforeEnd();
    res.end();
    return;
  }
  res.flushHeaders();
  const reader = response.body.getReader();
  try {
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      if (res.destroyed) {
        await reader.cancel().catch(() => {});
        return await beforeEnd();
      }
      if (!res.write(chunk.value)) {
        await new Promise<void>((resolve) => {
          res.once("drain", resolve);
          res.once("close", resolve);
        });
      }
    }
    await beforeEnd();
    res.end();
  } catch (error) {
    await beforeEnd();
    // Headers are gone already: cut the connection so the client cannot take a partial body for a whole one.
    ctx.log.error("response body stream failed", { error: errorText(error) });
    res.destroy(error instanceof Error ? error : new Error(errorText(error)));
  }
}
