/**
 * Who may use the dev server's own routes (`/__slrs/…`, such as running a schedule by hand). Any web page the
 * developer has open can send a request to `localhost`: a form posted cross-site (CSRF), or a page on a domain that
 * resolves to 127.0.0.1 (DNS rebinding). So these routes answer only a client on this machine that asked for a
 * loopback host by name or address, and whose request, if it says where it comes from, comes from such a host too.
 *
 * @module
 */

/** What the server knows about the client beyond the request: its address. */
export interface ClientInfo {
  /** The peer's IP address, e.g. `127.0.0.1` or `::1`; `undefined` when the server cannot tell. */
  address: string | undefined;
}

/**
 * Why a request may not use the dev server's own routes, or `undefined` when it may.
 *
 * @param request The request, with its `Host`, `Origin` and `Sec-Fetch-Site` headers.
 * @param client The client's address.
 * @returns A sentence for the 403 answer, or `undefined`.
 *
 * @example Usage
 * ```ts
 * import { internalRouteRefusal } from "./dev_guard.ts";
 * const local = new Request("http://localhost:8000/__slrs/scheduled", { headers: { host: "localhost:8000" } });
 * console.assert(internalRouteRefusal(local, { address: "127.0.0.1" }) === undefined);
 * const rebound = new Request("http://evil.example/__slrs/scheduled", { headers: { host: "evil.example" } });
 * console.assert(internalRouteRefusal(rebound, { address: "127.0.0.1" })?.includes("evil.example"));
 * ```
 */
export function internalRouteRefusal(request: Request, client: ClientInfo): string | undefined {
  const rule = "answers only this machine (a loopback client asking for localhost, 127.0.0.1 or [::1]), " +
    "from no other site";
  if (client.address === undefined || !isLoopbackAddress(client.address)) {
    return `${rule}; this request came from ${client.address ?? "an unknown address"}.`;
  }
  const host = request.headers.get("host");
  if (host === null || !isLoopbackName(hostnameOf(`http://${host}`))) {
    return `${rule}; this request asked for host ${JSON.stringify(host)}.`;
  }
  const origin = request.headers.get("origin");
  if (origin !== null && !isLoopbackName(hostnameOf(origin))) {
    return `${rule}; this request came from the page at ${JSON.stringify(origin)}.`;
  }
  if (request.headers.get("sec-fetch-site") === "cross-site") {
    return `${rule}; the browser marked this request cross-site.`;
  }
  return undefined;
}

function hostnameOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.hostname : undefined;
  } catch {
    return undefined;
  }
}

/** `localhost` and its subdomains (RFC 6761 keeps them on the machine), 127.0.0.0/8, and `[::1]`. */
function isLoopbackName(hostname: string | undefined): boolean {
  if (hostname === undefined) return false;
  return hostname === "localhost" || hostname.endsWith(".localhost") || hostname === "[::1]" ||
    isLoopbackAddress(hostname);
}

function isLoopbackAddress(address: string): boolean {
  const v4 = address.replace(/^::ffff:/i, "");
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4) || address === "::1";
}
