/**
 * Azure Functions custom handlers: the same function served over HTTP (e.g. by `Deno.serve` on
 * `FUNCTIONS_CUSTOMHANDLER_PORT`), answering the host's proxied HTTP requests and its invocation payloads
 * (`{ Data, Metadata }` in, `{ Outputs, Logs, ReturnValue }` out) for timers, queues and, without proxying, HTTP.
 *
 * @module
 */

import {
  type Context,
  createContext,
  errorText,
  jsonError,
  logLine,
  type LogRecord,
  type ServerlessFunction,
  trackBatch,
} from "../../mod.ts";
import { pending, processEnv } from "../_env.ts";
import { checkedRequest } from "../_request_url.ts";
import { responseHeaderFilter } from "../_framing.ts";
import { runSingleMessage } from "../_single_message.ts";

/** Options for {@linkcode customHandler}. */
export interface CustomHandlerOptions {
  /**
   * How HTTP requests arrive: `"proxy"` (the default) when host.json sets `enableProxyingHttpRequest` (or the
   * legacy `enableForwardingHttpRequest`), so the original request comes as it is; `"payload"` when the host
   * sends the default `{ Data: { req } }` invocation payload to `/<function name>`.
   */
  http?: "proxy" | "payload";
  /**
   * The route prefix to remove from proxied paths: host.json's `extensions.http.routePrefix`, which it must equal.
   * Default `"api"`. In proxy mode it may not be `""` when the function has timers or a queue, since a client could
   * then send a request the handler cannot tell from the host's invocation (`customHandler` throws).
   */
  routePrefix?: string;
}

/** The `{ Data, Metadata }` payload the host POSTs to `/<function name>`. */
export interface InvocationPayload {
  /** The trigger's and input bindings' data, by binding name. */
  Data: Record<string, unknown>;
  /** The trigger metadata. */
  Metadata: Record<string, unknown>;
}

/** The default-mode HTTP trigger data (`Data.req`). */
export interface PayloadHttpRequest {
  /** The full URL. */
  Url: string;
  /** The method. */
  Method: string;
  /** The query, repeated keys comma-joined; the docs sample shows it as a JSON string. */
  Query?: Record<string, string> | string;
  /** The headers, each with its list of values. */
  Headers?: Record<string, string[] | string>;
  /** The route parameters. */
  Params?: Record<string, string>;
  /** The body: text, or base64 for `application/octet-stream` and `multipart/*`. */
  Body?: string | null;
}

/**
 * Makes the fetch handler of a custom handler. Function names follow {@linkcode register}'s: HTTP under the
 * function's name, timers under `<name>-scheduled` (or `<name>-scheduled-<index>`), the queue under
 * `<name>-queue` (only those the function has). Requests to other paths are proxied HTTP requests.
 *
 * @throws {TypeError} In proxy mode, when the route prefix would let a client's path equal an invocation path.
 *
 * @param fn The function.
 * @param options The HTTP mode and route prefix.
 * @returns A handler for `Deno.serve` (or any fetch-style server).
 *
 * @example Serve on the port the host gives
 * ```ts ignore
 * import { serverless } from "../../mod.ts";
 * import { customHandler } from "./custom_handler.ts";
 *
 * const fn = serverless({ name: "shop", fetch: () => new Response("ok") });
 * Deno.serve({ port: Number(Deno.env.get("FUNCTIONS_CUSTOMHANDLER_PORT") ?? 8080) }, customHandler(fn));
 * ```
 *
 * @example Answer a queue invocation
 * ```ts
 * import { serverless } from "../../mod.ts";
 * import { customHandler } from "./custom_handler.ts";
 *
 * const fn = serverless({ name: "shop", queue: { name: "orders", run: () => {} } });
 * const payload = { Data: { item: "hello" }, Metadata: { Id: "m-1", DequeueCount: 1 } };
 * const res = await customHandler(fn)(new Request("http://localhost/shop-queue", { method: "POST", body: JSON.stringify(payload) }));
 * console.assert(res.status === 200);
 * ```
 */
export function customHandler(
  fn: ServerlessFunction<never>,
  options: CustomHandlerOptions = {},
): (request: Request) => Promise<Response> {
  const prefix = (options.routePrefix ?? "api").replace(/^\/+|\/+$/g, "");
  const invocations = invocationPaths(fn, options.http ?? "proxy", prefix);
  return (given) => {
    let request: Request;
    try {
      // Served by a fetch-style server (Deno.serve), which writes Host into the URL unchecked and keeps dot segments.
      request = checkedRequest(given, () => undefined);
    } catch (error) {
      const id = given.headers.get("x-azure-functions-invocationid") ?? crypto.randomUUID();
      return Promise.resolve(jsonError(400, (error as Error).message, id));
    }
    const run = request.method === "POST" ? invocations.get(new URL(request.url).pathname) : undefined;
    return run === undefined ? proxied(fn, request, prefix) : invoke(fn, request, run);
  };
}

// The paths the host POSTs invocations to (`/<function name>`), for the triggers the function has. A proxied client
// request keeps its own path, which starts with `/<routePrefix>`; nothing else the host sends tells the two apart
// (it copies the client's headers, `X-Azure-Functions-InvocationId` included, and adds its own), so a route prefix
// that lets a client path equal an invocation path is refused rather than letting clients run timers and queues.
function invocationPaths(fn: ServerlessFunction<never>, http: "proxy" | "payload", prefix: string): Map<string, Run> {
  const paths = new Map<string, Run>();
  const triggers = fn.metadata.triggers;
  const crons = triggers.flatMap((t) => t.type === "schedule" ? [t.cron] : []);
  crons.forEach((cron, index) => {
    const name = crons.length === 1 ? `${fn.name}-scheduled` : `${fn.name}-scheduled-${index}`;
    paths.set(`/${name}`, runTimer(cron));
  });
  if (triggers.some((t) => t.type === "queue")) paths.set(`/${fn.name}-queue`, runQueue);
  if (http === "payload") {
    // The host wraps every client request into a payload: no client request reaches the handler as it is.
    paths.set(`/${fn.name}`, runHttp(prefix));
    return paths;
  }
  const clash = prefix === "" ? [...paths.keys()][0] : paths.has(`/${prefix}`) ? `/${prefix}` : undefined;
  if (clash !== undefined) {
    throw new TypeError(
      `customHandler(${fn.name}): with routePrefix ${JSON.stringify(prefix)} a client request to ${clash} would ` +
        "reach the handler exactly like the host's invocation of that trigger, and nothing in the request tells them " +
        'apart. Keep a route prefix (host.json extensions.http.routePrefix, "api" by default, and the same ' +
        'routePrefix here), or turn proxying off in host.json and pass { http: "payload" }.',
    );
  }
  return paths;
}

// `/api/users/1` → `/users/1`: routes are written without the host's route prefix.
function stripPrefix(url: URL, prefix: string): boolean {
  if (prefix === "" || !(url.pathname === `/${prefix}` || url.pathname.startsWith(`/${prefix}/`))) return false;
  url.pathname = url.pathname.slice(prefix.length + 1) || "/";
  return true;
}

async function proxied(fn: ServerlessFunction<never>, request: Request, prefix: string): Promise<Response> {
  const url = new URL(request.url);
  if (stripPrefix(url, prefix)) request = new Request(url, request);
  const work = pending();
  const ctx = createContext<never>({
    platform: "azure",
    ...requestIdFrom(request.headers.get("x-azure-functions-invocationid")),
    env: processEnv() as never,
    signal: request.signal,
    waitUntil: work.add,
    raw: request,
  });
  const res = await fn.dispatch(request, ctx);
  await work.settled();
  return res;
}

type Run = (fn: ServerlessFunction<never>, payload: InvocationPayload, ctx: Context<never>) => Promise<unknown>;

// One invocation: the payload in, `{ Outputs, Logs, ReturnValue }` out; a failed run answers 500 so the host
// counts the invocation as failed (and, for queues, delivers the message again).
async function invoke(fn: ServerlessFunction<never>, request: Request, run: Run): Promise<Response> {
  const payload = await request.json() as InvocationPayload;
  const logs: string[] = [];
  const work = pending();
  const ctx = createContext<never>({
    platform: "azure",
    ...requestIdFrom(request.headers.get("x-azure-functions-invocationid")),
    env: processEnv() as never,
    waitUntil: work.add,
    raw: payload,
    logSink: (record: LogRecord) => void logs.push(logLine(record)),
  });
  try {
    const outputs = await run(fn, payload, ctx);
    await work.settled();
    return Response.json({ Outputs: outputs ?? {}, Logs: logs, ReturnValue: null });
  } catch (error) {
    await work.settled();
    ctx.log.error("invocation failed", { error: errorText(error) });
    return Response.json({ Outputs: {}, Logs: logs, ReturnValue: null }, { status: 500 });
  }
}

function requestIdFrom(id: string | null): { requestId?: string } {
  return id ? { requestId: id } : {};
}

function runHttp(prefix: string): Run {
  return async (fn, payload, ctx) => {
    const res = await fn.dispatch(payloadToRequest(payload.Data.req as PayloadHttpRequest, prefix), ctx);
    return { res: await responseToPayload(res) };
  };
}

/**
 * Converts the default-mode HTTP trigger data (`Data.req`) to a `Request`.
 *
 * @param req The `Data.req` object of the invocation payload.
 * @param routePrefix The host's route prefix, removed from the path. Default `"api"`.
 * @returns The request.
 *
 * @example Usage
 * ```ts
 * import { payloadToRequest } from "./custom_handler.ts";
 * const req = payloadToRequest({ Url: "http://localhost/api/order", Method: "POST", Headers: { "Content-Type": ["text/plain"] }, Body: "hi" });
 * console.assert((await req.text()) === "hi" && new URL(req.url).pathname === "/order");
 * ```
 */
export function payloadToRequest(req: PayloadHttpRequest, routePrefix = "api"): Request {
  const url = new URL(req.Url);
  stripPrefix(url, routePrefix.replace(/^\/+|\/+$/g, ""));
  const query = typeof req.Query === "string" ? JSON.parse(req.Query || "{}") : req.Query ?? {};
  if (url.search === "") {
    for (const [key, value] of Object.entries(query)) {
      url.searchParams.append(key, String(value));
    }
  }
  const headers = new Headers();
  for (const [name, values] of Object.entries(req.Headers ?? {})) {
    for (const value of [values].flat()) headers.append(name, value);
  }
  const method = req.Method.toUpperCase();
  const type = headers.get("content-type") ?? "";
  const binary = type.startsWith("application/octet-stream") || type.startsWith("multipart/");
  const body = method === "GET" || method === "HEAD" || req.Body == null
    ? null
    : binary
    ? Uint8Array.from(atob(req.Body), (c) => c.charCodeAt(0))
    : req.Body;
  return new Request(url, { method, headers, body });
}

/**
 * Converts a `Response` to the `res` output of a default-mode HTTP invocation. The body is sent as text; several
 * `Set-Cookie` headers go as a list, which the host's `IDictionary<string, object>` headers may not keep apart:
 * prefer proxying (`enableProxyingHttpRequest`) for binary bodies and several cookies.
 *
 * @param res The response.
 * @returns `{ statusCode, status, headers, body }`.
 *
 * @example Usage
 * ```ts
 * import { responseToPayload } from "./custom_handler.ts";
 * const out = await responseToPayload(new Response("Order enqueued", { status: 201 }));
 * console.assert(out.statusCode === "201" && out.body === "Order enqueued");
 * ```
 */
export async function responseToPayload(
  res: Response,
): Promise<{ statusCode: string; status: string; headers: Record<string, string | string[]>; body: string }> {
  const headers: Record<string, string | string[]> = {};
  // The host frames the bytes itself; a handler's framing headers must not reach it (see ../_framing.ts).
  const filter = responseHeaderFilter(res, "GET");
  for (const [name, value] of res.headers) if (name !== "set-cookie" && filter.keep(name)) headers[name] = value;
  const cookies = res.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies.length === 1 ? cookies[0]! : cookies;
  const status = String(res.status);
  return { statusCode: status, status, headers, body: await res.text() };
}

function runTimer(cron: string): Run {
  return async (fn, payload, ctx) => {
    const timer = Object.values(payload.Data)[0] as { ScheduleStatus?: { Next?: string } } | undefined;
    const next = Date.parse(timer?.ScheduleStatus?.Next ?? "");
    await fn.scheduled({ cron, scheduledTime: Number.isNaN(next) ? Date.now() : next }, ctx);
  };
}

const runQueue: Run = async (fn, payload, ctx) => {
  const queue = fn.metadata.triggers.find((t) => t.type === "queue")?.queue ?? "";
  const meta = payload.Metadata;
  const item = Object.values(payload.Data)[0];
  const id = String(meta.Id ?? ctx.requestId);
  const inserted = Date.parse(String(meta.InsertionTime ?? ""));
  const tracked = trackBatch(queue, [{
    id,
    body: typeof item === "string" ? parseJson(item) : item,
    attempts: Number(meta.DequeueCount ?? 1),
    timestamp: new Date(Number.isNaN(inserted) ? Date.now() : inserted),
  }]);
  await runSingleMessage(fn, tracked, ctx, "answering 500 so the host delivers it again");
};

// Queue items arrive as strings; JSON ones become values like the v4 library gives them.
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
