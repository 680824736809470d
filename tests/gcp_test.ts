import assert from "node:assert/strict";
import functions from "npm:@google-cloud/functions-framework@^5.0.5";
import { getTestServer } from "npm:@google-cloud/functions-framework@^5.0.5/testing";
import type { AddressInfo } from "node:net";
import { type CloudEvent, type MessageBatch, Router, type ScheduledEvent, serverless } from "../mod.ts";
import { handle, handleCloudEvent, register } from "../adapters/gcp.ts";
import { openWire } from "./support/wire.ts";
import { assertOwnFraming, startUpstream, UPSTREAM_TEXT } from "./support/upstream.ts";

const FIXTURES = new URL("./fixtures/gcp/", import.meta.url);
const fixture = async (name: string) => JSON.parse(await Deno.readTextFile(new URL(name, FIXTURES)));

/** Runs the framework's real server for a registered function on 127.0.0.1 and passes its base URL. */
async function withServer(name: string, run: (base: string) => Promise<void>): Promise<void> {
  const server = getTestServer(name);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

async function until(check: () => boolean, what: string, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

let release: () => void = () => {};
let openWork: () => void = () => {};
const order: string[] = [];
let aborted = false;
const http = serverless({
  name: "gcp-http",
  fetch: new Router()
    .all("/echo/*", async (req, ctx) => {
      const url = new URL(req.url);
      return Response.json({
        method: req.method,
        path: url.pathname,
        query: [...url.searchParams],
        headers: { x: req.headers.get("x-multi"), type: req.headers.get("content-type") },
        requestId: ctx.requestId,
        platform: ctx.platform,
        bytes: req.body ? [...new Uint8Array(await req.arrayBuffer())] : null,
      });
    })
    .get("/binary", () => new Response(new Uint8Array([0, 1, 254, 255]), { headers: { "content-type": "image/png" } }))
    .get("/cookies", () => {
      const headers = new Headers({ vary: "accept" });
      headers.append("vary", "origin");
      headers.append("set-cookie", "a=1; Path=/");
      headers.append("set-cookie", "b=2; Expires=Wed, 21 Oct 2037 07:28:00 GMT; HttpOnly");
      headers.append("set-cookie", "c=3");
      return new Response("ok", { headers });
    })
    .get("/stream", (req) =>
      new Response(
        new ReadableStream({
          async start(controller) {
            controller.enqueue(new TextEncoder().encode("first\n"));
            await new Promise<void>((resolve) => {
              release = resolve;
              req.signal.addEventListener("abort", () => {
                aborted = true;
                resolve();
              });
            });
            if (!req.signal.aborted) controller.enqueue(new TextEncoder().encode("last\n"));
            controller.close();
          },
        }),
        { headers: { "content-type": "text/plain" } },
      ))
    .get("/empty", () => new Response(null, { status: 204 }))
    .get("/later", (_req, ctx) => {
      ctx.waitUntil(new Promise<void>((resolve) => (openWork = resolve)).then(() => void order.push("work")));
      return new Response("body sent");
    })
    .get("/boom", () => {
      throw new Error("secret detail");
    })
    .get("/stream-fails-oddly", () =>
      new Response(
        new ReadableStream({
          pull(controller) {
            controller.enqueue(new TextEncoder().encode("partial"));
            controller.error(Object.create(null));
          },
        }),
      )),
});
functions.http("gcp-http", handle(http));

Deno.test("gcp HTTP bridge on the real functions-framework server", async (t) => {
  await withServer("gcp-http", async (base) => {
    await t.step("keeps the path, repeated query keys and repeated headers, with the execution id", async () => {
      const headers = new Headers([["x-multi", "a"], ["x-multi", "b"], ["function-execution-id", "exec-7"]]);
      const res = await fetch(`${base}/echo/%C3%A9t%C3%A9/a%2Fb?q=1&q=2&e=%20`, { headers });
      assert.equal(res.status, 200);
      const body = await res.json();
      assert.equal(body.path, "/echo/%C3%A9t%C3%A9/a%2Fb");
      assert.deepEqual(body.query, [["q", "1"], ["q", "2"], ["e", " "]]);
      assert.equal(body.headers.x, "a, b");
      assert.equal(body.requestId, "exec-7");
      assert.equal(body.platform, "gcp");
    });

    await t.step("passes binary, JSON, text and form bodies byte for byte (from the parsers' rawBody)", async () => {
      const cases: [string | undefined, Uint8Array<ArrayBuffer>][] = [
        ["application/octet-stream", new Uint8Array([0, 255, 13, 10, 128])],
        ["application/json", new TextEncoder().encode('{ "a" : 1 }')],
        ["text/plain; charset=utf-8", new TextEncoder().encode("héllo")],
        ["application/x-www-form-urlencoded", new TextEncoder().encode("a=1&a=2")],
        [undefined, new Uint8Array([1, 2, 3])],
      ];
      for (const [type, bytes] of cases) {
        const res = await fetch(`${base}/echo/body`, {
          method: "POST",
          body: bytes,
          headers: type ? { "content-type": type } : {},
        });
        const body = await res.json();
        assert.deepEqual(body.bytes, [...bytes], `body with content-type ${type}`);
      }
    });

    await t.step("sends binary responses unchanged", async () => {
      const res = await fetch(`${base}/binary`);
      assert.equal(res.headers.get("content-type"), "image/png");
      assert.deepEqual([...new Uint8Array(await res.arrayBuffer())], [0, 1, 254, 255]);
    });

    await t.step("sends every Set-Cookie as its own header and repeated headers joined", async () => {
      const res = await fetch(`${base}/cookies`);
      assert.deepEqual(res.headers.getSetCookie(), [
        "a=1; Path=/",
        "b=2; Expires=Wed, 21 Oct 2037 07:28:00 GMT; HttpOnly",
        "c=3",
      ]);
      assert.equal(res.headers.get("vary"), "accept, origin");
      await res.body?.cancel();
    });

    await t.step("streams the response: the first chunk arrives before the handler finishes", async () => {
      const res = await fetch(`${base}/stream`);
      const reader = res.body!.getReader();
      const first = await reader.read();
      assert.equal(new TextDecoder().decode(first.value), "first\n");
      release();
      let rest = "";
      for (let r = await reader.read(); !r.done; r = await reader.read()) rest += new TextDecoder().decode(r.value);
      assert.equal(rest, "last\n");
    });

    await t.step("a client that goes away aborts request.signal", async () => {
      aborted = false;
      const controller = new AbortController();
      const res = await fetch(`${base}/stream`, { signal: controller.signal });
      await res.body!.getReader().read();
      controller.abort();
      await until(() => aborted, "request.signal to abort");
    });

    await t.step("answers 204 without a body and HEAD without a body", async () => {
      const empty = await fetch(`${base}/empty`);
      assert.equal(empty.status, 204);
      assert.equal(await empty.text(), "");
      const head = await fetch(`${base}/binary`, { method: "HEAD" });
      assert.equal(head.status, 200);
      assert.equal(await head.text(), "");
    });

    await t.step("platform limits: the framework answers invalid JSON bodies and /favicon.ico itself", async () => {
      const original = console.error;
      console.error = () => {};
      try {
        const bad = await fetch(`${base}/echo/x`, {
          method: "POST",
          body: "{not json",
          headers: { "content-type": "application/json" },
        });
        assert.equal(bad.status, 400, "body-parser rejects it before the function runs");
        await bad.body?.cancel();
      } finally {
        console.error = original;
      }
      const icon = await fetch(`${base}/favicon.ico`);
      assert.equal(icon.status, 404, "ignored route of HTTP functions");
      await icon.body?.cancel();
    });

    await t.step("finishes waitUntil work before the response ends", async () => {
      const res = await fetch(`${base}/later`);
      const text = res.text().then((body) => void order.push(`response: ${body}`));
      setTimeout(() => openWork(), 20);
      await text;
      assert.deepEqual(order, ["work", "response: body sent"]);
    });

    await t.step(
      "a body stream failing with Object.create(null) cuts the response, logs, and the server goes on",
      async () => {
        const lines: string[] = [];
        const original = console.error;
        console.error = (line: string) => void lines.push(line);
        try {
          const res = await fetch(`${base}/stream-fails-oddly`);
          await assert.rejects(res.text());
          await until(() => lines.some((l) => l.includes("response body stream failed")), "the log line");
        } finally {
          console.error = original;
        }
        assert.equal((await fetch(`${base}/empty`)).status, 204);
      },
    );

    await t.step("answers 500 with the request id and no detail", async () => {
      const original = console.error;
      const lines: string[] = [];
      console.error = (line: string) => void lines.push(line);
      try {
        const res = await fetch(`${base}/boom`, { headers: { "function-execution-id": "exec-500" } });
        assert.equal(res.status, 500);
        assert.deepEqual(await res.json(), { error: "Internal Server Error", requestId: "exec-500" });
      } finally {
        console.error = original;
      }
      const record = JSON.parse(lines.find((l) => l.includes("exec-500"))!);
      assert.equal(record.severity, "ERROR");
      assert.match(record.error, /secret detail/);
    });
  });
});

const seen: { queue: MessageBatch[]; scheduled: ScheduledEvent[]; event: CloudEvent[] } = {
  queue: [],
  scheduled: [],
  event: [],
};
let retryNext = false;
const events = serverless({
  name: "gcp-events",
  fetch: () => new Response("http"),
  queue: {
    name: "my-topic",
    run: (batch) => {
      seen.queue.push(batch);
      if (retryNext) batch.messages[0]?.retry();
    },
  },
  scheduled: [
    { cron: "0 * * * *", run: (e) => void seen.scheduled.push(e) },
    { cron: "0 3 * * *", run: (e) => void seen.scheduled.push(e) },
  ],
  event: { sources: ["google.cloud.storage"], run: (e) => void seen.event.push(e) },
});
const registered = register(functions, events);

function binaryMode(data: unknown, attributes: Record<string, string>): RequestInit {
  const headers: Record<string, string> = { "content-type": "application/json", "ce-specversion": "1.0" };
  for (const [key, value] of Object.entries(attributes)) headers[`ce-${key}`] = value;
  return { method: "POST", headers, body: JSON.stringify(data) };
}

const WRONG_FRAMING: [string, string][] = [
  ["content-length", "3"],
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
functions.http(
  "gcp-framing",
  handle(serverless({
    name: "gcp-framing",
    fetch: new Router()
      .get("/proxy", (req) => fetch(new URL(req.url).searchParams.get("to")!))
      .get("/wrong-framing", () => new Response("abcdef", { headers: WRONG_FRAMING }))
      .get("/after", () => new Response("after")),
  })),
);

Deno.test("gcp HTTP bridge sends its own framing on a keep-alive connection", async (t) => {
  await withServer("gcp-framing", async (base) => {
    await t.step(
      "a proxied gzip or chunked response and wrong framing headers leave the next response intact",
      async () => {
        const upstream = await startUpstream();
        const wire = await openWire(Number(new URL(base).port));
        try {
          const cases = [
            [`/proxy?to=${upstream.url}gzip`, UPSTREAM_TEXT],
            [`/proxy?to=${upstream.url}chunked`, "chunk one, chunk two"],
            ["/wrong-framing", "abcdef"],
          ] as const;
          for (const [path, text] of cases) {
            const res = await wire.exchange(`GET ${path} HTTP/1.1\r\nHost: example.test`);
            assert.equal(res.status, 200, `${path}: ${res.statusLine}`);
            assert.equal(new TextDecoder().decode(res.body), text, `${path}: the body as framed`);
            assertOwnFraming(path, res);
          }
          const next = await wire.exchange("GET /after HTTP/1.1\r\nHost: example.test");
          assert.equal(new TextDecoder().decode(next.body), "after", next.statusLine);
        } finally {
          wire.close();
          await upstream.close();
        }
      },
    );
  });
});

Deno.test("gcp CloudEvents through the real functions-framework server", async (t) => {
  await t.step("register names the HTTP and CloudEvent targets", () => {
    assert.deepEqual(registered, { http: "gcp-events", cloudEvent: "gcp-events-events" });
  });

  await withServer("gcp-events-events", async (base) => {
    await t.step("structured Pub/Sub event → queue batch with the decoded data and the topic", async () => {
      const res = await fetch(base, {
        method: "POST",
        headers: { "content-type": "application/cloudevents+json" },
        body: JSON.stringify(await fixture("cloudevent-pubsub-structured.json")),
      });
      assert.equal(res.status, 204);
      const batch = seen.queue.pop()!;
      assert.equal(batch.queue, "my-topic");
      assert.equal(batch.messages[0]?.id, "message-id");
      assert.equal(batch.messages[0]?.body, "test message 3");
      assert.equal(batch.messages[0]?.attempts, 1);
      assert.equal(batch.messages[0]?.timestamp.toISOString(), "2021-02-05T04:06:14.109Z");
    });

    await t.step("binary-mode Pub/Sub event → queue; JSON data is parsed; retry() answers an error", async () => {
      const data = await fixture("pubsub-data-binary-mode.json");
      data.message.data = btoa(JSON.stringify({ order: 5 }));
      const attributes = {
        id: "ev-1",
        type: "google.cloud.pubsub.topic.v1.messagePublished",
        source: "//pubsub.googleapis.com/projects/test-project/topics/orders",
        time: "2021-02-05T04:06:14.109Z",
      };
      const ok = await fetch(base, binaryMode(data, attributes));
      assert.equal(ok.status, 204);
      const batch = seen.queue.pop()!;
      assert.equal(batch.queue, "orders");
      assert.deepEqual(batch.messages[0]?.body, { order: 5 });
      retryNext = true;
      const original = console.error;
      console.error = () => {};
      try {
        const failed = await fetch(base, binaryMode(data, attributes));
        assert.equal(failed.status, 500);
        await failed.body?.cancel();
      } finally {
        console.error = original;
        retryNext = false;
      }
    });

    await t.step("binary-mode Cloud Scheduler event → scheduled, picking the cron its body names", async () => {
      const attributes = {
        id: "job-run-1",
        type: "google.cloud.scheduler.job.v1.executed",
        source: "//cloudscheduler.googleapis.com/projects/p/locations/us-central1/jobs/nightly",
        time: "2026-03-01T03:00:00Z",
      };
      const res = await fetch(base, binaryMode({ customData: btoa("0 3 * * *") }, attributes));
      assert.equal(res.status, 204);
      assert.deepEqual(seen.scheduled.pop(), { cron: "0 3 * * *", scheduledTime: Date.UTC(2026, 2, 1, 3) });
      // The docs sample's body names no cron: with two schedules declared, the delivery fails with a clear error.
      const original = console.error;
      const lines: string[] = [];
      console.error = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
      try {
        const failed = await fetch(base, binaryMode(await fixture("scheduler-data-binary-mode.json"), attributes));
        assert.equal(failed.status, 500);
        await failed.body?.cancel();
      } finally {
        console.error = original;
      }
      assert.match(lines.join("\n"), /names no declared cron/);
    });

    await t.step("structured Storage event → event, as it came (extension attributes kept)", async () => {
      const structured = await fixture("cloudevent-storage-structured.json");
      const res = await fetch(base, {
        method: "POST",
        headers: { "content-type": "application/cloudevents+json" },
        body: JSON.stringify(structured),
      });
      assert.equal(res.status, 204);
      const event = seen.event.pop()!;
      assert.equal(event.type, "google.cloud.storage.object.v1.finalized");
      assert.equal(event.subject, "objects/MyFile");
      assert.equal(event.bucket, "sample-bucket");
      assert.deepEqual(event.data, structured.data);
    });

    await t.step("binary-mode Storage event → event with the ce-* attributes", async () => {
      const data = await fixture("storage-data-binary-mode.json");
      const res = await fetch(
        base,
        binaryMode(data, {
          id: "1587627537231057",
          type: "google.cloud.storage.object.v1.finalized",
          source: "//storage.googleapis.com/projects/_/buckets/sample-bucket",
          subject: "objects/folder/Test.cs",
          time: "2020-04-23T07:38:57.230Z",
        }),
      );
      assert.equal(res.status, 204);
      const event = seen.event.pop()!;
      assert.equal(event.specversion, "1.0");
      assert.equal(event.id, "1587627537231057");
      assert.equal(event.subject, "objects/folder/Test.cs");
      assert.deepEqual(event.data, data);
    });
  });
});

Deno.test("gcp Pub/Sub goes to event when the function has no queue trigger", async () => {
  const got: CloudEvent[] = [];
  const fn = serverless({ name: "only-events", event: { run: (e) => void got.push(e) } });
  assert.deepEqual(register(functions, fn), { cloudEvent: "only-events" });
  await withServer("only-events", async (base) => {
    const res = await fetch(base, {
      method: "POST",
      headers: { "content-type": "application/cloudevents+json" },
      body: JSON.stringify(await fixture("cloudevent-pubsub-structured.json")),
    });
    assert.equal(res.status, 204);
  });
  assert.equal(got[0]?.type, "google.cloud.pubsub.topic.v1.messagePublished");
});

Deno.test("gcp Cloud Scheduler runs the only schedule whatever the job's body (docs fixture)", async () => {
  const ticks: ScheduledEvent[] = [];
  const fn = serverless({ name: "only-schedule", scheduled: { cron: "*/5 * * * *", run: (e) => void ticks.push(e) } });
  register(functions, fn);
  await withServer("only-schedule", async (base) => {
    const res = await fetch(
      base,
      binaryMode(await fixture("scheduler-data-binary-mode.json"), {
        id: "run-2",
        type: "google.cloud.scheduler.job.v1.executed",
        source: "//cloudscheduler.googleapis.com/projects/p/locations/l/jobs/j",
        time: "2026-03-01T03:05:00Z",
      }),
    );
    assert.equal(res.status, 204);
  });
  assert.deepEqual(ticks, [{ cron: "*/5 * * * *", scheduledTime: Date.UTC(2026, 2, 1, 3, 5) }]);
});

Deno.test("gcp example registers shop and shop-events and serves on the framework", async () => {
  const { targets } = await import("../examples/gcp/index.ts");
  assert.deepEqual(targets, { http: "shop", cloudEvent: "shop-events" });
  await withServer("shop", async (base) => {
    const res = await fetch(`${base}/hello/ada`, { headers: { "function-execution-id": "e-1" } });
    assert.deepEqual(await res.json(), { hello: "ada", requestId: "e-1" });
  });
});

Deno.test("gcp Pub/Sub keeps acknowledged messages done and the data's bytes as they were", async (t) => {
  const bodies: unknown[] = [];
  const fn = serverless({
    name: "gcp-ack",
    queue: {
      name: "orders",
      run: (batch) => {
        const message = batch.messages[0]!;
        bodies.push(message.body);
        if (message.body === "ack then throw") {
          message.ack();
          throw new Error("failed after the ack");
        }
        if (message.body === "throw") throw new Error("failed before any ack");
      },
    },
  });
  functions.cloudEvent("gcp-ack", handleCloudEvent(fn));
  const attributes = {
    id: "ev-ack",
    type: "google.cloud.pubsub.topic.v1.messagePublished",
    source: "//pubsub.googleapis.com/projects/test-project/topics/orders",
  };
  const deliver = async (base: string, data: string) => {
    const message = { ...(await fixture("pubsub-data-binary-mode.json")).message, data };
    const lines: string[] = [];
    const { log, error } = console;
    console.log = console.error = (line: string) => void lines.push(line);
    try {
      const res = await fetch(base, binaryMode({ message, subscription: "projects/p/subscriptions/s" }, attributes));
      await res.body?.cancel();
      return { status: res.status, logs: lines.join("\n") };
    } finally {
      console.log = log;
      console.error = error;
    }
  };
  await withServer("gcp-ack", async (base) => {
    await t.step("a message acknowledged before the handler throws is not delivered again", async () => {
      const { status, logs } = await deliver(base, btoa("ack then throw"));
      assert.equal(status, 204);
      assert.match(logs, /failed after the ack.*threw after acknowledging the message/);
    });

    await t.step("a throw before ack() still fails the delivery, so Pub/Sub sends it again", async () => {
      assert.equal((await deliver(base, btoa("throw"))).status, 500);
    });

    await t.step("data that is not UTF-8 reaches the handler as its exact bytes", async () => {
      const bytes = [0xff, 0xfe, 0x00, 0x80, 0x41];
      assert.equal((await deliver(base, btoa(String.fromCharCode(...bytes)))).status, 204);
      const body = bodies.at(-1);
      assert.ok(body instanceof Uint8Array, `got ${typeof body}`);
      assert.deepEqual([...body], bytes);
    });

    await t.step(
      "data that is not base64 reaches the handler as it arrived instead of failing every delivery",
      async () => {
        const { status, logs } = await deliver(base, "not base64!");
        assert.equal(status, 204);
        assert.equal(bodies.at(-1), "not base64!");
        assert.match(logs, /not base64/);
      },
    );
  });
});
