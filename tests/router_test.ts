import assert from "node:assert/strict";
import { type Context, createContext, HttpError, Router } from "../mod.ts";

const quiet = () => createContext({ platform: "fetch", requestId: "req-1", logSink: () => {} });

async function call(router: Router, method: string, path: string, init: RequestInit = {}): Promise<Response> {
  return await router.fetch(new Request(`http://localhost${path}`, { method, ...init }), quiet());
}

Deno.test("Router matches methods and paths", async (t) => {
  const router = new Router()
    .get("/", () => new Response("root"))
    .get("/users", () => new Response("list"))
    .get("/users/me", () => new Response("me"))
    .get("/users/:id", (_req, ctx) => new Response(`user ${ctx.params.id}`))
    .delete("/users/:id", (_req, ctx) => new Response(`deleted ${ctx.params.id}`))
    .get("/users/:id/repos/:repo", (_req, ctx) => Response.json(ctx.params))
    .post("/users", () => new Response("created", { status: 201 }))
    .put("/items/:id", () => new Response("put"))
    .patch("/items/:id", () => new Response("patch"))
    .options("/cors", () => new Response(null, { status: 204, headers: { "x-options": "yes" } }))
    .get("/files/*", (_req, ctx) => new Response(`file ${ctx.params["*"]}`))
    .all("/any", (req) => new Response(`any ${req.method}`))
    .get("/any", () => new Response("specific GET"));

  await t.step("answers the root and static paths", async () => {
    assert.equal(await (await call(router, "GET", "/")).text(), "root");
    assert.equal(await (await call(router, "GET", "/users")).text(), "list");
  });

  await t.step("prefers a static segment over a parameter", async () => {
    assert.equal(await (await call(router, "GET", "/users/me")).text(), "me");
    assert.equal(await (await call(router, "GET", "/users/42")).text(), "user 42");
  });

  await t.step("falls back to a parameter route when the static one lacks the method", async () => {
    assert.equal(await (await call(router, "DELETE", "/users/me")).text(), "deleted me");
  });

  await t.step("collects several parameters", async () => {
    assert.deepEqual(await (await call(router, "GET", "/users/ada/repos/slrs")).json(), { id: "ada", repo: "slrs" });
  });

  await t.step("percent-decodes parameters once", async () => {
    assert.equal(await (await call(router, "GET", "/users/J%C3%BCrgen%2520")).text(), "user Jürgen%20");
  });

  await t.step("answers 400 for malformed percent-encoding", async () => {
    const res = await call(router, "GET", "/users/%E0%A4%A");
    assert.equal(res.status, 400);
    assert.match((await res.json()).error, /percent-encoding/);
  });

  await t.step("matches the rest of the path with a trailing wildcard, even nothing", async () => {
    assert.equal(await (await call(router, "GET", "/files/a/b/c.txt")).text(), "file a/b/c.txt");
    assert.equal(await (await call(router, "GET", "/files/")).text(), "file ");
    assert.equal(await (await call(router, "GET", "/files")).text(), "file ");
  });

  await t.step("routes every other method to all(), while a specific route wins", async () => {
    assert.equal(await (await call(router, "PATCH", "/any")).text(), "any PATCH");
    assert.equal(await (await call(router, "GET", "/any")).text(), "specific GET");
  });

  await t.step("answers PUT, PATCH, POST and a registered OPTIONS", async () => {
    assert.equal(await (await call(router, "PUT", "/items/1")).text(), "put");
    assert.equal(await (await call(router, "PATCH", "/items/1")).text(), "patch");
    assert.equal((await call(router, "POST", "/users")).status, 201);
    assert.equal((await call(router, "OPTIONS", "/cors")).headers.get("x-options"), "yes");
  });

  await t.step("ignores the query string", async () => {
    assert.equal(await (await call(router, "GET", "/users/7?x=1&y=/a")).text(), "user 7");
  });

  await t.step("matches unicode paths registered in plain text", async () => {
    const unicode = new Router().get("/café/:x", (_req, ctx) => new Response(ctx.params.x));
    assert.equal(await (await call(unicode, "GET", "/caf%C3%A9/cr%C3%A8me")).text(), "crème");
  });
});

Deno.test("Router answers HEAD, 405 and OPTIONS by itself", async (t) => {
  const router = new Router()
    .get("/doc", () => new Response("body text", { headers: { "x-doc": "1" } }))
    .post("/doc", () => new Response("posted"))
    .head("/own-head", () => new Response(null, { headers: { "x-own": "1" } }))
    .get("/own-head", () => new Response("never for HEAD"));

  await t.step("answers HEAD from GET with the headers and no body", async () => {
    const res = await call(router, "HEAD", "/doc");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-doc"), "1");
    assert.equal(await res.text(), "");
  });

  await t.step("uses a registered HEAD route over GET", async () => {
    const res = await call(router, "HEAD", "/own-head");
    assert.equal(res.headers.get("x-own"), "1");
  });

  await t.step("answers 405 with Allow when only the method is wrong", async () => {
    const res = await call(router, "DELETE", "/doc");
    assert.equal(res.status, 405);
    assert.equal(res.headers.get("allow"), "GET, POST, HEAD");
    assert.equal((await res.json()).requestId, "req-1");
  });

  await t.step("answers OPTIONS with 204 and Allow for a known path", async () => {
    const res = await call(router, "OPTIONS", "/doc");
    assert.equal(res.status, 204);
    assert.equal(res.headers.get("allow"), "GET, POST, HEAD");
  });

  await t.step("lists in Allow every route whose pattern matches, parameters and wildcards included", async () => {
    const files = new Router()
      .get("/files/*", () => new Response("file"))
      .put("/files/:name", () => new Response(null, { status: 204 }))
      .post("/files/:name/meta", () => new Response(null, { status: 204 }));
    assert.equal((await call(files, "DELETE", "/files/a.txt")).headers.get("allow"), "GET, PUT, HEAD");
    assert.equal((await call(files, "DELETE", "/files/a.txt/meta")).headers.get("allow"), "GET, POST, HEAD");
    assert.equal((await call(files, "DELETE", "/other")).status, 404);
  });

  await t.step("answers 405, never 500, to methods named after Object.prototype members", async () => {
    const files = new Router().get("/doc", () => new Response("doc")).get("/files/*", () => new Response("file"))
      .get("/users/:id", () => new Response("user"));
    for (const method of ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf", "__defineGetter__"]) {
      for (const path of ["/doc", "/files/a", "/users/7"]) {
        assert.equal(files.match(method, path), undefined, `${method} ${path}`);
        const res = await call(files, method, path);
        assert.equal(res.status, 405, `${method} ${path}`);
        assert.equal(res.headers.get("allow"), "GET, HEAD");
      }
    }
  });

  await t.step("runs an all() route for a method named after an Object.prototype member", async () => {
    const any = new Router().all("/any", (req) => new Response(req.method));
    assert.equal(await (await call(any, "constructor", "/any")).text(), "constructor");
  });

  await t.step("answers 404 JSON with the request id for an unknown path", async () => {
    const res = await call(router, "GET", "/nowhere");
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { error: "Not Found", requestId: "req-1" });
  });
});

Deno.test("Router trailing-slash policy", async (t) => {
  await t.step("redirects with 308 to the registered form, keeping the query", async () => {
    const router = new Router().get("/a", () => new Response("a")).get("/b/", () => new Response("b"));
    const res = await call(router, "GET", "/a/?q=1");
    assert.equal(res.status, 308);
    assert.equal(res.headers.get("location"), "/a?q=1");
    assert.equal((await call(router, "GET", "/b")).headers.get("location"), "/b/");
  });

  await t.step("answers 404 in strict mode", async () => {
    const router = new Router({ trailingSlash: "strict" }).get("/a", () => new Response("a"));
    assert.equal((await call(router, "GET", "/a/")).status, 404);
  });
});

Deno.test("Router middleware", async (t) => {
  await t.step("runs in onion order around the handler", async () => {
    const order: string[] = [];
    const router = new Router()
      .use(async (_req, _ctx, next) => {
        order.push("outer in");
        const res = await next();
        order.push("outer out");
        return res;
      })
      .use(async (_req, _ctx, next) => {
        order.push("inner in");
        const res = await next();
        order.push("inner out");
        return res;
      })
      .get("/", () => {
        order.push("handler");
        return new Response("ok");
      });
    await call(router, "GET", "/");
    assert.deepEqual(order, ["outer in", "inner in", "handler", "inner out", "outer out"]);
  });

  await t.step("can answer early without reaching the handler", async () => {
    let reached = false;
    const router = new Router()
      .use((req, _ctx, next) => req.headers.has("authorization") ? next() : new Response("no", { status: 401 }))
      .get("/", () => {
        reached = true;
        return new Response("ok");
      });
    assert.equal((await call(router, "GET", "/")).status, 401);
    assert.equal(reached, false);
  });

  await t.step("runs for unmatched requests too", async () => {
    const router = new Router().use(async (_req, _ctx, next) => {
      const res = await next();
      res.headers.set("x-seen", "1");
      return res;
    });
    const res = await call(router, "GET", "/missing");
    assert.equal(res.status, 404);
    assert.equal(res.headers.get("x-seen"), "1");
  });

  await t.step("chains per-route middleware before the handler", async () => {
    const router = new Router().get(
      "/r/:id",
      (_req, ctx, next) => ctx.params.id === "0" ? new Response("zero") : next(),
      (_req, ctx) => new Response(`id ${ctx.params.id}`),
    );
    assert.equal(await (await call(router, "GET", "/r/0")).text(), "zero");
    assert.equal(await (await call(router, "GET", "/r/5")).text(), "id 5");
  });

  await t.step("rejects next() called twice", async () => {
    const router = new Router()
      .use(async (_req, _ctx, next) => {
        await next();
        return next();
      })
      .get("/", () => new Response("ok"));
    const res = await call(router, "GET", "/");
    assert.equal(res.status, 500);
  });
});

Deno.test("Router error handling", async (t) => {
  await t.step("onError turns a thrown error into a response", async () => {
    const router = new Router()
      .get("/", () => {
        throw new Error("boom");
      })
      .onError((error, _req, ctx: Context) =>
        new Response(`${(error as Error).message} ${ctx.requestId}`, { status: 503 })
      );
    const res = await call(router, "GET", "/");
    assert.equal(res.status, 503);
    assert.equal(await res.text(), "boom req-1");
  });

  await t.step("onError is given HttpErrors too, and rethrowing one gets its default answer", async () => {
    const seen: unknown[] = [];
    const router = new Router()
      .get("/", () => {
        throw new HttpError(409, "Taken");
      })
      .onError((error) => {
        seen.push(error);
        throw error;
      });
    const res = await call(router, "GET", "/");
    assert.ok(seen[0] instanceof HttpError);
    assert.equal(res.status, 409);
    assert.equal((await res.json()).error, "Taken");
  });

  await t.step("falls back to the policy when onError throws", async () => {
    const router = new Router()
      .get("/", () => {
        throw new Error("first");
      })
      .onError(() => {
        throw new Error("second");
      });
    const res = await call(router, "GET", "/");
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { error: "Internal Server Error", requestId: "req-1" });
  });

  await t.step(
    "what onError throws is answered by the default policy, so a new HttpError picks the status",
    async () => {
      const router = new Router()
        .get("/", () => {
          throw new Error("database down");
        })
        .onError(() => {
          throw new HttpError(503, "Try again soon", { expose: true });
        });
      const res = await call(router, "GET", "/");
      assert.equal(res.status, 503);
      assert.equal((await res.json()).error, "Try again soon");
    },
  );

  await t.step("onError is given what notFound throws, and the malformed-parameter 400", async () => {
    const seen: unknown[] = [];
    const router = new Router()
      .get("/files/:name", () => new Response("file"))
      .notFound(() => {
        throw new HttpError(410, "Gone");
      })
      .onError((error) => {
        seen.push(error);
        return new Response("handled", { status: 418 });
      });
    assert.equal((await call(router, "GET", "/nowhere")).status, 418);
    assert.equal((await call(router, "GET", "/files/%E0%A4%A")).status, 418);
    assert.deepEqual(seen.map((error) => (error as HttpError).status), [410, 400]);
  });

  await t.step("onError does not see the 404, 405 and 308 the router answers itself", async () => {
    const seen: unknown[] = [];
    const router = new Router()
      .get("/users", () => new Response("users"))
      .onError((error) => {
        seen.push(error);
        return new Response("handled", { status: 418 });
      });
    assert.equal((await call(router, "GET", "/nowhere")).status, 404);
    assert.equal((await call(router, "POST", "/users")).status, 405);
    assert.equal((await call(router, "GET", "/users/")).status, 308);
    assert.deepEqual(seen, []);
  });

  await t.step("notFound replaces the default 404", async () => {
    const router = new Router().notFound(() => new Response("custom 404", { status: 404 }));
    assert.equal(await (await call(router, "GET", "/x")).text(), "custom 404");
  });

  await t.step("a handler that returns no Response answers 500 and logs why", async () => {
    const logged: string[] = [];
    const router = new Router().get("/", (() => undefined) as never);
    const ctx = createContext({ platform: "fetch", logSink: (r) => logged.push(String(r.error)) });
    const res = await router.fetch(new Request("http://localhost/"), ctx);
    assert.equal(res.status, 500);
    assert.match(logged[0] ?? "", /returned undefined; return a Response/);
  });
});

Deno.test("Router answers a synchronous handler synchronously and never rejects", async (t) => {
  const request = () => new Request("http://localhost/");
  await t.step("a handler's own Response comes back as it is, without a promise", () => {
    const hello = new Response("hi");
    const res = new Router().get("/", () => hello).fetch(request(), quiet());
    assert.equal(res, hello);
  });
  await t.step("a synchronous throw becomes the 500 at once", async () => {
    const res = new Router().get("/", () => {
      throw new Error("boom");
    }).fetch(request(), quiet());
    assert.ok(res instanceof Response);
    assert.deepEqual(await res.json(), { error: "Internal Server Error", requestId: "req-1" });
  });
  await t.step("a rejection becomes a 500 through the promise", async () => {
    const answer = new Router().get("/", () => Promise.reject(new Error("late"))).fetch(request(), quiet());
    assert.ok(answer instanceof Promise);
    assert.equal((await answer).status, 500);
  });
  await t.step("an onError that rejects falls back to the policy", async () => {
    const answer = new Router().get("/", () => {
      throw new Error("first");
    }).onError(() => Promise.reject(new Error("second"))).fetch(request(), quiet());
    assert.equal((await answer).status, 500);
  });
});

Deno.test("Router rejects bad routes when they are registered", async (t) => {
  await t.step("a path without a leading slash", () => {
    assert.throws(
      () => new Router().get("users" as string, () => new Response()),
      /must be a string starting with "\/"/,
    );
  });
  await t.step("a wildcard before the end", () => {
    assert.throws(() => new Router().get("/a/*/b", () => new Response()), /"\*" may only be the last segment/);
  });
  await t.step("a duplicate parameter name", () => {
    assert.throws(() => new Router().get("/:id/:id", () => new Response()), /unique name/);
  });
  await t.step("the same route twice", () => {
    const router = new Router().get("/a/:x", () => new Response());
    assert.throws(() => router.get("/a/:x", () => new Response()), /registered twice/);
  });
  await t.step("a wildcard glued to other characters, naming what to write instead", () => {
    assert.throws(
      () => new Router().get("/assets*", () => new Response()),
      /Route GET \/assets\*: "assets\*" glues "\*" to other characters.*"\/assets\/\*"/,
    );
    assert.throws(
      () => new Router().get("/files/*.js", () => new Response()),
      /Route GET \/files\/\*\.js: "\*\.js" glues "\*" to other characters.*"\/files\/\*"/,
    );
    assert.throws(() => new Router().all("/a/b*c/d", () => new Response()), /Route ALL \/a\/b\*c\/d: "b\*c" glues/);
  });
  await t.step("a parameter in braces, naming the :name form", () => {
    assert.throws(
      () => new Router().get("/users/{id}", () => new Response()),
      /Route GET \/users\/\{id\}: "\{id\}" is not a parameter; write ":id", as in "\/users\/:id"/,
    );
    assert.throws(
      () => new Router().get("/users/{id}.json", () => new Response()),
      /"\{id\}\.json" is not a parameter/,
    );
    assert.throws(() => new Router().get("/a}", () => new Response()), /"a\}" is not a parameter/);
  });
  await t.step("a route without a handler", () => {
    assert.throws(() => new Router().get("/a"), /has no handler/);
  });
});

Deno.test("Router.routes lists method and path in registration order", () => {
  const router = new Router().get("/a", () => new Response()).post("/b/:id", () => new Response()).all(
    "/c/*",
    () => new Response(),
  );
  assert.deepEqual(router.routes, [
    { method: "GET", path: "/a" },
    { method: "POST", path: "/b/:id" },
    { method: "ALL", path: "/c/*" },
  ]);
});

Deno.test("Route parameter types follow the path", () => {
  new Router().get("/users/:id/repos/:repo", (_req, ctx) => {
    const id: string = ctx.params.id;
    const repo: string = ctx.params.repo;
    // @ts-expect-error: the path declares no :name parameter
    const name: string = ctx.params.name;
    return new Response(id + repo + name);
  });
});
