/**
 * HTTP events ↔ Fetch objects. One pipeline; each shape (`./_rest.ts`, `./_http_v2.ts`, `./_alb.ts`, one module each
 * so an entry imports only the ones its deployment receives) answers only where its method, path, query and headers
 * are, and how its result looks. Everything else (URL assembly, body decoding, text-or-base64) is shared.
 *
 * @module
 */

import { HttpError } from "../../src/http_error.ts";
import { decodeBase64, encodeBase64 } from "./_base64.ts";
import { lazyRequest } from "../_lazy_request.ts";
import { BadTarget, requestUrl } from "../_request_url.ts";
import { responseHeaderFilter } from "../_framing.ts";
import { BadEvent, clip, describe, type Gathered, type Json, requestContext, typeName } from "./_http_fields.ts";

export { BadEvent, type Json } from "./_http_fields.ts";

export interface Shape {
  /** Marks an HTTP shape among the event shapes of `./_event_shape.ts`. */
  readonly kind: "http";
  /** How errors name the shape. */
  readonly name: string;
  /** Whether an event has this shape; no event has two. */
  matches(event: Json): boolean;
  /** Whether the event wants a streaming-capable (2.0) result. */
  readonly v2: boolean;
  method(event: Json): unknown;
  path(event: Json, stripStage: boolean): unknown;
  /** The query string without `?`, already percent-encoded. */
  query(event: Json): string;
  headers(event: Json, into: Gathered): void;
  /**
   * The event's own header map when the `Request` can take it as it is (the usual event), so that the list
   * {@linkcode Shape.headers} gathers need not be made; `undefined` when it cannot.
   */
  plainHeaders?(event: Json): Json | undefined;
  result(
    event: Json,
    head: ResultHead,
    body: string,
    isBase64Encoded: boolean,
    options: HttpOptions,
  ): Json | Promise<Json>;
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
  const plain = shape.plainHeaders?.(event);
  if (plain !== undefined) {
    init.headers = plain as Record<string, string>;
    try {
      return new Request(url, init);
    } catch (error) {
      // A name or value HTTP forbids: the gathered list below says which.
      if (!(error instanceof TypeError)) throw error;
    }
  }
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
