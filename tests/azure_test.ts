import assert from "node:assert/strict";
import az from "npm:@azure/functions@^4.16.5";
import type { HttpHandler, HttpResponseInit, InvocationContext } from "npm:@azure/functions@^4.16.5";
import * as cookie from "npm:cookie@^0.7.2";
import { HttpError, Router, serverless } from "../mod.ts";
import { type AzureApp, customHandler, handle, ncrontab, register } from "../adapters/azure.ts";

const FIXTURES = new URL("./fixtures/azure/", import.meta.url);
const fixture = async (name: string) => JSON.parse(await Deno.readTextFile(new URL(name, FIXTURES)));

function invocation(id = "inv-1", extra: Record<string, unknown> = {}) {
  const logs: { level: string; line: string }[] = [];
  const context = new az.InvocationContext({
    invocationId: id,
    functionName: "shop",
    logHandler: (level, ...args) => void logs.push({ level, line: args.map(String).join(" ") }),
    ...extra,
  });
  return { context, logs };
}

// What the library does with an HttpResponseInit: it builds its own HttpResponse from it.
const asLibrary = (init: HttpResponseInit) => new az.HttpResponse(init);

const echo = serverless({
  name: "echo",
  fetch: new Router()
    .all("/echo/*", async (req, ctx) => {
      const url = new URL(req.url);
      return Response.json({
        method: req.method,
        path: url.pathname,
        query: [...url.searchParams],
        accept: req.headers.get("accept"),
        requestId: ctx.requestId,
        platform: ctx.platform,
        bytes: req.body ? [...new Uint8Array(await req.arrayBuffer())] : null,
      });
    })
    .get("/cookies", () => {
      const headers = new Headers({ "x-one": "1" });
      headers.append("set-cookie", "a=1; Path=/; HttpOnly");
      headers.append("set-cookie", "b=two%20words; Max-Age=60; SameSite=Strict; Secure");
      headers.append("set-cookie", "c=x; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Domain=example.com");
      return new Response("ok", { headers });
    })
    .get("/empty", () => new Response(null, { status: 204 }))
    .get("/boom", () => {
      throw new Error("secret detail");
    })
    .get("/teapot", () => {
      throw new HttpError(418, "short and stout", { expose: true });
    }),
});

Deno.test("azure HTTP handler with the library's HttpRequest and InvocationContext", async (t) => {
  // Typed with the library's own HttpHandler: `deno check` fails if the adapter's shapes drift from the library's.
  const handler: HttpHandler = handle(echo);

  await t.step("strips the api prefix, keeps repeated query keys and uses invocationId as request id", async () => {
    const request = new az.HttpRequest({
      method: "GET",
      url: "https://app.azurewebsites.net/api/echo/%C3%A9t%C3%A9?a=1&a=2&b=%20",
      headers: { accept: "application/json" },
    });
    const { context } = invocation("inv-42");
    const init = await handler(request, context);
    const body = await asLibrary(init).json() as Record<string, unknown>;
    assert.equal(init.status, 200);
    assert.equal(body.path, "/echo/%C3%A9t%C3%A9");
    assert.deepEqual(body.query, [["a", "1"], ["a", "2"], ["b", " "]]);
    assert.equal(body.requestId, "inv-42");
    assert.equal(body.platform, "azure");
    assert.equal(body.accept, "application/json");
  });

  await t.step("passes binary request bodies through byte for byte", async () => {
    const bytes = new Uint8Array([0, 255, 1, 128, 13, 10]);
    const request = new az.HttpRequest({ method: "POST", url: "http://localhost/api/echo/bin", body: { bytes } });
    const body = await asLibrary(await handler(request, invocation().context)).json() as { bytes: number[] };
    assert.deepEqual(body.bytes, [...bytes]);
  });

  await t.step("honours a custom route prefix and an empty one", async () => {
    const request = () => new az.HttpRequest({ method: "GET", url: "http://localhost/v1/echo/x" });
    const custom = await asLibrary(await handle(echo, { routePrefix: "/v1/" })(request(), invocation().context)).json();
    assert.equal((custom as { path: string }).path, "/echo/x");
    const none = await handle(echo, { routePrefix: "" })(request(), invocation().context);
    assert.equal(none.status, 404);
  });

  await t.step("streams the request body from the library's stream-mode request", async () => {
    let pull = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pull++ < 3) controller.enqueue(new TextEncoder().encode(`chunk${pull};`));
        else controller.close();
      },
    });
    // In stream mode the library wraps the proxied request in a native Request: the `nativeRequest` init.
    const nativeRequest = new Request("http://localhost/api/echo/stream", {
      method: "PUT",
      body: stream,
      duplex: "half",
    } as RequestInit);
    const request = new az.HttpRequest({ nativeRequest } as ConstructorParameters<typeof az.HttpRequest>[0]);
    const body = await asLibrary(await handler(request, invocation().context)).json() as { bytes: number[] };
    assert.equal(new TextDecoder().decode(new Uint8Array(body.bytes)), "chunk1;chunk2;chunk3;");
  });

  await t.step("streams the response: the first chunk is readable before the handler finishes", async () => {
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const streaming = serverless({
      name: "stream",
      fetch: () =>
        new Response(
          new ReadableStream({
            async start(controller) {
              controller.enqueue(new TextEncoder().encode("first"));
              await finished;
              controller.enqueue(new TextEncoder().encode("last"));
              controller.close();
            },
          }),
        ),
    });
    const init = await handle(streaming)(
      new az.HttpRequest({ method: "GET", url: "http://localhost/api/x" }),
      invocation().context,
    );
    const reader = asLibrary(init).body!.getReader();
    const first = await reader.read();
    assert.equal(new TextDecoder().decode(first.value), "first");
    finish();
    const rest = [];
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest.push(new TextDecoder().decode(r.value));
    assert.equal(rest.join(""), "last");
  });

  await t.step("moves every Set-Cookie to cookies, which the library would otherwise reduce to the last", async () => {
    const init = await handler(
      new az.HttpRequest({ method: "GET", url: "http://localhost/api/cookies" }),
      invocation().context,
    );
    const res = asLibrary(init);
    // The library copies headers into a map one entry at a time (toRpcHttp, sendProxyResponse): show what that keeps.
    const map: Record<string, string> = {};
    for (const [k, v] of new az.HttpResponse({ headers: [["set-cookie", "a=1"], ["set-cookie", "b=2"]] }).headers) {
      map[k] = v;
    }
    assert.equal(map["set-cookie"], "b=2");
    assert.equal(res.headers.get("set-cookie"), null);
    assert.equal(res.headers.get("x-one"), "1");
    assert.equal(res.cookies.length, 3);
    const [a, b, c] = res.cookies;
    assert.deepEqual(a, { name: "a", value: "1", path: "/", httpOnly: true });
    assert.deepEqual(b, { name: "b", value: "two words", maxAge: 60, sameSite: "Strict", secure: true });
    assert.equal(c?.domain, "example.com");
    assert.equal((c?.expires as Date).toISOString(), "2037-10-21T07:28:00.000Z");
    // Stream mode serializes cookies with the `cookie` package (encodeURIComponent): the value comes back as sent.
    const serialized = cookie.serialize(b!.name, b!.value, { maxAge: b!.maxAge!, secure: true, sameSite: "strict" });
    assert.equal(serialized, "b=two%20words; Max-Age=60; Secure; SameSite=Strict");
  });

  await t.step("answers 204 without a body", async () => {
    const init = await handler(
      new az.HttpRequest({ method: "GET", url: "http://localhost/api/empty" }),
      invocation().context,
    );
    assert.equal(init.status, 204);
    assert.equal(init.body, undefined);
    assert.equal(asLibrary(init).body, null);
  });

  await t.step("answers HEAD from GET without a body", async () => {
    const init = await handler(
      new az.HttpRequest({ method: "HEAD", url: "http://localhost/api/cookies" }),
      invocation().context,
    );
    assert.equal(init.status, 200);
    assert.equal(await asLibrary(init).text(), "");
  });

  await t.step("logs through context.error and answers 500 with the invocation id, no detail", async () => {
    const { context, logs } = invocation("inv-500");
    const init = await handler(new az.HttpRequest({ method: "GET", url: "http://localhost/api/boom" }), context);
    assert.equal(init.status, 500);
    const text = await asLibrary(init).text();
    assert.deepEqual(JSON.parse(text), { error: "Internal Server Error", requestId: "inv-500" });
    const error = logs.find((l) => l.level === "error");
    assert.ok(error, "an error record went to context.error");
    const record = JSON.parse(error.line);
    assert.equal(record.requestId, "inv-500");
    assert.match(record.error, /secret detail/);
  });

  await t.step("maps HttpError to its status", async () => {
    const init = await handler(
      new az.HttpRequest({ method: "GET", url: "http://localhost/api/teapot" }),
      invocation().context,
    );
    assert.equal(init.status, 418);
    assert.equal(((await asLibrary(init).json()) as { error: string }).error, "short and stout");
  });

  await t.step("waits for waitUntil work before returning, and logs info through context.log", async () => {
    let done = false;
    const fn = serverless({
      name: "later",
      fetch: (_req, ctx) => {
        ctx.waitUntil(new Promise((r) => setTimeout(r, 20)).then(() => (done = true)));
        ctx.log.info("queued");
        return new Response("ok");
      },
    });
    const { context, logs } = invocation();
    await handle(fn)(new az.HttpRequest({ method: "GET", url: "http://localhost/api/" }), context);
    assert.equal(done, true);
    assert.equal(logs.find((l) => l.level === "information")?.line.includes('"msg":"queued"'), true);
  });
});

function recordingApp() {
  const calls: { kind: string; name: string; options: Record<string, unknown> }[] = [];
  const setups: unknown[] = [];
  const app: AzureApp = {
    http: (name, options) => void calls.push({ kind: "http", name, options: options as never }),
    timer: (name, options) => void calls.push({ kind: "timer", name, options: options as never }),
    storageQueue: (name, options) => void calls.push({ kind: "queue", name, options: options as never }),
    setup: (options) => void setups.push(options),
  };
  return { app, calls, setups };
}

Deno.test("azure register declares http, timer and storage queue functions", async (t) => {
  const ticks: { cron: string; scheduledTime: number }[] = [];
  const batches: { queue: string; id: string; body: unknown; attempts: number }[] = [];
  const fn = serverless({
    name: "shop",
    fetch: new Router().get("/users/:id", (_r, ctx) => new Response(ctx.params.id)).post(
      "/files/*",
      () => new Response(),
    ),
    scheduled: [
      { cron: "*/15 * * * *", run: (e) => void ticks.push(e) },
      { cron: "0 3 * * 7", run: (e) => void ticks.push(e) },
    ],
    queue: {
      name: "orders",
      run: (batch) => {
        for (const m of batch.messages) {
          batches.push({ queue: batch.queue, id: m.id, body: m.body, attempts: m.attempts });
          if ((m.body as { retry?: boolean }).retry) m.retry();
          if ((m.body as { fail?: boolean }).fail) throw new Error("handler failed");
        }
      },
    },
  });

  await t.step("one catch-all HTTP function with streaming on by default", () => {
    const { app, calls, setups } = recordingApp();
    const registered = register(app, fn);
    assert.deepEqual(setups, [{ enableHttpStream: true }]);
    const http = calls.filter((c) => c.kind === "http");
    assert.equal(http.length, 1);
    assert.equal(http[0]?.options.route, "{*path}");
    assert.equal(http[0]?.options.authLevel, "anonymous");
    assert.deepEqual(registered.http[0]?.methods, ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]);
  });

  await t.step("one HTTP function per route with Azure route templates", async () => {
    const { app, calls, setups } = recordingApp();
    register(app, fn, { routes: "each", stream: false, authLevel: "function" });
    assert.deepEqual(setups, []);
    const http = calls.filter((c) => c.kind === "http");
    assert.deepEqual(http.map((c) => [c.name, c.options.route, c.options.methods]), [
      ["shop-get-users-id", "users/{id}", ["GET", "HEAD"]],
      ["shop-post-files", "files/{*rest}", ["POST"]],
    ]);
    const root = serverless({
      name: "root",
      fetch: new Router().get("/", () => new Response("home")).get("/a/:b", () => new Response()).all(
        "/*",
        () => new Response("rest"),
      ),
    });
    const rootApp = recordingApp();
    register(rootApp.app, root, { routes: "each" });
    assert.deepEqual(rootApp.calls.map((c) => [c.name, c.options.route]), [["root-get-a-b", "a/{b}"], [
      "root",
      "{*path}",
    ]]);
    const handler = http[0]!.options.handler as HttpHandler;
    const init = await handler(
      new az.HttpRequest({ method: "GET", url: "http://x/api/users/7" }),
      invocation().context,
    );
    assert.equal(await asLibrary(init).text(), "7");
  });

  await t.step("timers get six-field NCRONTAB schedules and run with scheduleStatus.next", async () => {
    const { app, calls } = recordingApp();
    register(app, fn);
    const timers = calls.filter((c) => c.kind === "timer");
    assert.deepEqual(timers.map((c) => [c.name, c.options.schedule]), [
      ["shop-scheduled-0", "0 */15 * * * *"],
      ["shop-scheduled-1", "0 0 3 * * 0"],
    ]);
    const timer = {
      isPastDue: false,
      schedule: { adjustForDST: true },
      scheduleStatus: {
        last: "2026-01-01T02:45:00Z",
        next: "2026-01-01T03:00:00Z",
        lastUpdated: "2026-01-01T02:45:00Z",
      },
    };
    const handler = timers[1]!.options.handler as (t: unknown, c: InvocationContext) => Promise<void>;
    await handler(timer, invocation().context);
    assert.deepEqual(ticks.at(-1), { cron: "0 3 * * 7", scheduledTime: Date.UTC(2026, 0, 1, 3) });
    const before = Date.now();
    await handler({ isPastDue: false, schedule: { adjustForDST: true } }, invocation().context);
    assert.ok(ticks.at(-1)!.scheduledTime >= before, "falls back to now without scheduleStatus");
  });

  await t.step("the storage queue trigger maps metadata and fails the invocation on retry() or a throw", async () => {
    const { app, calls } = recordingApp();
    register(app, fn, { queueConnection: "QueueConn" });
    const queue = calls.find((c) => c.kind === "queue")!;
    assert.equal(queue.name, "shop-queue");
    assert.equal(queue.options.queueName, "orders");
    assert.equal(queue.options.connection, "QueueConn");
    const handler = queue.options.handler as (entry: unknown, c: InvocationContext) => Promise<void>;
    const meta = (id: string) => ({ triggerMetadata: { id, dequeueCount: 2, insertionTime: "2026-01-01T00:00:00Z" } });
    await handler({ ok: true }, invocation("i", meta("m-1")).context);
    assert.deepEqual(batches.at(-1), { queue: "orders", id: "m-1", body: { ok: true }, attempts: 2 });
    await assert.rejects(handler({ retry: true }, invocation("i", meta("m-2")).context), /m-2.*retry/);
    await assert.rejects(handler({ fail: true }, invocation("i", meta("m-3")).context), /handler failed/);
  });

  await t.step("ncrontab keeps lists and ranges and maps Sunday 7 to 0", () => {
    assert.equal(ncrontab("5,10 * 1-15 JAN MON-FRI"), "0 5,10 * 1-15 JAN MON-FRI");
    assert.equal(ncrontab("0 0 * * 6,7"), "0 0 0 * * 6,0");
  });
});

Deno.test("azure custom handler answers the host's payloads (fixtures from the custom-handler docs)", async (t) => {
  const seen: unknown[] = [];
  const fn = serverless({
    name: "order",
    fetch: new Router().post("/order", async (req) => {
      seen.push(await req.json());
      const headers = new Headers({ "content-type": "text/plain" });
      headers.append("set-cookie", "a=1");
      headers.append("set-cookie", "b=2");
      return new Response("Order enqueued", { headers });
    }).get("/hello", (_r, ctx) => Response.json({ id: ctx.requestId })),
    queue: { name: "orders", run: (batch) => void seen.push(batch) },
    scheduled: { cron: "*/5 * * * *", run: (event) => void seen.push(event) },
  });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    new Request(`http://127.0.0.1:9000${path}`, { method: "POST", body: JSON.stringify(body), headers });

  await t.step("default mode: Data.req becomes a Request and the Response becomes Outputs.res", async () => {
    const payload = await fixture("custom-handler-http-request.json");
    const res = await customHandler(fn, { http: "payload" })(
      post("/order", payload, { "x-azure-functions-invocationid": "inv-7" }),
    );
    assert.equal(res.status, 200);
    const out = await res.json();
    assert.deepEqual(seen.pop(), { id: 1005, quantity: 2, color: "black" });
    const expected = (await fixture("custom-handler-http-response.json")).Outputs.res;
    assert.equal(out.Outputs.res.body, expected.body);
    assert.equal(out.Outputs.res.statusCode, "200");
    assert.equal(out.Outputs.res.headers["content-type"], "text/plain");
    assert.deepEqual(out.Outputs.res.headers["set-cookie"], ["a=1", "b=2"]);
    assert.deepEqual(out.Logs, []);
    assert.equal(out.ReturnValue, null);
  });

  await t.step("default mode decodes base64 bodies of octet-stream requests", async () => {
    const echoBytes = serverless({
      name: "bin",
      fetch: async (req) => new Response(String([...new Uint8Array(await req.arrayBuffer())])),
    });
    const payload = {
      Data: {
        req: {
          Url: "http://localhost:7071/api/bin",
          Method: "POST",
          Query: {},
          Headers: { "Content-Type": ["application/octet-stream"] },
          Body: btoa(String.fromCharCode(0, 255, 7)),
        },
      },
      Metadata: {},
    };
    const out = await (await customHandler(echoBytes, { http: "payload" })(post("/bin", payload))).json();
    assert.equal(out.Outputs.res.body, "0,255,7");
  });

  await t.step("queue payloads become a batch of one, with DequeueCount as attempts", async () => {
    const payload = await fixture("custom-handler-queue-request.json");
    const res = await customHandler(fn)(post("/order-queue", payload));
    assert.equal(res.status, 200);
    const batch = seen.pop() as {
      queue: string;
      messages: { id: string; body: unknown; attempts: number; timestamp: Date }[];
    };
    assert.equal(batch.queue, "orders");
    assert.equal(batch.messages[0]?.id, "800ae4b3-bdd2-4c08-badd-f08e5a34b865");
    assert.equal(batch.messages[0]?.body, '{ message: "Message sent" }');
    assert.equal(batch.messages[0]?.attempts, 1);
    assert.equal(batch.messages[0]?.timestamp.toISOString(), "2019-10-09T17:58:31.000Z");
  });

  await t.step("a failing queue run answers 500 with the error in Logs", async () => {
    const failing = serverless({
      name: "order",
      queue: {
        name: "orders",
        run: (batch) => batch.retryAll(),
      },
    });
    const res = await customHandler(failing)(post("/order-queue", await fixture("custom-handler-queue-request.json")));
    assert.equal(res.status, 500);
    const out = await res.json();
    assert.match(out.Logs.join("\n"), /retry/);
  });

  await t.step("timer payloads run the scheduled trigger", async () => {
    const payload = {
      Data: {
        myTimer: {
          Schedule: { AdjustForDST: true },
          ScheduleStatus: { Next: "2026-02-01T00:05:00Z" },
          IsPastDue: false,
        },
      },
      Metadata: {},
    };
    const res = await customHandler(fn)(post("/order-scheduled", payload));
    assert.equal(res.status, 200);
    assert.deepEqual(seen.pop(), { cron: "*/5 * * * *", scheduledTime: Date.UTC(2026, 1, 1, 0, 5) });
  });

  await t.step("proxy mode (enableProxyingHttpRequest): the request is routed as it is, minus /api", async () => {
    const host = await fixture("host-custom-handler-proxying.json");
    assert.equal(host.customHandler.enableProxyingHttpRequest, true);
    const res = await customHandler(fn)(
      new Request("http://127.0.0.1:9000/api/hello", { headers: { "x-azure-functions-invocationid": "inv-9" } }),
    );
    assert.deepEqual(await res.json(), { id: "inv-9" });
  });

  await t.step(
    'refuses routePrefix "" in proxy mode, where a client could send the host\'s timer and queue calls',
    () => {
      assert.throws(
        () => customHandler(fn, { routePrefix: "" }),
        /routePrefix "" a client request to \/order-scheduled/,
      );
      assert.throws(() => customHandler(fn, { routePrefix: "/order-queue/" }), /client request to \/order-queue/);
    },
  );

  await t.step(
    'accepts routePrefix "" where nothing can collide: payload mode, or a function with only HTTP',
    async () => {
      customHandler(fn, { routePrefix: "", http: "payload" });
      const httpOnly = serverless({
        name: "order",
        fetch: new Router().post("/order-queue", () => new Response("an HTTP route")),
      });
      const res = await customHandler(httpOnly, { routePrefix: "" })(post("/order-queue", { Data: {}, Metadata: {} }));
      assert.equal(res.status, 200);
      assert.equal(await res.text(), "an HTTP route");
    },
  );

  await t.step("the custom handler serves over real HTTP with Deno.serve", async () => {
    const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, customHandler(fn));
    try {
      const res = await fetch(`http://127.0.0.1:${server.addr.port}/api/hello`);
      assert.equal(res.status, 200);
      assert.equal(typeof (await res.json()).id, "string");
    } finally {
      await server.shutdown();
    }
  });
});

Deno.test("azure queue messages acknowledged before a throw are not delivered again", async (t) => {
  const fn = serverless({
    name: "shop",
    queue: {
      name: "orders",
      run: (batch) => {
        const message = batch.messages[0]!;
        if ((message.body as { ack?: boolean }).ack) message.ack();
        throw new Error("failed after the ack");
      },
    },
  });

  await t.step("the storage queue trigger succeeds and logs the error when the message was acknowledged", async () => {
    const { app, calls } = recordingApp();
    register(app, fn);
    const handler = calls.find((c) => c.kind === "queue")!.options.handler as (
      entry: unknown,
      c: InvocationContext,
    ) => Promise<void>;
    const acked = invocation("i-1", { triggerMetadata: { id: "m-1", dequeueCount: 1 } });
    await handler({ ack: true }, acked.context);
    const error = acked.logs.find((l) => l.level === "error")?.line ?? "";
    assert.match(error, /failed after the ack.*threw after acknowledging the message/);
    const unacked = invocation("i-2", { triggerMetadata: { id: "m-2", dequeueCount: 1 } });
    await assert.rejects(handler({ ack: false }, unacked.context), /failed after the ack/);
  });

  await t.step(
    "the custom handler answers 200, with the error in Logs, when the message was acknowledged",
    async () => {
      const payload = (item: unknown) =>
        new Request("http://127.0.0.1:9000/shop-queue", {
          method: "POST",
          body: JSON.stringify({
            Data: { myQueueItem: JSON.stringify(item) },
            Metadata: { Id: "m-3", DequeueCount: 1 },
          }),
        });
      const acked = await customHandler(fn)(payload({ ack: true }));
      assert.equal(acked.status, 200);
      assert.match((await acked.json()).Logs.join("\n"), /failed after the ack.*threw after acknowledging the message/);
      const unacked = await customHandler(fn)(payload({ ack: false }));
      assert.equal(unacked.status, 500);
      await unacked.body?.cancel();
    },
  );
});

Deno.test("azure examples agree with the adapter", async (t) => {
  const { default: shop } = await import("../examples/azure/shop.ts");
  const dir = new URL("../examples/azure/custom-handler/", import.meta.url);
  const read = async (path: string) => JSON.parse(await Deno.readTextFile(new URL(path, dir)));

  await t.step("the custom handler's function folders are the names it answers, with register's schedule", async () => {
    const registered = register(recordingApp().app, shop);
    const timer = (await read("shop-scheduled/function.json")).bindings[0];
    assert.equal(registered.timers[0]?.name, "shop-scheduled");
    assert.equal(timer.schedule, registered.timers[0]?.schedule);
    const queue = (await read("shop-queue/function.json")).bindings[0];
    assert.equal(queue.queueName, registered.queue?.queueName);
    const http = (await read("shop/function.json")).bindings[0];
    assert.equal(http.route, registered.http[0]?.route);
    const host = await read("host.json");
    assert.equal(host.customHandler.enableProxyingHttpRequest, true);
  });

  await t.step("the custom handler runs the example's queue and timer invocations", async () => {
    const handler = customHandler(shop);
    const post = (path: string, body: unknown) =>
      handler(new Request(`http://127.0.0.1${path}`, { method: "POST", body: JSON.stringify(body) }));
    const queued = await post("/shop-queue", await fixture("custom-handler-queue-request.json"));
    assert.equal(queued.status, 200);
    const logs = (await queued.json()).Logs.map((line: string) => JSON.parse(line));
    assert.equal(logs[0].msg, "order");
    assert.equal(logs[0].id, "800ae4b3-bdd2-4c08-badd-f08e5a34b865");
    const ticked = await post("/shop-scheduled", { Data: { timer: { IsPastDue: false } }, Metadata: {} });
    assert.equal(ticked.status, 200);
  });
});
