import assert from "node:assert/strict";
import { MOD_URL, startCli } from "./_util/process.ts";
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
      await dev.waitFor(/^GET \/ 200 \d+(\.\d+)?ms$/);
    });

    await t.step("keeps kv data under .slrs/", async () => {
      await (await fetch(`${base}/count`, { method: "POST" })).body?.cancel();
      const res = await fetch(`${base}/count`, { method: "POST" });
      assert.deepEqual(await res.json(), { count: 2 });
      assert.equal(JSON.parse(await Deno.readTextFile(`${dir}/.slrs/kv/STORE.json`)).count, "2");
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
      assert.equal(dev.stderr.filter((line) => /File change detected/.test(line)).length, 0, dev.stderr.join("\n"));
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
