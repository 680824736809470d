/**
 * Conformance driver: the Azure adapter's HTTP handler called with the library's real classes
 * (`@azure/functions` v4): an `HttpRequest` and an `InvocationContext` built as the worker builds them, and the
 * `HttpResponse` the library makes of the handler's result, written back the way the worker's HTTP stream proxy
 * writes it (`sendProxyResponse` in the library's `src/http/httpProxy.ts`, the mode `register()` turns on). What the
 * request carries is what the Functions host passes on (azure-functions-host `ToRpcHttp`): the URL as received
 * under the `api` route prefix, header names lowercase and the values of a repeated header joined by `,`
 * (ASP.NET's `StringValues.ToString()`), the body as bytes.
 *
 * @module
 */

import az from "npm:@azure/functions@^4.16.5";
import type { HttpResponseInit } from "npm:@azure/functions@^4.16.5";
import { serialize as serializeCookie } from "npm:cookie@^0.7.2";
import { handle } from "../../../adapters/azure.ts";
import { type Driver, observedFrom, requestParts } from "../driver.ts";
import { joinedHeaders, resolvedDotSegments } from "./_limits.ts";

const ORIGIN = "https://conformance-echo.azurewebsites.net";

// Headers the library's proxy never copies onto the response it sends back (httpProxy.ts).
const BLOCKED = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "trailers",
  "transfer-encoding",
  "upgrade",
]);

const SAME_SITE = { Lax: "lax", None: "none", Strict: "strict" } as const;

const driver: Driver = {
  name: "azure",
  start({ fn }) {
    const handler = handle(fn);
    return Promise.resolve({
      async send(c) {
        const p = requestParts(c);
        const headers: Record<string, string> = {
          host: new URL(ORIGIN).host,
          "x-forwarded-for": "203.0.113.7:51234",
          "x-forwarded-proto": "https",
        };
        for (const [name, value] of p.headers) {
          // StringValues.ToString(): the values joined by "," with empty ones skipped.
          const before = headers[name];
          headers[name] = before === undefined || before === "" ? value : value === "" ? before : `${before},${value}`;
        }
        const request = new az.HttpRequest({
          method: c.method,
          url: `${ORIGIN}/api${c.target}`,
          headers,
          ...(p.body && c.method !== "GET" && c.method !== "HEAD" && { body: { bytes: p.body } }),
        });
        const context = new az.InvocationContext({
          invocationId: crypto.randomUUID(),
          functionName: "conformance-echo",
          logHandler: () => {},
        });
        const res = new az.HttpResponse(await handler(request, context) as HttpResponseInit);
        const pairs: [string, string][] = [];
        for (const [name, value] of res.headers) if (!BLOCKED.has(name)) pairs.push([name, value]);
        for (const cookie of res.cookies) {
          const sameSite = cookie.sameSite ? SAME_SITE[cookie.sameSite] : undefined;
          pairs.push([
            "set-cookie",
            serializeCookie(cookie.name, cookie.value, {
              ...(cookie.domain !== undefined && { domain: cookie.domain }),
              ...(cookie.path !== undefined && { path: cookie.path }),
              ...(cookie.expires !== undefined && {
                expires: typeof cookie.expires === "number" ? new Date(cookie.expires) : cookie.expires,
              }),
              ...(cookie.secure !== undefined && { secure: cookie.secure }),
              ...(cookie.httpOnly !== undefined && { httpOnly: cookie.httpOnly }),
              ...(sameSite !== undefined && { sameSite }),
              ...(cookie.maxAge !== undefined && { maxAge: cookie.maxAge }),
            }),
          ]);
        }
        const body = res.body ? new Uint8Array(await res.arrayBuffer()) : new Uint8Array(0);
        return observedFrom(res.status, pairs, c.method === "HEAD" ? "" : body);
      },
      close: () => Promise.resolve(),
    });
  },
  limits: [
    joinedHeaders("azure-joined-headers", 'the Functions host joins repeated request headers with "," (no space)'),
    resolvedDotSegments(
      "azure-resolved-dot-segments",
      "the Functions host and the library's HttpRequest resolve dot segments before the function sees the URL",
    ),
  ],
};

export default driver;
