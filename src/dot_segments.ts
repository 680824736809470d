/**
 * The dot-segment rule: a request whose path has a `.` or `..` segment is refused with 400 on every platform, before
 * routing, and so is a route parameter that would decode to one.
 *
 * Browsers and `fetch` resolve dot segments before sending, so only a hand-made request carries one. Resolving it
 * in the function (as `new URL` would) can run a route that a gateway or proxy in front matched and authorized
 * under the unresolved path (`/public/../admin` passing a rule for `/public/*`); refusing it leaves no such gap and
 * gives the router, `new URL(request.url)` and every adapter the same answer. The URL parser's rules are followed:
 * `%2e` counts as a dot in any case, and `\` separates segments as `/` does.
 *
 * @module
 */

/** What the 400 for a dot segment says, whether the path has it or a route parameter decodes to it. */
export const DOT_SEGMENT_MESSAGE =
  'Bad Request: a "." or ".." path segment (perhaps as %2e or %2F); resolve it before sending.';

/**
 * What the 400 for a route parameter that decodes to a dot segment says: the same message, since the parameter's
 * `..` is a segment of the path once its `%2F` is decoded.
 */
export const DOT_PARAM_MESSAGE: string = DOT_SEGMENT_MESSAGE;

// A segment of one or two dots, each `.` or `%2e`, between separators (`/` or `\\`) or the ends.
const DOT_SEGMENT = /(?:^|[/\\])(?:\.|%2e){1,2}(?:[/\\]|$)/i;

/**
 * Whether a path (no query) has a `.` or `..` segment as the URL parser sees one.
 *
 * @param path The path, percent-encoded as received, or a decoded parameter value.
 * @returns `true` when a segment is `.`, `..`, or one of them spelled with `%2e`.
 *
 * @example Usage
 * ```ts
 * import { hasDotSegment } from "./dot_segments.ts";
 * console.assert(hasDotSegment("/public/../admin") && hasDotSegment("/a/%2E%2e/b") && hasDotSegment("a\\..\\b"));
 * console.assert(!hasDotSegment("/files/v1.2/.hidden/..x"));
 * ```
 */
export function hasDotSegment(path: string): boolean {
  // The common case, a path without a dot or an escape, costs two scans and no regular expression.
  return (path.includes(".") || path.includes("%")) && DOT_SEGMENT.test(path);
}

/**
 * The path of an absolute URL string (no query, no fragment), without parsing it.
 *
 * @param url An absolute URL, e.g. `request.url`.
 * @returns Its path, as written; `/` when it has none.
 *
 * @example Usage
 * ```ts
 * import { pathOfUrl } from "./dot_segments.ts";
 * console.assert(pathOfUrl("http://a/b/../c?d=/..") === "/b/../c");
 * ```
 */
export function pathOfUrl(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start === -1) return "/";
  let end = url.length;
  const query = url.indexOf("?", start);
  if (query !== -1) end = query;
  const hash = url.indexOf("#", start);
  if (hash !== -1 && hash < end) end = hash;
  return url.slice(start, end);
}

/**
 * The path of a request URL as the router reads it: up to the query, without parsing the URL. `serverless()` checks
 * this same string for dot segments, so what is checked is exactly what is routed.
 *
 * @param url A request's absolute URL, `request.url`.
 * @returns Its path, as written (a fragment, which only a hand-made request has, stays in it); `/` when it has none.
 *
 * @example Usage
 * ```ts
 * import { routedPath } from "./dot_segments.ts";
 * console.assert(routedPath("http://a/b/../c?d=/..") === "/b/../c");
 * ```
 */
export function routedPath(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start === -1) return "/";
  const query = url.indexOf("?", start);
  return query === -1 ? url.slice(start) : url.slice(start, query);
}
