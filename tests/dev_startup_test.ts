import assert from "node:assert/strict";
import { createServer } from "node:net";
import { CLI_RUNTIMES, type CliRuntime } from "./support/cli_runtimes.ts";

const source = (runtime: CliRuntime, version: string) => `
import { Router, serverless } from "${runtime.library}";
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

for (const runtime of CLI_RUNTIMES) {
  Deno.test(`dev says what is wrong at startup and never hangs silently, on ${runtime.name}`, async (t) => {
    const dir = await Deno.makeTempDir({ prefix: `slrs_dev_startup_${runtime.name}_` });
    const main = `main.${runtime.ext}`;
    const escaped = (path: string) => path.replaceAll(".", "\\.").replaceAll("/", "\\/");
    try {
      await runtime.project(dir);
      await t.step("a taken port exits 1 with one line naming the port and --port", async () => {
        await Deno.writeTextFile(`${dir}/${main}`, source(runtime, "v1"));
        const taken = await takenPort();
        try {
          const dev = await runtime.start(["dev", main, "--port", String(taken.port)], dir);
          let timer: ReturnType<typeof setTimeout> | undefined;
          const status = await Promise.race([
            dev.child.status,
            new Promise<never>((_, fail) =>
              timer = setTimeout(() => fail(new Error("dev hung on a taken port")), 20_000)
            ),
          ]).finally(() => {
            clearTimeout(timer);
            return dev.stop();
          });
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
        const later = `later/${main}`;
        const dev = await runtime.start(["dev", later, "--port", "0"], dir);
        try {
          await dev.waitFor(new RegExp(`^slrs: Could not import ${escaped(later)}`), { stream: "stderr" });
          await dev.waitFor(new RegExp(`^slrs dev: waiting for ${escaped(later)} to appear or change`), {
            stream: "stderr",
          });
          await Deno.mkdir(`${dir}/later`);
          await Deno.writeTextFile(`${dir}/${later}`, source(runtime, "v1"));
          const serving = new RegExp(`serving "startup" from ${escaped(later)} on (http:\\/\\/localhost:\\d+)`);
          const [, base] = await dev.waitFor(serving);
          assert.equal(await (await fetch(`${base}/`)).text(), "v1 unset");
        } finally {
          await dev.stop();
        }
      });

      await Deno.writeTextFile(`${dir}/${main}`, 'throw new Error("not configured yet");');
      const failing = await runtime.start(["dev", main, "--port", "0"], dir);
      const serving = new RegExp(`serving "startup" from ${escaped(main)} on (http:\\/\\/localhost:\\d+)`);
      try {
        await t.step("an entry that fails to load is reported, then served once it is fixed", async () => {
          await failing.waitFor(new RegExp(`^slrs: Could not import ${escaped(main)}: not configured yet`), {
            stream: "stderr",
          });
          await failing.waitFor(new RegExp(`^slrs dev: waiting for ${escaped(main)} to appear or change`), {
            stream: "stderr",
          });
          await Deno.writeTextFile(`${dir}/${main}`, source(runtime, "v2"));
          const [, base] = await failing.waitFor(serving);
          assert.equal(await (await fetch(`${base}/`)).text(), "v2 unset");
        });

        await t.step("a .env created after dev started is picked up", async () => {
          await Deno.writeTextFile(`${dir}/.env`, "GREETING=Hi\n");
          const [, base] = await failing.waitFor(serving, { count: 2 });
          assert.equal(await (await fetch(`${base}/`)).text(), "v2 Hi");
        });

        await t.step("a .env that changes is picked up", async () => {
          await Deno.writeTextFile(`${dir}/.env`, "GREETING=Hello\n");
          const [, base] = await failing.waitFor(serving, { count: 3 });
          assert.equal(await (await fetch(`${base}/`)).text(), "v2 Hello");
        });
      } finally {
        await failing.stop();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
