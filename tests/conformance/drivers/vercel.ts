/**
 * Conformance driver: the Vercel adapter's web-standard exports, called as Vercel's Node.js runtime calls them
 * (https://vercel.com/docs/functions/functions-api-reference): the export named after the method (`GET`, `POST`, …)
 * with a `Request` carrying the headers Vercel adds (`x-vercel-id`, `x-forwarded-*`), and Vercel's request context
 * installed under `Symbol.for("@vercel/request-context")` (what `@vercel/functions` reads) with a `waitUntil` and a
 * deadline. No local Vercel runtime exists, so this is the adapter's own surface; HEAD answers lose their body as HTTP
 * drops it.
 *
 * @module
 */

import { handle, type VercelHandler, type VercelRequestContext } from "../../../adapters/vercel.ts";
import { type Driver, observe, requestParts } from "../driver.ts";
import { quietFunctionLogs } from "./_logs.ts";
import { resolvedDotSegments } from "./_limits.ts";

const REQUEST_CONTEXT = Symbol.for("@vercel/request-context");
const ORIGIN = "https://conformance-echo.vercel.app";

const driver: Driver = {
  name: "vercel",
  start({ fn }) {
    const exports = handle(fn);
    const background: Promise<unknown>[] = [];
    let current: VercelRequestContext | undefined;
    const slot = globalThis as unknown as Record<symbol, unknown>;
    const previous = slot[REQUEST_CONTEXT];
    slot[REQUEST_CONTEXT] = { get: () => current };
    let n = 0;
    const restore = quietFunctionLogs();
    return Promise.resolve({
      async send(c) {
        const p = requestParts(c);
        const id = `fra1::iad1::conf${++n}-${Date.now()}`;
        const headers = new Headers(p.sentHeaders);
        headers.set("host", new URL(ORIGIN).host);
        headers.set("x-forwarded-host", new URL(ORIGIN).host);
        headers.set("x-forwarded-proto", "https");
        headers.set("x-forwarded-for", "203.0.113.7");
        headers.set("x-real-ip", "203.0.113.7");
        headers.set("x-vercel-id", id);
        const request = new Request(ORIGIN + c.target, {
          method: c.method,
          headers,
          ...(p.body && { body: p.body }),
        });
        current = {
          waitUntil: (promise) => void background.push(promise),
          deadline: new Date(Date.now() + 300_000).toISOString(),
          headers: Object.fromEntries(headers),
        };
        // Looked up as on a module namespace, which has no prototype: `constructor` is no export.
        const named = Object.hasOwn(exports, c.method)
          ? (exports as unknown as Record<string, VercelHandler | undefined>)[c.method]
          : undefined;
        const exported = named ?? exports.fetch;
        try {
          const observed = await observe(await exported(request));
          if (c.method === "HEAD") observed.body = new Uint8Array(0);
          return observed;
        } finally {
          current = undefined;
        }
      },
      async close() {
        restore();
        await Promise.allSettled(background);
        if (previous === undefined) delete slot[REQUEST_CONTEXT];
        else slot[REQUEST_CONTEXT] = previous;
      },
    });
  },
  limits: [
    resolvedDotSegments(
      "vercel-resolved-dot-segments",
      "the runtime hands over a Request, whose constructor has already resolved dot segments",
    ),
  ],
};

export default driver;
