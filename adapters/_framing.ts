/**
 * Which headers of a `Response` may leave the process, for every adapter. A handler's `Response` describes an answer,
 * not a connection: the framing of the bytes on the wire (their length, chunking, keep-alive) belongs to the server
 * that sends them. Copying it blindly lets a handler that returns `fetch(upstream)` (whose body fetch has already
 * decoded and whose framing was the upstream connection's), or that sets a wrong `Content-Length`, desync a
 * keep-alive connection: the next response on it starts mid-body. Internal: adapters use it, users do not.
 *
 * The rules, the same on every adapter (see docs/platforms.md, "Framing headers"):
 * - hop-by-hop headers (RFC 9110 §7.6.1: `Connection`, `Keep-Alive`, `Transfer-Encoding`, `TE`, `Trailer`,
 *   `Upgrade`, `Proxy-Connection`, and every header `Connection` names) are never sent;
 * - `Content-Length` is never taken from the handler: the adapter sends the real length of the bytes it sends, or
 *   none when it streams. HEAD keeps a valid one (it describes the body a GET would get);
 * - `Content-Encoding` (and the length that came with it) is dropped from a response `fetch` returned, when it names
 *   a coding fetch decodes: those bytes are no longer encoded.
 *
 * @module
 */

/** Hop-by-hop headers: meaningful for one connection only (RFC 9110 §7.6.1, plus the old `Proxy-Connection`). */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "proxy-connection",
]);

// What fetch decodes for the caller (Fetch standard, "HTTP-network fetch"; undici and Deno also decode br and zstd).
const DECODED_BY_FETCH = /^\s*(?:x-)?(?:gzip|deflate|br|zstd)(?:\s*,\s*(?:x-)?(?:gzip|deflate|br|zstd))*\s*$/i;

const NO_BODY_STATUS = new Set([101, 103, 204, 205, 304]);
const DECIMAL = /^\d{1,15}$/;

/** Decides, once per response, which of its headers go out. */
export interface HeaderFilter {
  /**
   * Whether header `name` may be sent.
   *
   * @param name The header name, lowercase (as `Headers` iteration gives it).
   */
  keep(name: string): boolean;
  /** A `Content-Length` the adapter may send although it does not send the bytes (HEAD), else `undefined`. */
  readonly headLength: string | undefined;
  /** Whether any header of the response has to be left out (so an adapter can skip copying when none does). */
  readonly dropsAny: boolean;
}

/**
 * Builds the header filter of one response.
 *
 * @param response The handler's response.
 * @param method The request method; HEAD keeps a valid `Content-Length`.
 * @returns The filter.
 *
 * @example Copy a proxied response's headers safely
 * ```ts
 * import { responseHeaderFilter } from "./_framing.ts";
 *
 * const response = new Response("hi", { headers: { connection: "x-secret", "x-secret": "1", "x-ok": "1" } });
 * const filter = responseHeaderFilter(response, "GET");
 * const out = [...response.headers].filter(([name]) => filter.keep(name)).map(([name]) => name);
 * console.assert(out.join() === "content-type,x-ok");
 * ```
 */
export function responseHeaderFilter(response: Response, method: string): HeaderFilter {
  // One pass over the headers rather than a lookup per name: most responses carry a handful, and none of these.
  let connection: string | null = null;
  let encoding: string | null = null;
  let length: string | null = null;
  let hopByHop = false;
  for (const [name, value] of response.headers) {
    if (name === "connection") connection = value;
    else if (name === "content-encoding") encoding = value;
    else if (name === "content-length") length = value;
    else if (HOP_BY_HOP.has(name)) hopByHop = true;
  }
  const named = connection === null ? undefined : connectionTokens(connection);
  // Only a response fetch made has a URL; its body is decoded whatever its headers still say.
  const decoded = encoding !== null && response.url !== "" && DECODED_BY_FETCH.test(encoding);
  const headLength = method === "HEAD" && !decoded && !NO_BODY_STATUS.has(response.status) &&
      length !== null && DECIMAL.test(length.trim())
    ? length.trim()
    : undefined;
  const keep = (name: string): boolean =>
    !HOP_BY_HOP.has(name) && name !== "content-length" && !(decoded && name === "content-encoding") &&
    !(named !== undefined && named.has(name));
  const dropsAny = hopByHop || decoded || length !== null || connection !== null;
  return { keep, headLength, dropsAny };
}

function connectionTokens(value: string): Set<string> {
  const tokens = new Set<string>();
  for (const token of value.split(",")) {
    const name = token.trim().toLowerCase();
    if (name !== "") tokens.add(name);
  }
  return tokens;
}

/**
 * The headers of `response` that may be sent, in order, each `Set-Cookie` on its own.
 *
 * @param response The handler's response.
 * @param method The request method.
 * @returns The pairs, names lowercase, and the filter used.
 *
 * @example Usage
 * ```ts
 * import { outgoingHeaders } from "./_framing.ts";
 *
 * const response = new Response("abc", { headers: { "content-length": "1", "transfer-encoding": "chunked" } });
 * console.assert(outgoingHeaders(response, "GET").pairs.every(([name]) => name === "content-type"));
 * ```
 */
export function outgoingHeaders(
  response: Response,
  method: string,
): { pairs: [string, string][]; filter: HeaderFilter } {
  const filter = responseHeaderFilter(response, method);
  const pairs: [string, string][] = [];
  for (const pair of response.headers) if (filter.keep(pair[0])) pairs.push(pair);
  return { pairs, filter };
}

/**
 * The same response without the headers that must not be sent, for adapters that hand a `Response` to a runtime
 * which frames it itself (`Deno.serve`, a Functions host): the runtime then sets the length from the real bytes.
 * Returns `response` itself when nothing has to go, and for 101 (an upgrade the runtime answers itself).
 *
 * @param response The handler's response.
 * @param method The request method.
 * @returns A response safe to send.
 *
 * @example Usage
 * ```ts
 * import { withSafeFraming } from "./_framing.ts";
 *
 * const safe = withSafeFraming(new Response("abc", { headers: { "content-length": "1" } }), "GET");
 * console.assert(!safe.headers.has("content-length") && (await safe.text()) === "abc");
 * ```
 */
export function withSafeFraming(response: Response, method: string): Response {
  if (response.status === 101) return response;
  const { pairs, filter } = outgoingHeaders(response, method);
  if (!filter.dropsAny) return response;
  if (filter.headLength !== undefined) pairs.push(["content-length", filter.headLength]);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers: pairs });
}

/**
 * The same response without `Proxy-Connection`, the headers its `Connection` names, and `Transfer-Encoding`: what
 * workerd, which frames a response itself and drops the other hop-by-hop headers, still passes on (the last only
 * for HEAD, next to a `Content-Length`). Small on purpose: it is in every worker
 * bundle. Returns `response` itself when there is nothing to drop, and for 101 (a WebSocket, which cannot be copied).
 *
 * @param response The handler's response.
 * @returns A response safe to hand to workerd.
 *
 * @example Usage
 * ```ts
 * import { withoutNamedHopByHop } from "./_framing.ts";
 *
 * const safe = withoutNamedHopByHop(new Response("hi", { headers: { connection: "x-secret", "x-secret": "1" } }));
 * console.assert(!safe.headers.has("x-secret") && !safe.headers.has("connection"));
 * ```
 */
export function withoutNamedHopByHop(response: Response): Response {
  const headers = response.headers;
  const connection = headers.get("connection");
  const stray = connection !== null || headers.has("proxy-connection") || headers.has("transfer-encoding");
  if (response.status === 101 || !stray) return response;
  // A Response is a valid init (status, statusText, headers): the copy's headers are its own, so they can be edited.
  const copy = new Response(response.body, response);
  for (const name of `${connection ?? ""},connection,proxy-connection,transfer-encoding`.split(",")) {
    try {
      copy.headers.delete(name.trim());
    } catch { /* not a header name: nothing by that name to send */ }
  }
  return copy;
}
