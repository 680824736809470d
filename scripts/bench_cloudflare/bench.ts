/**
 * Cloudflare Workers benchmark: the hello worker (`examples/cloudflare/hello.ts`) against the same app written with
 * Hono (`scripts/bench_cloudflare/hono_hello.ts`), both bundled with `deno bundle --minify` and run side by side in
 * workerd through Miniflare.
 *
 * Prints the minified (and gzipped) bundle sizes, then requests per second two ways:
 * - in the isolate: in each app's own workerd process, a harness module calls the app's `fetch` N times in one
 *   request with two requests made once (one per route), so the figure is the framework's own cost in workerd. A
 *   trial starts fresh processes and runs alternating rounds; its rate is all requests over all the time (workerd's
 *   CPU time, and wall time), since single rounds swing by up to 2× with garbage collection and recompilation. Whole
 *   processes differ too (one may run 30 % slower throughout), so the ratio is the median over several trials, each
 *   with new processes, and the range is printed. A bare worker (no framework, `bare_hello.ts`) runs in the same
 *   rounds, as the floor.
 * - over HTTP: `dispatchFetch` with a fixed concurrency, the figure a client sees locally (mostly Miniflare's
 *   own proxying, the same for both); the ratio is the median of the per-round ratios.
 *
 * `--aa` measures the slrs worker against a second copy of itself, a check of the method: its ratios should be 1.
 *
 * Usage: `deno run -A scripts/bench_cloudflare/bench.ts [--trials 9] [--rounds 30] [--loop 10000] [--seconds 0.5]
 * [--http-rounds 20] [--concurrency 16] [--aa]`
 *
 * @module
 */

import { Miniflare } from "npm:miniflare@^4";
import { bundleWorker } from "../bundle_worker.ts";

const arg = (name: string, fallback: number) => {
  const index = Deno.args.indexOf(`--${name}`);
  const value = index === -1 ? fallback : Number(Deno.args[index + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`--${name} must be a positive number; got ${value}.`);
  return value;
};
const TRIALS = arg("trials", 9);
const ROUNDS = arg("rounds", 30);
const LOOP = arg("loop", 10_000);
const SECONDS = arg("seconds", 0.5);
const HTTP_ROUNDS = arg("http-rounds", 20);
const CONCURRENCY = arg("concurrency", 16);
const PATHS = ["/", "/hello/ada"];
const RAY = { "cf-ray": "8c1f2e3d4b5a6978-LHR" };

// Each app runs in its own workerd process (its own isolate, JIT state and heap: with both in one isolate, the same
// code measured 1.2× faster in one slot than in the other). `/__loop?n=…` calls the app's fetch handler `n` times
// inside one request, alternating the two routes; anything else goes straight to the app. Requests carry a cf-ray
// header, as every request on Cloudflare does.
const HARNESS = `import app from "./app.js";
export default {
  async fetch(request, env, ctx) {
    if (!request.url.includes("/__loop?")) return app.fetch(request, env, ctx);
    const n = Number(new URL(request.url).searchParams.get("n"));
    // Made once: the figure is the app's cost, not that of making requests (GET requests have no body to use up).
    const init = { headers: { "cf-ray": "8c1f2e3d4b5a6978-LHR" } };
    const requests = [new Request("http://localhost/", init), new Request("http://localhost/hello/ada", init)];
    for (let i = 0; i < n; i++) {
      const res = await app.fetch(requests[i % 2], env, ctx);
      if (res.status !== 200) throw new Error("status " + res.status);
    }
    return Response.json({ n });
  },
};`;

/** A bundled worker, its modules written to a directory once. */
interface Worker {
  name: string;
  code: string;
  dir: string;
}

/** A worker running in a workerd process of its own. */
interface Running {
  worker: Worker;
  mf: Miniflare;
  /** The workerd process, for its CPU time (Linux only). */
  pid: number | undefined;
  /** One entry per round in the isolate: requests, wall seconds and workerd CPU seconds (NaN without /proc). */
  rounds: { requests: number; wall: number; cpu: number }[];
}

/** Requests per second of one worker in one trial. */
interface Rates {
  cpu: number;
  wall: number;
}

async function gzipSize(text: string): Promise<number> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

async function prepare(name: string, entry: URL): Promise<Worker> {
  const code = await bundleWorker(entry, { minify: true });
  const dir = await Deno.makeTempDir({ prefix: "bench-cloudflare-" });
  await Deno.writeTextFile(`${dir}/harness.js`, HARNESS);
  await Deno.writeTextFile(`${dir}/app.js`, code);
  return { name, code, dir };
}

async function launch(worker: Worker): Promise<Running> {
  const before = workerdPids();
  const mf = new Miniflare({
    modulesRoot: worker.dir,
    modules: ["harness", "app"].map((module) => ({ type: "ESModule" as const, path: `${worker.dir}/${module}.js` })),
    compatibilityDate: "2026-07-01",
  });
  await mf.ready;
  const started = [...workerdPids()].filter((pid) => !before.has(pid));
  // All answer the same routes alike before anything is measured.
  for (const path of PATHS) {
    const res = await mf.dispatchFetch(`http://localhost${path}`);
    if (res.status !== 200) throw new Error(`${worker.name}: GET ${path} answered ${res.status}`);
    await res.arrayBuffer();
  }
  return { worker, mf, pid: started.length === 1 ? started[0] : undefined, rounds: [] };
}

// The workerd processes Miniflare started for this process (Linux /proc; none elsewhere).
function workerdPids(): Set<number> {
  const pids = new Set<number>();
  try {
    for (const entry of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(entry.name)) continue;
      try {
        const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
        const [comm, rest] = [
          stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")),
          stat.slice(stat.lastIndexOf(")") + 2),
        ];
        if (comm.startsWith("workerd") && Number(rest.split(" ")[1]) === Deno.pid) pids.add(Number(entry.name));
      } catch { /* the process ended */ }
    }
  } catch { /* no /proc */ }
  return pids;
}

// Nanoseconds on CPU of all threads of a process, from /proc/<pid>/task/*/schedstat.
function cpuNs(pid: number): number {
  let total = 0;
  for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
    total += Number(Deno.readTextFileSync(`/proc/${pid}/task/${task.name}/schedstat`).split(" ")[0]);
  }
  return total;
}

async function loop(running: Running, n: number): Promise<void> {
  const cpuBefore = running.pid === undefined ? 0 : cpuNs(running.pid);
  const started = performance.now();
  const res = await running.mf.dispatchFetch(`http://localhost/__loop?n=${n}`);
  const body = await res.text();
  if (res.status !== 200) throw new Error(`${running.worker.name}: the loop failed: ${body}`);
  running.rounds.push({
    requests: n,
    wall: (performance.now() - started) / 1000,
    cpu: running.pid === undefined ? NaN : (cpuNs(running.pid) - cpuBefore) / 1e9,
  });
}

// One trial: fresh workerd processes for all, alternating rounds, then each one's rates over all its rounds (totals, so
// that a slow moment of workerd weighs in as much as it costs, shared out evenly by the alternation).
async function trial(workers: Worker[]): Promise<Rates[]> {
  const running: Running[] = [];
  try {
    for (const worker of workers) running.push(await launch(worker));
    for (const r of running) await loop(r, 2_000); // warm up the JIT
    for (const r of running) r.rounds.length = 0;
    for (let round = 0; round < ROUNDS; round++) {
      // Each takes each place in the order equally often.
      const order = [...running.slice(round % running.length), ...running.slice(0, round % running.length)];
      for (const r of round % 2 === 0 ? order : order.reverse()) await loop(r, LOOP);
    }
    const total = (r: Running, of: keyof Rates) =>
      r.rounds.reduce((sum, x) => sum + x.requests, 0) / r.rounds.reduce((sum, x) => sum + x[of], 0);
    return running.map((r) => ({ cpu: total(r, "cpu"), wall: total(r, "wall") }));
  } finally {
    for (const r of running) await r.mf.dispose();
  }
}

async function httpRps(running: Running, seconds: number): Promise<number> {
  const until = performance.now() + seconds * 1000;
  let done = 0;
  const client = async (offset: number) => {
    for (let i = offset; performance.now() < until; i++) {
      const res = await running.mf.dispatchFetch(`http://localhost${PATHS[i % 2]}`, { headers: RAY });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${running.worker.name}: status ${res.status}`);
      done++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => client(i)));
  return done / ((performance.now() - started) / 1000);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const best = (values: number[]) => Math.max(...values);
const round = (value: number) => Math.round(value).toLocaleString("en-US");
const ratio = (a: number, b: number) => (a / b).toFixed(2);
// The median over trials of a per-trial ratio, with its range.
const spread = (ratios: number[]) =>
  `${median(ratios).toFixed(2)}× (trials ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×)`;

const HELLO = new URL("../../examples/cloudflare/hello.ts", import.meta.url);
const slrs = await prepare("slrs", HELLO);
const hono = Deno.args.includes("--aa")
  ? await prepare("slrs copy", HELLO)
  : await prepare("hono", new URL("./hono_hello.ts", import.meta.url));
const bare = await prepare("bare", new URL("./bare_hello.ts", import.meta.url));
const workers = [slrs, hono, bare];
try {
  const trials: Rates[][] = [];
  for (let t = 0; t < TRIALS; t++) trials.push(await trial(workers));
  // Over HTTP, the two frameworks in alternating rounds, each round's ratio back to back.
  const http = [await launch(slrs), await launch(hono)];
  const overHttp: number[][] = [[], []];
  try {
    for (let r = 0; r < HTTP_ROUNDS; r++) {
      for (const i of r % 2 === 0 ? [0, 1] : [1, 0]) overHttp[i]!.push(await httpRps(http[i]!, SECONDS));
    }
  } finally {
    for (const r of http) await r.mf.dispose();
  }

  const cpuKnown = !Number.isNaN(trials[0]![0]!.cpu);
  const perTrial = (index: number, of: keyof Rates) => trials.map((rates) => rates[index]![of]);
  const trialRatios = (of: keyof Rates) => trials.map((rates) => rates[0]![of] / rates[1]![of]);
  console.log(
    `Deno ${Deno.version.deno}; in the isolate: ${TRIALS} trials of ${ROUNDS} alternating rounds of ${LOOP} ` +
      `requests each, medians over trials; over HTTP: median of ${HTTP_ROUNDS} alternating rounds of ${SECONDS} s ` +
      `at concurrency ${CONCURRENCY}.\n`,
  );
  console.log(
    "| worker | minified bytes | gzip bytes | req per workerd CPU-second | req/s in the isolate " +
      "| req/s over HTTP, median (best) |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
  for (const [index, worker] of workers.entries()) {
    const http = overHttp[index];
    console.log(
      `| ${worker.name} | ${worker.code.length.toLocaleString("en-US")} | ` +
        `${(await gzipSize(worker.code)).toLocaleString("en-US")} | ` +
        `${cpuKnown ? round(median(perTrial(index, "cpu"))) : "n/a"} | ${round(median(perTrial(index, "wall")))} | ` +
        `${http ? `${round(median(http))} (${round(best(http))})` : "n/a"} |`,
    );
  }
  console.log(
    `\n${slrs.name}/${hono.name}: size ${ratio(slrs.code.length, hono.code.length)}×, gzip ${
      ratio(await gzipSize(slrs.code), await gzipSize(hono.code))
    }×, per CPU-second ${cpuKnown ? spread(trialRatios("cpu")) : "n/a"}, in the isolate ${
      spread(trialRatios("wall"))
    }, over HTTP ${median(overHttp[0]!.map((value, i) => value / overHttp[1]![i]!)).toFixed(2)}×`,
  );
  if (cpuKnown) {
    const micros = (index: number) => (1e6 / median(perTrial(index, "cpu"))).toFixed(2);
    console.log(
      `workerd CPU µs per request, harness included: ${slrs.name} ${micros(0)}, ${hono.name} ${micros(1)}, ` +
        `and a bare worker with no framework ${micros(2)}`,
    );
  }
} finally {
  for (const worker of workers) await Deno.remove(worker.dir, { recursive: true });
}
