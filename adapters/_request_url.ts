/**
 * The request URL every adapter that assembles one builds the same way: the path and query from the request line
 * (or the event's path), the host from `Host` only when it is a valid `host[:port]`, else from the platform (the
 * socket's address, the event's `domainName`). A `Host` such as `x/admin?` can then never move the path, and a
 * placeholder host in a pasted sample event (`<url-id>.lambda-url.us-west-2.on.aws`) does not fail the request.
 * The dot-segment rule of `../src/dot_segments.ts` is applied to the path as received, before the URL parser
 * resolves the segments away.
 *
 * @module
 */

import { DOT_SEGMENT_MESSAGE, hasDotSegment, pathOfUrl } from "../src/dot_segments.ts";

// RFC 3986 §3.2.2: a bracketed IP literal or a reg-name (unreserved, sub-delims, percent-escapes; an IPv4 address is
// one too), then an optional port of digits. Nothing that ends the authority (`/ ? # @ \`) can be in it.
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})+)(?::[0-9]*)?$/;

/**
 * Whether a `Host` value is a `host[:port]` as RFC 3986 writes one.
 *
 * @param value The header value.
 * @returns `true` for e.g. `example.com`, `127.0.0.1:8080`, `[::1]:80`; `false` for `x/admin?`, `[::1`, `a b`.
 *
 * @example Usage
 * ```ts
 * import { isHost } from "./_request_url.ts";
 * console.assert(isHost("example.com:8080") && isHost("[::1]"));
 * console.assert(!isHost("x/admin?") && !isHost("[::1") && !isHost("user@evil"));
 * ```
 */
export function isHost(value: string): boolean {
  if (!HOST.test(value)) return false;
  const colon = value.lastIndexOf(":");
  return colon === -1 || value.endsWith("]") || Number(value.slice(colon + 1)) <= 65535;
}

/** A request the adapter cannot turn into a URL; its message is the 400's. */
export class BadTarget extends Error {
  /** Always `"BadTarget"`. */
  override name = "BadTarget";
}

const FORBIDDEN = new Set(["CONNECT", "TRACE", "TRACK"]);

/**
 * Refuses a method the Fetch standard forbids in a `Request` (CONNECT, TRACE, TRACK, in any case), with a message
 * for the 400, where the `Request` constructor would throw a bare `TypeError`.
 *
 * @param method The request's method.
 * @throws {BadTarget} For a forbidden method.
 *
 * @example Usage
 * ```ts
 * import { assertFetchMethod } from "./_request_url.ts";
 * assertFetchMethod("GET");
 * try {
 *   assertFetchMethod("trace");
 * } catch (error) {
 *   console.assert((error as Error).message.includes("trace"));
 * }
 * ```
 */
export function assertFetchMethod(method: string): void {
  if (FORBIDDEN.has(method.toUpperCase())) {
    throw new BadTarget(`Bad Request: the HTTP method ${method} cannot be used in a Fetch Request.`);
  }
}

/**
 * Builds the URL of a request, serialized as `new Request(url).url` would be.
 *
 * @param scheme `http` or `https`.
 * @param target The request target: origin-form (`/path?query`), or absolute-form (`http://host/path`) as a
 *   forward proxy sends it, whose host then comes first.
 * @param host The `Host` header, if any.
 * @param fallback The platform's own host, for a missing or invalid `Host`; asked for only then, and replaced by
 *   `localhost` when it is not valid either.
 * @returns The URL.
 * @throws {BadTarget} When the path has a dot segment, or the target is neither form.
 *
 * @example Usage
 * ```ts
 * import { requestUrl } from "./_request_url.ts";
 * console.assert(requestUrl("http", "/public", "x/admin?", () => "127.0.0.1:8080") === "http://127.0.0.1:8080/public");
 * console.assert(requestUrl("https", "//evil.example/a?b", "api.example.com", () => "") ===
 *   "https://api.example.com//evil.example/a?b");
 * ```
 */
export function requestUrl(
  scheme: string,
  target: string,
  host: string | null | undefined,
  fallback: () => string | undefined,
): string {
  let path = target;
  let given = host;
  if (target.charCodeAt(0) !== 47) {
    const absolute = ABSOLUTE.exec(target);
    if (absolute === null) {
      throw new BadTarget(`Bad Request: the request target must be a path like "/a?b"; got ${JSON.stringify(target)}.`);
    }
    scheme = absolute[1]!.toLowerCase();
    if (isHost(absolute[2]!)) given = absolute[2];
    path = absolute[3]!.charCodeAt(0) === 47 ? absolute[3]! : `/${absolute[3]}`;
  }
  if (hasDotSegment(pathOf(path))) throw new BadTarget(DOT_SEGMENT_MESSAGE);
  if (given && isCanonical(scheme, given, path)) return `${scheme}://${given}${path}`;
  if (given && isHost(given)) {
    const url = parsed(`${scheme}://${given}${path}`);
    if (url !== undefined) return url;
  }
  const own = fallback();
  const url = own && isHost(own) ? parsed(`${scheme}://${own}${path}`) : undefined;
  return url ?? new URL(`${scheme}://localhost${path}`).href;
}

/**
 * The `host:port` of a socket's local end, IPv6 addresses bracketed: the fallback of a self-hosted server.
 *
 * @param address The local address (`127.0.0.1`, `::1`), if known.
 * @param port The local port, if known.
 * @returns The host, or `undefined` when the address is unknown.
 *
 * @example Usage
 * ```ts
 * import { socketHost } from "./_request_url.ts";
 * console.assert(socketHost("::1", 8080) === "[::1]:8080" && socketHost(undefined, 1) === undefined);
 * ```
 */
export function socketHost(address: string | undefined, port: number | undefined): string | undefined {
  if (!address) return undefined;
  const host = address.includes(":") ? `[${address}]` : address;
  return port === undefined ? host : `${host}:${port}`;
}

/**
 * The `host:port` a server listening on `address` answers as: the any-address (`0.0.0.0`, `::`) becomes `localhost`.
 *
 * @param address The listening address.
 * @returns The host, or `undefined` when the address is unknown.
 *
 * @example Usage
 * ```ts
 * import { listeningHost } from "./_request_url.ts";
 * console.assert(listeningHost({ hostname: "0.0.0.0", port: 8000 }) === "localhost:8000");
 * ```
 */
export function listeningHost(address: { hostname: string; port: number }): string | undefined {
  const { hostname, port } = address;
  return socketHost(hostname === "0.0.0.0" || hostname === "::" ? "localhost" : hostname, port);
}

/**
 * Checks a `Request` a fetch-style server (`Deno.serve`) built from the raw request: such a server writes `Host`
 * into `request.url` as it came (`Host: x/admin?` makes `http://x/admin?/public`) and keeps dot segments. A Host that
 * is not a valid `host[:port]` is replaced by `ownHost()` (or `localhost`), the path taken from after it.
 *
 * @param request The request as the server made it.
 * @param ownHost The server's own host, asked for only when the request's is invalid.
 * @returns The request, or a copy with the URL rebuilt.
 * @throws {BadTarget} When the path has a dot segment.
 *
 * @example Usage
 * ```ts
 * import { checkedRequest } from "./_request_url.ts";
 * const request = new Request("http://a/p", { headers: { host: "a" } });
 * console.assert(checkedRequest(request, () => "127.0.0.1:8000") === request);
 * ```
 */
export function checkedRequest(request: Request, ownHost: () => string | undefined): Request {
  const url = request.url;
  const host = request.headers.get("host");
  // A host of the right form the URL parser still refuses (`1.2.3.999`) is replaced too.
  if (host === null || (isHost(host) && URL.canParse(url))) {
    if (hasDotSegment(pathOfUrl(url))) throw new BadTarget(DOT_SEGMENT_MESSAGE);
    return request;
  }
  const scheme = url.startsWith("https:") ? "https" : "http";
  const prefix = `${scheme}://${host}`;
  // Otherwise the target was an absolute URL, which the URL came from.
  if (!url.startsWith(prefix)) return request;
  return new Request(requestUrl(scheme, url.slice(prefix.length) || "/", undefined, ownHost), request);
}

const ABSOLUTE = /^(https?):\/\/([^/?#]*)(.*)$/i;

// A URL the parser would serialize exactly as written: the usual case (a lowercase DNS name, no port, a plain path
// and query), for which the parse is skipped; it costs as much as the rest of the conversion. Kept narrow on purpose:
// no port (a default one is dropped), a last label that starts with a letter (else it may be an IPv4 address), no
// `xn--` label (its punycode is checked), none of the characters the path or query percent-encode sets hold (nor
// `'`, `\`, `[`, `]`, `^`, `|`); dot segments were refused above. Anything else takes the parser.
const CANONICAL_HOST = /^(?:[a-z0-9-]+\.)*[a-z][a-z0-9-]*$/;
const CANONICAL_TARGET = /^\/[A-Za-z0-9\-._~!$&()*+,;=:@/%?]*$/;

function isCanonical(scheme: string, host: string, target: string): boolean {
  return (scheme === "https" || scheme === "http") && CANONICAL_HOST.test(host) && !host.includes("xn--") &&
    CANONICAL_TARGET.test(target);
}

// A valid-looking host the URL parser still refuses (an IPv4 part over 255, a port over 65535, bad punycode).
function parsed(url: string): string | undefined {
  try {
    return new URL(url).href;
  } catch {
    return undefined;
  }
}

function pathOf(target: string): string {
  const query = target.indexOf("?");
  return query === -1 ? target : target.slice(0, query);
}
