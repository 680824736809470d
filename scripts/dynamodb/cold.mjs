// One cold start, run by scripts/bench_dynamodb.ts in a fresh `node` process: `node cold.mjs <bundle.mjs> <key>`
// imports the bundle, calls its `get(key)` once and prints, as one JSON line, the milliseconds each took (measured
// inside this process, so process start-up is not counted) and the value read.
import process from "node:process";
import { pathToFileURL } from "node:url";

const [bundle, key] = process.argv.slice(2);
const url = pathToFileURL(bundle).href;

const started = performance.now();
const module = await import(url);
const imported = performance.now();
const value = await module.get(key);
const got = performance.now();

process.stdout.write(JSON.stringify({ importMs: imported - started, getMs: got - imported, value }) + "\n");
