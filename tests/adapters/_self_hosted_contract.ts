/**
 * What a self-hosted adapter (Deno, Node) must do, as test steps run against a server in a child process that serves
 * fixtures/self_hosted_app.ts. Used by deno_test.ts and node_test.ts.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { ChildServer } from "../support/child_server.ts";
import { pollUntil, pollUntilStable } from "../support/poll.ts";
import { DOT_PARAM_MESSAGE, DOT_SEGMENT_MESSAGE } from "../../src/dot_segments.ts";
import { openWire, wireHeader } from "../support/wire.ts";
import { assertOwnFraming, startUpstream, UPSTREAM_TEXT } from "../support/upstream.ts";

const MB = 1024 * 1024;
/** The `shutdownTimeoutMs` the fixtures serve with. */
const SHUTDOWN_TIMEOUT_MS = 3000;

interface Stats {
  pulled: number;
  bigCancelled: boolean;
  hangStarted: number;
  hangAborted: number;
  requestSignalAborted: number;
  uploadStarted: boolean;
  holding: number;
  streamSignalAborted: number;
  abortedAfterSuccess: number;
}

/**
 * Sends raw bytes over TCP and reads until the server closes: what a client sees on the wire.
 *
 * @param port The server's port.
 * @param request The whole request, CRLF line ends included.
 * @returns Everything the server sent, decoded as Latin-1 so every byte shows.
 */
export async function rawExchange(port: number, request: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode(request));
  const parts: Uint8Array[] = [];
  for await (const chunk of conn.readable) parts.push(chunk);
  return new TextDecoder("latin1").decode(concat(parts));
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

async function withDeadline<T>(what: string, promise: Promise<T>, ms = 10_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) =>
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms)
  );
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs every step of the contract against `server`, then shuts it down with SIGTERM and checks the shutdown.
 *
 * @param t The test context.
 * @param server The child serving the test app.
 * @param expected The platform and the runtime prefix (`deno`, `node v20`) `/ctx` must report.
 */
export async function selfHostedContract(
  t: Deno.TestContext,
  server: ChildServer,
  expected: {
    platform: string;
    runtime: string;
    /**
     * What follows a response sent before its request body was read: the adapter reads the rest so the connection
     * goes on (Node, up to 4 MiB), or the server announces `Connection: close` and closes it (`Deno.serve`).
     */
    unreadBody: "drains" | "closes";
  },
): Promise<void> {
  const url = (path: string) => new URL(path, server.url);
  const stats = async (): Promise<Stats> => await (await fetch(url("/stats"))).json();

  await t.step(`runs in ${expected.runtime} with a context: platform, request id from x-request-id, env`, async () => {
    const given = await (await fetch(url("/ctx"), { headers: { "x-request-id": "req-42" } })).json();
    assert.equal(given.platform, expected.platform);
    assert.equal(given.requestId, "req-42");
    assert.equal(given.greeting, "hello");
    assert.ok(given.runtime.startsWith(expected.runtime), `runtime ${given.runtime}`);
    const made = await (await fetch(url("/ctx"), { headers: { "x-request-id": "bad\tid" } })).json();
    assert.match(made.requestId, /^[0-9a-f-]{36}$/);
  });

  await t.step("keeps repeated request headers, in order", async () => {
    const raw = await rawExchange(
      server.port,
      "GET /headers HTTP/1.1\r\nHost: example.test\r\nX-Dup: one\r\nX-Dup: two\r\nConnection: close\r\n\r\n",
    );
    const body = JSON.parse(raw.slice(raw.indexOf("\r\n\r\n") + 4).replace(/^[0-9a-f]+\r\n|\r\n0\r\n\r\n$/g, ""));
    const headers = new Map<string, string>(body);
    assert.equal(headers.get("x-dup"), "one, two");
    assert.equal(headers.get("host"), "example.test");
  });

  const exchange = async (head: string) => {
    const raw = await rawExchange(server.port, `${head}\r\nConnection: close\r\n\r\n`);
    const body = raw.slice(raw.indexOf("\r\n\r\n") + 4).replace(/^[0-9a-f]+\r\n|\r\n0\r\n\r\n$/g, "");
    return { status: Number(raw.slice(9, 12)), body: body.startsWith("{") ? JSON.parse(body) : body };
  };
  const own = `127.0.0.1:${server.port}`;

  await t.step("takes the path from the request line, never from a Host that is not host[:port]", async () => {
    for (
      const host of [
        "x/admin?",
        "x/where/admin#",
        "[::1",
        "a b",
        "user@evil.example",
        "x\\y",
        "evil:99999",
        "1.2.3.999",
      ]
    ) {
      const { status, body } = await exchange(`GET /where/public HTTP/1.1\r\nHost: ${host}`);
      assert.equal(status, 200, `Host: ${host}`);
      assert.deepEqual(body, { method: "GET", host: own, pathname: "/where/public", param: "public" }, host);
    }
    const good = await exchange("GET /where/public HTTP/1.1\r\nHost: api.example.com:8443");
    assert.equal(good.body.host, "api.example.com:8443");
    const literal = await exchange("GET /where/public HTTP/1.1\r\nHost: [::1]:8080");
    assert.equal(literal.body.host, "[::1]:8080");
  });

  await t.step("routes //evil.example/where/x as that path on this host, not as /where/x on evil.example", async () => {
    const { status, body } = await exchange("GET //evil.example/where/x HTTP/1.1\r\nHost: api.example.com");
    assert.equal(status, 404, JSON.stringify(body));
  });

  await t.step("answers 400 to a path with a dot segment, plain or percent-encoded", async () => {
    for (
      const path of [
        "/where/public/../admin",
        "/where/public/%2e%2e/admin",
        "/where/%2E%2e",
        "/where/./a",
        "/where/a/..",
      ]
    ) {
      const { status, body } = await exchange(`GET ${path} HTTP/1.1\r\nHost: x\r\nX-Request-Id: dots`);
      assert.equal(status, 400, path);
      assert.deepEqual(body, { error: DOT_SEGMENT_MESSAGE, requestId: "dots" }, path);
    }
  });

  await t.step("answers 400 to a * value that decodes to a dot segment", async () => {
    const { status, body } = await exchange("GET /where/..%2f..%2fetc HTTP/1.1\r\nHost: x");
    assert.equal(status, 400);
    assert.equal(body.error, DOT_PARAM_MESSAGE);
    assert.equal((await exchange("GET /where/a%2Fb.txt HTTP/1.1\r\nHost: x")).body.param, "a/b.txt");
  });

  await t.step("answers a method named after an Object.prototype member without a 500", async () => {
    for (const method of ["constructor", "__proto__", "toString"]) {
      const routed = await exchange(`${method} /where/x HTTP/1.1\r\nHost: x`);
      const unrouted = await exchange(`${method} /get-only HTTP/1.1\r\nHost: x`);
      // node:http refuses a method it does not know with 400 before the adapter sees it; Deno.serve passes it on.
      if (expected.platform === "node") {
        assert.deepEqual([routed.status, unrouted.status], [400, 400], method);
      } else {
        assert.deepEqual([routed.status, routed.body.method, unrouted.status], [200, method, 405], method);
      }
    }
  });

  await t.step("echoes a binary body byte for byte", async () => {
    const bytes = new Uint8Array(3 * MB + 7);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + (i >> 8)) & 0xff;
    const res = await fetch(url("/echo"), { method: "POST", body: bytes, headers: { "content-type": "image/png" } });
    assert.equal(res.headers.get("content-type"), "image/png");
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), bytes);
  });

  await t.step("sends each Set-Cookie on its own and joins other repeated headers", async () => {
    const res = await fetch(url("/cookies"));
    assert.deepEqual(res.headers.getSetCookie(), [
      "a=1; Path=/; HttpOnly",
      "b=2; Expires=Wed, 21 Oct 2037 07:28:00 GMT",
      "c=3; SameSite=Lax",
    ]);
    assert.equal(res.headers.get("x-multi"), "one, two");
    assert.equal(await res.text(), "cookies");
  });

  await t.step("sends no body for HEAD, 204 and 304", async () => {
    for (const [method, path] of [["HEAD", "/status/200"], ["GET", "/status/204"], ["GET", "/status/304"]] as const) {
      const raw = await rawExchange(server.port, `${method} ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      const end = raw.indexOf("\r\n\r\n");
      assert.ok(end > 0, `${method} ${path}: no header end in ${JSON.stringify(raw)}`);
      assert.equal(raw.slice(end + 4), "", `${method} ${path} sent a body: ${JSON.stringify(raw)}`);
      assert.match(raw, new RegExp(`^HTTP/1.1 ${path.slice(-3)} `));
    }
  });

  await t.step("streams a response while it is produced", async () => {
    const res = await fetch(url("/gated-stream"));
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    // The second half is only produced after the gate opens: a buffering adapter never delivers the first.
    const first = await withDeadline("the first chunk", reader.read());
    assert.equal(first.value, "first;");
    await (await fetch(url("/open/stream"), { method: "POST" })).body?.cancel();
    let rest = "";
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += r.value;
    assert.equal(rest, "second");
  });

  await t.step("stops producing a response body while the client does not read (backpressure)", async () => {
    const before = (await stats()).pulled;
    const size = 96 * MB;
    const res = await fetch(url(`/big?size=${size}`));
    const reader = res.body!.getReader();
    let received = (await reader.read()).value?.byteLength ?? 0;
    const held = (await pollUntilStable("bytes produced while the client waits", stats)).pulled - before;
    assert.ok(held < 32 * MB, `produced ${held} bytes of ${size} although the client read only ${received}`);
    for (let r = await reader.read(); !r.done; r = await reader.read()) received += r.value.byteLength;
    assert.equal(received, size);
  });

  await t.step("stops taking an upload while the handler does not read (backpressure)", async () => {
    const size = 96 * MB;
    let produced = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const n = Math.min(64 * 1024, size - produced);
        if (n <= 0) return controller.close();
        produced += n;
        controller.enqueue(new Uint8Array(n));
      },
    }, { highWaterMark: 0 });
    const response = fetch(url("/slow-upload"), { method: "POST", body });
    await pollUntil("the handler to read its first chunk", stats, (s) => s.uploadStarted);
    const held = await pollUntilStable("bytes the client could send", () => produced);
    assert.ok(held < 32 * MB, `the client could send ${held} of ${size} bytes while the handler read one chunk`);
    await (await fetch(url("/open/upload"), { method: "POST" })).body?.cancel();
    assert.deepEqual(await (await response).json(), { total: size });
  });

  await t.step("a client abort reaches ctx.signal and request.signal", async () => {
    const before = await stats();
    const abort = new AbortController();
    const pending = fetch(url("/hang"), { signal: abort.signal }).catch((error) => error);
    await pollUntil("the handler to start", stats, (s) => s.hangStarted === before.hangStarted + 1);
    abort.abort();
    assert.equal((await pending).name, "AbortError");
    const after = await pollUntil("ctx.signal to abort", stats, (s) => s.hangAborted === before.hangAborted + 1);
    assert.equal(after.requestSignalAborted, before.requestSignalAborted + 1);
  });

  await t.step("a client leaving during a streamed body reaches ctx.signal", async () => {
    const before = (await stats()).streamSignalAborted;
    const res = await fetch(url("/watched-stream"));
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    await pollUntil("ctx.signal to abort", stats, (s) => s.streamSignalAborted === before + 1);
  });

  await t.step("ctx.signal stays quiet once a response is delivered", async () => {
    for (let i = 0; i < 3; i++) assert.equal(await (await fetch(url("/quiet"))).text(), "delivered");
    // Each response is complete before the next request is sent, so any abort would have been counted by now.
    assert.equal((await stats()).abortedAfterSuccess, 0);
  });

  await t.step("cancels the response body stream when the client goes away mid-body", async () => {
    const res = await fetch(url(`/big?size=${1024 * MB}`));
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    await pollUntil("the body stream to be cancelled", stats, (s) => s.bigCancelled);
  });

  await t.step(
    "sends its own framing: proxied gzip and chunked responses and wrong framing headers keep a keep-alive connection intact",
    async () => {
      const upstream = await startUpstream();
      const wire = await openWire(server.port);
      try {
        const cases = [
          [`/proxy?to=${upstream.url}gzip`, UPSTREAM_TEXT],
          [`/proxy?to=${upstream.url}chunked`, "chunk one, chunk two"],
          [`/proxy-rewrapped?to=${upstream.url}chunked`, "chunk one, chunk two"],
          ["/wrong-framing", "abcdef"],
          ["/wrong-framing-stream", "abcdef"],
        ] as const;
        for (const [path, text] of cases) {
          const res = await wire.exchange(`GET ${path} HTTP/1.1\r\nHost: example.test`);
          assert.equal(res.status, 200, `${path}: ${res.statusLine}`);
          assert.equal(new TextDecoder().decode(res.body), text, `${path}: the body as framed`);
          assertOwnFraming(path, res);
        }
        // The connection is still in step: the next response starts where the last one ended.
        const next = await wire.exchange("GET /cookies HTTP/1.1\r\nHost: example.test");
        assert.equal(next.status, 200, next.statusLine);
        assert.equal(new TextDecoder().decode(next.body), "cookies");
      } finally {
        wire.close();
        await upstream.close();
      }
    },
  );

  const unread = expected.unreadBody === "drains"
    ? "answers the next request on a keep-alive connection after a 1 MB upload the handler never read"
    : "after a 1 MB upload the handler never read, says Connection: close and closes the connection";
  await t.step(unread, async () => {
    const wire = await openWire(server.port);
    try {
      const upload = new Uint8Array(MB).fill(7);
      const refused = await wire.exchange(
        `POST /unauthorized HTTP/1.1\r\nHost: example.test\r\nContent-Length: ${upload.byteLength}`,
        upload,
      );
      assert.equal(refused.status, 401, refused.statusLine);
      assert.equal(new TextDecoder().decode(refused.body), "no");
      if (expected.unreadBody === "closes") {
        assert.equal(wireHeader(refused, "connection"), "close");
        assert.equal(await withDeadline("the connection to close", wire.closed), "end", "closes with a reset");
        return;
      }
      const next = await wire.exchange("GET /cookies HTTP/1.1\r\nHost: example.test");
      assert.equal(next.status, 200, next.statusLine);
      assert.equal(new TextDecoder().decode(next.body), "cookies");
    } finally {
      wire.close();
    }
  });

  if (expected.unreadBody === "drains") {
    await t.step("says Connection: close after an upload over 4 MiB that the handler never read", async () => {
      const wire = await openWire(server.port);
      try {
        const refused = await wire.exchange(
          `POST /unauthorized HTTP/1.1\r\nHost: example.test\r\nContent-Length: ${64 * MB}`,
          new Uint8Array(256 * 1024),
        );
        assert.equal(refused.status, 401, refused.statusLine);
        assert.equal(wireHeader(refused, "connection"), "close");
        assert.equal(await withDeadline("the connection to close", wire.closed), "end", "closes with a reset");
      } finally {
        wire.close();
      }
    });
  }

  await t.step(
    "on SIGTERM: refuses new connections, finishes in-flight requests and waitUntil work, closes idle connections " +
      "without a reset, cuts a never-ending response after shutdownTimeoutMs, exits 0",
    async () => {
      assert.equal((await fetch(url("/later?ms=1500"))).status, 202);
      const before = (await stats()).holding;
      const held = fetch(url("/hold?ms=1000"));
      await pollUntil("the held request to start", stats, (s) => s.holding === before + 1);
      // A connection that never sent a request, and one idle after its first response.
      const silent = await openWire(server.port);
      const idle = await openWire(server.port);
      assert.equal((await idle.exchange("GET /cookies HTTP/1.1\r\nHost: example.test")).status, 200);
      const endless = (await fetch(url("/endless"))).body!.getReader();
      await endless.read();
      const endlessDone = (async () => {
        try {
          while (!(await endless.read()).done);
          return "ended";
        } catch {
          return "cut";
        }
      })();
      const signalled = Date.now();
      server.kill("SIGTERM");
      assert.equal(await withDeadline("the silent connection to close", silent.closed), "end", "silent: a reset");
      assert.equal(await withDeadline("the idle connection to close", idle.closed), "end", "idle: a reset");
      await pollUntil("new connections to be refused", async () => {
        try {
          const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
          conn.close();
          return false;
        } catch {
          return true;
        }
      }, (refused) => refused);
      const res = await held;
      assert.equal(res.status, 200);
      assert.equal(await res.text(), "held");
      assert.ok(["ended", "cut"].includes(await withDeadline("the endless response to stop", endlessDone)));
      const status = await withDeadline("the process to exit", server.status);
      const output = server.output();
      assert.ok(
        Date.now() - signalled < SHUTDOWN_TIMEOUT_MS + 2000,
        `exited ${Date.now() - signalled} ms after SIGTERM`,
      );
      assert.equal(status.code, 0, output);
      assert.ok(output.indexOf("held request finished") >= 0, output);
      assert.ok(output.indexOf("waitUntil task finished") >= 0, `the waitUntil task was cut short:\n${output}`);
    },
  );
}
