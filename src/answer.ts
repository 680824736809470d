/**
 * A handler's answer on its way to the platform: checked to be a `Response`, with anything thrown or rejected handed
 * to the error policy, and a synchronous response passed through as it is (no promise, no extra turn of the
 * microtask queue), which is what most handlers return.
 *
 * @module
 */

import type { RouteInfo } from "./handler.ts";

/** A response, or the promise of one. */
export type Answer = Response | Promise<Response>;

/**
 * Runs `answer`, sending whatever it throws or rejects with to `recover`.
 *
 * @param answer Produces the response; may throw or reject.
 * @param recover Turns an error into a response; must not throw.
 * @returns The response as it came (synchronous stays synchronous), or a promise that never rejects.
 *
 * @example Usage
 * ```ts
 * import { settle } from "./answer.ts";
 * const res = settle(() => { throw new Error("boom"); }, () => new Response("recovered", { status: 500 }));
 * console.assert(res instanceof Response && res.status === 500);
 * ```
 */
export function settle(answer: () => Answer, recover: (error: unknown) => Answer): Answer {
  try {
    const result = answer();
    return result instanceof Response ? result : result.then(undefined, recover);
  } catch (error) {
    return recover(error);
  }
}

/**
 * Checks that a handler answered with a `Response` (or a promise of one), throwing a `TypeError` that names the
 * route and the fix otherwise.
 *
 * @param result What the handler returned.
 * @param route The route it was registered for, or what returned it (e.g. `"onError handler"`), named in the error.
 * @returns The response, or a promise of the checked response.
 *
 * @example Usage
 * ```ts
 * import { expectResponse } from "./answer.ts";
 * try {
 *   expectResponse(undefined, { method: "GET", path: "/" });
 * } catch (error) {
 *   console.assert(String(error).includes("The handler for GET / returned undefined"));
 * }
 * ```
 */
export function expectResponse(result: unknown, route?: RouteInfo | string): Answer {
  if (result instanceof Response) return result;
  if (typeof (result as Partial<Promise<unknown>>)?.then === "function") {
    return Promise.resolve(result).then((res) => expectResponse(res, route));
  }
  const who = typeof route === "string"
    ? `The ${route}`
    : route
    ? `The handler for ${route.method} ${route.path}`
    : "The handler";
  const got = result === null ? "null" : typeof result;
  throw new TypeError(`${who} returned ${got}; return a Response, e.g. Response.json(data).`);
}
