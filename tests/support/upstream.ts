/**
 * An upstream server a handler proxies with `fetch`, and the check that a response went out with only its own
 * server's framing. Shared by the adapter tests that put a proxied response on a keep-alive connection.
 *
 * @module
 */

import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { wireHeader, type WireResponse } from "./wire.ts";

/** The text the upstream sends (gzipped on `/gzip`). */
export const UPSTREAM_TEXT = "an upstream body, gzip on the wire, decoded by fetch. ".repeat(20);

/** An upstream a handler proxies with `fetch`: one gzip response with its length, one chunked, both hop-by-hop laden. */
export async function startUpstream(): Promise<{ url: string; close(): Promise<void> }> {
  const gzipped = gzipSync(UPSTREAM_TEXT);
  const server = createServer((req, res) => {
    const hop = { connection: "keep-alive, x-hop", "x-hop": "secret", "keep-alive": "timeout=77" };
    if (req.url === "/gzip") {
      res.writeHead(200, {
        ...hop,
        "content-type": "text/plain",
        "content-encoding": "gzip",
        "content-length": gzipped.length,
      });
      return void res.end(gzipped);
    }
    res.writeHead(200, { ...hop, "content-type": "text/plain" });
    res.write("chunk one, ");
    setTimeout(() => res.end("chunk two"), 5);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A response carries only framing its server made for these bytes: no copied hop-by-hop headers, a true length. */
export function assertOwnFraming(what: string, res: WireResponse): void {
  const names = res.headers.map(([name]) => name);
  for (const copied of ["x-hop", "upgrade", "te", "trailer", "proxy-connection", "content-encoding"]) {
    assert.ok(!names.includes(copied), `${what}: sent ${copied}: ${JSON.stringify(res.headers)}`);
  }
  assert.ok(!/x-hop/i.test(wireHeader(res, "connection") ?? ""), `${what}: Connection names x-hop`);
  assert.notEqual(wireHeader(res, "keep-alive"), "timeout=77", `${what}: the handler's Keep-Alive was sent`);
  const length = res.headers.filter(([name]) => name === "content-length");
  const chunked = res.headers.some(([name]) => name === "transfer-encoding");
  assert.ok(length.length + (chunked ? 1 : 0) <= 1, `${what}: framed twice: ${JSON.stringify(res.headers)}`);
  if (length.length === 1) assert.equal(Number(length[0]![1]), res.body.byteLength, `${what}: Content-Length`);
  if (what.startsWith("/wrong-framing")) assert.equal(wireHeader(res, "x-kept"), "yes", `${what}: x-kept`);
}
