/**
 * The Fetch first touch, done at init. Node loads undici and the web streams the first time a Fetch global is used
 * (16–20 ms on a quiet machine, several times that at 128 MB); Lambda runs module code before the first request, in
 * the init phase, whose CPU is not throttled the same way. An entry that awaits this at module level moves that cost
 * out of the first invocation.
 *
 * @module
 */

/**
 * Builds a `Request` with headers and a body, a `Response`, and reads both bodies once, so that whatever Node loads
 * lazily for them is loaded now. Never throws.
 *
 * @returns When the work is done.
 *
 * @example Usage (at the top of a Lambda entry module)
 * ```ts
 * import { warmFetch } from "../aws_lambda.ts";
 * await warmFetch();
 * ```
 */
export async function warmFetch(): Promise<void> {
  try {
    const request = new Request("https://warm.invalid/", {
      method: "POST",
      headers: [["content-type", "text/plain"]],
      body: new Uint8Array(1),
    });
    request.headers.get("content-type");
    await request.arrayBuffer();
    const response = new Response("warm", { headers: { "content-type": "text/plain" } });
    response.headers.forEach(() => {});
    await response.text();
  } catch {
    // A runtime without some Fetch global pays at first use instead; nothing is lost.
  }
}
