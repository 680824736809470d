/**
 * The error policy: how a thrown value becomes a response.
 *
 * @module
 */

import type { Context } from "./context.ts";
import { HttpError, statusText } from "./http_error.ts";
import { errorText } from "./log.ts";

/**
 * Turns anything a handler threw into a response, following the error policy:
 * an {@linkcode HttpError} answers with its status (and its message when exposed); anything else answers 500 with
 * JSON `{ "error": "Internal Server Error", "requestId": … }`. The stack goes to `ctx.log`, never to the client.
 * It never throws, whatever was thrown: an `HttpError` whose headers are invalid keeps its status and loses the
 * headers (the log says why), and a value that cannot even be inspected answers 500.
 *
 * @param error What was thrown.
 * @param ctx The request's context, for the request id and the log.
 * @returns The error response.
 *
 * @example Usage
 * ```ts
 * import { createContext } from "./context.ts";
 * import { errorResponse } from "./error_response.ts";
 *
 * const ctx = createContext({ platform: "fetch", requestId: "r-1", logSink: () => {} });
 * const res = errorResponse(new Error("secret detail"), ctx);
 * console.assert(res.status === 500);
 * console.assert(!(await res.text()).includes("secret"));
 * ```
 */
export function errorResponse(error: unknown, ctx: Context<unknown>): Response {
  let policyError: string | undefined;
  try {
    if (error instanceof HttpError) return httpErrorResponse(error, ctx);
  } catch (failure) {
    // Only a value that defeats even `instanceof` (a Proxy whose traps throw) or a broken context gets here. The
    // answer is still a 500 that blames the server, never a rejection an adapter would misreport.
    policyError = errorText(failure);
  }
  ctx.log.error(
    "unhandled error",
    policyError ? { error: errorText(error), policyError } : { error: errorText(error) },
  );
  try {
    return jsonError(500, INTERNAL, ctx.requestId);
  } catch {
    return Response.json({ error: INTERNAL }, { status: 500 });
  }
}

const INTERNAL = statusText(500);

function httpErrorResponse(error: HttpError, ctx: Context<unknown>): Response {
  if (error.status >= 500) ctx.log.error(error.message, { status: error.status, error: errorText(error) });
  const message = error.expose ? error.message : statusText(error.status);
  let headers: Headers | undefined;
  try {
    headers = new Headers(error.headers);
  } catch (invalid) {
    // The status says whose fault the request was; a header the handler got wrong must not move the blame, so the
    // status stays and only the headers go, with the reason in the log.
    ctx.log.error("HttpError headers are not valid HTTP headers; answered without them", {
      status: error.status,
      error: errorText(invalid),
    });
  }
  return jsonError(error.status, message, ctx.requestId, headers);
}

/**
 * A JSON error body `{ "error": message, "requestId": id }` with the given status.
 *
 * @param status The HTTP status.
 * @param message The client-facing message.
 * @param requestId The request id to echo, so a user can quote it to support.
 * @param headers Extra headers.
 * @returns The response.
 *
 * @example Usage
 * ```ts
 * import { jsonError } from "./error_response.ts";
 * const res = jsonError(404, "Not Found", "r-1");
 * console.assert(res.headers.get("content-type") === "application/json");
 * ```
 */
export function jsonError(
  status: number,
  message: string,
  requestId: string,
  headers?: ConstructorParameters<typeof Headers>[0],
): Response {
  const res = Response.json({ error: message, requestId }, { status, headers: headers ?? {} });
  res.headers.set("x-request-id", requestId);
  return res;
}
