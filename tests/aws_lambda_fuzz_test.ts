// Malformed input: 10,000 seeded mutations of each HTTP event shape. The adapter must answer every HTTP-shaped event
// with a well-formed result (the echo handler's 200, or 400 for an event that cannot be a request) and throw only
// UnknownEventError, with its clear message, for an event that no longer looks like HTTP at all. Never a 500, never
// another exception: those would mean the conversion itself crashed.

import assert from "node:assert/strict";
import { handle, UnknownEventError } from "../adapters/aws_lambda.ts";
import { ALL_SHAPES } from "../adapters/aws_lambda/_all_shapes.ts";
import { shapeOf } from "../adapters/aws_lambda/_event_shape.ts";
import { serverless } from "../mod.ts";
import { fixture, lambdaContext } from "./support/aws_lambda.ts";

const PER_SHAPE = Number(Deno.env.get("FUZZ_RUNS") ?? 10_000);
const SEED = Number(Deno.env.get("FUZZ_SEED") ?? 20261127);

// mulberry32: small, fast, and the same sequence everywhere for a given seed.
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = Record<string, unknown>;

const WEIRD_VALUES: unknown[] = [
  null,
  undefined,
  0,
  -1,
  1.5,
  true,
  false,
  "",
  " ",
  "%",
  "%zz",
  "a\r\nb",
  "\u0000",
  "é",
  "日本",
  "😀",
  "#frag",
  "?q=1",
  "//double",
  "../..",
  "a b",
  [],
  ["x"],
  [null],
  [1, 2],
  {},
  { a: 1 },
  { a: null },
  { a: ["x", 2] },
  "x".repeat(20_000),
];

const WEIRD_STRINGS = ["", " ", "GE T", "get", "CONNECT", "TRACE", "héllo", "a\nb", "\t", "x".repeat(5_000), "ÿ", "€"];
const BAD_BASE64 = ["%%%", "abc", "a===", "####", "PGlkay8", "PGlkay8+=", "é", "a b c", "=abc", "YQ==YQ=="];

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)]!;
}

// Every object inside the event, with its path, so a mutation can reach any depth.
function objects(value: unknown, out: Json[] = []): Json[] {
  if (typeof value === "object" && value !== null) {
    if (!Array.isArray(value)) out.push(value as Json);
    for (const child of Object.values(value)) objects(child, out);
  }
  return out;
}

// The map at event[key], made an object first if a previous mutation broke it.
function mapOf(event: Json, key: string): Json {
  const value = event[key];
  if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Json;
  return (event[key] = {}) as Json;
}

function mutate(event: Json, rand: () => number): void {
  const kind = Math.floor(rand() * 9);
  const targets = objects(event);
  const target = pick(rand, targets);
  const keys = Object.keys(target);
  switch (kind) {
    case 0: // delete a field anywhere
      if (keys.length > 0) delete target[pick(rand, keys)];
      break;
    case 1: // a field of the wrong type anywhere
      if (keys.length > 0) target[pick(rand, keys)] = structuredClone(pick(rand, WEIRD_VALUES));
      break;
    case 2: // bad base64
      event.isBase64Encoded = true;
      event.body = pick(rand, BAD_BASE64);
      break;
    case 3: { // huge headers: one enormous value or very many names
      const headers = mapOf(event, "headers");
      if (rand() < 0.5) headers["x-huge"] = "v".repeat(64_000);
      else for (let i = 0; i < 200; i++) headers[`x-h${i}`] = `${i}`; // far past API Gateway's 10 KB
      break;
    }
    case 4: // null maps
      for (const key of ["headers", "multiValueHeaders", "queryStringParameters", "multiValueQueryStringParameters"]) {
        if (rand() < 0.5) event[key] = null;
      }
      break;
    case 5: { // bad header names and values
      const map = pick(rand, ["headers", "multiValueHeaders"]);
      const headers = mapOf(event, map);
      const name = pick(rand, ["bad name", "", "x-ok", "ü", "a:b", "host", "cookie", "x-forwarded-proto"]);
      const value = pick(rand, WEIRD_VALUES);
      headers[name] = map === "multiValueHeaders" && rand() < 0.7 ? [value] : value;
      break;
    }
    case 6: { // method and path
      if ("httpMethod" in event) event.httpMethod = pick(rand, WEIRD_STRINGS);
      else mapOf(mapOf(event, "requestContext"), "http").method = pick(rand, WEIRD_STRINGS);
      const path = pick(rand, ["", "no-slash", "/a b", "/%zz", "/é", "/#x", "/?x", "//evil.example/x", "/a/../../b"]);
      if ("rawPath" in event) event.rawPath = path;
      else event.path = path;
      break;
    }
    case 7: // queries
      event.rawQueryString = pick(rand, ["a=1#x", "a b=c d", "%zz", "é=ü", "&&&", "=", "a=1&a=2"]);
      event.multiValueQueryStringParameters = pick(rand, [{ a: ["1", "%zz", "a b"] }, { a: "not-array" }, { a: [1] }]);
      break;
    case 8: // cookies and hosts
      event.cookies = pick(rand, [["a=1"], [1], "a=1", null, [null], ["é=ü"]]);
      mapOf(event, "headers").host = pick(rand, ["exa mple", "a/b", "", "ü.example", "h:99999", "[::1]", "@x"]);
      break;
  }
}

const SHAPES = [
  ["REST API 1.0", "apigw-v1-multivalue.json"],
  ["HTTP API 2.0", "apigw-v2-cookies.json"],
  ["Function URL", "function-url.json"],
  ["ALB single-value", "alb.json"],
  ["ALB multi-value", "alb-multivalue-encoded-query.json"],
] as const;

Deno.test(`fuzz: ${PER_SHAPE} mutated events per HTTP shape never crash the conversion`, async (t) => {
  // Touches every part of the request, so the lazily built Request is built and checked for every event.
  const touch = serverless({
    name: "touch",
    fetch: async (request) => {
      const bytes = await request.arrayBuffer();
      const url = new URL(request.url);
      const cookie = request.headers.get("cookie");
      return Response.json({
        method: request.method,
        path: url.pathname,
        cookie,
        size: bytes.byteLength,
        aborted: request.signal.aborted,
      });
    },
  });
  const handler = handle(touch, { env: {}, logSink: () => {} });
  const context = lambdaContext(60_000);
  const quiet = console.error;
  console.error = () => {}; // UnknownEventError is logged by design; 50,000 lines would drown the test output.
  try {
    for (const [name, file] of SHAPES) {
      await t.step(`${name} (${file})`, async () => {
        const rand = random(SEED ^ file.length * 7919);
        const tally = { ok: 0, badRequest: 0, unknown: 0 };
        for (let i = 0; i < PER_SHAPE; i++) {
          const event = fixture<Json>(file);
          const rounds = 1 + Math.floor(rand() * 3);
          for (let r = 0; r < rounds; r++) mutate(event, rand);
          const stillHttp = shapeOf(event, ALL_SHAPES)?.kind === "http";
          let result: unknown;
          try {
            result = await handler(event, context);
          } catch (error) {
            assert.ok(
              error instanceof UnknownEventError && !stillHttp,
              `event #${i} threw ${error instanceof Error ? error.stack : error} for ${brief(event)}`,
            );
            assert.match(error.message, /top-level keys \[/);
            tally.unknown++;
            continue;
          }
          assert.ok(stillHttp, `event #${i} is not HTTP-shaped but got a result`);
          const answer = result as { statusCode: unknown; body: unknown; isBase64Encoded: unknown };
          assert.equal(typeof answer.body, "string", `event #${i}`);
          assert.equal(typeof answer.isBase64Encoded, "boolean", `event #${i}`);
          assert.ok(
            answer.statusCode === 200 || answer.statusCode === 400,
            `event #${i}: ${answer.statusCode} ${String(answer.body).slice(0, 300)} for ${brief(event)}`,
          );
          JSON.stringify(result);
          if (answer.statusCode === 200) tally.ok++;
          else tally.badRequest++;
        }
        // The generator must really exercise all three outcomes, or the test proves little.
        assert.ok(tally.ok > 100 && tally.badRequest > 100, JSON.stringify(tally));
      });
    }
  } finally {
    console.error = quiet;
  }
});

function brief(event: Json): string {
  return JSON.stringify(event, (_k, v) => typeof v === "string" && v.length > 80 ? `${v.slice(0, 80)}…` : v).slice(
    0,
    600,
  );
}
