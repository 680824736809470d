/**
 * Cloudflare Workers benchmark: the hello worker (`examples/cloudflare/hello.ts`) against the same app written with
 * Hono (`scripts/bench_cloudflare/hono_hello.ts`), both bundled with `deno bundle --minify` and run side by side in
 * workerd through Miniflare.
 *
 * Prints the minified (and gzipped) bundle sizes, then requests per second two ways, in alternating rounds so that
 * neither side gets the quieter moment of the machine:
 * - in the isolate: a harness module imports the bundle and calls its `fetch` N times in one request, so the figure
 *   is the framework's own cost in workerd;
 * - over HTTP: `dispatchFetch` with a fixed concurrency, the figure a client sees locally (mostly Miniflare's
 *   own proxying, the same for both).
 *
 * Usage: `deno run -A scripts/bench_cloudflare.ts [--rounds 3] [--loop 20000] [--seconds 2] [--concurrency 16]`
 *
 * @module
 */

import { Miniflare } from "miniflare";
import { bundleWorker } from "./bundle_worker.ts";

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
  return { name, code, mf, inIsolate: [], overHttp: [] };
}

async function startHarness(subjects: Subject[]): Promise<Miniflare> {
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
  return mf;
}

async function loopRps(harness: Miniflare, subject: Subject, n: number): Promise<number> {
  const started = performance.now();
  const res = await harness.dispatchFetch(`http://localhost/__loop?app=${subject.name}&n=${n}`);
  const body = await res.text();
  if (res.status !== 200) throw new Error(`${subject.name}: the loop failed: ${body}`);
  return n / ((performance.now() - started) / 1000);
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
const round = (value: number) => Math.round(value).toLocaleString("en-US");
const ratio = (a: number, b: number) => (a / b).toFixed(2);

const slrs = await start("slrs", new URL("../examples/cloudflare/hello.ts", import.meta.url));
const hono = await start("hono", new URL("./bench_cloudflare/hono_hello.ts", import.meta.url));
const subjects = [slrs, hono];
const harness = await startHarness(subjects);
try {
  for (const s of subjects) await loopRps(harness, s, 2_000); // warm up the JIT
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? subjects : [...subjects].reverse();
    for (const s of order) s.inIsolate.push(await loopRps(harness, s, LOOP));
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
    "| worker | minified bytes | gzip bytes | req/s in the isolate, median (best) | req/s over HTTP, median (best) |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: |");
  for (const s of subjects) {
    console.log(
      `| ${s.name} | ${s.code.length.toLocaleString("en-US")} | ${sizes.get(s)!.toLocaleString("en-US")} | ` +
        `${round(median(s.inIsolate))} (${round(best(s.inIsolate))}) | ` +
        `${round(median(s.overHttp))} (${round(best(s.overHttp))}) |`,
    );
  }
  console.log(
    `\nslrs/hono: size ${ratio(slrs.code.length, hono.code.length)}×, gzip ${
      ratio(sizes.get(slrs)!, sizes.get(hono)!)
    }×, ` +
      `speed in the isolate ${ratio(median(slrs.inIsolate), median(hono.inIsolate))}× ` +
      `(best ${ratio(best(slrs.inIsolate), best(hono.inIsolate))}×), ` +
      `over HTTP ${ratio(median(slrs.overHttp), median(hono.overHttp))}× ` +
      `(best ${ratio(best(slrs.overHttp), best(hono.overHttp))}×)`,
  );
} finally {
  await harness.dispose();
  for (const s of subjects) await s.mf.dispose();
}
