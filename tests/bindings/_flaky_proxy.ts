/**
 * A loopback proxy in front of a real local server that answers the first requests itself with a given failure (to
 * show throttling is retried) and records every request body it forwards.
 *
 * @module
 */

/** One request the proxy forwarded. */
export interface Forwarded {
  /** The method. */
  method: string;
  /** The path and query. */
  path: string;
  /** The headers as sent. */
  headers: Headers;
  /** The body as text. */
  body: string;
}

/** A running proxy. */
export interface FlakyProxy {
  /** The proxy's own URL, to use as the endpoint. */
  url: string;
  /** How many requests reached the proxy. */
  readonly requests: number;
  /** The requests it forwarded: method, path and query, headers and body text. */
  readonly forwarded: Forwarded[];
  /** Stops it. */
  stop(): Promise<void>;
}

/**
 * Starts a proxy to `target` whose first `failures` answers are `failure()`.
 *
 * @param target The real server's URL.
 * @param failures How many requests fail before requests are forwarded.
 * @param failure The failing response.
 * @returns The proxy.
 */
export function startFlakyProxy(target: string, failures: number, failure: () => Response): FlakyProxy {
  let requests = 0;
  const forwarded: Forwarded[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    requests++;
    const body = await request.arrayBuffer();
    if (requests <= failures) return failure();
    const url = new URL(request.url);
    forwarded.push({
      method: request.method,
      path: url.pathname + url.search,
      headers: request.headers,
      body: new TextDecoder().decode(body),
    });
    const headers = new Headers(request.headers);
    // The signature covers the Host the client used (the proxy's): keep it so the server checks the same string.
    headers.set("host", url.host);
    const upstream = await fetch(new URL(url.pathname + url.search, target), {
      method: request.method,
      headers,
      body: request.method === "GET" || request.method === "HEAD" ? null : body,
    });
    return new Response(upstream.body, { status: upstream.status, headers: upstream.headers });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    get requests() {
      return requests;
    },
    forwarded,
    stop: () => server.shutdown(),
  };
}
