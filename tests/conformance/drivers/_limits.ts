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
