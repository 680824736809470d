/**
 * The conformance corpus: the requests every platform must answer the way `Deno.serve` does.
 *
 * Paths are request targets as a URL parser leaves them (percent-encoded, ASCII), so HTTP drivers can send them as
 * they are and event drivers can put them into events without re-encoding.
 *
 * @module
 */

import { patternBytes } from "./echo.ts";

/** One request of the corpus. */
export interface CorpusCase {
  /** Unique, kebab-case; the row of the matrix and what limits refer to. */
  readonly name: string;
  /** The HTTP method. */
  readonly method: string;
  /** The request target: path and optional `?query`, percent-encoded. */
  readonly target: string;
  /** Request headers in order; a name may repeat. Always includes `x-request-id: conf-<name>`. */
  readonly headers: readonly (readonly [string, string])[];
  /** The body; absent for none. */
  readonly body?: Uint8Array<ArrayBuffer>;
  /** Groups for limits to select by: `binary`, `large`, `stream`, `cookies`, `redirect`, `no-body`, … */
  readonly tags: readonly string[];
  /** What the reference itself must answer, so a broken echo function cannot pass unnoticed. */
  readonly expectStatus: number;
  /**
   * For a case `Deno.serve` itself answers unsafely (it writes a bad `Host` into `request.url`): the headers to send
   * the reference instead, so that the expected answer is the safe one (the same request with a valid host).
   */
  readonly safeReferenceHeaders?: readonly (readonly [string, string])[];
}

const MB = 1024 * 1024;
const text = (value: string) => new TextEncoder().encode(value);

type Init = Omit<CorpusCase, "headers" | "tags" | "expectStatus" | "safeReferenceHeaders"> & {
  headers?: (readonly [string, string])[];
  tags?: string[];
  expectStatus?: number;
};

function make(init: Init): CorpusCase {
  return {
    ...init,
    headers: [...(init.headers ?? []), ["x-request-id", `conf-${init.name}`]],
    tags: init.tags ?? [],
    expectStatus: init.expectStatus ?? 200,
  };
}

const methods: CorpusCase[] = [
  make({ name: "get", method: "GET", target: "/echo/method" }),
  make({ name: "head", method: "HEAD", target: "/echo/method", tags: ["no-body"] }),
  make({
    name: "post-text",
    method: "POST",
    target: "/echo/method",
    body: text("hello"),
    headers: [["content-type", "text/plain"]],
  }),
  make({
    name: "put-json",
    method: "PUT",
    target: "/echo/method",
    body: text('{"a":1}'),
    headers: [["content-type", "application/json"]],
  }),
  make({
    name: "patch-text",
    method: "PATCH",
    target: "/echo/method",
    body: text("patch"),
    headers: [["content-type", "text/plain"]],
  }),
  make({ name: "delete", method: "DELETE", target: "/echo/method" }),
  make({
    name: "delete-with-body",
    method: "DELETE",
    target: "/echo/method",
    body: text("gone"),
    headers: [["content-type", "text/plain"]],
  }),
  make({ name: "options", method: "OPTIONS", target: "/echo/method" }),
  make({ name: "options-allow", method: "OPTIONS", target: "/get-only", expectStatus: 204, tags: ["no-body"] }),
  make({ name: "method-not-allowed", method: "POST", target: "/get-only", body: text("x"), expectStatus: 405 }),
];

const bodies: CorpusCase[] = [
  make({
    name: "post-empty",
    method: "POST",
    target: "/echo/body",
    body: new Uint8Array(0),
    headers: [["content-type", "text/plain"]],
  }),
  make({ name: "post-no-body", method: "POST", target: "/echo/body" }),
  make({
    name: "post-unicode-text",
    method: "POST",
    target: "/echo/body",
    body: text("héllo ✓ 日本語 😀"),
    headers: [["content-type", "text/plain; charset=utf-8"]],
  }),
  make({
    name: "post-form",
    method: "POST",
    target: "/echo/body",
    body: text("a=1&a=2&b=x%20y"),
    headers: [["content-type", "application/x-www-form-urlencoded"]],
  }),
  make({
    name: "post-multipart",
    method: "POST",
    target: "/echo/body",
    body: text('--XyZ\r\ncontent-disposition: form-data; name="f"; filename="a.bin"\r\n\r\n\x00\x01\r\n--XyZ--\r\n'),
    headers: [["content-type", "multipart/form-data; boundary=XyZ"]],
    tags: ["binary"],
  }),
  make({
    name: "post-binary-all-bytes",
    method: "POST",
    target: "/echo/body",
    body: patternBytes(256 * 4),
    headers: [["content-type", "application/octet-stream"]],
    tags: ["binary"],
  }),
  make({
    name: "post-binary-no-content-type",
    method: "POST",
    target: "/echo/body",
    body: patternBytes(1000, 9),
    tags: ["binary"],
  }),
  make({
    name: "post-binary-64k",
    method: "POST",
    target: "/echo/body",
    body: patternBytes(64 * 1024, 1),
    headers: [["content-type", "image/png"]],
    tags: ["binary"],
  }),
  make({
    name: "post-binary-1mb",
    method: "POST",
    target: "/echo/body",
    body: patternBytes(MB, 2),
    headers: [["content-type", "application/octet-stream"]],
    tags: ["binary", "large"],
  }),
  make({
    name: "post-binary-5mb",
    method: "POST",
    target: "/echo/body",
    body: patternBytes(5 * MB, 5),
    headers: [["content-type", "application/octet-stream"]],
    tags: ["binary", "large", "over-1mb"],
  }),
  make({
    name: "put-text-5mb",
    method: "PUT",
    target: "/echo/body",
    body: text("0123456789abcdef".repeat(5 * MB / 16)),
    headers: [["content-type", "text/plain"]],
    tags: ["large", "over-1mb"],
  }),
  make({
    name: "roundtrip-binary",
    method: "POST",
    target: "/echo-body/x",
    body: patternBytes(4096, 7),
    headers: [["content-type", "application/octet-stream"]],
    tags: ["binary"],
  }),
  make({
    name: "roundtrip-binary-5mb",
    method: "POST",
    target: "/echo-body/x",
    body: patternBytes(5 * MB, 8),
    headers: [["content-type", "application/octet-stream"]],
    tags: ["binary", "large", "over-1mb"],
  }),
  make({
    name: "roundtrip-json",
    method: "POST",
    target: "/echo-body/x",
    body: text('{"ü":"✓","n":[1,2,3]}'),
    headers: [["content-type", "application/json"]],
  }),
];

const headers: CorpusCase[] = [
  make({
    name: "repeated-header",
    method: "GET",
    target: "/echo/h",
    headers: [["x-c-multi", "one"], ["x-c-multi", "two"]],
  }),
  make({ name: "header-with-comma", method: "GET", target: "/echo/h", headers: [["x-c-list", "a, b, c"]] }),
  make({ name: "header-mixed-case", method: "GET", target: "/echo/h", headers: [["X-C-Mixed-Case", "Value"]] }),
  make({ name: "header-empty-value", method: "GET", target: "/echo/h", headers: [["x-c-empty", ""]] }),
  make({ name: "header-long-value", method: "GET", target: "/echo/h", headers: [["x-c-long", "v".repeat(8000)]] }),
  make({
    name: "cookie-header",
    method: "GET",
    target: "/echo/h",
    headers: [["cookie", "a=1; b=2; c=three"]],
    tags: ["cookies"],
  }),
  make({ name: "authorization", method: "GET", target: "/echo/h", headers: [["authorization", "Bearer abc.def"]] }),
  make({
    name: "many-headers",
    method: "GET",
    target: "/echo/h",
    headers: Array.from({ length: 30 }, (_, i) => [`x-c-h${i}`, `v${i}`] as const),
  }),
];

const queries: CorpusCase[] = [
  make({ name: "query-simple", method: "GET", target: "/echo/q?a=1&b=2" }),
  make({ name: "query-repeated-keys", method: "GET", target: "/echo/q?a=1&a=2&a=3&b=x" }),
  make({ name: "query-empty-values", method: "GET", target: "/echo/q?a=&b&c=1" }),
  make({ name: "query-percent-encoded", method: "GET", target: "/echo/q?q=a%20b%2Bc%26d%3De" }),
  make({ name: "query-plus", method: "GET", target: "/echo/q?q=a+b" }),
  make({ name: "query-unicode", method: "GET", target: "/echo/q?q=%E2%9C%93&n=%E6%97%A5%E6%9C%AC" }),
  make({ name: "query-empty", method: "GET", target: "/echo/q?" }),
  make({ name: "query-encoded-key", method: "GET", target: "/echo/q?a%26b=1&%3D=2" }),
  make({ name: "query-comma-values", method: "GET", target: "/echo/q?list=1,2&list=3" }),
];

const paths: CorpusCase[] = [
  make({ name: "path-unicode", method: "GET", target: "/echo/caf%C3%A9/%E2%9C%93/%F0%9F%98%80" }),
  make({ name: "path-space", method: "GET", target: "/echo/a%20b" }),
  make({ name: "path-encoded-slash", method: "GET", target: "/echo/a%2Fb" }),
  make({ name: "path-encoded-percent", method: "GET", target: "/echo/100%25" }),
  make({ name: "path-encoded-hash", method: "GET", target: "/echo/a%23b" }),
  make({ name: "path-reserved", method: "GET", target: "/echo/a;b,c=d@e:f" }),
  make({ name: "path-trailing-slash", method: "GET", target: "/echo/dir/" }),
  make({ name: "path-double-slash", method: "GET", target: "/echo//double" }),
  make({ name: "path-long", method: "GET", target: `/echo/${"segment/".repeat(100)}end` }),
  make({ name: "not-found", method: "GET", target: "/nowhere", expectStatus: 404 }),
];

// Sent byte for byte (tag `raw`): `fetch` would resolve the dot segments and replace the Host. The safe answers:
// a Host that is not host[:port] never moves the path (it is replaced by the platform's own host); a dot segment
// answers 400 before routing, and so does a `*` value that decodes to one (docs/platforms.md, "Request identity").
const badHost = (name: string, host: string): CorpusCase => {
  const base = make({
    name,
    method: "GET",
    target: "/echo/public",
    headers: [["host", host]],
    tags: ["raw", "bad-host"],
  });
  return { ...base, safeReferenceHeaders: base.headers.filter(([header]) => header !== "host") };
};

const hostile: CorpusCase[] = [
  badHost("host-with-path", "x/echo/admin?"),
  badHost("host-with-fragment", "x/echo/admin#"),
  badHost("host-unclosed-ipv6", "[::1"),
  badHost("host-with-userinfo", "user@evil.example"),
  ...[
    ["dot-segment", "/echo/public/../admin"],
    ["dot-segment-encoded", "/echo/public/%2e%2e/admin"],
    ["dot-segment-mixed-case", "/echo/public/%2E./admin"],
    ["dot-segment-single", "/echo/./admin"],
    ["dot-segment-trailing", "/echo/public/.."],
  ].map(([name, target]) =>
    make({ name: name!, method: "GET", target: target!, tags: ["raw", "dot-segment"], expectStatus: 400 })
  ),
  make({
    name: "wildcard-encoded-traversal",
    method: "GET",
    target: "/echo/..%2F..%2Fetc%2Fpasswd",
    tags: ["raw", "encoded-traversal"],
    expectStatus: 400,
  }),
  make({
    name: "method-constructor",
    method: "constructor",
    target: "/get-only",
    tags: ["prototype-method"],
    expectStatus: 405,
  }),
  make({
    name: "method-proto",
    method: "__proto__",
    target: "/get-only",
    tags: ["prototype-method"],
    expectStatus: 405,
  }),
  make({ name: "method-tostring-routed", method: "toString", target: "/echo/method", tags: ["prototype-method"] }),
];

const responses: CorpusCase[] = [
  make({ name: "status-201-json", method: "GET", target: "/json", expectStatus: 201 }),
  make({ name: "status-202", method: "GET", target: "/status/202", expectStatus: 202 }),
  make({ name: "status-204", method: "GET", target: "/status/204", expectStatus: 204, tags: ["no-body"] }),
  make({ name: "status-304", method: "GET", target: "/status/304", expectStatus: 304, tags: ["no-body"] }),
  make({ name: "status-418", method: "GET", target: "/status/418", expectStatus: 418 }),
  make({ name: "status-503", method: "GET", target: "/status/503", expectStatus: 503 }),
  make({ name: "http-error-409", method: "GET", target: "/http-error/409", expectStatus: 409 }),
  make({ name: "thrown-error-500", method: "GET", target: "/throw", expectStatus: 500 }),
  ...[301, 302, 303, 307, 308].map((code) =>
    make({
      name: `redirect-${code}`,
      method: "GET",
      target: `/redirect/${code}?to=%2Fecho%2Ftarget%3Fx%3D1`,
      expectStatus: code,
      tags: ["redirect"],
    })
  ),
  make({
    name: "redirect-absolute",
    method: "GET",
    target: "/redirect/302?to=https%3A%2F%2Fexample.com%2Fp%3Fq%3D%E2%9C%93",
    expectStatus: 302,
    tags: ["redirect"],
  }),
  make({ name: "set-cookie-one", method: "GET", target: "/cookies/1", tags: ["cookies"] }),
  make({ name: "set-cookie-three", method: "GET", target: "/cookies/3", tags: ["cookies"] }),
  make({ name: "repeated-response-headers", method: "GET", target: "/headers-out" }),
  make({ name: "unicode-response", method: "GET", target: "/unicode" }),
  make({ name: "binary-response", method: "GET", target: "/bytes/1024", tags: ["binary"] }),
  make({
    name: "binary-response-5mb",
    method: "GET",
    target: `/bytes/${5 * MB}`,
    tags: ["binary", "large", "over-1mb"],
  }),
  make({ name: "head-binary", method: "HEAD", target: "/bytes/1024", tags: ["no-body"] }),
  make({ name: "streamed-response", method: "GET", target: "/stream/20", tags: ["stream"] }),
];

// A proxied response keeps its upstream's framing headers; the server must frame the bytes it sends itself.
const framing: CorpusCase[] = [
  make({ name: "framing-headers-from-proxy", method: "GET", target: "/framing", tags: ["framing"] }),
  make({
    name: "framing-headers-from-proxy-streamed",
    method: "GET",
    target: "/framing-stream",
    tags: ["framing", "stream"],
  }),
  make({ name: "framing-headers-from-proxy-head", method: "HEAD", target: "/framing", tags: ["framing", "no-body"] }),
];

/** Every case, in matrix order. */
export const CORPUS: readonly CorpusCase[] = [
  ...methods,
  ...bodies,
  ...headers,
  ...queries,
  ...paths,
  ...hostile,
  ...responses,
  ...framing,
];

const names = new Set(CORPUS.map((c) => c.name));
if (names.size !== CORPUS.length) throw new Error("conformance corpus: two cases share a name");
