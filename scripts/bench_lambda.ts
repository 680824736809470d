/**
 * AWS Lambda adapter benchmark: ops/s of a 2.0 (HTTP API) and a 1.0 (REST API) "hello" event through
 *
 * - slrs `handle()` (`GET /hello` on a Router answering `new Response("hello")`),
 * - Hono's `handle()` from `hono/aws-lambda` (the same route, `c.text("hello")`),
 * - a raw handler returning `{ statusCode, body }` with no Fetch objects: the floor no adapter can beat,
 * - the Fetch floor: the least any Fetch-based adapter must do for the same event, with no framework around it: build
 *   the `Request` the handler reads (URL, method and headers from the event), call a handler that makes
 *   `new Response("hello")`, read its body with `text()` and return `{ statusCode, headers, body }`,
 *
 * plus the same two adapters and the Fetch floor with a handler that reads a request header (so slrs must build its
 * Request), all in one run, rounds interleaved so machine load hits every contender alike.
 *
 * Usage:
 *   deno run -A scripts/bench_lambda.ts            # on Deno
 *   deno run -A scripts/bench_lambda.ts --node     # bundles this file with `deno bundle` into a temp dir, runs Node
 *   … --rounds 7 --ms 400                          # rounds per contender, milliseconds per round
 *
 * @module
 */

import { Hono } from "npm:hono@^4.13.19";
import { handle as honoHandle } from "npm:hono@^4.13.19/aws-lambda";
import { Router, serverless } from "../mod.ts";
import { handle } from "../adapters/aws_lambda.ts";

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

const HOST = "aaaaaaaaaa.execute-api.us-west-2.amazonaws.com";

// tests/fixtures/aws/apigw-v2.json with rawPath /hello.
const V2 = {
  version: "2.0",
  routeKey: "$default",
  rawPath: "/hello",
  rawQueryString: "",
  headers: {
    accept: "*/*",
    "content-length": "0",
    host: HOST,
    "user-agent": "curl/7.58.0",
    "x-amzn-trace-id": "Root=1-5e9f0c65-1de4d666d4dd26aced652b6c",
    "x-forwarded-for": "1.2.3.4",
    "x-forwarded-port": "443",
    "x-forwarded-proto": "https",
  },
  requestContext: {
    accountId: "123456789012",
    apiId: "aaaaaaaaaa",
    domainName: HOST,
    domainPrefix: "aaaaaaaaaa",
    http: { method: "GET", path: "/hello", protocol: "HTTP/1.1", sourceIp: "1.2.3.4", userAgent: "curl/7.58.0" },
    requestId: "LV7fzho-PHcEJPw=",
    routeKey: "$default",
    stage: "$default",
    time: "21/Apr/2020:15:08:21 +0000",
    timeEpoch: 1587481701067,
  },
  isBase64Encoded: false,
};

// tests/fixtures/aws/apigw-v1-stage-in-requestcontext-path.json as a GET /hello.
const V1_HEADERS: Record<string, string> = {
  Accept: "*/*",
  "Accept-Encoding": "gzip, deflate",
  "CloudFront-Forwarded-Proto": "https",
  "CloudFront-Is-Desktop-Viewer": "true",
  "CloudFront-Viewer-Country": "GB",
  Host: "puhdx84jy9.execute-api.eu-west-1.amazonaws.com",
  "User-Agent": "HTTPie/3.2.2",
  Via: "1.1 49c0c4776e390b983c9f9f5365e3140c.cloudfront.net (CloudFront)",
  "X-Amz-Cf-Id": "x9VncJ8IMo4X5UQEL8-Xg94vWwwuokofx236RgW1CrFCTh9DnPrgJA==",
  "X-Amzn-Trace-Id": "Root=1-66704cad-0fbaf1491365339d168b2a7d",
  "X-Forwarded-For": "15.248.3.126, 130.176.209.21",
  "X-Forwarded-Port": "443",
  "X-Forwarded-Proto": "https",
};
const V1 = {
  resource: "/hello",
  path: "/hello",
  httpMethod: "GET",
  headers: V1_HEADERS,
  multiValueHeaders: Object.fromEntries(Object.entries(V1_HEADERS).map(([k, v]) => [k, [v]])),
  queryStringParameters: null,
  multiValueQueryStringParameters: null,
  pathParameters: null,
  stageVariables: null,
  requestContext: {
    resourceId: "3nq1cq",
    resourcePath: "/hello",
    httpMethod: "GET",
    path: "/prod/hello",
    accountId: "123456789012",
    protocol: "HTTP/1.1",
    stage: "prod",
    domainPrefix: "puhdx84jy9",
    requestTimeEpoch: 1718635693506,
    requestId: "f88e38e3-2060-4a56-93c0-9efbc6a659a0",
    identity: { sourceIp: "15.248.3.126", userAgent: "HTTPie/3.2.2" },
    domainName: "puhdx84jy9.execute-api.eu-west-1.amazonaws.com",
    apiId: "puhdx84jy9",
  },
  body: null,
  isBase64Encoded: false,
};

const context = {
  awsRequestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
  functionName: "bench",
  invokedFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:bench",
  getRemainingTimeInMillis: () => 3000,
};

const slrs = handle(serverless({ name: "bench", fetch: new Router().get("/hello", () => new Response("hello")) }), {
  env: {},
}) as Handler;
const slrsReads = handle(
  serverless({
    name: "bench-reads",
    fetch: new Router().get("/hello", (req) => new Response(req.headers.get("user-agent") ? "hello" : "?")),
  }),
  { env: {} },
) as Handler;
const hono = honoHandle(new Hono().get("/hello", (c) => c.text("hello"))) as unknown as Handler;
const honoReads = honoHandle(
  new Hono().get("/hello", (c) => c.text(c.req.header("user-agent") ? "hello" : "?")),
) as unknown as Handler;
// deno-lint-ignore require-await
const raw: Handler = async (event) => {
  const e = event as { rawPath?: string; path?: string };
  return (e.rawPath ?? e.path) === "/hello" ? { statusCode: 200, body: "hello" } : { statusCode: 404, body: "" };
};

/** The event as a Fetch adapter must see it, whatever its version: only what building the `Request` needs. */
interface HttpEvent {
  version?: string;
  rawPath?: string;
  rawQueryString?: string;
  path?: string;
  httpMethod?: string;
  headers: Record<string, string>;
  requestContext: { http?: { method: string } };
}

/** The `Request` a Fetch handler reads, built from a 2.0 or a 1.0 event with no more work than it takes. */
function floorRequest(event: HttpEvent): Request {
  if (event.version === "2.0") {
    const query = event.rawQueryString ? `?${event.rawQueryString}` : "";
    return new Request(`https://${event.headers.host}${event.rawPath}${query}`, {
      method: event.requestContext.http!.method,
      headers: event.headers,
    });
  }
  return new Request(`https://${event.headers.Host}${event.path}`, {
    method: event.httpMethod!,
    headers: event.headers,
  });
}

/** The Fetch floor around `fetch`: `Request` in, its `Response` read back into a Lambda result. */
function fetchFloor(fetch: (request: Request) => Response): Handler {
  return async (event) => {
    const response = fetch(floorRequest(event as HttpEvent));
    const body = await response.text();
    const headers: Record<string, string> = {};
    for (const [name, value] of response.headers) headers[name] = value;
    return { statusCode: response.status, headers, body };
  };
}

const floor = fetchFloor(() => new Response("hello"));
const floorReads = fetchFloor((request) => new Response(request.headers.get("user-agent") ? "hello" : "?"));

const CONTENDERS: [string, Handler][] = [
  ["slrs", slrs],
  ["hono", hono],
  ["raw", raw],
  ["fetch floor", floor],
  ["slrs (reads a header)", slrsReads],
  ["hono (reads a header)", honoReads],
  ["fetch floor (reads a header)", floorReads],
];

function option(name: string, fallback: number): number {
  const args = runtimeArgs();
  const index = args.indexOf(name);
  return index === -1 ? fallback : Number(args[index + 1]);
}

function runtimeArgs(): string[] {
  const deno = (globalThis as { Deno?: { args: string[] } }).Deno;
  if (deno) return deno.args;
  return (globalThis as unknown as { process: { argv: string[] } }).process.argv.slice(2);
}

async function opsPerSecond(fn: Handler, event: unknown, ms: number): Promise<number> {
  let count = 0;
  const started = performance.now();
  let now = started;
  while (now - started < ms) {
    for (let i = 0; i < 200; i++) await fn(event, context);
    count += 200;
    now = performance.now();
  }
  return count / ((now - started) / 1000);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function check(name: string, fn: Handler, event: unknown): Promise<void> {
  const result = await fn(event, context) as { statusCode: number; body: string };
  if (result.statusCode !== 200 || result.body !== "hello") {
    throw new Error(`${name} answered ${JSON.stringify(result)}; the benchmark would compare different work.`);
  }
}

async function bench(): Promise<void> {
  const rounds = option("--rounds", 5);
  const ms = option("--ms", 300);
  const deno = (globalThis as { Deno?: { version: { deno: string } } }).Deno;
  const process = (globalThis as { process?: { version: string } }).process;
  const runtime = deno ? `Deno ${deno.version.deno}` : `Node ${process?.version}`;
  console.log(`# ${runtime}, ${rounds} rounds × ${ms} ms per contender and event, median ops/s\n`);
  for (const [label, event] of [["2.0 (HTTP API)", V2], ["1.0 (REST API)", V1]] as const) {
    for (const [name, fn] of CONTENDERS) await check(name, fn, event);
    for (let pass = 0; pass < 2; pass++) for (const [, fn] of CONTENDERS) await opsPerSecond(fn, event, ms); // warm-up
    const samples = new Map<string, number[]>(CONTENDERS.map(([name]) => [name, []]));
    for (let round = 0; round < rounds; round++) {
      for (const [name, fn] of CONTENDERS) samples.get(name)!.push(await opsPerSecond(fn, event, ms));
    }
    const ops = new Map([...samples].map(([name, values]) => [name, median(values)]));
    const rawOps = ops.get("raw")!;
    console.log(`## ${label} event\n`);
    console.log("| handler | ops/s | vs hono | vs fetch floor | % of raw |");
    console.log("| --- | ---: | ---: | ---: | ---: |");
    for (const [name] of CONTENDERS) {
      const value = ops.get(name)!;
      const reads = name.includes("reads") ? " (reads a header)" : "";
      const peer = ops.get(`hono${reads}`)!;
      const floorOps = ops.get(`fetch floor${reads}`)!;
      console.log(
        `| ${name} | ${Math.round(value).toLocaleString("en-US")} | ${(value / peer).toFixed(2)}× | ${
          (value / floorOps).toFixed(2)
        }× | ${(value / rawOps * 100).toFixed(2)} % |`,
      );
    }
    console.log("");
    for (const reads of ["", " (reads a header)"]) {
      const of = (name: string) => ops.get(`${name}${reads}`)!;
      console.log(
        `- ${reads ? "handler reads a header" : "hello"}: slrs/Hono ${(of("slrs") / of("hono")).toFixed(2)}×, ` +
          `slrs/floor ${(of("slrs") / of("fetch floor")).toFixed(2)}×, ` +
          `Hono/floor ${(of("hono") / of("fetch floor")).toFixed(2)}×`,
      );
    }
    console.log("");
  }
}

async function onNode(): Promise<void> {
  const deno = (globalThis as unknown as { Deno: typeof Deno }).Deno;
  const dir = await deno.makeTempDir({ prefix: "slrs-bench-" });
  try {
    const out = `${dir}/bench_lambda.mjs`;
    const script = new URL(import.meta.url).pathname;
    const bundled = await new deno.Command(deno.execPath(), {
      args: ["bundle", "--quiet", "--output", out, script],
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    if (!bundled.success) throw new Error("deno bundle failed");
    const args = deno.args.filter((a) => a !== "--node");
    const node = await new deno.Command("node", { args: [out, ...args], stdout: "inherit", stderr: "inherit" })
      .output();
    if (!node.success) throw new Error(`node exited with ${node.code}`);
  } finally {
    await deno.remove(dir, { recursive: true });
  }
}

if (runtimeArgs().includes("--node") && (globalThis as { Deno?: unknown }).Deno) await onNode();
else await bench();
