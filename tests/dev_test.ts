import assert from "node:assert/strict";
import { MOD_URL, startCli } from "./support/process.ts";
import { pollUntil } from "./support/poll.ts";

const source = (version: string) => `
import { Router, serverless } from "${MOD_URL}";

interface Env { GREETING: string; STORE: { get(k: string): Promise<unknown>; put(k: string, v: string): Promise<void> } }

export default serverless<Env>({
  name: "devprobe",
  requirements: { bindings: { kv: ["STORE"] } },
  fetch: new Router<Env>()
    .get("/", (_req, ctx) => new Response("${version} " + ctx.env.GREETING))
    .post("/count", async (_req, ctx) => {
      const count = Number(await ctx.env.STORE.get("count") ?? 0) + 1;
      await ctx.env.STORE.put("count", String(count));
      return Response.json({ count });
    })
    .get("/boom", () => {
      throw new Error("kaboom-secret-detail");
    }),
});
`;

Deno.test("cli.ts dev serves, logs, reloads on change and keeps kv data", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "slrs_dev_" });
  await Deno.writeTextFile(`${dir}/main.ts`, source("v1"));
  await Deno.writeTextFile(`${dir}/.env`, "GREETING=Howdy\n");
  const dev = startCli(["dev", "main.ts", "--port", "0"], dir);
  const url = async (serving: number) => {
    const match = await dev.waitFor(/serving "devprobe" from main\.ts on (http:\/\/localhost:\d+)/, { count: serving });
    return match[1]!;
  };

  try {
    let base = await url(1);

    await t.step("answers with .env loaded into ctx.env", async () => {
      const res = await fetch(`${base}/`);
      assert.equal(await res.text(), "v1 Howdy");
    });

    await t.step("logs one line per request with method, path, status and time", async () => {
      await dev.waitFor(/^GET \/ 200 \d+(\.\d+)?ms devprobe$/);
    });

    await t.step("keeps kv data under .slrs/", async () => {
      await (await fetch(`${base}/count`, { method: "POST" })).body?.cancel();
      const res = await fetch(`${base}/count`, { method: "POST" });
      assert.deepEqual(await res.json(), { count: 2 });
      // The file KV of bindings/local_kv.ts: values as base64 bytes, so any KV value round-trips.
      const stored = JSON.parse(await Deno.readTextFile(`${dir}/.slrs/bindings/kv/STORE.json`));
      assert.equal(atob(stored.entries.count.v), "2");
    });

    await t.step("prints a handler's stack in the terminal but not in the response", async () => {
      const res = await fetch(`${base}/boom`);
      const body = await res.text();
      assert.equal(res.status, 500);
      assert.ok(!body.includes("kaboom") && !body.includes("main.ts"), body);
      assert.match(JSON.parse(body).requestId, /^[0-9a-f-]{36}$/);
      await dev.waitFor(/kaboom-secret-detail/, { stream: "stderr" });
      await dev.waitFor(/^\s+at .*main\.ts/, { stream: "stderr" });
    });

    await t.step("has not restarted for the kv writes next to the entry", async () => {
      await (await fetch(`${base}/`)).body?.cancel(); // answered by the server that took the writes
      assert.equal(dev.stdout.filter((line) => line.includes("slrs dev: serving")).length, 1);
      const restarts = dev.stderr.filter((line) => /File change detected|changed; restarting/.test(line));
      assert.equal(restarts.length, 0, dev.stderr.join("\n"));
    });

    await t.step("takes a saved change without a restart by hand", async () => {
      await Deno.writeTextFile(`${dir}/main.ts`, source("v2"));
      base = await url(2);
      const answer = () => fetch(`${base}/`).then((r) => r.text(), (error) => String(error));
      const text = await pollUntil("the reloaded answer", answer, (t) => t.startsWith("v2"), 30_000);
      assert.equal(text, "v2 Howdy");
    });

    await t.step("still has the kv data after the reload", async () => {
      const res = await fetch(`${base}/count`, { method: "POST" });
      assert.deepEqual(await res.json(), { count: 3 });
    });
  } finally {
    await dev.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

const guarded = `
import { serverless } from "${MOD_URL}";

export default serverless({
  name: "devguard",
  requirements: { bindings: { kv: ["STORE"] } },
  scheduled: [
    { cron: "0 * * * *", run(event) { console.log("scheduled ran " + event.cron); } },
    { cron: "30 2 * * *", run(event) { console.log("scheduled ran " + event.cron); } },
  ],
  async fetch(req) {
    if (new URL(req.url).pathname === "/slow") {
      console.log("slow request started");
      await new Promise((resolve) => setTimeout(resolve, 1500));
    }
    return new Response("VERSION " + new URL(req.url).pathname);
  },
});
`;

/** Sends raw request bytes (so Host is exactly what is written) and returns the status and the body. */
async function rawRequest(hostname: string, port: number, head: string[]): Promise<{ status: number; text: string }> {
  const conn = await Deno.connect({ hostname, port });
  await conn.write(new TextEncoder().encode([...head, "Content-Length: 0", "Connection: close", "", ""].join("\r\n")));
  const text = await new Response(conn.readable).text();
  return { status: Number(text.split(" ")[1]), text };
}

/** An address of this machine that is not loopback, to be a client that is not on localhost. */
function outsideAddress(): string | undefined {
  return Deno.networkInterfaces().find((i) => i.family === "IPv4" && !i.address.startsWith("127."))?.address;
}

Deno.test("cli.ts dev keeps its own routes to this machine, and reloads without dropping requests", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "slrs_dev_guard_" });
  await Deno.writeTextFile(`${dir}/main.ts`, guarded.replace("VERSION", "v1"));
  const dev = startCli(["dev", "main.ts", "--port", "0", "--hostname", "0.0.0.0"], dir);
  const portOf = async (serving: number) =>
    Number((await dev.waitFor(/serving "devguard" .* on http:\/\/localhost:(\d+)/, { count: serving }))[1]);
  const scheduled = (port: number, ...headers: string[]) =>
    rawRequest("127.0.0.1", port, ["POST /__slrs/scheduled?cron=0+*+*+*+* HTTP/1.1", ...headers]);
  const ran = () => dev.stdout.filter((line) => line.startsWith("scheduled ran")).length;

  try {
    let port = await portOf(1);

    await t.step("runs a schedule for this machine asking for localhost", async () => {
      const res = await scheduled(port, `Host: localhost:${port}`);
      assert.equal(res.status, 200, res.text);
      await dev.waitFor(/^scheduled ran 0 \* \* \* \*$/);
    });

    await t.step("refuses a Host that is not a loopback name (DNS rebinding)", async () => {
      const before = ran();
      const res = await scheduled(port, "Host: rebind.evil.example");
      assert.equal(res.status, 403, res.text);
      assert.match(res.text, /answers only this machine.*asked for host \\"rebind\.evil\.example\\"/);
      assert.equal(ran(), before, "the schedule did not run");
    });

    await t.step("refuses a request from a page on another site (CSRF)", async () => {
      const before = ran();
      const fromPage = await scheduled(port, `Host: localhost:${port}`, "Origin: https://evil.example");
      assert.equal(fromPage.status, 403, fromPage.text);
      assert.match(fromPage.text, /came from the page at \\"https:\/\/evil\.example\\"/);
      const opaque = await scheduled(port, `Host: localhost:${port}`, "Origin: null");
      assert.equal(opaque.status, 403, opaque.text);
      const marked = await scheduled(port, `Host: 127.0.0.1:${port}`, "Sec-Fetch-Site: cross-site");
      assert.equal(marked.status, 403, marked.text);
      assert.equal(ran(), before, "the schedule did not run");
    });

    await t.step("takes a request from a page on localhost", async () => {
      const res = await scheduled(port, `Host: [::1]:${port}`, `Origin: http://localhost:${port}`);
      assert.equal(res.status, 200, res.text);
    });

    await t.step("refuses a client that is not on this machine", async (s) => {
      const address = outsideAddress();
      if (address === undefined) {
        console.warn("dev_test: no non-loopback IPv4 address on this machine; the outside-client case is skipped.");
        return;
      }
      const res = await rawRequest(address, port, ["POST /__slrs/scheduled HTTP/1.1", `Host: localhost:${port}`]);
      assert.equal(res.status, 403, `${s.name}: ${res.text}`);
      assert.match(res.text, new RegExp(`this request came from ${address.replaceAll(".", "\\.")}`));
    });

    await t.step("answers 404 naming the known crons for an unknown ?cron=", async () => {
      const before = ran();
      const res = await rawRequest("127.0.0.1", port, [
        "POST /__slrs/scheduled?cron=1+2+3+4+5 HTTP/1.1",
        `Host: localhost:${port}`,
      ]);
      assert.equal(res.status, 404, res.text);
      assert.match(
        res.text,
        /No schedule \\"1 2 3 4 5\\"; \\"devguard\\" has: \\"0 \* \* \* \*\\", \\"30 2 \* \* \*\\"/,
      );
      assert.equal(ran(), before, "no schedule ran");
    });

    await t.step("answers 400 naming the crons when there are several and none is named", async () => {
      const res = await rawRequest("127.0.0.1", port, ["POST /__slrs/scheduled HTTP/1.1", `Host: localhost:${port}`]);
      assert.equal(res.status, 400, res.text);
      assert.match(res.text, /Say which schedule to run with \?cron=/);
    });

    await t.step("lets a request in flight finish when a saved change reloads the server", async () => {
      const slow = fetch(`http://127.0.0.1:${port}/slow`).then((r) => r.text(), (error) => `failed: ${error}`);
      await dev.waitFor(/^slow request started$/);
      await Deno.writeTextFile(`${dir}/main.ts`, guarded.replace("VERSION", "v2"));
      assert.equal(await slow, "v1 /slow");
      port = await portOf(2);
      assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), "v2 /");
    });

    await t.step("a corrupt KV file stops the server with a message naming the file", async () => {
      await Deno.mkdir(`${dir}/.slrs/bindings/kv`, { recursive: true });
      await Deno.writeTextFile(`${dir}/.slrs/bindings/kv/STORE.json`, "{ not json");
      await Deno.writeTextFile(`${dir}/main.ts`, guarded.replace("VERSION", "v3"));
      await dev.waitFor(/The local KV file \.slrs\/bindings\/kv\/STORE\.json cannot be read.*delete it to start/, {
        stream: "stderr",
      });
      assert.equal(dev.stderr.some((line) => /^\s+at /.test(line)), false, dev.stderr.join("\n"));
    });

    await t.step("starts again on the next change once the file is fixed", async () => {
      await dev.waitFor(/the server exited \(code 1\); waiting for a change to restart/, { stream: "stderr" });
      await Deno.remove(`${dir}/.slrs/bindings/kv/STORE.json`);
      await Deno.writeTextFile(`${dir}/main.ts`, guarded.replace("VERSION", "v4"));
      port = await portOf(3);
      assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), "v4 /");
    });
  } finally {
    await dev.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
