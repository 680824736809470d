// handle() and streamHandle() under AWS's own Node.js runtime client, aws-lambda-ric (the code that loads handlers and
// provides `awslambda.streamifyResponse` in Lambda's nodejs runtimes), against the Runtime API test server: what reaches
// the Runtime API is checked byte for byte. aws-lambda-ric 4 needs Node 22; both come from npm and are installed on first
// run into .slrs/cache/aws-lambda-ric (gitignored; about a minute, the package builds its native client), then reused.

import assert from "node:assert/strict";
import { unzipSync } from "npm:fflate@^0.8.2";
import { fixture } from "./support/aws_lambda.ts";
import { npmCache } from "./support/npm_cache.ts";
import { runCli } from "./support/process.ts";
import { type Post, type RuntimeApiServer, startRuntimeApi } from "./support/runtime_api_server.ts";

const PACKAGES = { "aws-lambda-ric": "4", node: "22" } as const;
const NUL8 = "\0".repeat(8);
const decoder = new TextDecoder();
let cache = "";

/** Bundles tests/support/ric_handler.ts for Node into a fresh task root, as `index.mjs`. */
async function bundle(): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "slrs-ric-" });
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "-o",
      `${root}/index.mjs`,
      new URL("support/ric_handler.ts", import.meta.url).pathname,
    ],
    env: { RUST_BACKTRACE: "0" },
    stderr: "piped",
  }).output();
  assert.ok(output.success, decoder.decode(output.stderr));
  return root;
}

/** Starts the runtime client on `index.<name>`, as Lambda's nodejs22.x runtime does. */
function startRic(api: RuntimeApiServer, root: string, name: "handler" | "stream") {
  const child = new Deno.Command(`${cache}node_modules/.bin/node`, {
    args: [`${cache}node_modules/aws-lambda-ric/index.mjs`],
    env: {
      AWS_LAMBDA_RUNTIME_API: api.api,
      _HANDLER: `index.${name}`,
      LAMBDA_TASK_ROOT: root,
      AWS_LAMBDA_FUNCTION_NAME: "ric",
      AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "128",
      AWS_LAMBDA_LOG_GROUP_NAME: "/aws/lambda/ric",
      AWS_LAMBDA_LOG_STREAM_NAME: "local",
      PATH: Deno.env.get("PATH") ?? "",
    },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let log = "";
  const collect = (stream: ReadableStream<Uint8Array>) =>
    stream.pipeThrough(new TextDecoderStream()).pipeTo(new WritableStream({ write: (text) => void (log += text) }));
  const output = Promise.all([collect(child.stdout), collect(child.stderr)]);
  return {
    /** What the runtime client printed so far (its own log and the function's). */
    log: () => log,
    async [Symbol.asyncDispose]() {
      child.kill("SIGTERM");
      await child.status;
      await output;
    },
  };
}

/** A Function URL event for `method path`. */
function urlEvent(method: string, path: string, query = ""): Record<string, unknown> {
  const event = fixture("function-url.json");
  event.rawPath = path;
  event.rawQueryString = query;
  delete event.queryStringParameters;
  event.body = null;
  delete event.cookies;
  const http = (event.requestContext as { http: Record<string, string> }).http;
  http.method = method;
  http.path = path;
  return event;
}

/** Invokes and returns the /response post as it arrived. */
async function invoke(api: RuntimeApiServer, ric: { log(): string }, event: unknown): Promise<Post> {
  const id = crypto.randomUUID();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within 15 s; the runtime client said:\n${ric.log()}`)),
      15_000,
    );
  });
  await Promise.race([api.invoke(event, { id, timeoutMs: 10_000 }), stuck]).finally(() => clearTimeout(timer));
  const post = api.posts.findLast((p) => p.id === id);
  assert.ok(post !== undefined, "nothing was posted");
  return post;
}

Deno.test("handle() and streamHandle() under aws-lambda-ric, byte for byte at the Runtime API", async (t) => {
  cache = await npmCache("aws-lambda-ric", PACKAGES);
  const root = await bundle();
  try {
    await t.step("handle(): the buffered result is exactly the 2.0 result JSON", async () => {
      await using api = startRuntimeApi();
      await using ric = startRic(api, root, "handler");
      const text = await invoke(api, ric, urlEvent("GET", "/text"));
      assert.equal(text.kind, "response");
      assert.equal(
        decoder.decode(text.bytes),
        '{"statusCode":201,"headers":{"content-type":"text/plain"},"body":"hello","isBase64Encoded":false,' +
          '"cookies":["a=1","b=2"]}',
      );
      const empty = await invoke(api, ric, urlEvent("GET", "/empty"));
      assert.equal(
        decoder.decode(empty.bytes),
        '{"statusCode":204,"headers":{"x-kept":"yes"},"body":"","isBase64Encoded":false}',
      );
    });

    await t.step("handle(): a REST (1.0) result carries the cookies in multiValueHeaders, byte for byte", async () => {
      await using api = startRuntimeApi();
      await using ric = startRic(api, root, "handler");
      const event = fixture("apigw-v1.json");
      event.httpMethod = "GET";
      event.path = "/text";
      event.body = null;
      const post = await invoke(api, ric, event);
      assert.equal(
        decoder.decode(post.bytes),
        '{"statusCode":201,"headers":{"content-type":"text/plain"},"body":"hello","isBase64Encoded":false,' +
          '"multiValueHeaders":{"set-cookie":["a=1","b=2"]}}',
      );
    });

    await t.step("handle(): an authorizer event is posted to /error as an UnknownEventError", async () => {
      await using api = startRuntimeApi();
      await using ric = startRic(api, root, "handler");
      const event = JSON.parse(
        await Deno.readTextFile(new URL("fixtures/aws/refused/apigw-v2-authorizer-request.json", import.meta.url)),
      );
      const post = await invoke(api, ric, event);
      assert.equal(post.kind, "error");
      const body = JSON.parse(decoder.decode(post.bytes));
      assert.equal(body.errorType, "UnknownEventError");
      assert.match(body.errorMessage, /HTTP API \(2\.0\) REQUEST authorizer event/);
    });

    await t.step("handle(): a result over 6 MB is answered 500 with a short body, and its size is logged", async () => {
      await using api = startRuntimeApi();
      await using ric = startRic(api, root, "handler");
      const under = await invoke(api, ric, urlEvent("GET", "/big", "mb=5"));
      assert.equal(JSON.parse(decoder.decode(under.bytes)).body.length, 5 * 1024 * 1024);
      const over = await invoke(api, ric, urlEvent("GET", "/big", "mb=7"));
      assert.equal(over.kind, "response");
      assert.ok(over.bytes.length < 1000, `posted ${over.bytes.length} bytes`);
      const result = JSON.parse(decoder.decode(over.bytes));
      assert.equal(result.statusCode, 500);
      assert.match(
        JSON.parse(result.body).error,
        /too large for AWS Lambda: 7340\d{3} bytes, over the limit of 6291556/,
      );
      assert.match(ric.log(), /"bytes":7340\d{3},"limit":6291556/);
    });

    await t.step("streamHandle(): prelude, 8 NUL bytes and body, chunked, with no error trailers", async () => {
      await using api = startRuntimeApi();
      await using ric = startRic(api, root, "stream");
      const post = await invoke(api, ric, urlEvent("GET", "/chunks"));
      assert.equal(post.headers["content-type"], "application/vnd.awslambda.http-integration-response");
      assert.equal(post.headers["lambda-runtime-function-response-mode"], "streaming");
      assert.equal(post.chunked, true);
      assert.deepEqual(post.trailers, {});
      assert.equal(
        decoder.decode(post.bytes),
        `{"statusCode":200,"headers":{"content-type":"text/plain"}}${NUL8}one two three`,
      );
      const cookies = await invoke(api, ric, urlEvent("GET", "/text"));
      assert.equal(
        decoder.decode(cookies.bytes),
        `{"statusCode":201,"headers":{"content-type":"text/plain"},"cookies":["a=1","b=2"]}${NUL8}hello`,
      );
    });

    await t.step(
      "streamHandle(): a response without a body keeps its status and headers (204, 308, HEAD)",
      async () => {
        await using api = startRuntimeApi();
        await using ric = startRic(api, root, "stream");
        const empty = await invoke(api, ric, urlEvent("GET", "/empty"));
        assert.equal(decoder.decode(empty.bytes), `{"statusCode":204,"headers":{"x-kept":"yes"}}${NUL8}`);
        const redirect = await invoke(api, ric, urlEvent("GET", "/redirect"));
        assert.equal(decoder.decode(redirect.bytes), `{"statusCode":308,"headers":{"location":"/text"}}${NUL8}`);
        const head = await invoke(api, ric, urlEvent("HEAD", "/text"));
        assert.equal(
          decoder.decode(head.bytes),
          `{"statusCode":201,"headers":{"content-type":"text/plain"},"cookies":["a=1","b=2"]}${NUL8}`,
        );
      },
    );

    await t.step("streamHandle(): an error after the head reaches Lambda as the error trailers", async () => {
      await using api = startRuntimeApi();
      await using ric = startRic(api, root, "stream");
      const post = await invoke(api, ric, urlEvent("GET", "/broken"));
      assert.equal(
        decoder.decode(post.bytes),
        `{"statusCode":200,"headers":{"content-type":"text/plain"}}${NUL8}partial`,
      );
      assert.equal(post.trailers["lambda-runtime-function-error-type"], "Error");
      const body = JSON.parse(atob(post.trailers["lambda-runtime-function-error-body"] ?? ""));
      assert.equal(body.errorMessage, "upstream went away");
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("build --target aws-lambda for a function that requires streaming, under aws-lambda-ric", async (t) => {
  cache = await npmCache("aws-lambda-ric", PACKAGES);
  const out = await Deno.makeTempDir({ prefix: "slrs-ric-build-" });
  const entry = "tests/adapters/fixtures/lambda_stream_app.ts";
  try {
    const run = await runCli(["build", "--target", "aws-lambda", entry, "--out", out]);
    assert.equal(run.code, 0, run.stderr);

    await t.step("the invokeMode setting RESPONSE_STREAM makes the streaming entry, for payload 2.0 only", async () => {
      const source = await Deno.readTextFile(`${out}/aws-lambda/ticks.entry.ts`);
      assert.match(source, /import \{ httpV2, streamHandleShapes \} from ".*adapters\/aws_lambda\.ts";/);
      assert.match(source, /export const handler = streamHandleShapes\(fn, \[httpV2\]\);/);
    });

    await t.step("the built zip streams the prelude, 8 NUL bytes and the body, chunked", async () => {
      const root = await Deno.makeTempDir({ dir: out });
      const files = unzipSync(await Deno.readFile(`${out}/aws-lambda/ticks.zip`));
      assert.deepEqual(Object.keys(files), ["index.mjs", "ticks.mjs.map"]);
      await Deno.writeFile(`${root}/index.mjs`, files["index.mjs"]!);
      await using api = startRuntimeApi();
      await using ric = startRic(api, root, "handler");
      const post = await invoke(api, ric, urlEvent("GET", "/chunks"));
      assert.equal(post.headers["content-type"], "application/vnd.awslambda.http-integration-response");
      assert.equal(post.headers["lambda-runtime-function-response-mode"], "streaming");
      assert.equal(post.chunked, true);
      assert.equal(
        decoder.decode(post.bytes),
        `{"statusCode":200,"headers":{"content-type":"text/plain"}}${NUL8}one two three`,
      );
    });

    await t.step("streaming through an API Gateway HTTP API is refused, since it buffers the response", async () => {
      const overrides = `${out}/overrides.json`;
      await Deno.writeTextFile(overrides, JSON.stringify({ ticks: { "aws-lambda": { exposure: "http-api" } } }));
      const refused = await runCli([
        "build",
        "--target",
        "aws-lambda",
        entry,
        "--out",
        `${out}/refused`,
        "--overrides",
        overrides,
      ]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /ticks on aws-lambda: invokeMode "RESPONSE_STREAM" does not stream through an API/);
      assert.match(refused.stderr, /use exposure "url"/);
    });

    await t.step("the BUFFERED override keeps the buffered (handleShapes) entry", async () => {
      const overrides = `${out}/buffered.json`;
      await Deno.writeTextFile(overrides, JSON.stringify({ ticks: { "aws-lambda": { invokeMode: "BUFFERED" } } }));
      const buffered = await runCli([
        "build",
        "--target",
        "aws-lambda",
        entry,
        "--out",
        `${out}/buffered`,
        "--overrides",
        overrides,
      ]);
      assert.equal(buffered.code, 0, buffered.stderr);
      assert.match(
        await Deno.readTextFile(`${out}/buffered/aws-lambda/ticks.entry.ts`),
        /handleShapes\(fn, \[httpV2\]\);/,
      );
    });
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
