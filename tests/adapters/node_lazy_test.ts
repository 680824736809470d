import assert from "node:assert/strict";
import { type ChildServer, startOnNode } from "../support/child_server.ts";
import { pollUntil } from "../support/poll.ts";

type Stats = {
  lateStarted: number;
  late: { ctx: boolean; request: boolean; copy: boolean }[];
  lateBodyStarted: number;
  lateBody: string[];
  background: number[];
};

async function exchange(port: number, head: string): Promise<Uint8Array> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(head));
    const chunks: Uint8Array[] = [];
    const buffer = new Uint8Array(64 * 1024);
    for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) chunks.push(buffer.slice(0, n));
    const all = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0));
    let at = 0;
    for (const chunk of chunks) all.set(chunk, (at += chunk.byteLength) - chunk.byteLength);
    return all;
  } finally {
    conn.close();
  }
}

Deno.test("the Node adapter's lazy Request and direct body writes, under real Node 20", async (t) => {
  const server: ChildServer = await startOnNode("tests/adapters/fixtures/node_lazy_main.ts");
  const url = (path: string) => new URL(path, server.url);
  const stats = async (): Promise<Stats> => await (await fetch(url("/stats"))).json();
  try {
    await t.step(
      "the request is a real Request: instanceof, headers, clone(), new Request(), body methods",
      async () => {
        const res = await fetch(url("/probe?q=1"), { method: "POST", body: "payload", headers: [["x-a", "one"]] });
        const facts = await res.json();
        assert.deepEqual(facts, {
          instanceOfRequest: true,
          constructorIsRequest: true,
          method: "POST",
          url: `${server.url}probe?q=1`,
          header: "one",
          signalAborted: false,
          clone: "payload",
          copy: "payload",
          keys: true,
          bodyUsed: true,
        });
        const called = await fetch(url("/text-call"), { method: "POST", body: "called" });
        assert.equal(await called.text(), "called");
      },
    );

    await t.step("fetch(request) sends the method, headers and body on", async () => {
      const res = await fetch(url("/relay"), { method: "POST", body: "upload", headers: { "x-a": "along" } });
      assert.equal(await res.text(), "relayed along:upload");
    });

    await t.step("signals first asked for after the client left are already aborted", async () => {
      const before = (await stats()).lateStarted;
      const abort = new AbortController();
      const pending = fetch(url("/late-signal"), { signal: abort.signal }).catch((error) => error);
      await pollUntil("the handler to start", stats, (s) => s.lateStarted === before + 1);
      abort.abort();
      assert.equal((await pending).name, "AbortError");
      const after = await pollUntil("the handler to look", stats, (s) => s.late.length === before + 1);
      assert.deepEqual(after.late.at(-1), { ctx: true, request: true, copy: true });
    });

    await t.step("a body first read after the client left mid-upload rejects instead of hanging", async () => {
      const before = (await stats()).lateBodyStarted;
      const abort = new AbortController();
      const body = new ReadableStream<Uint8Array>({
        start: (controller) => controller.enqueue(new Uint8Array(10)),
      });
      const pending = fetch(url("/late-body"), { method: "POST", body, signal: abort.signal }).catch((e) => e);
      await pollUntil("the handler to start", stats, (s) => s.lateBodyStarted === before + 1);
      abort.abort();
      await pending;
      const after = await pollUntil("the handler to read", stats, (s) => s.lateBody.length === before + 1);
      assert.match(after.lateBody.at(-1)!, /^rejected /);
    });

    await t.step("a body first read by a waitUntil task after the response went out arrives whole", async () => {
      const before = (await stats()).background.length;
      const size = 1024 * 1024 + 3;
      const res = await fetch(url("/background"), { method: "POST", body: new Uint8Array(size) });
      assert.equal(res.status, 202);
      await res.body?.cancel();
      const after = await pollUntil("the task to read the body", stats, (s) => s.background.length === before + 1);
      assert.equal(after.background.at(-1), size);
    });

    await t.step("a waitUntil task that starts reading a 12 MiB upload before the response gets it whole", async () => {
      const before = (await stats()).background.length;
      const size = 12 * 1024 * 1024;
      const res = await fetch(url("/background-now"), { method: "POST", body: new Uint8Array(size) });
      assert.equal(res.status, 202);
      assert.equal(res.headers.get("connection"), "keep-alive");
      await res.body?.cancel();
      const after = await pollUntil("the task to read the body", stats, (s) => s.background.length === before + 1);
      assert.equal(after.background.at(-1), size);
    });

    await t.step("complete bodies go out whole, with their byte length", async () => {
      const cases: [string, Uint8Array][] = [
        ["/unicode", new TextEncoder().encode("héllo ✓ 😀")],
        ["/json", new TextEncoder().encode(JSON.stringify({ a: [1, "zwei"] }))],
        ["/bytes", new Uint8Array([0, 1, 2, 255])],
        ["/cloned", new TextEncoder().encode("twin")],
        ["/own-length", new TextEncoder().encode("abc")],
        ["/partly-read", new Uint8Array()],
        ["/big-string", new TextEncoder().encode("x".repeat(3 * 1024 * 1024))],
      ];
      for (const [path, expected] of cases) {
        const res = await fetch(url(path));
        const got = new Uint8Array(await res.arrayBuffer());
        assert.deepEqual(got, expected, path);
        if (path !== "/partly-read" && path !== "/big-string") {
          assert.equal(res.headers.get("content-length"), String(expected.byteLength), path);
        }
      }
    });

    await t.step("HEAD gets the headers of a complete body and no bytes", async () => {
      const raw = new TextDecoder().decode(
        await exchange(server.port, "HEAD /unicode HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
      );
      assert.match(raw, /^HTTP\/1.1 200 /);
      assert.equal(raw.slice(raw.indexOf("\r\n\r\n") + 4), "");
    });
  } finally {
    await server.close();
  }
});
