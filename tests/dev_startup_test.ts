import assert from "node:assert/strict";
import { createServer } from "node:net";
import { MOD_URL, startCli } from "./support/process.ts";

const source = (version: string) => `
import { Router, serverless } from "${MOD_URL}";
export default serverless({
  name: "startup",
  fetch: new Router().get("/", (_req, ctx) => new Response("${version} " + (ctx.env.GREETING ?? "unset"))),
});
`;

/** A port something else already listens on, for as long as the returned close is not called. */
async function takenPort(): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as { port: number };
  return { port, close: () => new Promise((done) => server.close(() => done())) };
}

Deno.test("cli.ts dev says what is wrong at startup and never hangs silently", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "slrs_dev_startup_" });
  try {
    await t.step("a taken port exits 1 with one line naming the port and --port", async () => {
      await Deno.writeTextFile(`${dir}/main.ts`, source("v1"));
      const taken = await takenPort();
      try {
        const dev = startCli(["dev", "main.ts", "--port", String(taken.port)], dir);
        const status = await Promise.race([
          dev.child.status,
          new Promise<never>((_, fail) => setTimeout(() => fail(new Error("dev hung on a taken port")), 20_000)),
        ]).finally(() => dev.stop());
        assert.equal(status.code, 1);
        const lines = dev.stderr.filter((line) => line.trim() !== "");
        assert.equal(lines.length, 1, lines.join("\n"));
        assert.match(
          lines[0]!,
          new RegExp(`^slrs: port ${taken.port} on 127\\.0\\.0\\.1 is already in use;.*--port N`),
        );
      } finally {
        await taken.close();
      }
    });

    await t.step("a missing entry is reported, waited for, and served once it appears", async () => {
      const dev = startCli(["dev", "later/main.ts", "--port", "0"], dir);
      try {
        await dev.waitFor(/^slrs: Could not import later\/main\.ts/, { stream: "stderr" });
        await dev.waitFor(/^slrs dev: waiting for later\/main\.ts to appear or change/, { stream: "stderr" });
        await Deno.mkdir(`${dir}/later`);
        await Deno.writeTextFile(`${dir}/later/main.ts`, source("v1"));
        const [, base] = await dev.waitFor(/serving "startup" from later\/main\.ts on (http:\/\/localhost:\d+)/);
        assert.equal(await (await fetch(`${base}/`)).text(), "v1 unset");
      } finally {
        await dev.stop();
      }
    });

    await Deno.writeTextFile(`${dir}/main.ts`, 'throw new Error("not configured yet");');
    const failing = startCli(["dev", "main.ts", "--port", "0"], dir);
    try {
      await t.step("an entry that fails to load is reported, then served once it is fixed", async () => {
        await failing.waitFor(/^slrs: Could not import main\.ts: not configured yet/, { stream: "stderr" });
        await failing.waitFor(/^slrs dev: waiting for main\.ts to appear or change/, { stream: "stderr" });
        await Deno.writeTextFile(`${dir}/main.ts`, source("v2"));
        const [, base] = await failing.waitFor(/serving "startup" from main\.ts on (http:\/\/localhost:\d+)/);
        assert.equal(await (await fetch(`${base}/`)).text(), "v2 unset");
      });

      await t.step("a .env created after dev started is picked up", async () => {
        await Deno.writeTextFile(`${dir}/.env`, "GREETING=Hi\n");
        const pattern = /serving "startup" from main\.ts on (http:\/\/localhost:\d+)/;
        const [, base] = await failing.waitFor(pattern, { count: 2 });
        assert.equal(await (await fetch(`${base}/`)).text(), "v2 Hi");
      });
    } finally {
      await failing.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
