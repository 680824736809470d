/**
 * Azure Functions (v4 Node programming model): an HTTP trigger's `HttpRequest` to a `Request`, and the `Response`
 * back to an `AzureHttpResponseInit`, with every `Set-Cookie` moved to `cookies`.
 *
 * @module
 */

import { type Context, createContext, logLine, type LogSink, type ServerlessFunction } from "../../mod.ts";
import { pending, processEnv } from "../_env.ts";
import { responseHeaderFilter } from "../_framing.ts";
import type {
  AzureCookie,
  AzureHttpHandler,
  AzureHttpRequest,
  AzureHttpResponseInit,
  AzureInvocationContext,
} from "./types.ts";

/** What `ctx.raw` holds on Azure. */
export interface AzureRaw {
  /** The trigger's input: the `HttpRequest`, the timer, or the queue entry. */
  readonly input: unknown;
  /** The invocation's context. */
  readonly context: AzureInvocationContext;
}

/** Options for {@linkcode handle}. */
export interface AzureHttpOptions {
  /**
   * The route prefix of host.json (`extensions.http.routePrefix`), removed from the path before routing so that
   * `/api/users/1` reaches the route `/users/1`. Default `"api"`, Azure's own default; `""` keeps the path.
   */
  routePrefix?: string;
}

/**
 * Makes the Azure Functions HTTP handler for a function: the request streams in as a `Request` (with
 * `app.setup({ enableHttpStream: true })`, see {@linkcode register}), the invocation id becomes `ctx.requestId`,
 * `ctx.log` writes through `context.log`/`warn`/`error`, and the response streams back. Work passed to
 * `ctx.waitUntil` is awaited before the response is handed back: Azure does not keep an invocation alive after it.
 *
 * @param fn The function.
 * @param options The route prefix to remove.
 * @returns The handler for `app.http(name, { handler })`.
 *
 * @example Answer an HttpRequest
 * ```ts
 * import az from "npm:@azure/functions@^4.16.5";
 * import { serverless } from "../../mod.ts";
 * import { handle } from "./http.ts";
 *
 * const fn = serverless({ name: "hi", fetch: (req) => new Response(new URL(req.url).pathname) });
 * const res = await handle(fn)(
 *   new az.HttpRequest({ method: "GET", url: "http://localhost/api/hello" }),
 *   new az.InvocationContext({ invocationId: "inv-1" }),
 * );
 * console.assert(res.status === 200);
 * ```
 */
export function handle(fn: ServerlessFunction<never>, options: AzureHttpOptions = {}): AzureHttpHandler {
  const prefix = normalizePrefix(options.routePrefix ?? "api");
  return async (request, context) => {
    const work = pending();
    const ctx = azureContext(request, context, work.add);
    const res = await fn.dispatch(toRequest(request, prefix), ctx as Context<never>);
    await work.settled();
    return toResponseInit(res);
  };
}

/**
 * The context of one Azure invocation, for every trigger kind.
 *
 * @param input The trigger's input.
 * @param context The invocation context.
 * @param waitUntil Where `ctx.waitUntil` work goes.
 * @returns The context.
 *
 * @example Usage
 * ```ts
 * import az from "npm:@azure/functions@^4.16.5";
 * import { azureContext } from "./http.ts";
 *
 * const ctx = azureContext(null, new az.InvocationContext({ invocationId: "inv-1" }), () => {});
 * console.assert(ctx.requestId === "inv-1" && ctx.platform === "azure");
 * ```
 */
export function azureContext(
  input: unknown,
  context: AzureInvocationContext,
  waitUntil: (promise: Promise<unknown>) => void,
): Context<Record<string, unknown>, AzureRaw> {
  return createContext<Record<string, unknown>, AzureRaw>({
    platform: "azure",
    requestId: context.invocationId,
    env: processEnv(),
    waitUntil,
    raw: { input, context },
    logSink: azureLog(context),
  });
}

// Records go to the invocation's logger so Application Insights ties them to the invocation.
function azureLog(context: AzureInvocationContext): LogSink {
  return (record) => {
    const line = logLine(record);
    if (record.level === "error") context.error(line);
    else if (record.level === "warn") context.warn(line);
    else if (record.level === "debug") context.debug(line);
    else context.log(line);
  };
}

function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, "");
  return trimmed === "" ? "" : `/${trimmed}`;
}

function toRequest(req: AzureHttpRequest, prefix: string): Request {
  const url = new URL(req.url);
  if (prefix !== "" && (url.pathname === prefix || url.pathname.startsWith(`${prefix}/`))) {
    url.pathname = url.pathname.slice(prefix.length) || "/";
  }
  const body = req.body as ReadableStream<Uint8Array> | null;
  return new Request(url, {
    method: req.method,
    headers: req.headers as Headers,
    body,
    ...(body && { duplex: "half" }),
  } as RequestInit);
}

function toResponseInit(res: Response): AzureHttpResponseInit {
  const setCookies = res.headers.getSetCookie();
  const headers: [string, string][] = [];
  // The host frames the bytes itself; a handler's framing headers must not reach it (see ../_framing.ts).
  const filter = responseHeaderFilter(res, "GET");
  for (const [name, value] of res.headers) if (name !== "set-cookie" && filter.keep(name)) headers.push([name, value]);
  return {
    status: res.status,
    headers,
    ...(res.body && { body: res.body }),
    // The library writes headers one by one into a map (the last Set-Cookie would win) and serializes `cookies`
    // itself, so every cookie must go through `cookies`.
    ...(setCookies.length > 0 && { cookies: setCookies.map(parseSetCookie) }),
  };
}

const SAME_SITE = { strict: "Strict", lax: "Lax", none: "None" } as const;

/**
 * Parses one `Set-Cookie` line into the `Cookie` the Azure library serializes. Azure percent-encodes the value
 * again (the library with `encodeURIComponent`, the host with `Uri.EscapeDataString`), so a value that is already
 * in that encoded form is decoded first and comes out unchanged; attributes other than Domain, Path, Expires,
 * Max-Age, Secure, HttpOnly and SameSite (e.g. Partitioned, Priority) cannot be expressed and are dropped.
 *
 * @param line A `Set-Cookie` header value.
 * @returns The cookie.
 *
 * @example Usage
 * ```ts
 * import { parseSetCookie } from "./http.ts";
 * const cookie = parseSetCookie("id=a%20b; Path=/; HttpOnly; SameSite=lax; Max-Age=60");
 * console.assert(cookie.value === "a b" && cookie.sameSite === "Lax" && cookie.maxAge === 60);
 * ```
 */
export function parseSetCookie(line: string): AzureCookie {
  const [pair = "", ...attributes] = line.split(";");
  const eq = pair.indexOf("=");
  const cookie: AzureCookie = {
    name: (eq < 0 ? "" : pair.slice(0, eq)).trim(),
    value: encodedForm((eq < 0 ? pair : pair.slice(eq + 1)).trim()),
  };
  for (const attribute of attributes) {
    const at = attribute.indexOf("=");
    const key = (at < 0 ? attribute : attribute.slice(0, at)).trim().toLowerCase();
    const value = at < 0 ? "" : attribute.slice(at + 1).trim();
    if (key === "domain") cookie.domain = value;
    else if (key === "path") cookie.path = value;
    else if (key === "secure") cookie.secure = true;
    else if (key === "httponly") cookie.httpOnly = true;
    else if (key === "max-age" && /^-?\d+$/.test(value)) cookie.maxAge = Number(value);
    else if (key === "expires" && !Number.isNaN(Date.parse(value))) cookie.expires = new Date(value);
    else if (key === "samesite") {
      const sameSite = SAME_SITE[value.toLowerCase() as keyof typeof SAME_SITE];
      if (sameSite) cookie.sameSite = sameSite;
    }
  }
  return cookie;
}

// The decoded value when encoding it again gives back exactly what the handler wrote.
function encodedForm(value: string): string {
  try {
    const decoded = decodeURIComponent(value);
    return encodeURIComponent(decoded) === value ? decoded : value;
  } catch {
    return value;
  }
}
