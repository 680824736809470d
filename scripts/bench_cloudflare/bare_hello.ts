/**
 * The two answers of the hello worker with no framework at all, for `scripts/bench_cloudflare/bench.ts`: the floor
 * (workerd's own cost of a request, a response and the harness) that each framework's overhead is measured from.
 *
 * @module
 */

export default {
  fetch(request: Request): Response {
    // The path by string search, as both frameworks find it: a URL object costs more than either framework.
    const url = request.url;
    const path = url.slice(url.indexOf("/", url.indexOf("//") + 2));
    if (path === "/") return new Response("Hello from slrs");
    if (path.startsWith("/hello/")) return Response.json({ hello: path.slice("/hello/".length) });
    return new Response("Not Found", { status: 404 });
  },
};
