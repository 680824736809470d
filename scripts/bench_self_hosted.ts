/**
 * Throughput of the self-hosted adapters next to their peers, with autocannon (50 connections, keep-alive):
 *
 * - Node 20: `node:http` with `res.end()` (the floor), `@hono/node-server` with a Hono app (the peer: it also turns
 *   IncomingMessage into a Fetch Request and back; by default it replaces the global `Request` and `Response` with
 *   lighter classes of its own, so it also runs with `overrideGlobalObjects: false`), and `@slrs/core/node`.
 * - Deno: `Deno.serve` with a bare handler (the floor), Hono on `Deno.serve`, and `@slrs/core/deno`.
 *
 * Every server answers `GET /` with `hello` (text/plain). Each server runs in its own process; autocannon runs in
 * another, on the same machine, so the absolute numbers say little and the ratios are what to read.
 *
 * Usage: `deno run -A scripts/bench_self_hosted.ts [seconds per run, default 3]` (3 interleaved rounds; medians)
 *
 * @module
 */

import { compileForNode, REPO_ROOT } from "./compile_for_node.ts";

const seconds = Number(Deno.args[0] ?? 3);
const ROUNDS = 3;
const work = await Deno.makeTempDir({ prefix: "slrs-bench-" });

async function run(command: string, args: string[], cwd = work): Promise<string> {
  const out = await new Deno.Command(command, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) throw new Error(`${command} ${args.join(" ")} failed:\n${new TextDecoder().decode(out.stderr)}`);
  return text;
}

async function start(command: string, args: string[]): Promise<{ port: number; stop: () => Promise<void> }> {
  const child = new Deno.Command(command, {
    args,
    cwd: work,
    stdout: "piped",
    stderr: "inherit",
    env: { RUST_BACKTRACE: "0" },
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!/\{"port":\d+\}/.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${command} ${args.join(" ")} exited before listening:\n${text}`);
    text += value;
  }
  void reader.cancel();
  const port = Number(text.match(/\{"port":(\d+)\}/)![1]);
  return {
    port,
    stop: async () => {
      child.kill("SIGKILL");
      await child.status;
    },
  };
}

async function measure(name: string, port: number): Promise<number> {
  const report = JSON.parse(
    await run("npx", ["autocannon", "-c", "50", "-d", String(seconds), "-j", `http://127.0.0.1:${port}/`]),
  );
  if (report.non2xx > 0 || report.errors > 0) {
    throw new Error(`${name}: ${report.non2xx} non-2xx, ${report.errors} errors`);
  }
  return report.requests.average as number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

try {
  console.log(`Installing autocannon, hono and @hono/node-server into ${work} …`);
  await Deno.writeTextFile(`${work}/package.json`, JSON.stringify({ type: "module", private: true }));
  await run("npm", ["install", "--no-audit", "--no-fund", "autocannon@9", "hono@4", "@hono/node-server@2"]);

  const slrs = compileForNode({ entries: ["mod.ts", "adapters/node.ts"], outDir: `${work}/slrs` });
  const listen = `({ port }) => console.log(JSON.stringify({ port }))`;
  await Deno.writeTextFile(
    `${work}/node_raw.mjs`,
    `import { createServer } from "node:http";
const server = createServer((_req, res) => { res.setHeader("content-type", "text/plain;charset=UTF-8"); res.end("hello"); });
server.listen(0, "127.0.0.1", () => console.log(JSON.stringify({ port: server.address().port })));\n`,
  );
  await Deno.writeTextFile(
    `${work}/node_hono.mjs`,
    `import { serve } from "@hono/node-server";
import { Hono } from "npm:hono@^4.13.19";
const app = new Hono().get("/", (c) => c.text("hello"));
const overrideGlobalObjects = process.argv[2] !== "plain";
serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1", overrideGlobalObjects }, (info) => (${listen})(info));\n`,
  );
  await Deno.writeTextFile(
    `${work}/node_slrs.mjs`,
    `import { serverless } from ${JSON.stringify(slrs.outputOf("mod.ts"))};
import { serve } from ${JSON.stringify(slrs.outputOf("adapters/node.ts"))};
const fn = serverless({ name: "bench", fetch: () => new Response("hello") });
await serve(fn, { port: 0, hostname: "127.0.0.1", handleSignals: false, logSink() {}, onListen: ${listen} });\n`,
  );
  await Deno.writeTextFile(
    `${work}/deno_servers.ts`,
    `import { Hono } from "npm:hono@^4.13.19";
import { serverless } from ${JSON.stringify(`${REPO_ROOT}/mod.ts`)};
import { serve } from ${JSON.stringify(`${REPO_ROOT}/adapters/deno.ts`)};
const onListen = ${listen};
const which = Deno.args[0];
if (which === "raw") Deno.serve({ port: 0, hostname: "127.0.0.1", onListen }, () => new Response("hello"));
if (which === "hono") Deno.serve({ port: 0, hostname: "127.0.0.1", onListen }, new Hono().get("/", (c) => c.text("hello")).fetch);
if (which === "slrs") {
  serve(serverless({ name: "bench", fetch: () => new Response("hello") }), { port: 0, hostname: "127.0.0.1", handleSignals: false, onListen });
}\n`,
  );

  const deno = Deno.execPath();
  const denoArgs = (
    which: string,
  ) => ["run", "-A", "--no-lock", "--unstable-no-legacy-abort", "deno_servers.ts", which];
  const servers: [string, { port: number; stop: () => Promise<void> }][] = [
    ["node:http res.end()", await start("node", ["node_raw.mjs"])],
    ["@hono/node-server + Hono", await start("node", ["node_hono.mjs"])],
    ["  same, own globals", await start("node", ["node_hono.mjs", "plain"])],
    ["@slrs/core/node", await start("node", ["node_slrs.mjs"])],
    ["Deno.serve bare handler", await start(deno, denoArgs("raw"))],
    ["Hono on Deno.serve", await start(deno, denoArgs("hono"))],
    ["@slrs/core/deno", await start(deno, denoArgs("slrs"))],
  ];
  // Rounds interleave the servers, and the median is reported, so load from elsewhere on the machine skews all alike.
  const results = new Map<string, number[]>(servers.map(([name]) => [name, []]));
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [name, server] of servers) results.get(name)!.push(await measure(name, server.port));
      console.log(`round ${round}/${ROUNDS} done`);
    }
  } finally {
    for (const [, server] of servers) await server.stop();
  }
  console.log(
    `\nNode ${
      (await run("node", ["--version"])).trim()
    }, Deno ${Deno.version.deno}; ${ROUNDS} rounds × ${seconds} s, 50 connections`,
  );
  const rps = (name: string) => median(results.get(name)!);
  for (const [name] of servers) {
    const all = results.get(name)!.map((r) => Math.round(r)).join(", ");
    console.log(`${name.padEnd(28)} median ${Math.round(rps(name)).toString().padStart(7)} req/s   (${all})`);
  }
  const ratio = (a: string, b: string) => (rps(a) / rps(b)).toFixed(2);
  console.log(`
slrs/node ÷ @hono/node-server: ${ratio("@slrs/core/node", "@hono/node-server + Hono")}   ÷ same, own globals: ${
    ratio("@slrs/core/node", "  same, own globals")
  }   ÷ node:http floor: ${ratio("@slrs/core/node", "node:http res.end()")}
slrs/deno ÷ Hono on Deno.serve: ${ratio("@slrs/core/deno", "Hono on Deno.serve")}   ÷ Deno.serve floor: ${
    ratio("@slrs/core/deno", "Deno.serve bare handler")
  }`);
} finally {
  await Deno.remove(work, { recursive: true });
}
