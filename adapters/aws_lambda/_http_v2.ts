/**
 * The payload 2.0 shape (HTTP API and Function URL): where its method, path, query and headers are, and how its
 * result looks.
 *
 * @module
 */

import type { Shape } from "./_http.ts";
import { isHttpV2Event } from "./_http_detect.ts";
import {
  BadEvent,
  gatherSingle,
  isObject,
  type Json,
  plainHeaders,
  requestContext,
  stringField,
  typeName,
} from "./_http_fields.ts";

const BARE_PERCENT = /%(?![0-9A-Fa-f]{2})/g;

/** API Gateway HTTP API and Function URL (payload 2.0). */
export const HTTP_API: Shape = {
  kind: "http",
  name: "HTTP API / Function URL (payload 2.0)",
  matches: isHttpV2Event,
  v2: true,
  method: (e) => {
    const http = requestContext(e).http;
    return isObject(http) ? http.method : undefined;
  },
  path(e, stripStage) {
    // HTTP API decodes the path before writing rawPath; a `%` not followed by two hex digits can only have been a
    // `%25`, so it is escaped again rather than left to make the path malformed.
    const path = stringField(e, "rawPath").replace(BARE_PERCENT, "%25");
    if (!stripStage) return path;
    // A named stage is part of rawPath (`/Prod/my/path`); `$default` never is.
    const stage = requestContext(e).stage;
    if (typeof stage !== "string" || stage === "$default" || stage === "") return path;
    const prefix = `/${stage}`;
    if (path === prefix) return "/";
    return path.startsWith(prefix + "/") ? path.slice(prefix.length) : path;
  },
  query(e) {
    const raw = e.rawQueryString;
    if (raw === undefined || raw === null) return "";
    if (typeof raw !== "string") throw new BadEvent(`rawQueryString must be a string; got ${typeName(raw)}.`);
    return raw.includes("#") ? raw.replaceAll("#", "%23") : raw;
  },
  headers(e, into) {
    gatherSingle(e.headers, into, "headers");
    const cookies = e.cookies;
    if (cookies === undefined || cookies === null) return;
    if (!Array.isArray(cookies) || !cookies.every((c) => typeof c === "string")) {
      throw new BadEvent(`cookies must be an array of strings; got ${typeName(cookies)}.`);
    }
    // `cookies[]` is the complete list; a Function URL also sends the raw `cookie` header with the same cookies.
    into.cookies = cookies as string[];
  },
  plainHeaders: (e) => e.cookies === undefined || e.cookies === null ? plainHeaders(e.headers) : undefined,
  result(_e, head, body, isBase64Encoded) {
    const result: Json = { statusCode: head.status, headers: head.headers, body, isBase64Encoded };
    if (head.cookies.length > 0) result.cookies = head.cookies;
    return result;
  },
};
