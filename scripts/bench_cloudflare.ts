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

// Calls the bundled app's own fetch handler `n` times inside one request, alternating the two routes. Requests carry
// a cf-ray header, as every request on Cloudflare does.
const HARNESS = `import app from "./app.js";
export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname !== "/__loop") return app.fetch(request, env, ctx);
    const n = Number(url.searchParams.get("n"));
    let bytes = 0;
    const init = { headers: { "cf-ray": "8c1f2e3d4b5a6978-LHR" } };
    for (let i = 0; i < n; i++) {
      const res = await app.fetch(new Request("http://localhost" + (i % 2 ? "/hello/ada" : "/"), init), env, ctx);
      if (res.status !== 200) throw new Error("status " + res.status);
      bytes += (await res.arrayBuffer()).byteLength;
    }
    return Response.json({ n, bytes });
  },
};`;

interface Subject {
  name: string;
  code: string;
  mf: Miniflare;
  inIsolate: number[];
  overHttp: number[];
}

async function gzipSize(text: string): Promise<number> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

async function start(name: string, entry: URL): Promise<Subject> {
  const code = await bundleWorker(entry, { minify: true });
  const dir = await Deno.makeTempDir({ prefix: `bench-${name}-` });
  await Deno.writeTextFile(`${dir}/app.js`, code);
  await Deno.writeTextFile(`${dir}/harness.js`, HARNESS);
  const mf = new Miniflare({
    modulesRoot: dir,
    modules: [{ type: "ESModule", path: `${dir}/harness.js` }, { type: "ESModule", path: `${dir}/app.js` }],
    compatibilityDate: "2026-07-01",
  });
  await mf.ready;
  // Both answer the same routes the same way before anything is measured.
  for (const path of PATHS) {
    const res = await mf.dispatchFetch(`http://localhost${path}`);
    if (res.status !== 200) throw new Error(`${name}: GET ${path} answered ${res.status}`);
    await res.arrayBuffer();
  }
  return { name, code, mf, inIsolate: [], overHttp: [] };
}

async function loopRps(subject: Subject, n: number): Promise<number> {
  const started = performance.now();
  const res = await subject.mf.dispatchFetch(`http://localhost/__loop?n=${n}`);
  const body = await res.json() as { n: number };
  if (res.status !== 200 || body.n !== n) throw new Error(`${subject.name}: the loop failed: ${JSON.stringify(body)}`);
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
const round = (value: number) => Math.round(value).toLocaleString("en-US");

const subjects = [
  await start("slrs", new URL("../examples/cloudflare/hello.ts", import.meta.url)),
  await start("hono", new URL("./bench_cloudflare/hono_hello.ts", import.meta.url)),
];
try {
  for (const s of subjects) await loopRps(s, 2_000); // warm up the JIT
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? subjects : [...subjects].reverse();
    for (const s of order) s.inIsolate.push(await loopRps(s, LOOP));
    for (const s of order) s.overHttp.push(await httpRps(s, SECONDS));
  }
  const [slrs, hono] = subjects as [Subject, Subject];
  const rows = [];
  for (const s of subjects) {
    rows.push(
      `| ${s.name} | ${s.code.length.toLocaleString("en-US")} | ${
        (await gzipSize(s.code)).toLocaleString("en-US")
      } | ` +
        `${round(median(s.inIsolate))} | ${round(median(s.overHttp))} |`,
    );
  }
  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  console.log(
    `Deno ${Deno.version.deno}, ${ROUNDS} rounds, median; in-isolate loop of ${LOOP} requests; HTTP: ` +
      `${SECONDS} s at concurrency ${CONCURRENCY}.\n`,
  );
  console.log("| worker | minified bytes | gzip bytes | req/s in the isolate | req/s over HTTP (Miniflare) |");
  console.log("| --- | ---: | ---: | ---: | ---: |");
  console.log(rows.join("\n"));
  console.log(
    `\nslrs/hono: size ${ratio(slrs.code.length, hono.code.length)}×, gzip ${
      ratio(await gzipSize(slrs.code), await gzipSize(hono.code))
    }×, ` +
      `in-isolate speed ${ratio(median(slrs.inIsolate), median(hono.inIsolate))}×, HTTP speed ${
        ratio(median(slrs.overHttp), median(hono.overHttp))
      }×`,
  );
} finally {
  for (const s of subjects) await s.mf.dispose();
}
