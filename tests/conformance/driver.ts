/**
 * The driver interface of the conformance suite, and what drivers share.
 *
 * A driver is one file, `drivers/<platform>.ts`, whose default export is a {@linkcode Driver}. It turns a corpus
 * request into the platform's real input (an HTTP request to a real server, or an event for the adapter's
 * `handle`), and the platform's output back into an {@linkcode Observed} response. The suite compares that with what
 * `Deno.serve` answered; a difference fails unless one of the driver's {@linkcode Limit}s covers it, and every limit
 * must be documented in docs/platforms.md under its id.
 *
 * `drivers/gcp.ts` is an HTTP driver (a real server, `sendOverHttp`); `drivers/aws_v2.ts` an event driver (the
 * event built with `requestParts`, the result read back with `observedFrom`); `drivers/cloudflare.ts` one whose
 * runtime's types must stay out of the root program.
 *
 * @module
 */

import type { ServerlessFunction } from "../../mod.ts";
import type { CorpusCase } from "./corpus.ts";

/** A response as the suite compares it. */
export interface Observed {
  /** The status code. */
  status: number;
  /** Header pairs as received, names lowercase; each `set-cookie` separately. */
  headers: [string, string][];
  /** The body bytes (empty for none). */
  body: Uint8Array;
}

/** The function under test, as in-process drivers and out-of-process drivers need it. */
export interface EchoApp {
  /** The echo function itself, for drivers that call an adapter's `handle` in this process. */
  fn: ServerlessFunction<never>;
  /** Its module, relative to the repository root (default export), for drivers that run it in another runtime. */
  module: string;
}

/** A platform, started and ready for requests. */
export interface Target {
  /** Sends one corpus request through the platform and returns what a client would get. */
  send(request: CorpusCase): Promise<Observed>;
  /** Stops the platform and removes anything it left. */
  close(): Promise<void>;
}

/** Which part of a response a limit lets differ. */
export type Aspect = "status" | "headers" | "body";

/** A documented way a platform answers differently from `Deno.serve`. */
export interface Limit {
  /** Short id, written in docs/platforms.md (as `` `id` ``), where the limit is explained. */
  id: string;
  /** Which cases it applies to. */
  applies: (c: CorpusCase) => boolean;
  /** Which parts may differ; all when absent. */
  aspects?: readonly Aspect[];
  /** One line on why, shown in the matrix legend. */
  reason: string;
}

/** One platform of the conformance suite. */
export interface Driver {
  /** The matrix column, e.g. `node`, `aws-v1`, `cloudflare`. */
  name: string;
  /** Why the platform cannot run here (the column is then skipped, loudly), or `undefined` when it can. */
  unavailable?(): Promise<string | undefined>;
  /** Starts the platform running the echo function. */
  start(app: EchoApp): Promise<Target>;
  /** The differences from `Deno.serve` this platform is known and documented to have. */
  limits: readonly Limit[];
}

/**
 * Reads a Fetch response into an {@linkcode Observed}.
 *
 * @param response The response.
 * @returns Status, headers and body bytes.
 */
export async function observe(response: Response): Promise<Observed> {
  return {
    status: response.status,
    headers: [...response.headers],
    body: new Uint8Array(await response.arrayBuffer()),
  };
}

/**
 * Sends a corpus request to a real HTTP server with `fetch`: redirects are not followed, and `identity` encoding is
 * asked for so no server compresses (compression is transport, not the function's answer).
 *
 * @param base The server's origin, e.g. `http://127.0.0.1:8000`.
 * @param request The corpus request.
 * @returns What came back.
 */
export async function sendOverHttp(base: string, request: CorpusCase): Promise<Observed> {
  if (request.tags.includes("raw")) return await sendRaw(base, request);
  const headers = new Headers(request.headers.map(([name, value]) => [name, value]));
  headers.set("accept-encoding", "identity");
  const response = await fetch(new URL(base).origin + request.target, {
    method: request.method,
    headers,
    ...(request.body && { body: request.body }),
    redirect: "manual",
  });
  return await observe(response);
}

/**
 * Sends a corpus request byte for byte over TCP (HTTP/1.1, `Connection: close`), for the cases `fetch` would change:
 * it resolves dot segments and sets `Host` itself. The request carries the {@linkcode CLIENT_HEADERS} as `fetch`
 * would, and a `Host` of the server's address unless the case sets one.
 *
 * @param base The server's origin.
 * @param request The corpus request.
 * @returns What came back: status, header pairs and the body (de-chunked).
 */
export async function sendRaw(base: string, request: CorpusCase): Promise<Observed> {
  const origin = new URL(base);
  const sent: [string, string][] = request.headers.map(([name, value]) => [name, value]);
  const has = (name: string) => sent.some(([given]) => given.toLowerCase() === name);
  if (!has("host")) sent.unshift(["host", origin.host]);
  for (const [name, value] of CLIENT_HEADERS) if (!has(name)) sent.push([name, value]);
  const body = request.body ?? new Uint8Array(0);
  if (request.body) sent.push(["content-length", String(body.byteLength)]);
  sent.push(["connection", "close"]);
  const head = `${request.method} ${request.target} HTTP/1.1\r\n${sent.map(([n, v]) => `${n}: ${v}\r\n`).join("")}\r\n`;
  const conn = await Deno.connect({ hostname: origin.hostname.replace(/^\[|\]$/g, ""), port: Number(origin.port) });
  const writer = conn.writable.getWriter();
  await writer.write(new TextEncoder().encode(head));
  if (body.byteLength > 0) await writer.write(body);
  writer.releaseLock();
  const parts: Uint8Array[] = [];
  for await (const chunk of conn.readable) parts.push(chunk);
  return parseResponse(request.method, concatBytes(parts));
}

function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

function parseResponse(method: string, bytes: Uint8Array): Observed {
  const latin1 = new TextDecoder("latin1").decode(bytes);
  const end = latin1.indexOf("\r\n\r\n");
  if (end === -1) throw new Error(`no HTTP response head in ${JSON.stringify(latin1.slice(0, 200))}`);
  const [statusLine, ...lines] = latin1.slice(0, end).split("\r\n");
  const status = Number(statusLine!.split(" ")[1]);
  const headers = lines.map((line) => {
    const colon = line.indexOf(":");
    return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()] as [string, string];
  });
  let body = bytes.subarray(end + 4);
  if (method === "HEAD" || status === 204 || status === 304) body = new Uint8Array(0);
  else if (headers.some(([name, value]) => name === "transfer-encoding" && /chunked/i.test(value))) {
    body = dechunk(body);
  }
  return { status, headers, body };
}

function dechunk(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  const text = new TextDecoder("latin1");
  let at = 0;
  for (;;) {
    let lineEnd = at;
    while (lineEnd + 1 < bytes.length && !(bytes[lineEnd] === 13 && bytes[lineEnd + 1] === 10)) lineEnd++;
    const size = parseInt(text.decode(bytes.subarray(at, lineEnd)), 16);
    if (!(size > 0)) break;
    parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return concatBytes(parts);
}

/**
 * The headers `fetch` adds to every request {@linkcode sendOverHttp} makes (so the reference answer sees them), for
 * event-building drivers to send as well. A request that sets one of them itself keeps its own.
 */
export const CLIENT_HEADERS: readonly (readonly [string, string])[] = [
  ["accept", "*/*"],
  ["accept-encoding", "identity"],
  ["accept-language", "*"],
  ["user-agent", `Deno/${Deno.version.deno}`],
];

/** A corpus request taken apart, for drivers that build platform events rather than send HTTP. */
export interface RequestParts {
  /** The path, percent-encoded as sent (e.g. `/echo/caf%C3%A9`). */
  path: string;
  /** The query string without `?`, as sent (`""` for none). */
  rawQuery: string;
  /** The query as decoded pairs, in order, repeated keys kept. */
  query: [string, string][];
  /**
   * Header pairs in order, names lowercase, repeated names kept (not joined): the corpus headers, then the
   * {@linkcode CLIENT_HEADERS} the reference request carries too.
   */
  headers: [string, string][];
  /** The same pairs with names in the case the client wrote them. */
  sentHeaders: [string, string][];
  /** The body bytes, or `undefined` for none. */
  body: Uint8Array<ArrayBuffer> | undefined;
  /** The body in base64, or `undefined` for none. */
  bodyBase64: string | undefined;
  /** The body as text when it is valid UTF-8 and the content type is textual, else `undefined`. */
  bodyText: string | undefined;
}

/**
 * Takes a corpus request apart: what an event-building driver (Lambda 1.0/2.0/ALB, Azure, …) needs.
 *
 * @param request The corpus request.
 * @returns Its path, query, headers and body in the forms events use.
 */
export function requestParts(request: CorpusCase): RequestParts {
  let parts = PARTS.get(request);
  if (!parts) PARTS.set(request, parts = takeApart(request));
  return parts;
}

// Taking a 5 MB body apart is not free and every event driver (and some limits) ask for it: once per case.
const PARTS = new WeakMap<CorpusCase, RequestParts>();

function takeApart(request: CorpusCase): RequestParts {
  const at = request.target.indexOf("?");
  const path = at < 0 ? request.target : request.target.slice(0, at);
  const rawQuery = at < 0 ? "" : request.target.slice(at + 1);
  const sentHeaders = request.headers.map(([name, value]) => [name, value] as [string, string]);
  for (const [name, value] of CLIENT_HEADERS) {
    if (!sentHeaders.some(([given]) => given.toLowerCase() === name)) sentHeaders.push([name, value]);
  }
  const headers = sentHeaders.map(([name, value]) => [name.toLowerCase(), value] as [string, string]);
  const type = headers.find(([name]) => name === "content-type")?.[1] ?? "";
  const textual = /^(text\/|application\/(json|x-www-form-urlencoded|xml|javascript))/.test(type);
  let bodyText: string | undefined;
  if (request.body && textual) {
    try {
      bodyText = new TextDecoder("utf-8", { fatal: true }).decode(request.body);
    } catch { /* binary after all */ }
  }
  return {
    path,
    rawQuery,
    query: [...new URLSearchParams(rawQuery)],
    headers,
    sentHeaders,
    body: request.body,
    bodyBase64: request.body && toBase64(request.body),
    bodyText,
  };
}

/**
 * Base64 of some bytes (`Uint8Array.prototype.toBase64` where the runtime has it).
 *
 * @param bytes The bytes.
 * @returns Their base64.
 */
export function toBase64(bytes: Uint8Array): string {
  const native = (bytes as Uint8Array & { toBase64?: () => string }).toBase64;
  if (native) return native.call(bytes);
  let binary = "";
  for (let i = 0; i < bytes.byteLength; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/**
 * Bytes from base64 (`Uint8Array.fromBase64` where the runtime has it).
 *
 * @param text Base64.
 * @returns The bytes.
 */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const native = (Uint8Array as unknown as { fromBase64?: (text: string) => Uint8Array<ArrayBuffer> }).fromBase64;
  if (native) return native(text);
  return Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
}

/**
 * Builds an {@linkcode Observed} from a platform's result parts (e.g. a Lambda result's status, headers and
 * base64-decoded body).
 *
 * @param status The status code.
 * @param headers Header pairs; repeated names and each `set-cookie` separately.
 * @param body The body bytes, or a string (UTF-8).
 * @returns The comparable response.
 */
export function observedFrom(status: number, headers: [string, string][], body: Uint8Array | string = ""): Observed {
  return {
    status,
    headers: headers.map(([name, value]) => [name.toLowerCase(), value]),
    body: typeof body === "string" ? new TextEncoder().encode(body) : body,
  };
}

/** Headers that belong to the connection, not to the function's answer. */
const TRANSPORT = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-length",
  "date",
  "server",
  "vary",
  "content-encoding",
  "te",
  "trailer",
  "upgrade",
  "proxy-connection",
]);

/**
 * What is wrong with the framing of an answer to a `framing` case (whose function returns the framing headers of
 * another connection, see echo.ts): a hop-by-hop header the function set reached the client, or the length is not
 * the length of the body. Such an answer fails whatever the platform's limits say, and whatever `Deno.serve` does.
 *
 * @param c The case.
 * @param observed The platform's answer, as received.
 * @returns The faults; empty when the platform framed the answer itself.
 */
export function framingFaults(c: CorpusCase, observed: Observed): string[] {
  if (!c.tags.includes("framing")) return [];
  const faults: string[] = [];
  const values = (name: string) => observed.headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
  for (const name of ["x-hop", "upgrade", "te", "trailer", "proxy-connection", "content-encoding"]) {
    if (values(name).length > 0) faults.push(`the function's ${name} was sent`);
  }
  if (values("connection").some((v) => /x-hop/i.test(v))) faults.push("the function's Connection was sent");
  if (values("keep-alive").includes("timeout=77")) faults.push("the function's Keep-Alive was sent");
  const lengths = values("content-length");
  if (lengths.length > 1) faults.push(`${lengths.length} Content-Length headers`);
  if (c.method !== "HEAD" && lengths.length === 1 && Number(lengths[0]) !== observed.body.byteLength) {
    faults.push(`Content-Length ${lengths[0]} for a ${observed.body.byteLength}-byte body`);
  }
  if (lengths.length > 0 && values("transfer-encoding").length > 0) faults.push("both Content-Length and chunked");
  return faults;
}

/**
 * Makes a response comparable: transport headers dropped, names lowercase, pairs sorted, repeated headers joined
 * (each `set-cookie` kept apart, in order), and the request id, which each platform makes its own way, replaced by a placeholder.
 *
 * @param observed The response.
 * @returns The comparable form.
 */
export function normalize(observed: Observed): Observed {
  const id = observed.headers.find(([name]) => name.toLowerCase() === "x-request-id")?.[1];
  // Through `Headers`: names lowercase and sorted, repeated headers joined with ", " as a client sees them (so a
  // driver may return them joined or not), each `set-cookie` kept apart.
  const joined = new Headers();
  for (const [name, value] of observed.headers) joined.append(name, value);
  // Headers the answer's own Connection names are hop-by-hop too (RFC 9110 §7.6.1).
  const named = new Set((joined.get("connection") ?? "").split(",").map((token) => token.trim().toLowerCase()));
  const headers = [...joined]
    .filter(([name]) => !TRANSPORT.has(name) && !named.has(name))
    .map(([name, value]) => [name, name === "x-request-id" ? "<request-id>" : value] as [string, string]);
  let body = observed.body;
  if (id && body.byteLength < 4096) {
    const text = new TextDecoder().decode(body);
    if (text.includes(id)) body = new TextEncoder().encode(text.replaceAll(id, "<request-id>"));
  }
  return { status: observed.status, headers, body };
}

/**
 * The parts in which two responses differ, after {@linkcode normalize}.
 *
 * @param expected The reference answer.
 * @param actual The platform's answer.
 * @returns Each differing aspect with a short description; empty when they match.
 */
export function differences(expected: Observed, actual: Observed): { aspect: Aspect; detail: string }[] {
  const a = normalize(expected);
  const b = normalize(actual);
  const found: { aspect: Aspect; detail: string }[] = [];
  if (a.status !== b.status) found.push({ aspect: "status", detail: `status ${b.status}, expected ${a.status}` });
  const ha = JSON.stringify(a.headers);
  const hb = JSON.stringify(b.headers);
  if (ha !== hb) {
    const missing = a.headers.filter((h) => !b.headers.some((g) => g[0] === h[0] && g[1] === h[1]));
    const extra = b.headers.filter((h) => !a.headers.some((g) => g[0] === h[0] && g[1] === h[1]));
    found.push({
      aspect: "headers",
      detail: `headers missing ${short(JSON.stringify(missing))}, unexpected ${short(JSON.stringify(extra))}`,
    });
  }
  if (!sameBytes(a.body, b.body)) {
    found.push({ aspect: "body", detail: `body ${describe(b.body)}, expected ${describe(a.body)}` });
  }
  return found;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

function describe(body: Uint8Array): string {
  const text = new TextDecoder().decode(body.subarray(0, 120));
  return `${body.byteLength} bytes ${short(JSON.stringify(text))}`;
}

function short(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** How one platform did on one case. */
export type Verdict = { kind: "ok" } | { kind: "limit"; ids: string[] } | { kind: "fail"; detail: string };

/**
 * Judges a platform's answer: `fail` when a `framing` case's answer has foreign framing ({@linkcode framingFaults}),
 * else `ok` when it matches the reference, `limit` when every difference is covered by one of
 * the platform's limits that applies to the case (for that aspect), `fail` otherwise.
 *
 * @param c The case.
 * @param expected The reference answer.
 * @param actual The platform's answer.
 * @param limits The platform's documented limits.
 * @returns The verdict.
 */
export function judge(c: CorpusCase, expected: Observed, actual: Observed, limits: readonly Limit[]): Verdict {
  const faults = framingFaults(c, actual);
  if (faults.length > 0) return { kind: "fail", detail: `framing: ${faults.join("; ")}` };
  const found = differences(expected, actual);
  if (found.length === 0) return { kind: "ok" };
  const applicable = limits.filter((l) => l.applies(c));
  const covers = (l: Limit, aspect: Aspect) => !l.aspects || l.aspects.includes(aspect);
  const uncovered = found.filter((d) => !applicable.some((l) => covers(l, d.aspect)));
  if (uncovered.length > 0) return { kind: "fail", detail: uncovered.map((d) => d.detail).join("; ") };
  return { kind: "limit", ids: applicable.filter((l) => found.some((d) => covers(l, d.aspect))).map((l) => l.id) };
}
