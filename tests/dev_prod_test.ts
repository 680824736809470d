import assert from "node:assert/strict";
import { CLI_RUNTIMES, type CliRuntime, configure } from "./support/cli_runtimes.ts";

const users = (runtime: CliRuntime) => `
import { Router, serverless } from "${runtime.library}";

export default serverless({
  name: "users",
  requirements: { timeout: 1, memory: 128 },
  fetch: new Router()
    .get("/users/:id", (_req, ctx) => new Response("user " + ctx.params.id))
    .get("/remaining", (_req, ctx) => Response.json({ remaining: ctx.remainingMs() }))
    .get("/slow", async (_req, ctx) => {
      await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
      console.log("slow saw its signal abort: " + ctx.signal.reason?.name);
      return new Response("too late");
    })
    .get("/big", () => {
      const bytes = new Uint8Array(300 * 1024 * 1024).fill(7);
      return new Response(String(bytes[bytes.length - 1]));
    }),
  queue: {
    name: "emails",
    run(batch) {
      for (const message of batch.messages) {
        if (message.body === "boom") throw new Error("queue handler exploded");
        if (message.body === "later") message.retry({ delaySeconds: 30 });
        else message.ack();
      }
    },
  },
});
`;

const orders = (runtime: CliRuntime) => `
import { Router, serverless } from "${runtime.library}";

export default serverless({
  name: "orders",
  fetch: new Router()
    .post("/orders", () => new Response("order placed", { status: 201 }))
    .get("/orders", () => new Response("orders")),
  event: {
    sources: ["shop.test"],
    run(event) {
      console.log("event ran " + event.type + " " + event.id + " " + JSON.stringify(event.data));
    },
  },
});
`;

/** Sends raw request bytes (so Host and Origin are exactly what is written). */
async function rawPost(port: number, path: string, headers: string[], body: string) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const bytes = new TextEncoder().encode(body);
  const head = [
    `POST ${path} HTTP/1.1`,
    ...headers,
    `Content-Length: ${bytes.byteLength}`,
    "Connection: close",
    "",
    "",
  ];
  await conn.write(new TextEncoder().encode(head.join("\r\n")));
  await conn.write(bytes);
  const text = await new Response(conn.readable).text();
  return { status: Number(text.split(" ")[1]), text, json: () => JSON.parse(text.slice(text.indexOf("\r\n\r\n") + 4)) };
}

/** A project for `runtime` whose `slrs.functions` glob is `<folder>/*.<ext>`, with `files` (names without extension). */
async function project(runtime: CliRuntime, folder: string, files: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: `slrs_dev_prod_${runtime.name}_` });
  await runtime.project(dir);
  await configure(runtime, dir, { functions: [`${folder}/*.${runtime.ext}`] });
  await Deno.mkdir(`${dir}/${folder}`);
  for (const [name, text] of Object.entries(files)) {
    await Deno.writeTextFile(`${dir}/${folder}/${name}.${runtime.ext}`, text);
  }
  return dir;
}

for (const runtime of CLI_RUNTIMES) {
  Deno.test(`dev serves every configured function like production, on ${runtime.name}`, async (t) => {
    const dir = await project(runtime, "functions", { users: users(runtime), orders: orders(runtime) });
    const ext = runtime.ext;
    const dev = await runtime.start(["dev", "--port", "0"], dir);
    try {
      const port = Number(
        (await dev.waitFor(new RegExp(`serving "users" from functions/users\\.${ext} on http://localhost:(\\d+)`)))[1],
      );
      await dev.waitFor(new RegExp(`serving "orders" from functions/orders\\.${ext} on http://localhost:\\d+`));
      const base = `http://127.0.0.1:${port}`;
      const local = [`Host: localhost:${port}`, "Content-Type: application/json"];

      await t.step("serves each function under its own routes", async () => {
        assert.equal(await (await fetch(`${base}/users/7`)).text(), "user 7");
        const placed = await fetch(`${base}/orders`, { method: "POST" });
        assert.equal(placed.status, 201);
        assert.equal(await placed.text(), "order placed");
        assert.equal(await (await fetch(`${base}/orders`)).text(), "orders");
      });

      await t.step("lets the function that has a path under other methods answer 405", async () => {
        const res = await fetch(`${base}/orders`, { method: "DELETE" });
        assert.equal(res.status, 405);
        assert.equal(res.headers.get("allow")?.includes("POST"), true, res.headers.get("allow") ?? "");
        await res.body?.cancel();
      });

      await t.step("logs one line per request naming the function", async () => {
        await dev.waitFor(/^GET \/users\/7 200 \d+(\.\d+)?ms users$/);
        await dev.waitFor(/^POST \/orders 201 \d+(\.\d+)?ms orders$/);
      });

      await t.step("delivers a queue batch and reports each message acked or retried", async () => {
        const batch = { messages: [{ id: "m-1", body: "hello" }, { id: "m-2", body: "later", attempts: 2 }] };
        const res = await rawPost(port, "/__slrs/queue/emails", local, JSON.stringify(batch));
        assert.equal(res.status, 200, res.text);
        const body = res.json();
        assert.equal(body.function, "users");
        assert.deepEqual(body.messages, [
          { id: "m-1", outcome: "acked" },
          { id: "m-2", outcome: "retried", delaySeconds: 30 },
        ]);
      });

      await t.step("reports the unsettled messages of a throwing queue handler as failed", async () => {
        const res = await rawPost(port, "/__slrs/queue/emails", local, JSON.stringify(["boom", "hello"]));
        assert.equal(res.status, 500, res.text);
        assert.deepEqual(res.json().messages, [{ id: "dev-1", outcome: "failed" }, { id: "dev-2", outcome: "failed" }]);
        await dev.waitFor(/queue handler exploded/, { stream: "stderr" });
      });

      await t.step("answers 404 naming the known queues for an unknown queue", async () => {
        const res = await rawPost(port, "/__slrs/queue/invoices", local, "[]");
        assert.equal(res.status, 404, res.text);
        assert.match(res.json().error, /"invoices".*the known queues are emails/);
      });

      await t.step("delivers a structured CloudEvent to the event trigger", async () => {
        const event = { specversion: "1.0", id: "e-1", source: "shop.test", type: "order.paid", data: { total: 3 } };
        const res = await rawPost(port, "/__slrs/event", local, JSON.stringify(event));
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(res.json().delivered.map((d: { function: string }) => d.function), ["orders"]);
        await dev.waitFor(/^event ran order\.paid e-1 \{"total":3\}$/);
      });

      await t.step("delivers a binary-mode CloudEvent from ce-* headers", async () => {
        const headers = [`Host: localhost:${port}`, "Content-Type: application/json", "ce-specversion: 1.0"];
        headers.push("ce-id: e-2", "ce-source: shop.test", "ce-type: order.shipped");
        const res = await rawPost(port, "/__slrs/event", headers, '{"parcel":9}');
        assert.equal(res.status, 200, res.text);
        await dev.waitFor(/^event ran order\.shipped e-2 \{"parcel":9\}$/);
      });

      await t.step("refuses a cross-site Origin on the queue and event routes", async () => {
        const ran = () => dev.stdout.filter((line) => line.startsWith("event ran")).length;
        const before = ran();
        const evil = [...local, "Origin: https://evil.example"];
        const queued = await rawPost(port, "/__slrs/queue/emails", evil, '["boom"]');
        assert.equal(queued.status, 403, queued.text);
        const event = { specversion: "1.0", id: "e-3", source: "shop.test", type: "order.evil" };
        const sent = await rawPost(port, "/__slrs/event", evil, JSON.stringify(event));
        assert.equal(sent.status, 403, sent.text);
        assert.match(sent.text, /came from the page at \\"https:\/\/evil\.example\\"/);
        assert.equal(ran(), before, "no event handler ran");
      });

      await t.step("counts ctx.remainingMs() down from requirements.timeout", async () => {
        const { remaining } = await (await fetch(`${base}/remaining`)).json();
        assert.ok(remaining > 0 && remaining <= 1000, String(remaining));
      });

      await t.step("answers 504 at the timeout and aborts the handler's signal", async () => {
        const started = Date.now();
        const res = await fetch(`${base}/slow`);
        assert.equal(res.status, 504);
        assert.match((await res.json()).requestId, /^[0-9a-f-]{36}$/);
        assert.ok(Date.now() - started < 2500, `answered after ${Date.now() - started} ms`);
        await dev.waitFor(/^slow saw its signal abort: TimeoutError$/);
      });

      await t.step("warns when the process grows past requirements.memory", async () => {
        const warned = () => dev.stderr.some((line) => line.includes("requirements.memory"));
        assert.equal(warned(), false, "no warning before the process grew");
        assert.equal(await (await fetch(`${base}/big`)).text(), "7");
        await dev.waitFor(/"users" is over its requirements\.memory of 128 MB: the dev process uses \d+ MB/, {
          stream: "stderr",
        });
      });
    } finally {
      await dev.stop();
      await Deno.remove(dir, { recursive: true });
    }
  });

  Deno.test(`dev refuses two functions that claim the same route, on ${runtime.name}`, async (t) => {
    const plain = (name: string) =>
      `import { serverless } from "${runtime.library}";\nexport default serverless({ name: "${name}", fetch: () => new Response("${name}") });\n`;
    const dir = await project(runtime, "fns", { a: plain("alpha"), b: plain("beta") });
    const ext = runtime.ext;
    const dev = await runtime.start(["dev", "--port", "0"], dir);
    try {
      await t.step("names both functions and their entries", async () => {
        await dev.waitFor(/two functions claim the same route/, { stream: "stderr" });
        await dev.waitFor(
          new RegExp(`ALL /\\* of "alpha" \\(fns/a\\.${ext}\\) and ALL /\\* of "beta" \\(fns/b\\.${ext}\\)`),
          { stream: "stderr" },
        );
      });
    } finally {
      await dev.stop();
      await Deno.remove(dir, { recursive: true });
    }
  });

  Deno.test(`dev refuses two entries that define functions of the same name, on ${runtime.name}`, async (t) => {
    const named = (path: string) =>
      `import { Router, serverless } from "${runtime.library}";\n` +
      `export default serverless({ name: "twin", fetch: new Router().get("${path}", () => new Response("ok")) });\n`;
    const dir = await project(runtime, "fns", { a: named("/a"), b: named("/b") });
    const ext = runtime.ext;
    const dev = await runtime.start(["dev", "--port", "0"], dir);
    try {
      await t.step("names the function and both entries", async () => {
        await dev.waitFor(
          new RegExp(`two entries define a function named "twin" \\(fns/a\\.${ext} and fns/b\\.${ext}\\)`),
          {
            stream: "stderr",
          },
        );
      });
    } finally {
      await dev.stop();
      await Deno.remove(dir, { recursive: true });
    }
  });
}
