/**
 * Lambda cold-start benchmark: how long a fresh Node process takes to import the hello function's bundle and to answer
 * its first HTTP API 2.0 event (`tests/fixtures/aws/apigw-v2.json`, `GET /`), for
 *
 * - slrs: `examples/hello/main.ts` built by `cli.ts build --target aws-lambda` (run as a subprocess, so the bundle is
 *   exactly what a deployment gets),
 * - slrs warm init: the same entry with `await warmFetch();` at module level (the `fetchWarmUp: "init"` setting), so
 *   the init-phase option is measured against the entry without it,
 * - Hono: the same routes with `hono/aws-lambda` `handle` (`scripts/cold_start/hono_hello.ts`), its counter in
 *   memory,
 * - Hono + aws4fetch: the same, its counter in DynamoDB through aws4fetch's `AwsClient` as the slrs hello keeps it
 *   through its KV binding (`scripts/cold_start/hono_hello_dynamodb.ts`): the like-for-like peer,
 * - raw: a handler returning `{ statusCode, body }` with no Fetch objects (`scripts/cold_start/raw_hello.ts`),
 * - fetch touch: a handler that only builds a `Request`, a `Response` and reads its body
 *   (`scripts/cold_start/fetch_touch.ts`), so the first touch of Node's lazily loaded Fetch globals is measured on its
 *   own and the frameworks' own share (their total minus its total) is visible.
 *
 * Sizes only: the slrs hello's HTTP part (its entry without the KV backend, against Hono with the counter in memory)
 * and the HTTP-only function (`tests/adapters/fixtures/lambda_http_only_app.ts`).
 *
 * The others are bundled the way the build bundles (esbuild through `cli/bundle.ts`, minified). Every sample is a
 * new `node` process (`scripts/cold_start/child.mjs`) that measures with `performance.now()` around
 * `await import(bundle)` and the first `handler(event, context)` call and prints JSON; this script aggregates. Rounds
 * run every contender once, in an order that rotates each round, so machine load hits each alike. Runs on the
 * machine's `node` and on Node 22 (`npx -y node@22`).
 *
 * Usage:
 *   deno run -A scripts/bench_cold_start.ts                 # 8 rounds on node and node@22
 *   … --rounds 20                                           # more rounds
 *   … --nodes node                                          # only the machine's node (comma-separated list;
 *                                                           # `node@22` means the npm package through npx)
 *
 * @module
 */

import { bundleModule } from "../cli/bundle.ts";
import { run } from "./_run.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const HERE = new URL("./cold_start/", import.meta.url).pathname;
const EVENT = `${ROOT}tests/fixtures/aws/apigw-v2.json`;
const HELLO_TEXT = "Hello from slrs! Try /hello/your-name\n";

/** A contender: its name and the bundle a sample imports. */
interface Contender {
  name: string;
  bundle: string;
}

/** What one child process reports. */
interface Sample {
  importMs: number;
  invokeMs: number;
  statusCode: number;
  body: string;
}

function option(name: string, fallback: string): string {
  const index = Deno.args.indexOf(name);
  return index === -1 ? fallback : Deno.args[index + 1] ?? fallback;
}

/** The slrs bundle exactly as a deployment gets it: `cli.ts build --target aws-lambda` into `dir`. */
async function buildSlrs(dir: string): Promise<string> {
  await run(Deno.execPath(), [
    "run",
    "-A",
    "cli.ts",
    "build",
    "--target",
    "aws-lambda",
    "examples/hello/main.ts",
    "--out",
    dir,
  ]);
  return `${dir}/aws-lambda/hello.mjs`;
}

/**
 * The slrs entry `buildSlrs` wrote, with the Fetch first touch moved to module init (`await warmFetch();`), bundled
 * the way the build bundles: the init-phase option, measured against the entry without it.
 */
async function warmVariant(dir: string): Promise<string> {
  const entry = await Deno.readTextFile(`${dir}/aws-lambda/hello.entry.ts`);
  const warm = entry.includes("warmFetch") ? entry : entry
    .replace(/import \{ ([^}]*) \} from ("[^"]*aws_lambda\.ts");/, "import { $1, warmFetch } from $2;")
    .replace(/^export const handler/m, "await warmFetch();\nexport const handler");
  const path = `${dir}/aws-lambda/hello_warm.entry.ts`;
  await Deno.writeTextFile(path, warm);
  return await bundleTo(path, `${dir}/hello_warm.mjs`);
}

/**
 * The slrs entry `buildSlrs` wrote without its binding backends (the function as defined, not wrapped by
 * `withBindings`), bundled the way the build bundles: the hello's HTTP part, for its size against Hono's in-memory
 * peer.
 */
async function withoutBackends(dir: string): Promise<string> {
  const entry = await Deno.readTextFile(`${dir}/aws-lambda/hello.entry.ts`);
  const plain = entry
    .split("\n")
    .filter((line) => !/^import .*bindings\//.test(line))
    .join("\n")
    .replace(/^const fn = withBindings\((\w+), .*\);$/m, "const fn = $1;");
  if (plain.includes("withBindings") || !plain.includes("export const handler")) {
    throw new Error(`the hello entry has a form this script does not know:\n${entry}`);
  }
  const path = `${dir}/aws-lambda/hello_http.entry.ts`;
  await Deno.writeTextFile(path, plain);
  return await bundleTo(path, `${dir}/hello_http.mjs`);
}

/**
 * The HTTP-only function (one handler, no router) built like `buildSlrs`, for its size, and its entry bundled again
 * the same way to say how many of its bytes each module makes (checked to give the same bundle).
 */
async function buildHttpOnly(dir: string): Promise<{ bytes: number; inputs: Record<string, number> }> {
  const entry = "tests/adapters/fixtures/lambda_http_only_app.ts";
  await run(Deno.execPath(), ["run", "-A", "cli.ts", "build", "--target", "aws-lambda", entry, "--out", `${dir}/h`]);
  const bytes = Deno.statSync(`${dir}/h/aws-lambda/http-only.mjs`).size;
  const again = await bundleModule({
    entry: `${dir}/h/aws-lambda/http-only.entry.ts`,
    out: `${dir}/h/aws-lambda/http-only.mjs`,
    platform: "deno",
    inputs: true,
  });
  if (again.code.byteLength !== bytes || again.inputs === undefined) {
    throw new Error(`the HTTP-only entry bundled again gave ${again.code.byteLength} bytes, not ${bytes}.`);
  }
  return { bytes, inputs: again.inputs };
}

/** Prints each module's bytes in a bundle, largest first; the generated entry is named as such. */
function printInputs(inputs: Record<string, number>): void {
  console.log("| module | minified bytes |");
  console.log("| --- | ---: |");
  const rows = Object.entries(inputs).filter(([, bytes]) => bytes > 0).sort((a, b) => b[1] - a[1]);
  for (const [path, bytes] of rows) {
    const name = path.endsWith(".entry.ts")
      ? "(the entry build writes)"
      : path.replace(/^.*\/npm\/registry\.npmjs\.org\//, "npm:");
    console.log(`| ${name} | ${bytes.toLocaleString("en-US")} |`);
  }
  console.log("");
}

/** Bundles one of `scripts/cold_start/*.ts` with the flags `cli.ts build --target aws-lambda` uses. */
async function bundle(file: string, dir: string): Promise<string> {
  return await bundleTo(`${HERE}${file}`, `${dir}/${file.replace(/\.ts$/, ".mjs")}`);
}

/** Bundles with the build's own bundler (esbuild through cli/bundle.ts, minified, the definition checks left out). */
async function bundleTo(entry: string, out: string): Promise<string> {
  const { code } = await bundleModule({ entry, out, platform: "deno" });
  await Deno.writeFile(out, code);
  return out;
}

/** The node binary for an entry of `--nodes`: `node` from the PATH, or `node@22` resolved once through npx. */
async function nodeBinary(spec: string): Promise<string> {
  if (!spec.includes("@")) return spec;
  return (await run("npx", ["-y", spec, "-p", "process.execPath"])).trim();
}

async function sample(node: string, contender: Contender): Promise<Sample> {
  const output = await run(node, [`${HERE}child.mjs`, contender.bundle, EVENT]);
  const result = JSON.parse(output.trim().split("\n").at(-1)!) as Sample;
  if (result.statusCode !== 200 || result.body !== HELLO_TEXT) {
    throw new Error(
      `${contender.name} answered ${JSON.stringify(result)}; the benchmark would compare different work.`,
    );
  }
  return result;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function summary(values: number[]): string {
  return `${median(values).toFixed(2)} (${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)})`;
}

function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}×`;
}

async function measure(node: string, contenders: Contender[], rounds: number): Promise<void> {
  const version = (await run(node, ["--version"])).trim();
  const samples = new Map<string, Sample[]>(contenders.map(({ name }) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < contenders.length; i++) {
      const contender = contenders[(round + i) % contenders.length]!;
      samples.get(contender.name)!.push(await sample(node, contender));
    }
  }
  const totals = new Map<string, number>();
  const imports = new Map<string, number>();
  const invokes = new Map<string, number>();
  console.log(`## Node ${version}: ${rounds} rounds, a fresh process per sample, median (range) in ms\n`);
  console.log("| contender | import | first invoke | total |");
  console.log("| --- | ---: | ---: | ---: |");
  for (const { name } of contenders) {
    const list = samples.get(name)!;
    const importMs = list.map((s) => s.importMs);
    const invokeMs = list.map((s) => s.invokeMs);
    const totalMs = list.map((s) => s.importMs + s.invokeMs);
    imports.set(name, median(importMs));
    invokes.set(name, median(invokeMs));
    totals.set(name, median(totalMs));
    console.log(`| ${name} | ${summary(importMs)} | ${summary(invokeMs)} | ${summary(totalMs)} |`);
  }
  // Above the fetch-touch contender's total, not its first invoke alone: a bundle may touch a Fetch global while it
  // loads (then the cost shows up in its import), and either way the framework pays it once.
  const own = (name: string) => (totals.get(name)! - totals.get("fetch touch")!).toFixed(2);
  console.log("");
  console.log(`- total, slrs/Hono: ${ratio(totals.get("slrs")!, totals.get("hono")!)}`);
  console.log(
    `- total, slrs (Fetch warmed at init)/Hono: ${ratio(totals.get("slrs warm init")!, totals.get("hono")!)}`,
  );
  console.log(
    `- total, slrs (Fetch warmed at init)/slrs: ${ratio(totals.get("slrs warm init")!, totals.get("slrs")!)}`,
  );
  console.log(`- total, slrs/raw: ${ratio(totals.get("slrs")!, totals.get("raw")!)}`);
  console.log(
    `- total, slrs/Hono + aws4fetch (both count in DynamoDB): ${
      ratio(totals.get("slrs")!, totals.get("hono + aws4fetch")!)
    }`,
  );
  console.log(`- import, slrs/Hono: ${ratio(imports.get("slrs")!, imports.get("hono")!)}`);
  console.log(
    `- import, slrs minus raw (an almost empty module): ${(imports.get("slrs")! - imports.get("raw")!).toFixed(2)} ms`,
  );
  console.log(`- first invoke, slrs/Hono: ${ratio(invokes.get("slrs")!, invokes.get("hono")!)}`);
  console.log(
    `- total minus the fetch touch's total (the framework's own share): slrs ${own("slrs")} ms, Hono ${
      own("hono")
    } ms (Fetch first touch: ${summary(samples.get("fetch touch")!.map((s) => s.invokeMs))} ms first invoke)`,
  );
  console.log("");
}

async function bench(): Promise<void> {
  const rounds = Number(option("--rounds", "8"));
  const nodes = option("--nodes", "node,node@22").split(",");
  const dir = await Deno.makeTempDir({ prefix: "slrs-cold-start-" });
  try {
    const contenders: Contender[] = [
      { name: "slrs", bundle: await buildSlrs(dir) },
      { name: "slrs warm init", bundle: await warmVariant(dir) },
      { name: "hono", bundle: await bundle("hono_hello.ts", dir) },
      { name: "hono + aws4fetch", bundle: await bundle("hono_hello_dynamodb.ts", dir) },
      { name: "raw", bundle: await bundle("raw_hello.ts", dir) },
      { name: "fetch touch", bundle: await bundle("fetch_touch.ts", dir) },
    ];
    const bytes = new Map(contenders.map(({ name, bundle }) => [name, Deno.statSync(bundle).size]));
    console.log("# Lambda cold start: the hello function, HTTP API 2.0 event\n");
    console.log("## Bundle size (minified, as `cli.ts build --target aws-lambda` bundles)\n");
    console.log("| contender | minified bytes |");
    console.log("| --- | ---: |");
    for (const { name } of contenders) console.log(`| ${name} | ${bytes.get(name)!.toLocaleString("en-US")} |`);
    const httpPart = Deno.statSync(await withoutBackends(dir)).size;
    const { bytes: httpOnly, inputs } = await buildHttpOnly(dir);
    console.log(`| slrs HTTP part (without the KV backend) | ${httpPart.toLocaleString("en-US")} |`);
    console.log(`| slrs HTTP-only function | ${httpOnly.toLocaleString("en-US")} |`);
    console.log(
      `\n- size, slrs/Hono + aws4fetch (both count in DynamoDB): ${
        ratio(bytes.get("slrs")!, bytes.get("hono + aws4fetch")!)
      }`,
    );
    console.log(`- size, slrs HTTP part/Hono (counter in memory): ${ratio(httpPart, bytes.get("hono")!)}`);
    console.log(`- size, slrs/Hono (counter in memory): ${ratio(bytes.get("slrs")!, bytes.get("hono")!)}`);
    console.log(
      `- HTTP-only function (tests/adapters/fixtures/lambda_http_only_app.ts): ${
        httpOnly.toLocaleString("en-US")
      } bytes (goal ≤ 8,192)\n`,
    );
    console.log("## Where the HTTP-only function's bytes go (esbuild's metafile)\n");
    printInputs(inputs);
    for (const spec of nodes) await measure(await nodeBinary(spec), contenders, rounds);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

await bench();
