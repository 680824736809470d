// One cold start, run by scripts/bench_cold_start.ts in a fresh `node` process:
// `node child.mjs <bundle.mjs> <event.json>` imports the bundle, calls its `handler` once and prints, as one JSON
// line, the milliseconds each took (measured inside this process, so process start-up is not counted).
import { readFileSync } from "node:fs";
import process from "node:process";
import { pathToFileURL } from "node:url";

const [bundle, eventFile] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventFile, "utf8"));
const context = {
  awsRequestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
  functionName: "hello",
  invokedFunctionArn: "arn:aws:lambda:us-west-2:123456789012:function:hello",
  getRemainingTimeInMillis: () => 3000,
};
const url = pathToFileURL(bundle).href;

const started = performance.now();
const module = await import(url);
const imported = performance.now();
const result = await module.handler(event, context);
const invoked = performance.now();

process.stdout.write(
  JSON.stringify({
    importMs: imported - started,
    invokeMs: invoked - imported,
    statusCode: result?.statusCode,
    body: result?.body,
  }) + "\n",
);
