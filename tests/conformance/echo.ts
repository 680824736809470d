/**
 * The one function every platform runs in the conformance suite. It uses web standards only, so it runs unchanged
 * under Deno, Node, workerd and the other platforms' runtimes. Routes:
 *
 * - `/echo/*` (any method): JSON describing the request as the function saw it.
 * - `/echo-body/*`: the request body back, with the request's content type.
 * - `/status/:code`, `/redirect/:code?to=…`, `/cookies/:n`, `/headers-out`, `/bytes/:n`, `/stream/:n`,
 *   `/unicode`, `/json`, `/throw`, `/http-error/:code`, `/get-only`: fixed responses of each kind.
 * - `/framing`, `/framing-stream`: a body under another connection's framing headers.
 *
 * @module
 */

import { HttpError, Router, serverless } from "../../mod.ts";

/** Request headers the echo reports; everything else is transport or platform noise (`x-forwarded-*`, `cf-*`…). */
const ECHOED = new Set(["content-type", "cookie", "authorization", "accept-language", "x-request-id"]);
const echoed = (name: string) => ECHOED.has(name) || name.startsWith("x-c-");

/**
 * Deterministic bytes covering every value, for binary bodies.
 *
 * @param length How many bytes.
 * @param seed Varies the pattern.
 * @returns The bytes.
 */
export function patternBytes(length: number, seed = 0): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 7 + seed + (i >> 8) * 13) & 0xff;
  return out;
}

async function sha256(bytes: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

function textIfUtf8(bytes: ArrayBuffer): string | null {
  if (bytes.byteLength > 4096) return null;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * Framing headers of another connection, as a `fetch` response carries them: a stale length, chunking, and
 * hop-by-hop headers (one named by `Connection`). None of them may reach the client (see driver.ts `framingFaults`).
 */
export const FOREIGN_FRAMING: readonly [string, string][] = [
  ["content-type", "text/plain; charset=utf-8"],
  ["content-length", "7"],
  ["transfer-encoding", "chunked"],
  ["connection", "keep-alive, x-hop"],
  ["x-hop", "secret"],
  ["keep-alive", "timeout=77"],
  ["upgrade", "h2c"],
  ["te", "trailers"],
  ["trailer", "x-trailer"],
  ["proxy-connection", "keep-alive"],
  ["x-kept", "yes"],
];

const router = new Router({ trailingSlash: "strict" })
  .all("/echo/*", async (req, ctx) => {
    const url = new URL(req.url);
    const body = await req.arrayBuffer();
    const headers = [...req.headers].filter(([name]) => echoed(name)).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
    return Response.json({
      method: req.method,
      pathname: url.pathname,
      param: ctx.params["*"],
      search: url.search,
      query: [...url.searchParams],
      headers,
      body: { length: body.byteLength, sha256: await sha256(body), text: textIfUtf8(body) },
    }, { headers: { "x-echo-method": req.method } });
  })
  .all("/echo-body/*", async (req) =>
    new Response(await req.arrayBuffer(), {
      headers: { "content-type": req.headers.get("content-type") ?? "application/octet-stream" },
    }))
  .get("/status/:code", (_req, ctx) => {
    const status = Number(ctx.params.code);
    const headers: HeadersInit = status === 304 ? { etag: '"v1"' } : { "x-status": String(status) };
    return new Response(NULL_BODY.has(status) ? null : `status ${status}`, { status, headers });
  })
  .get("/redirect/:code", (req, ctx) => {
    const to = new URL(req.url).searchParams.get("to") ?? "/echo/target";
    const location = /^https?:/.test(to) ? new URL(to).href : to;
    return new Response(null, { status: Number(ctx.params.code), headers: { location } });
  })
  .get("/cookies/:n", (_req, ctx) => {
    const headers = new Headers({ "content-type": "text/plain" });
    for (let i = 1; i <= Number(ctx.params.n); i++) {
      headers.append("set-cookie", `c${i}=v${i}; Path=/; Expires=Wed, 21 Oct 2037 07:28:0${i % 10} GMT; HttpOnly`);
    }
    return new Response("cookies", { headers });
  })
  .get("/headers-out", () => {
    const headers = new Headers({ "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
    headers.append("x-multi", "one");
    headers.append("x-multi", "two, three");
    headers.append("x-empty", "");
    headers.append("link", '</a>; rel="preload", </b>; rel="preload"');
    return new Response("headers", { headers });
  })
  .get(
    "/bytes/:n",
    (_req, ctx) =>
      new Response(patternBytes(Number(ctx.params.n), 3), { headers: { "content-type": "application/octet-stream" } }),
  )
  .get("/stream/:n", (_req, ctx) => {
    const chunks = Number(ctx.params.n);
    const encoder = new TextEncoder();
    let i = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (i === chunks) return controller.close();
        controller.enqueue(encoder.encode(`chunk ${i++} ${"·".repeat(i)}\n`));
      },
    });
    return new Response(body, { headers: { "content-type": "text/plain; charset=utf-8" } });
  })
  .get("/unicode", () => new Response("héllo wörld ✓ 日本語 😀\n", { headers: { "content-language": "und" } }))
  .get("/json", () => Response.json({ ok: true, list: [1, "two", null], nested: { "ü": "✓" } }, { status: 201 }))
  .get("/throw", () => {
    throw new Error("boom: this detail must stay in the logs");
  })
  .get("/http-error/:code", (_req, ctx) => {
    throw new HttpError(Number(ctx.params.code), "a deliberate error", { expose: true });
  })
  .get("/get-only", () => new Response("only GET"))
  // What a handler returning a proxied response hands over: the upstream connection's framing, a stale length.
  .get("/framing", () => new Response("framed by the server, not the handler ✓\n", { headers: FOREIGN_FRAMING }))
  .get("/framing-stream", () => {
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(encoder.encode("streamed, "));
        await new Promise((resolve) => setTimeout(resolve, 2));
        controller.enqueue(encoder.encode("framed by the server\n"));
        controller.close();
      },
    });
    return new Response(body, { headers: FOREIGN_FRAMING });
  });

/** The echo function. */
const echo = serverless({ name: "conformance-echo", fetch: router });
export default echo;
