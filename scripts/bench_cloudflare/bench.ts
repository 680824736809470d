/**
 * Cloudflare Workers benchmark: the hello worker (`examples/cloudflare/hello.ts`) against the same app written with
 * Hono (`scripts/bench_cloudflare/hono_hello.ts`), both bundled with `deno bundle --minify` and run side by side in
 * workerd through Miniflare.
 *
 * Prints the minified (and gzipped) bundle sizes, then requests per second two ways, in alternating rounds so that
 * neither side gets the quieter moment of the machine; the speed ratio is the median of the per-round ratios (both
 * measured back to back), the figure least moved by other load on a shared machine:
 * - in the isolate: a harness module imports the bundle and calls its `fetch` N times in one request, so the figure
 *   is the framework's own cost in workerd;
 * - over HTTP: `dispatchFetch` with a fixed concurrency, the figure a client sees locally (mostly Miniflare's
 *   own proxying, the same for both).
 *
 * Usage: `deno run -A scripts/bench_cloudflare/bench.ts [--rounds 3] [--loop 20000] [--seconds 2] [--concurrency 16]`
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
const ROUNDS = arg("rounds", 3);
const LOOP = arg("loop", 20_000);
const SECONDS = arg("seconds", 2);
const CONCURRENCY = arg("concurrency", 16);
const PATHS = ["/", "/hello/ada"];
const RAY = { "cf-ray": "8c1f2e3d4b5a6978-LHR" };

// Both apps in one isolate: `/__loop?app=…&n=…` calls that app's own fetch handler `n` times inside one request,
// alternating the two routes, so both are measured in the same process under the same conditions. Requests carry a
// cf-ray header, as every request on Cloudflare does.
const HARNESS = `import slrs from "./slrs.js";
import hono from "./hono.js";
const apps = { slrs, hono };
export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const app = apps[url.searchParams.get("app")];
    if (url.pathname !== "/__loop" || !app) return new Response("unknown app", { status: 400 });
    const n = Number(url.searchParams.get("n"));
    const init = { headers: { "cf-ray": "8c1f2e3d4b5a6978-LHR" } };
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      const res = await app.fetch(new Request("http://localhost" + (i % 2 ? "/hello/ada" : "/"), init), env, ctx);
      if (res.status !== 200) throw new Error("status " + res.status);
      bytes += (await res.arrayBuffer()).byteLength;
    }
    return Response.json({ n, bytes });
  },
};`;

interface Subject {
  name: "slrs" | "hono";
  code: string;
  /** The app alone, for requests over HTTP. */
  mf: Miniflare;
  inIsolate: number[];
  /** Requests per second of workerd CPU time (Linux only), the figure least moved by other load. */
  perCpuSecond: number[];
  overHttp: number[];
}

async function gzipSize(text: string): Promise<number> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

async function start(name: Subject["name"], entry: URL): Promise<Subject> {
  const code = await bundleWorker(entry, { minify: true });
  const mf = new Miniflare({ modules: true, script: code, compatibilityDate: "2026-07-01" });
  // Both answer the same routes alike before anything is measured.
  for (const path of PATHS) {
    const res = await mf.dispatchFetch(`http://localhost${path}`);
    if (res.status !== 200) throw new Error(`${name}: GET ${path} answered ${res.status}`);
    await res.arrayBuffer();
  }
  return { name, code, mf, inIsolate: [], perCpuSecond: [], overHttp: [] };
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

async function startHarness(subjects: Subject[]): Promise<{ mf: Miniflare; pid: number | undefined }> {
  const before = workerdPids();
  const dir = await Deno.makeTempDir({ prefix: "bench-cloudflare-" });
  await Deno.writeTextFile(`${dir}/harness.js`, HARNESS);
  for (const s of subjects) await Deno.writeTextFile(`${dir}/${s.name}.js`, s.code);
  const mf = new Miniflare({
    modulesRoot: dir,
    modules: ["harness", ...subjects.map((s) => s.name)].map((name) => ({
      type: "ESModule" as const,
      path: `${dir}/${name}.js`,
    })),
    compatibilityDate: "2026-07-01",
  });
  await mf.ready;
  const started = [...workerdPids()].filter((pid) => !before.has(pid));
  return { mf, pid: started.length === 1 ? started[0] : undefined };
}

async function loop(harness: { mf: Miniflare; pid: number | undefined }, subject: Subject, n: number): Promise<void> {
  const cpuBefore = harness.pid === undefined ? 0 : cpuNs(harness.pid);
  const started = performance.now();
  const res = await harness.mf.dispatchFetch(`http://localhost/__loop?app=${subject.name}&n=${n}`);
  const body = await res.text();
  if (res.status !== 200) throw new Error(`${subject.name}: the loop failed: ${body}`);
  subject.inIsolate.push(n / ((performance.now() - started) / 1000));
  if (harness.pid !== undefined) subject.perCpuSecond.push(n / ((cpuNs(harness.pid) - cpuBefore) / 1e9));
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
// Each round measures both back to back, so the ratio within a round is the least disturbed by other load.
const pairedRatio = (a: number[], b: number[]) => median(a.map((value, i) => value / b[i]!)).toFixed(2);
const round = (value: number) => Math.round(value).toLocaleString("en-US");
const ratio = (a: number, b: number) => (a / b).toFixed(2);

const slrs = await start("slrs", new URL("../../examples/cloudflare/hello.ts", import.meta.url));
const hono = await start("hono", new URL("./hono_hello.ts", import.meta.url));
const subjects = [slrs, hono];
const harness = await startHarness(subjects);
try {
  for (const s of subjects) await loop(harness, s, 2_000); // warm up the JIT
  for (const s of subjects) s.inIsolate.length = s.perCpuSecond.length = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? subjects : [...subjects].reverse();
    for (const s of order) await loop(harness, s, LOOP);
  }
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? subjects : [...subjects].reverse();
    for (const s of order) s.overHttp.push(await httpRps(s, SECONDS));
  }
  const sizes = new Map<Subject, number>();
  for (const s of subjects) sizes.set(s, await gzipSize(s.code));
  console.log(
    `Deno ${Deno.version.deno}, median of ${ROUNDS} alternating rounds; in the isolate: ${LOOP} requests per round; ` +
      `over HTTP: ${SECONDS} s per round at concurrency ${CONCURRENCY}.\n`,
  );
  console.log(
    "| worker | minified bytes | gzip bytes | req per workerd CPU-second, median | req/s in the isolate, median (best) " +
      "| req/s over HTTP, median (best) |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
  for (const s of subjects) {
    console.log(
      `| ${s.name} | ${s.code.length.toLocaleString("en-US")} | ${sizes.get(s)!.toLocaleString("en-US")} | ` +
        `${s.perCpuSecond.length ? round(median(s.perCpuSecond)) : "n/a"} | ` +
        `${round(median(s.inIsolate))} (${round(best(s.inIsolate))}) | ` +
        `${round(median(s.overHttp))} (${round(best(s.overHttp))}) |`,
    );
  }
  console.log(
    `\nslrs/hono: size ${ratio(slrs.code.length, hono.code.length)}×, gzip ${
      ratio(sizes.get(slrs)!, sizes.get(hono)!)
    }×, ` +
      `per CPU-second ${slrs.perCpuSecond.length ? pairedRatio(slrs.perCpuSecond, hono.perCpuSecond) : "n/a"}×, ` +
      `speed in the isolate ${pairedRatio(slrs.inIsolate, hono.inIsolate)}× ` +
      `(ratio of medians ${ratio(median(slrs.inIsolate), median(hono.inIsolate))}×, of bests ` +
      `${ratio(best(slrs.inIsolate), best(hono.inIsolate))}×), over HTTP ${
        pairedRatio(slrs.overHttp, hono.overHttp)
      }× ` +
      `(medians ${ratio(median(slrs.overHttp), median(hono.overHttp))}×, bests ` +
      `${ratio(best(slrs.overHttp), best(hono.overHttp))}×)`,
  );
} finally {
  await harness.mf.dispose();
  for (const s of subjects) await s.mf.dispose();
}
