/**
 * The first touch of Node's Fetch globals on its own, for `scripts/bench_cold_start.ts`: a handler that only builds the
 * `Request` (URL, method and headers from the event), a `Response`, and reads its body. Node loads undici when a
 * Fetch global is first read, so the first invocation of any Fetch-based framework pays this; what a framework costs
 * above it is its own.
 *
 * @module
 */

interface HttpApiEvent {
  rawPath: string;
  rawQueryString: string;
  headers: Record<string, string>;
  requestContext: { http: { method: string } };
}

/** The Lambda handler. */
export const handler = async (event: HttpApiEvent): Promise<{ statusCode: number; body: string }> => {
  const query = event.rawQueryString ? `?${event.rawQueryString}` : "";
  const request = new Request(`https://${event.headers.host}${event.rawPath}${query}`, {
    method: event.requestContext.http.method,
    headers: event.headers,
  });
  const response = new Response(request.method === "GET" ? "Hello from slrs! Try /hello/your-name\n" : "");
  return { statusCode: response.status, body: await response.text() };
};
