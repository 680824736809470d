/**
 * HTTP events ↔ Fetch objects: REST API (payload 1.0), HTTP API and Function URL (payload 2.0), and ALB in single-
 * and multi-value mode. One pipeline; each shape answers only where its method, path, query and headers are, and how
 * its result looks. Everything else (URL assembly, body decoding, text-or-base64) is shared.
 *
 * @module
 */

import { STATUS_CODES } from "node:http";
import { HttpError } from "../../src/http_error.ts";
import { decodeBase64, encodeBase64 } from "./_base64.ts";
import { lazyRequest } from "../_lazy_request.ts";
import { BadTarget, requestUrl } from "../_request_url.ts";
import { responseHeaderFilter } from "../_framing.ts";
import {
  BadEvent,
  clip,
  describe,
  encodeQuery,
  gatherBoth,
  type Gathered,
  gatherSingle,
  isObject,
  type Json,
  requestContext,
  stringField,
  typeName,
} from "./_http_fields.ts";

export { BadEvent, type Json } from "./_http_fields.ts";

export interface Shape {
  /** How errors name the shape. */
  readonly name: string;
  /** Whether the event wants a streaming-capable (2.0) result. */
  readonly v2: boolean;
  method(event: Json): unknown;
  path(event: Json, stripStage: boolean): unknown;
  /** The query string without `?`, already percent-encoded. */
  query(event: Json): string;
  headers(event: Json, into: Gathered): void;
  result(event: Json, head: ResultHead, body: string, isBase64Encoded: boolean, options: HttpOptions): Json;
}

/** Status and headers of a response, read once. */
export interface ResultHead {
  status: number;
  /** Every header but `set-cookie`, lowercase names, repeated values comma-joined as Fetch does. */
  headers: Record<string, string>;
  /** Every `Set-Cookie` value, in order. */
  cookies: string[];
}

/** Options of the HTTP conversion (a subset of the adapter's options). */
export interface HttpOptions {
  stripStage: boolean;
  isBinary: ((contentType: string | null, contentEncoding: string | null) => boolean) | undefined;
  albCookies: "case-variants" | "last";
}

const REST: Shape = {
  name: "REST API (payload 1.0)",
  v2: false,
  method: (e) => e.httpMethod,
  // `path` never has the stage (`requestContext.path` does); behind a custom domain it has the base-path mapping.
  path: (e) => stringField(e, "path"),
  query: (e) => encodeQuery(e.queryStringParameters, e.multiValueQueryStringParameters, false),
  // multiValueHeaders is the complete map; `headers` keeps one value per name (which one is not even documented).
  headers: (e, into) => gatherBoth(e.headers, e.multiValueHeaders, into),
  result(_e, head, body, isBase64Encoded) {
    const result: Json = { statusCode: head.status, headers: head.headers, body, isBase64Encoded };
    if (head.cookies.length > 0) result.multiValueHeaders = { "set-cookie": head.cookies };
    return result;
  },
};

const BARE_PERCENT = /%(?![0-9A-Fa-f]{2})/g;

const HTTP_API: Shape = {
  name: "HTTP API / Function URL (payload 2.0)",
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
  result(_e, head, body, isBase64Encoded) {
    const result: Json = { statusCode: head.status, headers: head.headers, body, isBase64Encoded };
    if (head.cookies.length > 0) result.cookies = head.cookies;
    return result;
  },
};

const ALB: Shape = {
  name: "Application Load Balancer",
  v2: false,
  method: (e) => e.httpMethod,
  path: (e) => stringField(e, "path"),
  query: (e) => encodeQuery(e.queryStringParameters, e.multiValueQueryStringParameters, true),
  headers: (e, into) => gatherBoth(e.headers, e.multiValueHeaders, into),
  result(e, head, body, isBase64Encoded, options) {
    const result: Json = {
      statusCode: head.status,
      statusDescription: `${head.status} ${STATUS_CODES[head.status] ?? "Unknown"}`,
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

/**
 * Finds the HTTP shape of an event, or `undefined` for a non-HTTP event.
 *
 * @param event The event.
 * @returns The shape.
 */
export function httpShape(event: Json): Shape | undefined {
  const rc = event.requestContext;
  // ALB events carry httpMethod and path like REST (1.0) ones; only ALB has requestContext.elb.
  if (isObject(rc) && rc.elb !== undefined) return ALB;
  // Authorizer events look like the requests they guard but want a policy back: never run the HTTP handler on them.
  if (typeof event.methodArn === "string" || typeof event.routeArn === "string") return undefined;
  // Only 2.0 has requestContext.http. A REST (1.0) event may carry `version` ("1.0") and, behind a custom domain with a
  // base-path mapping, `rawPath`; VPC Lattice v2 says `version: "2.0"` but has neither rawPath nor requestContext.http.
  if (isObject(rc) && isObject(rc.http)) return HTTP_API;
  if (event.version === "2.0" && "rawPath" in event && !("httpMethod" in event)) return HTTP_API;
  if ("httpMethod" in event && "path" in event) return REST;
  return undefined;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const PATH_UNSAFE = /[?#]/;
const NOT_ASCII = /[\u0080-\uffff]/;
const NORMALIZED = new Set(["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"]);
const FORBIDDEN = new Set(["CONNECT", "TRACE", "TRACK"]);

/**
 * Builds the `Request` for an HTTP-shaped event. Everything is read and checked now; the `Request` object itself is
 * built on first use (see `../_lazy_request.ts`), with the same `method` and `url` it reports now.
 *
 * @param shape The event's shape.
 * @param event The event.
 * @param options Conversion options.
 * @param signal Makes the request's signal, on first use.
 * @returns The request.
 * @throws {BadEvent} When a field cannot be converted.
 */
export function toRequest(shape: Shape, event: Json, options: HttpOptions, signal: () => AbortSignal): Request {
  const given = shape.method(event);
  if (typeof given !== "string" || !TOKEN.test(given)) {
    throw new BadEvent(`The HTTP method must be a token like "GET"; got ${describe(given)}.`);
  }
  let method: string = given;
  // As the Fetch standard does: the six common methods are upper-cased, CONNECT/TRACE/TRACK refused.
  const upper = method.toUpperCase();
  if (NORMALIZED.has(upper)) method = upper;
  else if (FORBIDDEN.has(upper)) throw new BadEvent(`The HTTP method ${method} cannot be used in a Request.`);
  let path = shape.path(event, options.stripStage) as string;
  if (path.charCodeAt(0) !== 47) path = "/" + path;
  if (PATH_UNSAFE.test(path)) path = path.replaceAll("?", "%3F").replaceAll("#", "%23");
  const query = shape.query(event);
  // First pass over the headers: check the maps, find Host and X-Forwarded-Proto, allocate nothing.
  const found: Gathered = { collect: false, pairs: [], host: undefined, proto: undefined, cookies: undefined };
  shape.headers(event, found);
  const proto = found.proto === "http" ? "http" : "https";
  let url: string;
  try {
    // The host from Host, else domainName, else localhost, whichever is a valid host[:port] first: a Host cannot move
    // the path, and a sample event with a placeholder host (`<url-id>.lambda-url…`) still runs.
    url = requestUrl(proto, `${path}${query === "" ? "" : "?"}${query}`, found.host, () => domainName(event));
  } catch (error) {
    if (error instanceof BadTarget) throw new BadEvent(error.message);
    throw new BadEvent(`The event does not make a valid URL: path ${describe(path)}.`);
  }
  const init: RequestInit = { method };
  if (method !== "GET" && method !== "HEAD") {
    const body = bodyOf(event);
    if (body !== null) init.body = body as BodyInit;
  }
  return lazyRequest(method, url, signal, () => build(shape, event, url, init));
}

// Header values are bytes; API Gateway hands them over as text decoded from UTF-8. Non-ASCII values are turned back
// into their UTF-8 bytes, read as Latin-1, which is exactly what Deno.serve or a Node server shows for the same request.
// Anything else HTTP forbids (a bad name, a newline in a value) is a 400, raised when the Request is first used.
function build(shape: Shape, event: Json, url: string, init: RequestInit): Request {
  const gathered: Gathered = { collect: true, pairs: [], host: undefined, proto: undefined, cookies: undefined };
  shape.headers(event, gathered);
  const pairs = gathered.pairs;
  if (gathered.cookies !== undefined && gathered.cookies.length > 0) {
    pairs.push(["cookie", gathered.cookies.join("; ")]);
  }
  init.headers = pairs;
  for (const pair of pairs) {
    if (NOT_ASCII.test(pair[1])) pair[1] = String.fromCharCode(...new TextEncoder().encode(pair[1]));
  }
  try {
    return new Request(url, init);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
  }
  const headers = new Headers();
  for (const [name, value] of pairs) {
    if (!TOKEN.test(name)) throw new HttpError(400, `Header name ${describe(name)} is not a valid HTTP token.`);
    try {
      headers.append(name, value);
    } catch {
      throw new HttpError(400, `Header "${clip(name)}" has a value HTTP does not allow: ${describe(value)}.`);
    }
  }
  try {
    return new Request(url, { ...init, headers });
  } catch (error) {
    throw new HttpError(400, `The event does not make a valid request: ${clip(String(error))}.`);
  }
}

function domainName(event: Json): string | undefined {
  const name = requestContext(event).domainName;
  return typeof name === "string" && name !== "" ? name : undefined;
}

const TEXT_ENCODER = new TextEncoder();

function bodyOf(event: Json): Uint8Array | null {
  const body = event.body;
  if (body === undefined || body === null || body === "") return null;
  if (typeof body !== "string") throw new BadEvent(`body must be a string or null; got ${typeName(body)}.`);
  // As bytes, not text: a string body would make Request invent `content-type: text/plain;charset=UTF-8`, which the
  // client never sent (Deno.serve shows no Content-Type for the same request).
  if (event.isBase64Encoded !== true) return TEXT_ENCODER.encode(body);
  const bytes = decodeBase64(body);
  if (bytes === undefined) {
    throw new BadEvent(`body is marked isBase64Encoded but is not valid base64: ${describe(body)}.`);
  }
  return bytes;
}

// ── response side ───────────────────────────────────────────────────────────────────────────────────────────────────

const TEXT_TYPE =
  /^(?:text\/|application\/(?:json|xml|javascript|ecmascript|x-www-form-urlencoded)\s*(?:;|$)|[^;]*\+(?:json|xml)\s*(?:;|$))/i;

/**
 * The default body encoding: text types go out as text; every other type, a missing type with a body, and any
 * `Content-Encoding` but `identity` go out as base64.
 *
 * @param contentType The response's `Content-Type`, or `null`.
 * @param contentEncoding Its `Content-Encoding`, or `null`.
 * @returns Whether the body must be base64-encoded.
 *
 * @example Extend the default for one more type
 * ```ts
 * import { isBinaryDefault } from "../aws_lambda.ts";
 *
 * const isBinary = (type: string | null, encoding: string | null) =>
 *   type?.startsWith("image/svg") === true || isBinaryDefault(type, encoding);
 * console.assert(isBinary("image/svg+xml", null));
 * console.assert(!isBinaryDefault("application/json; charset=utf-8", null));
 * console.assert(isBinaryDefault("application/json", "gzip"));
 * ```
 */
export function isBinaryDefault(contentType: string | null, contentEncoding: string | null): boolean {
  if (contentEncoding !== null && contentEncoding !== "" && contentEncoding.toLowerCase() !== "identity") return true;
  return contentType === null || !TEXT_TYPE.test(contentType);
}

/**
 * Reads status and headers of a response, once. Framing headers stay behind (see `../_framing.ts`): the platform
 * frames the result itself, and a `Content-Length` or `Content-Encoding` copied from a `fetch` response would
 * describe bytes that are no longer there.
 *
 * @param response The response.
 * @returns Status, headers and cookies.
 */
export function readHead(response: Response): ResultHead {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  const filter = responseHeaderFilter(response, "GET");
  response.headers.forEach((value, name) => {
    if (name === "set-cookie") cookies.push(value);
    else if (filter.keep(name)) headers[name] = value;
  });
  return { status: response.status, headers, cookies };
}

/**
 * Turns a response into the result the event's source wants.
 *
 * @param shape The event's shape.
 * @param event The event.
 * @param response The response.
 * @param options Conversion options.
 * @returns The result.
 */
export async function toResult(shape: Shape, event: Json, response: Response, options: HttpOptions): Promise<Json> {
  const head = readHead(response);
  const contentType = head.headers["content-type"] ?? null;
  const contentEncoding = head.headers["content-encoding"] ?? null;
  // `response.body` is not touched: reading it would build a ReadableStream that text() does not need.
  let base64 = (options.isBinary ?? isBinaryDefault)(contentType, contentEncoding);
  let body: string;
  if (base64) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    // No body at all (204, a redirect…) goes out as plain empty text whatever the type.
    if (bytes.length === 0 && contentType === null) base64 = false;
    body = base64 ? encodeBase64(bytes) : "";
  } else body = await response.text();
  return shape.result(event, head, body, base64, options);
}
