/**
 * Limits more than one platform has.
 *
 * @module
 */

import type { Limit } from "../driver.ts";

/**
 * A platform that joins the values of a repeated request header into one, with `,` and no space, where a client
 * joining them (`Headers`) shows `", "`: the echo reports a different header value.
 *
 * @param id The limit id.
 * @param reason One line on why, with the platform.
 * @returns The limit: cases that send a header name (other than `Cookie`) more than once; the body may differ.
 */
export function joinedHeaders(id: string, reason: string): Limit {
  return {
    id,
    applies: (c) => {
      const names = c.headers.map(([name]) => name.toLowerCase()).filter((name) => name !== "cookie");
      return new Set(names).size !== names.length;
    },
    aspects: ["body"],
    reason,
  };
}

/**
 * A platform that hands the function a `Request` (or a request object) it built itself, whose URL parser has
 * already resolved `.` and `..` segments: the function sees the resolved path and answers for it, where the
 * reference refuses the unresolved one with 400. The platform's own routing sees the same resolved path.
 *
 * @param id The limit id.
 * @param reason One line on why, with the platform.
 * @returns The limit: the dot-segment cases.
 */
export function resolvedDotSegments(id: string, reason: string): Limit {
  return { id, applies: (c) => c.tags.includes("dot-segment"), reason };
}

/**
 * A server that knows a fixed list of methods and answers any other (`constructor`, `__proto__`) itself before the
 * function runs (`node:http` with 400, workerd with 501); Deno.serve passes them on, so the function answers 405 or
 * routes them.
 *
 * @param id The limit id.
 * @param reason One line on why, with the platform.
 * @returns The limit: the prototype-named method cases.
 */
export function knownMethodsOnly(
  id: string,
  reason = "node:http answers a method outside its list with 400 before the function runs",
): Limit {
  return { id, applies: (c) => c.tags.includes("prototype-method"), reason };
}
