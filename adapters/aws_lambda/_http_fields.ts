/**
 * Reading untrusted event fields: header and query maps in their single- and multi-value forms, with errors that
 * say which field held what.
 *
 * @module
 */

export type Json = Record<string, unknown>;

/** An HTTP-shaped event with a field that cannot be turned into a request: answered with 400. */
export class BadEvent extends Error {
  /** Always `"BadEvent"`. */
  override name = "BadEvent";
}

/**
 * The headers of an event: the few values the URL needs and, when `collect` is set, the pairs for `Request`. The
 * first pass (when the event arrives) only checks the maps and finds the host; the pairs are gathered in a second pass
 * when the `Request` is built, which a handler that never reads its request never pays for.
 */
export interface Gathered {
  collect: boolean;
  pairs: [string, string][];
  host: string | undefined;
  proto: string | undefined;
  cookies: string[] | undefined;
}

/** Whether a value is a non-null object. */
export const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null;

// ── request side ────────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * Adds both header maps of a REST (1.0) or ALB event, merged as API Gateway documents it: every name of
 * `multiValueHeaders` with all its values, then the names only `headers` has. For a name in both (compared without
 * case), `multiValueHeaders` wins; an empty `multiValueHeaders` leaves every header to `headers`.
 */
export function gatherBoth(single: unknown, multi: unknown, into: Gathered): void {
  gatherMulti(multi, into, "multiValueHeaders");
  if (!isObject(multi) || Array.isArray(multi)) return gatherSingle(single, into, "headers");
  // A name spelled alike in both maps (the usual event) is found without lowercasing; the lowercase names of
  // multiValueHeaders are listed only when one of headers is not.
  let taken: Set<string> | undefined;
  gatherSingle(single, into, "headers", (name) => {
    const values = multi[name];
    if (Array.isArray(values) && values.length > 0) return true;
    if (taken === undefined) {
      taken = new Set();
      for (const other in multi) {
        const values = multi[other];
        if (Array.isArray(values) && values.length > 0) taken.add(other.toLowerCase());
      }
    }
    return taken.has(name.toLowerCase());
  });
}

/**
 * Adds a single-value map (`headers`) to `into`; null entries and names `skip` says to leave out are skipped, other
 * non-strings are a BadEvent.
 */
export function gatherSingle(map: unknown, into: Gathered, what: string, skip?: (name: string) => boolean): void {
  if (map === undefined || map === null) return;
  if (!isObject(map) || Array.isArray(map)) {
    throw new BadEvent(`${what} must be an object or null; got ${typeName(map)}.`);
  }
  for (const name in map) {
    const value = map[name];
    if (value === undefined || value === null) continue;
    if (skip !== undefined && skip(name)) continue;
    if (typeof value !== "string") {
      throw new BadEvent(`${what}["${clip(name)}"] must be a string; got ${typeName(value)}.`);
    }
    add(into, name, value);
  }
}

/** Adds a multi-value map (`multiValueHeaders`) to `into`, every value of every name. */
export function gatherMulti(map: unknown, into: Gathered, what: string): void {
  if (map === undefined || map === null) return;
  if (!isObject(map) || Array.isArray(map)) {
    throw new BadEvent(`${what} must be an object or null; got ${typeName(map)}.`);
  }
  for (const name in map) {
    const values = map[name];
    if (values === undefined || values === null) continue;
    if (!Array.isArray(values)) {
      throw new BadEvent(`${what}["${clip(name)}"] must be an array of strings; got ${typeName(values)}.`);
    }
    for (const value of values) {
      if (value === null || value === undefined) continue;
      if (typeof value !== "string") {
        throw new BadEvent(`${what}["${clip(name)}"] must hold strings; got ${typeName(value)}.`);
      }
      add(into, name, value);
    }
  }
}

// Host, the forwarded protocol and Cookie are picked out on the way: the URL needs the first two, and several
// Cookie values must be joined with "; " (Headers would join them with ", ", which breaks cookie parsing).
function add(into: Gathered, name: string, value: string): void {
  const length = name.length;
  if (length === 4 || length === 6 || length === 17) {
    const lower = name.toLowerCase();
    if (lower === "host") into.host ??= value;
    else if (lower === "x-forwarded-proto") into.proto ??= value;
    else if (lower === "cookie") {
      if (into.collect) (into.cookies ??= []).push(value);
      return;
    }
  }
  if (!into.collect) return;
  into.pairs.push([name, value]);
}

const NOT_ASCII = /[\u0080-\uffff]/;

/**
 * A single-value header map itself, when a `Request` can take it as it is: every value a string of ASCII (other
 * text is turned into its UTF-8 bytes first), and at most one Cookie (several are joined with "; ", not ", ").
 */
export function plainHeaders(map: unknown): Json | undefined {
  if (!isObject(map) || Array.isArray(map)) return undefined;
  let cookies = 0;
  for (const name in map) {
    const value = map[name];
    if (typeof value !== "string" || NOT_ASCII.test(value)) return undefined;
    if (name.length === 6 && name.toLowerCase() === "cookie" && ++cookies > 1) return undefined;
  }
  return map;
}

/**
 * The single-value map of a REST (1.0) event itself, when it says all that both maps say: `multiValueHeaders` holds
 * the same names, each with that one value, or nothing (see {@linkcode gatherBoth}), as API Gateway usually sends.
 */
export function plainBoth(single: unknown, multi: unknown): Json | undefined {
  if (multi === undefined || multi === null) return plainHeaders(single);
  if (!isObject(single) || !isObject(multi) || Array.isArray(multi)) return undefined;
  let names = 0;
  for (const name in multi) {
    const values = multi[name];
    if (!Array.isArray(values) || values.length !== 1 || values[0] !== single[name]) return undefined;
    names++;
  }
  if (names !== 0) { for (const _ in single) names--; }
  return names === 0 ? plainHeaders(single) : undefined;
}

/** The query string (no `?`) from the multi-value map when there is one, else the single-value map. */
export function encodeQuery(single: unknown, multi: unknown, raw: boolean): string {
  let query = "";
  if (isObject(multi)) {
    for (const key in multi) {
      const values = multi[key];
      if (values === null || values === undefined) continue;
      if (!Array.isArray(values)) {
        throw new BadEvent(
          `multiValueQueryStringParameters["${clip(key)}"] must be an array; got ${typeName(values)}.`,
        );
      }
      for (const value of values) {
        if (value === null || value === undefined) continue;
        if (typeof value !== "string") {
          throw new BadEvent(
            `multiValueQueryStringParameters["${clip(key)}"] must hold strings; got ${typeName(value)}.`,
          );
        }
        query += (query === "" ? "" : "&") + pair(key, value, raw);
      }
    }
    return query;
  }
  if (multi !== undefined && multi !== null) {
    throw new BadEvent(`multiValueQueryStringParameters must be an object or null; got ${typeName(multi)}.`);
  }
  if (single === undefined || single === null) return "";
  if (!isObject(single) || Array.isArray(single)) {
    throw new BadEvent(`queryStringParameters must be an object or null; got ${typeName(single)}.`);
  }
  for (const key in single) {
    const value = single[key];
    if (value === null || value === undefined) continue;
    if (typeof value !== "string") {
      throw new BadEvent(`queryStringParameters["${clip(key)}"] must be a string; got ${typeName(value)}.`);
    }
    query += (query === "" ? "" : "&") + pair(key, value, raw);
  }
  return query;
}

// ALB hands over the query exactly as the client sent it (still percent-encoded): it is put back as it was, so the
// single decoding happens when the handler reads `URL.searchParams`. API Gateway decodes first, so we encode.
function pair(key: string, value: string, raw: boolean): string {
  return raw ? `${escapeRaw(key)}=${escapeRaw(value)}` : `${encodeURIComponent(key)}=${encodeURIComponent(value)}`;
}

const RAW_UNSAFE = /[#&\s]/;
const RAW_UNSAFE_ALL = /[#&\s]/g;
function escapeRaw(text: string): string {
  return RAW_UNSAFE.test(text) ? text.replace(RAW_UNSAFE_ALL, (c) => encodeURIComponent(c)) : text;
}

/** A string field of the event, or a BadEvent naming it. */
export function stringField(event: Json, field: string): string {
  const value = event[field];
  if (typeof value !== "string") throw new BadEvent(`${field} must be a string; got ${typeName(value)}.`);
  return value;
}

/** `event.requestContext`, or an empty object when it is missing or not an object. */
export function requestContext(event: Json): Json {
  const rc = event.requestContext;
  return isObject(rc) ? rc : {};
}

// ── messages ────────────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * A short printable description of a value for error messages.
 *
 * @param value Anything.
 * @returns At most ~80 characters.
 */
export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(clip(value));
  return typeName(value);
}

/** What a value is, for error messages: `null`, `an array`, `number 42`, `the string "…"`. */
export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return `the string ${JSON.stringify(clip(value))}`;
  return `${typeof value} ${String(value).slice(0, 40)}`;
}

/** Text shortened to 60 characters for error messages, with its full length noted. */
export function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…(${text.length} chars)` : text;
}
