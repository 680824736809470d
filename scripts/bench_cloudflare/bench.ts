/**
 * Cloudflare Workers benchmark: the hello worker (`examples/cloudflare/hello.ts`) against the same app written with
 * Hono (`scripts/bench_cloudflare/hono_hello.ts`), both bundled with `deno bundle --minify` and run side by side in
 * workerd through Miniflare.
 *
 * Prints the minified (and gzipped) bundle sizes, then requests per second two ways, in alternating rounds so that
 * neither side gets the quieter moment of the machine:
 * - in the isolate: in each app's own workerd process, a harness module calls the app's `fetch` N times in one
 *   request with two requests made once (one per route), so the figure is the framework's own cost in workerd. The
 *   rate is requests over the total time of all rounds (workerd's CPU time, and wall time): single rounds swing by up
 *   to 2× with workerd's own garbage collection and recompilation, and many rounds, alternating, share those out
 *   evenly. The ratio is also given for each half of the rounds, to show how settled it is. A bare worker (no
 *   framework, `bare_hello.ts`) runs in the same rounds, as the floor.
 * - over HTTP: `dispatchFetch` with a fixed concurrency, the figure a client sees locally (mostly Miniflare's
 *   own proxying, the same for both); the ratio is the median of the per-round ratios.
 *
 * `--aa` measures the slrs worker against a second copy of itself, a check of the method: its ratios should be 1.
 *
 * Usage: `deno run -A scripts/bench_cloudflare/bench.ts [--rounds 60] [--loop 10000] [--seconds 1] [--concurrency 16]
 * [--aa]`
 *
 * @module
 */

import { Miniflare } from "miniflare";
import { bundleWorker } from "../bundle_worker.ts";

const arg = (name: string, fallback: number) => {
  const index = Deno.args.indexOf(`--${name}`);
  const value = index === -1 ? fallback : Number(Deno.args[index + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`--${name} must be a positive number; got ${value}.`);
  return value;
};
const ROUNDS = arg("rounds", 60);
const LOOP = arg("loop", 10_000);
const SECONDS = arg("seconds", 1);
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

interface Subject {
  name: string;
  code: string;
  /** The harness and the app, in a workerd process of their own. */
  mf: Miniflare;
  /** The directory of its modules. */
  dir: string;
  /** That process, for its CPU time (Linux only). */
  pid: number | undefined;
  /** One entry per round in the isolate: requests, wall seconds and workerd CPU seconds (NaN without /proc). */
  rounds: { requests: number; wall: number; cpu: number }[];
  overHttp: number[];
}

async function gzipSize(text: string): Promise<number> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

async function start(name: string, entry: URL): Promise<Subject> {
  const code = await bundleWorker(entry, { minify: true });
  const before = workerdPids();
  const dir = await Deno.makeTempDir({ prefix: "bench-cloudflare-" });
  await Deno.writeTextFile(`${dir}/harness.js`, HARNESS);
  await Deno.writeTextFile(`${dir}/app.js`, code);
  const mf = new Miniflare({
    modulesRoot: dir,
    modules: ["harness", "app"].map((module) => ({ type: "ESModule" as const, path: `${dir}/${module}.js` })),
    compatibilityDate: "2026-07-01",
  });
  await mf.ready;
  const started = [...workerdPids()].filter((pid) => !before.has(pid));
  // Both answer the same routes alike before anything is measured.
  for (const path of PATHS) {
    const res = await mf.dispatchFetch(`http://localhost${path}`);
    if (res.status !== 200) throw new Error(`${name}: GET ${path} answered ${res.status}`);
    await res.arrayBuffer();
  }
  return { name, code, mf, dir, pid: started.length === 1 ? started[0] : undefined, rounds: [], overHttp: [] };
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

async function loop(subject: Subject, n: number): Promise<void> {
  const cpuBefore = subject.pid === undefined ? 0 : cpuNs(subject.pid);
  const started = performance.now();
  const res = await subject.mf.dispatchFetch(`http://localhost/__loop?n=${n}`);
  const body = await res.text();
  if (res.status !== 200) throw new Error(`${subject.name}: the loop failed: ${body}`);
  subject.rounds.push({
    requests: n,
    wall: (performance.now() - started) / 1000,
    cpu: subject.pid === undefined ? NaN : (cpuNs(subject.pid) - cpuBefore) / 1e9,
  });
}

async function httpRps(subject: Subject, seconds: number): Promise<number> {
  const until = performance.now() + seconds * 1000;
  let done = 0;
  const client = async (offset: number) => {
    for (let i = offset; performance.now() < until; i++) {
      const res = await subject.mf.dispatchFetch(`http://localhost${PATHS[i % 2]}`, { headers: RAY });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${subject.name}: status ${res.status}`);
      done++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => client(i)));
  return done / ((performance.now() - started) / 1000);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const best = (values: number[]) => Math.max(...values);
// Requests per second over all the rounds given: the total, so that a slow moment of workerd (a garbage collection,
// a recompilation) weighs in as much as it costs, and the many short alternating rounds share such moments out evenly.
const rate = (rounds: Subject["rounds"], of: "wall" | "cpu") =>
  rounds.reduce((sum, r) => sum + r.requests, 0) / rounds.reduce((sum, r) => sum + r[of], 0);
const half = (rounds: Subject["rounds"], which: 0 | 1) =>
  which === 0 ? rounds.slice(0, rounds.length >> 1) : rounds.slice(rounds.length >> 1);
const round = (value: number) => Math.round(value).toLocaleString("en-US");
const ratio = (a: number, b: number) => (a / b).toFixed(2);
// The slrs/hono ratio of a rate over all rounds, then over the first and the second half (a check of its stability).
const rateRatios = (of: "wall" | "cpu") =>
  `${ratio(rate(slrs.rounds, of), rate(hono.rounds, of))}× (halves ${
    ([0, 1] as const).map((h) => ratio(rate(half(slrs.rounds, h), of), rate(half(hono.rounds, h), of))).join("×, ")
  }×)`;
// Each HTTP round measures both back to back, so the ratio within a round is the least disturbed by other load.
const pairedRatio = (a: number[], b: number[]) => median(a.map((value, i) => value / b[i]!)).toFixed(2);

const HELLO = new URL("../../examples/cloudflare/hello.ts", import.meta.url);
const slrs = await start("slrs", HELLO);
const hono = Deno.args.includes("--aa")
  ? await start("slrs copy", HELLO)
  : await start("hono", new URL("./hono_hello.ts", import.meta.url));
const bare = await start("bare", new URL("./bare_hello.ts", import.meta.url));
const subjects = [slrs, hono];
// CPU microseconds a worker spends per request, harness included.
const cpuMicros = (s: Subject) => (1e6 / rate(s.rounds, "cpu")).toFixed(2);
try {
  const measured = [...subjects, bare];
  for (const s of measured) await loop(s, 2_000); // warm up the JIT
  for (const s of measured) s.rounds.length = 0;
  for (let r = 0; r < ROUNDS; r++) {
    // Each of the three takes each place in the order equally often.
    const order = [...measured.slice(r % 3), ...measured.slice(0, r % 3)];
    for (const s of r % 2 === 0 ? order : order.reverse()) await loop(s, LOOP);
  }
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? subjects : [...subjects].reverse();
    for (const s of order) s.overHttp.push(await httpRps(s, SECONDS));
  }
  const sizes = new Map<Subject, number>();
  for (const s of subjects) sizes.set(s, await gzipSize(s.code));
  const cpuKnown = !Number.isNaN(slrs.rounds[0]!.cpu);
  console.log(
    `Deno ${Deno.version.deno}; in the isolate: ${ROUNDS} alternating rounds of ${LOOP} requests each, totals; ` +
      `over HTTP: median of ${ROUNDS} alternating rounds of ${SECONDS} s at concurrency ${CONCURRENCY}.\n`,
  );
  console.log(
    "| worker | minified bytes | gzip bytes | req per workerd CPU-second | req/s in the isolate " +
      "| req/s over HTTP, median (best) |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
  for (const s of subjects) {
    console.log(
      `| ${s.name} | ${s.code.length.toLocaleString("en-US")} | ${sizes.get(s)!.toLocaleString("en-US")} | ` +
        `${cpuKnown ? round(rate(s.rounds, "cpu")) : "n/a"} | ${round(rate(s.rounds, "wall"))} | ` +
        `${round(median(s.overHttp))} (${round(best(s.overHttp))}) |`,
    );
  }
  console.log(
    `\n${slrs.name}/${hono.name}: size ${ratio(slrs.code.length, hono.code.length)}×, gzip ${
      ratio(sizes.get(slrs)!, sizes.get(hono)!)
    }×, per CPU-second ${cpuKnown ? rateRatios("cpu") : "n/a"}, in the isolate ${rateRatios("wall")}, ` +
      `over HTTP ${pairedRatio(slrs.overHttp, hono.overHttp)}×`,
  );
  if (cpuKnown) {
    console.log(
      `workerd CPU µs per request, harness included: ${slrs.name} ${cpuMicros(slrs)}, ${hono.name} ` +
        `${cpuMicros(hono)}, and a bare worker with no framework ${cpuMicros(bare)}`,
    );
  }
} finally {
  for (const s of [...subjects, bare]) {
    await s.mf.dispose();
    await Deno.remove(s.dir, { recursive: true });
  }
}
