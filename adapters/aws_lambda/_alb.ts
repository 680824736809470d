/**
 * The Application Load Balancer shape, in single- and multi-value mode. Its result carries a reason phrase, taken
 * from `node:http`, which is loaded on the first ALB result only: on Node 22 loading `node:http` loads undici, which
 * no other shape should pay for at import.
 *
 * @module
 */

import type { HttpOptions, ResultHead, Shape } from "./_http.ts";
import { isAlbEvent } from "./_http_detect.ts";
import { encodeQuery, gatherBoth, isObject, type Json, stringField } from "./_http_fields.ts";

let phrases: Record<number, string | undefined> | undefined;

async function reasonPhrases(): Promise<Record<number, string | undefined>> {
  return phrases ??= (await import("node:http")).STATUS_CODES;
}

/** Application Load Balancer, single- and multi-value mode. */
export const ALB: Shape = {
  kind: "http",
  name: "Application Load Balancer",
  matches: isAlbEvent,
  v2: false,
  method: (e) => e.httpMethod,
  path: (e) => stringField(e, "path"),
  query: (e) => encodeQuery(e.queryStringParameters, e.multiValueQueryStringParameters, true),
  headers: (e, into) => gatherBoth(e.headers, e.multiValueHeaders, into),
  async result(e, head, body, isBase64Encoded, options) {
    const result: Json = {
      statusCode: head.status,
      statusDescription: `${head.status} ${(await reasonPhrases())[head.status] ?? "Unknown"}`,
      isBase64Encoded,
      body,
    };
    // The target group's mode shows in the request: multiValueHeaders present means multi-value mode is on.
    if (isObject(e.multiValueHeaders)) {
      const multi: Record<string, string[]> = {};
      for (const name in head.headers) multi[name] = [head.headers[name]!];
      if (head.cookies.length > 0) multi["set-cookie"] = head.cookies;
      result.multiValueHeaders = multi;
    } else {
      result.headers = head.cookies.length > 0 ? withCookieVariants(head, options.albCookies) : head.headers;
    }
    return result;
  },
};

/** The result headers of ALB single-value mode, where one name holds one value. */
function withCookieVariants(head: ResultHead, mode: HttpOptions["albCookies"]): Record<string, string> {
  const headers = { ...head.headers };
  const cookies = head.cookies;
  if (mode === "last") {
    headers["set-cookie"] = cookies[cookies.length - 1]!;
    return headers;
  }
  // Header names are case-insensitive in HTTP but not in JSON: `set-cookie`, `Set-cookie`, `sEt-cookie`, … are
  // distinct keys that the load balancer sends as separate Set-Cookie lines. 9 letters give 512 spellings.
  if (cookies.length > 512) {
    throw new RangeError(
      `The response sets ${cookies.length} cookies; ALB single-value mode can carry 512. Enable ` +
        "lambda.multi_value_headers.enabled on the target group.",
    );
  }
  for (let i = 0; i < cookies.length; i++) headers[caseVariant("set-cookie", i)] = cookies[i]!;
  return headers;
}

/**
 * The `index`-th spelling of `name`: bit k of `index` upper-cases the k-th letter.
 *
 * @param name A lowercase header name.
 * @param index Which spelling; 0 is `name` itself.
 * @returns The spelling.
 */
export function caseVariant(name: string, index: number): string {
  let out = "";
  let bit = 0;
  for (const char of name) {
    if (char >= "a" && char <= "z") {
      out += (index >> bit) & 1 ? char.toUpperCase() : char;
      bit++;
    } else out += char;
  }
  return out;
}
