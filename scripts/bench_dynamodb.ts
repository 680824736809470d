/**
 * DynamoDB KV benchmark, side by side in one run against a local DynamoDB (dynalite, installed and started as the
 * binding tests do, `tests/bindings/_local_server.ts`):
 *
 * - **Size**: the minified bytes each client adds to a bundle (`deno bundle --minify --platform deno`, the flags
 *   `cli.ts build --target aws-lambda` uses), over a baseline entry of the same shape with no client
 *   (`scripts/dynamodb/none_get.ts`): the slrs backend (`bindings/dynamodb_kv.ts`) with the node:http transport the
 *   Lambda entry gives it, over `fetch` as Deno and Workers run it, and from a copy with every string that holds a
 *   space emptied (`scripts/dynamodb/_without_words.ts`: its code without its messages); its SigV4 signer alone,
 *   aws4fetch's signer alone (for comparison), and `@aws-sdk/client-dynamodb` (installed on first run into `.slrs/cache/aws-sdk-dynamodb/`).
 * - **Cold start**: a fresh `node` process per sample (`scripts/dynamodb/cold.mjs`) imports a bundle and awaits its first
 *   `get(key)`, as a Lambda's first invocation that reads its counter does: slrs (`COUNTER.get`,
 *   `scripts/dynamodb/slrs_get.ts`, wired as the Lambda entry wires it) against the SDK's `GetItem` (`SDK_ENTRY`
 *   below), with two direct signed requests beside them: over `node:http` (`raw_node_get.ts`) and with aws4fetch over
 *   `fetch` (`raw_get.ts`, which pays Node's first touch of its Fetch globals). Rounds run each contender once, the
 *   order rotating, so load hits each alike.
 * - **Warm reads**: in one `node` process (`scripts/dynamodb/warm.mjs`), sequential `get`s through each, in interleaved
 *   rounds; the direct signed `node:http` request is the floor slrs is held to.
 *
 * Usage:
 *   deno run -A scripts/bench_dynamodb.ts                          # 15 cold rounds, 15 warm rounds of 100 reads
 *   … --rounds 30 --warm-rounds 30 --reads 200                     # more
 *
 * @module
 */

import { AwsClient } from "npm:aws4fetch@^1.0.20";
import { startLocalServer } from "../tests/bindings/_local_server.ts";
import { run } from "./_run.ts";
import { copyWithoutWords } from "./dynamodb/_without_words.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const HERE = new URL("./dynamodb/", import.meta.url).pathname;
const SDK_CACHE = `${ROOT}.slrs/cache/aws-sdk-dynamodb/`;
const SDK = { name: "@aws-sdk/client-dynamodb", major: "3" };
const TABLE = "bench";
const KEY = "count";
const VALUE = "41";
const CREDENTIALS = { AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local" };

/**
 * The AWS SDK contender: the same read through `@aws-sdk/client-dynamodb`, a `GetItem` with strong consistency on the
 * item layout the slrs backend uses, its value decoded as text. The client is made at module load with no options, as
 * Lambda code does: credentials, region and endpoint come from the same environment variables. It is written into
 * `.slrs/cache/aws-sdk-dynamodb/` (not kept in `scripts/`, where `deno check` would look for the package), beside the
 * package it imports, so that the bundler resolves it there.
 */
const SDK_ENTRY = `import process from "node:process";
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";

const client = new DynamoDBClient({});
const decoder = new TextDecoder();

/** Reads \`key\` as text. */
export async function get(key) {
  const { Item } = await client.send(
    new GetItemCommand({
      TableName: process.env.SLRS_COUNTER_TABLE,
      Key: { pk: { S: "kv" }, sk: { S: key } },
      ConsistentRead: true,
    }),
  );
  if (Item === undefined) return null;
  return Item.v ? decoder.decode(Item.v.B) : "";
}
`;

function option(name: string, fallback: string): string {
  const index = Deno.args.indexOf(name);
  return index === -1 ? fallback : Deno.args[index + 1] ?? fallback;
}

/** The SDK's installed version, or undefined when the pinned major is not in the cache. */
async function sdkVersion(): Promise<string | undefined> {
  try {
    const manifest = JSON.parse(await Deno.readTextFile(`${SDK_CACHE}node_modules/${SDK.name}/package.json`));
    return String(manifest.version).startsWith(`${SDK.major}.`) ? String(manifest.version) : undefined;
  } catch {
    return undefined;
  }
}

/** Installs the SDK into its cache folder on first run (CI starts from a clean clone) and returns its version. */
async function ensureSdk(): Promise<string> {
  const found = await sdkVersion();
  if (found) return found;
  await Deno.mkdir(SDK_CACHE, { recursive: true });
  await Deno.writeTextFile(`${SDK_CACHE}package.json`, JSON.stringify({ name: "slrs-aws-sdk-cache", private: true }));
  await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", `${SDK.name}@${SDK.major}`], {
    cwd: SDK_CACHE,
  });
  const installed = await sdkVersion();
  if (!installed) throw new Error(`npm install ${SDK.name}@${SDK.major} left no such package in ${SDK_CACHE}`);
  return installed;
}

/** Bundles an entry with the build's flags into `dir`; `cwd` decides where bare npm imports resolve. */
async function bundle(entry: string, out: string, extra: string[] = [], cwd = ROOT): Promise<string> {
  await run(Deno.execPath(), ["bundle", "--quiet", "--minify", "--platform", "deno", ...extra, "-o", out, entry], {
    cwd,
  });
  return out;
}

/**
 * The SDK's packages resolve to their CommonJS builds (no `exports` map; `main` is `dist-cjs`), whose `require` calls an
 * ES module bundle can only make with a `require` of its own (the bundler's shim throws "Dynamic require of
 * node:crypto is not supported" otherwise): the usual `createRequire` banner. Its bytes count in the SDK's size.
 */
const REQUIRE_BANNER = 'import{createRequire as __slrsCreateRequire}from"node:module";' +
  "const require=__slrsCreateRequire(import.meta.url);";

async function bundleSdk(entry: string, out: string): Promise<string> {
  await bundle(entry, out, [], SDK_CACHE);
  await Deno.writeTextFile(out, REQUIRE_BANNER + await Deno.readTextFile(out));
  return out;
}

async function gzipBytes(path: string): Promise<number> {
  const stream = (await Deno.open(path)).readable.pipeThrough(new CompressionStream("gzip"));
  let total = 0;
  for await (const chunk of stream) total += chunk.byteLength;
  return total;
}

/** Creates the table with the backend's layout and stores `KEY`, as the IaC and an earlier invocation would. */
async function seed(endpoint: string): Promise<void> {
  const client = new AwsClient({ accessKeyId: "local", secretAccessKey: "local", service: "dynamodb", retries: 0 });
  const call = async (action: string, body: unknown) => {
    const response = await client.fetch(endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `DynamoDB_20120810.${action}` },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${action}: ${response.status} ${await response.text()}`);
    await response.body?.cancel();
  };
  await call("CreateTable", {
    TableName: TABLE,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "S" }],
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
  });
  await call("PutItem", {
    TableName: TABLE,
    Item: { pk: { S: "kv" }, sk: { S: KEY }, v: { B: btoa(VALUE) } },
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function summary(values: number[], digits = 2): string {
  const range = `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;
  return `${median(values).toFixed(digits)} (${range})`;
}

const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const bytes = (n: number) => n.toLocaleString("en-US");

interface Sizes {
  minified: number;
  gzip: number;
}

/** The size rows, in order; the first is the baseline, and the ones in {@linkcode UNADDED} are shown without it. */
const SLRS_SIZE = "slrs (dynamodb_kv.ts with the node:http transport)";
const WORDLESS_SIZE = "slrs, every string with a space emptied (its code without its messages)";
const UNADDED = new Set(["baseline (no client)", "SigV4 signer alone (_sigv4.ts)", "aws4fetch alone"]);

async function sizes(dir: string, sdkEntry: string): Promise<Map<string, string>> {
  const entries: [string, () => Promise<string>][] = [
    ["baseline (no client)", () => bundle(`${HERE}none_get.ts`, `${dir}/none.mjs`)],
    [SLRS_SIZE, () => bundle(`${HERE}slrs_get.ts`, `${dir}/slrs.mjs`)],
    ["slrs over fetch (Deno, Workers)", () => bundle(`${HERE}slrs_fetch_get.ts`, `${dir}/slrs_fetch.mjs`)],
    [WORDLESS_SIZE, async () => {
      const copy = await copyWithoutWords(ROOT, await Deno.makeTempDir({ dir, prefix: "without-words-" }));
      return await bundle(`${copy}/scripts/dynamodb/slrs_get.ts`, `${dir}/slrs_wordless.mjs`);
    }],
    ["SigV4 signer alone (_sigv4.ts)", () => bundle(`${HERE}sigv4_only.ts`, `${dir}/sigv4.mjs`)],
    ["aws4fetch alone", () => bundle(`${HERE}aws4fetch_only.ts`, `${dir}/aws4fetch.mjs`)],
    ["direct signed node:http GetItem", () => bundle(`${HERE}raw_node_get.ts`, `${dir}/raw_node.mjs`)],
    ["direct aws4fetch GetItem", () => bundle(`${HERE}raw_get.ts`, `${dir}/raw.mjs`)],
    [SDK.name, () => bundleSdk(sdkEntry, `${dir}/sdk.mjs`)],
  ];
  const measured = new Map<string, Sizes>();
  const paths = new Map<string, string>();
  for (const [name, make] of entries) {
    const path = await make();
    paths.set(name, path);
    measured.set(name, { minified: Deno.statSync(path).size, gzip: await gzipBytes(path) });
  }
  const base = measured.get("baseline (no client)")!;
  console.log("## Bundle size (minified as `cli.ts build --target aws-lambda` bundles; added = over the baseline)\n");
  console.log("| contender | minified bytes | gzip bytes | added, minified | added, gzip |");
  console.log("| --- | ---: | ---: | ---: | ---: |");
  for (const [name, { minified, gzip }] of measured) {
    const added = UNADDED.has(name) ? "–" : `${bytes(minified - base.minified)} | ${bytes(gzip - base.gzip)}`;
    console.log(`| ${name} | ${bytes(minified)} | ${bytes(gzip)} | ${added === "–" ? "– | –" : added} |`);
  }
  const slrs = measured.get(SLRS_SIZE)!.minified - base.minified;
  const sdk = measured.get(SDK.name)!.minified - base.minified;
  console.log("");
  const wordless = measured.get(WORDLESS_SIZE)!.minified - base.minified;
  console.log(`- added, slrs/SDK: ${ratio(slrs, sdk)} (goal for slrs: at most 6,144 bytes; added ${bytes(slrs)})`);
  console.log(
    `- of which words: ${bytes(slrs - wordless)}; code: ${bytes(wordless)} (${ratio(wordless, 6144)} of the goal)`,
  );
  console.log("");
  return paths;
}

interface ColdSample {
  importMs: number;
  getMs: number;
  value: unknown;
}

async function coldSample(bundlePath: string, env: Record<string, string>, name: string): Promise<ColdSample> {
  const output = await run("node", [`${HERE}cold.mjs`, bundlePath, KEY], { env });
  const sample = JSON.parse(output.trim().split("\n").at(-1)!) as ColdSample;
  if (sample.value !== VALUE) throw new Error(`${name} read ${JSON.stringify(sample.value)}, not ${VALUE}`);
  return sample;
}

async function cold(contenders: [string, string][], env: Record<string, string>, rounds: number): Promise<void> {
  const samples = new Map<string, ColdSample[]>(contenders.map(([name]) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < contenders.length; i++) {
      const [name, path] = contenders[(round + i) % contenders.length]!;
      samples.get(name)!.push(await coldSample(path, env, name));
    }
  }
  const version = (await run("node", ["--version"])).trim();
  console.log(`## Cold start on Node ${version}: ${rounds} rounds, a fresh process per sample, median (range) in ms\n`);
  console.log("| contender | import | first get | total |");
  console.log("| --- | ---: | ---: | ---: |");
  const totals = new Map<string, number>();
  const imports = new Map<string, number>();
  for (const [name] of contenders) {
    const list = samples.get(name)!;
    const total = list.map((s) => s.importMs + s.getMs);
    totals.set(name, median(total));
    imports.set(name, median(list.map((s) => s.importMs)));
    console.log(
      `| ${name} | ${summary(list.map((s) => s.importMs))} | ${summary(list.map((s) => s.getMs))} | ${
        summary(total)
      } |`,
    );
  }
  console.log("");
  console.log(`- total, slrs/SDK: ${ratio(totals.get("slrs")!, totals.get(SDK.name)!)} (goal: at most 0.25×)`);
  console.log(`- import, slrs/SDK: ${ratio(imports.get("slrs")!, imports.get(SDK.name)!)}`);
  console.log(`- total, slrs/direct node:http: ${ratio(totals.get("slrs")!, totals.get("direct node:http")!)}`);
  console.log(`- total, slrs/direct aws4fetch: ${ratio(totals.get("slrs")!, totals.get("direct aws4fetch")!)}`);
  console.log("");
}

async function warm(
  contenders: [string, string][],
  env: Record<string, string>,
  rounds: number,
  reads: number,
): Promise<void> {
  const output = await run("node", [
    `${HERE}warm.mjs`,
    KEY,
    String(rounds),
    String(reads),
    ...contenders.map(([name, path]) => `${name}=${path}`),
  ], { env });
  const perRound = output.trim().split("\n").map((line) => JSON.parse(line) as Record<string, number>);
  console.log(
    `## Warm get in one Node process: ${rounds} rounds of ${reads} sequential reads each, ms per read, ` +
      `median (range) of the rounds' means\n`,
  );
  console.log("| contender | per read |");
  console.log("| --- | ---: |");
  for (const [name] of contenders) console.log(`| ${name} | ${summary(perRound.map((r) => r[name]!), 3)} |`);
  const over = (name: string, floor: string) => summary(perRound.map((r) => r[name]! / r[floor]!));
  console.log("");
  console.log(`- slrs/direct node:http, per round: ${over("slrs", "direct node:http")}× (goal: within 1.1×)`);
  console.log(`- slrs/direct aws4fetch, per round: ${over("slrs", "direct aws4fetch")}×`);
  console.log(`- SDK/direct node:http, per round: ${over(SDK.name, "direct node:http")}×`);
  console.log("");
}

async function bench(): Promise<void> {
  const rounds = Number(option("--rounds", "15"));
  const warmRounds = Number(option("--warm-rounds", "15"));
  const reads = Number(option("--reads", "100"));
  const sdk = await ensureSdk();
  const dir = await Deno.makeTempDir({ prefix: "slrs-bench-dynamodb-" });
  // The SDK entry sits beside its node_modules so the bundler resolves the package installed there.
  const sdkEntry = `${SDK_CACHE}sdk_get.mjs`;
  await Deno.writeTextFile(sdkEntry, SDK_ENTRY);
  const server = await startLocalServer("dynalite");
  try {
    await seed(server.url);
    const env = { ...CREDENTIALS, SLRS_COUNTER_TABLE: TABLE, AWS_ENDPOINT_URL_DYNAMODB: server.url };
    console.log(`# DynamoDB KV: slrs against ${SDK.name} ${sdk}, on dynalite\n`);
    const paths = await sizes(dir, sdkEntry);
    const contenders: [string, string][] = [
      ["slrs", paths.get(SLRS_SIZE)!],
      [SDK.name, paths.get(SDK.name)!],
      ["direct node:http", paths.get("direct signed node:http GetItem")!],
      ["direct aws4fetch", paths.get("direct aws4fetch GetItem")!],
    ];
    await cold(contenders, env, rounds);
    await warm(contenders, env, warmRounds, reads);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

await bench();
