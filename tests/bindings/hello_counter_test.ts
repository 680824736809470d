/**
 * examples/hello, unchanged, keeps its counter on every target: built with `cli.ts build`, each bundle runs in its
 * platform's real local runtime against that platform's default backend, and `POST /counter` twice answers
 * `{"count":2}` (the Worker, in Miniflare, in tests/cloudflare/hello_counter_worker_test.ts). The Lambda zip runs under plain node against dynalite;
 * the self-hosted Deno bundle under deno with the local file KV; the Node adapter, the function wrapped by hand, with
 * Redis; and `cli.ts dev`, whose local stores honour the
 * whole KV and bucket contract.
 */

import assert from "node:assert/strict";
import { AwsClient } from "npm:aws4fetch@^1.0.20";
import { unzipSync } from "npm:fflate@^0.8.2";
import { DYNAMODB_KV_TABLE } from "../../bindings/dynamodb_kv.ts";
import { MOD_URL, ROOT, runCli, startCli } from "../support/process.ts";
import { fixture } from "../support/aws_lambda.ts";
import { startLocalServer } from "./_local_server.ts";
import { startRedisServer } from "./_redis_server.ts";
import { serve } from "../../adapters/node.ts";
import { redisKv } from "../../bindings/redis_kv.ts";
import { withBindings } from "../../bindings/with_bindings.ts";
import hello from "../../examples/hello/main.ts";

const HELLO = "examples/hello/main.ts";

/** Runs an ES module script under node (or deno) in `cwd` with `env`, and returns its stdout. */
async function run(command: string, args: string[], script: string, cwd: string, env: Record<string, string>) {
  const child = new Deno.Command(command, { args, cwd, env, stdin: "piped", stdout: "piped", stderr: "piped" })
    .spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(script));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return new TextDecoder().decode(stdout);
}

async function build(target: string, out: string): Promise<void> {
  const built = await runCli(["build", "--target", target, HELLO, "--out", out]);
  assert.equal(built.code, 0, `${target}: ${built.stderr}`);
}

Deno.test("examples/hello counts on every target with no code of its own for the binding", async (t) => {
  const out = await Deno.makeTempDir({ prefix: "slrs_hello_counter_" });
  try {
    await t.step("the Lambda zip, under node, counts in DynamoDB (dynalite)", async () => {
      await build("aws-lambda", out);
      const dir = await Deno.makeTempDir({ dir: out });
      const files = unzipSync(await Deno.readFile(`${out}/aws-lambda/hello.zip`));
      await Deno.writeFile(`${dir}/index.mjs`, files["index.mjs"]!);
      const code = new TextDecoder().decode(files["index.mjs"]);
      assert.doesNotMatch(code, /@azure|BlobServiceClient|s3Bucket|SendMessage/, "only the DynamoDB backend");
      const dynalite = await startLocalServer("dynalite");
      try {
        const aws = new AwsClient({
          accessKeyId: "local",
          secretAccessKey: "local",
          service: "dynamodb",
          region: "us-east-1",
        });
        const created = await aws.fetch(dynalite.url, {
          method: "POST",
          headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "DynamoDB_20120810.CreateTable" },
          body: JSON.stringify({
            TableName: "hello-counter",
            BillingMode: "PAY_PER_REQUEST",
            AttributeDefinitions: [
              { AttributeName: DYNAMODB_KV_TABLE.partitionKey, AttributeType: "S" },
              { AttributeName: DYNAMODB_KV_TABLE.sortKey, AttributeType: "S" },
            ],
            KeySchema: [
              { AttributeName: DYNAMODB_KV_TABLE.partitionKey, KeyType: "HASH" },
              { AttributeName: DYNAMODB_KV_TABLE.sortKey, KeyType: "RANGE" },
            ],
          }),
        });
        assert.ok(created.ok, await created.text());
        const event = fixture("function-url.json");
        event.rawPath = "/counter";
        event.rawQueryString = "";
        delete event.queryStringParameters;
        delete event.body;
        event.isBase64Encoded = false;
        const http = (event.requestContext as { http: { method: string; path: string } }).http;
        http.method = "POST";
        http.path = "/counter";
        const stdout = await run(
          "node",
          ["--input-type=module", "-"],
          `import { handler } from "./index.mjs";
           const event = ${JSON.stringify(event)};
           const context = { awsRequestId: "req-1", getRemainingTimeInMillis: () => 3000 };
           const answers = [];
           for (let i = 0; i < 2; i++) answers.push((await handler(event, context)).body);
           process.stdout.write(JSON.stringify(answers));`,
          dir,
          {
            PATH: Deno.env.get("PATH") ?? "",
            AWS_REGION: "us-east-1",
            AWS_ACCESS_KEY_ID: "local",
            AWS_SECRET_ACCESS_KEY: "local",
            AWS_ENDPOINT_URL_DYNAMODB: dynalite.url,
            SLRS_COUNTER_TABLE: "hello-counter",
          },
        );
        assert.deepEqual(JSON.parse(stdout).map((body: string) => JSON.parse(body)), [{ count: 1 }, { count: 2 }]);
      } finally {
        await dynalite.stop();
      }
    });

    await t.step("the self-hosted Deno bundle counts in a local file", async () => {
      await build("deno", out);
      const file = `${out}/counter.json`;
      const stdout = await run(
        Deno.execPath(),
        ["run", "-A", "-"],
        `import app from "./hello.js";
         const answers = [];
         for (let i = 0; i < 2; i++) {
           answers.push(await (await app.fetch(new Request("http://localhost/counter", { method: "POST" }))).json());
         }
         console.log(JSON.stringify(answers));`,
        `${out}/deno`,
        { PATH: Deno.env.get("PATH") ?? "", SLRS_COUNTER_FILE: file, RUST_BACKTRACE: "0" },
      );
      assert.deepEqual(JSON.parse(stdout), [{ count: 1 }, { count: 2 }]);
      assert.match(await Deno.readTextFile(file), /count/);
    });

    await t.step("the Node adapter's serve, with the function wrapped by withBindings, counts in Redis", async () => {
      const redis = await startRedisServer();
      const server = await serve(withBindings(hello, { COUNTER: redisKv }), {
        port: 0,
        hostname: "127.0.0.1",
        processEnv: false,
        env: { SLRS_COUNTER_REDIS_URL: redis.url },
      });
      try {
        const answers = [];
        for (let i = 0; i < 2; i++) {
          answers.push(await (await fetch(new URL("/counter", server.url), { method: "POST" })).json());
        }
        assert.deepEqual(answers, [{ count: 1 }, { count: 2 }]);
      } finally {
        await server.shutdown();
        await redis.stop();
      }
    });

    await t.step("dev counts in its local store, which honours the KV and bucket contract", async () => {
      const dir = await Deno.makeTempDir({ dir: out });
      await Deno.writeTextFile(
        `${dir}/main.ts`,
        `import { Router, serverless } from ${JSON.stringify(MOD_URL)};
         export default serverless({
           name: "probe",
           requirements: { bindings: { kv: ["NOTES"], buckets: ["FILES"] } },
           fetch: new Router().get("/probe", async (_req, ctx) => {
             await ctx.env.NOTES.put("n", JSON.stringify({ a: 1 }), { metadata: { by: "dev" } });
             const note = await ctx.env.NOTES.getWithMetadata("n", "json");
             await ctx.env.FILES.put("f.txt", "hi", { customMetadata: { k: "v" } });
             const file = await ctx.env.FILES.get("f.txt");
             return Response.json({ note, file: await file.text(), meta: file.customMetadata });
           }),
         });
`,
      );
      const serve = async (entry: string, ask: (base: string) => Promise<void>) => {
        const dev = startCli(["dev", entry, "--port", "0"], dir);
        try {
          await ask((await dev.waitFor(/serving .* on (http:\/\/localhost:\d+)/))[1]!);
        } finally {
          await dev.stop();
        }
      };
      await serve(`${ROOT}${HELLO}`, async (base) => {
        const answers = [];
        for (let i = 0; i < 2; i++) answers.push(await (await fetch(`${base}/counter`, { method: "POST" })).json());
        assert.deepEqual(answers, [{ count: 1 }, { count: 2 }]);
      });
      await serve("main.ts", async (base) => {
        assert.deepEqual(await (await fetch(`${base}/probe`)).json(), {
          note: { value: { a: 1 }, metadata: { by: "dev" } },
          file: "hi",
          meta: { k: "v" },
        });
      });
    });

    await t.step("dev delivers what a queue binding sends to the function's own queue trigger", async () => {
      const dir = await Deno.makeTempDir({ dir: out });
      await Deno.writeTextFile(
        `${dir}/jobs.ts`,
        `import { Router, serverless } from ${JSON.stringify(MOD_URL)};
         export default serverless({
           name: "jobs",
           requirements: { bindings: { kv: ["NOTES"], queues: ["JOBS"] } },
           fetch: new Router()
             .post("/enqueue", async (_req, ctx) => {
               await ctx.env.JOBS.send({ n: 5 });
               return new Response(null, { status: 202 });
             })
             .get("/last", async (_req, ctx) => Response.json(await ctx.env.NOTES.get("last", "json"))),
           queue: { name: "JOBS", run: async (batch, ctx) => {
             for (const message of batch.messages) await ctx.env.NOTES.put("last", JSON.stringify(message.body));
           } },
         });
`,
      );
      const dev = startCli(["dev", "jobs.ts", "--port", "0"], dir);
      try {
        const base = (await dev.waitFor(/serving .* on (http:\/\/localhost:\d+)/))[1]!;
        assert.equal((await fetch(`${base}/enqueue`, { method: "POST" })).status, 202);
        let last: unknown = null;
        for (let i = 0; i < 50 && last === null; i++) {
          await new Promise((done) => setTimeout(done, 100));
          last = await (await fetch(`${base}/last`)).json();
        }
        assert.deepEqual(last, { n: 5 });
      } finally {
        await dev.stop();
      }
    });

    await t.step("a function without bindings bundles no backend", async () => {
      const built = await runCli(["build", "--target", "aws-lambda", "examples/aws-lambda/main.ts", "--out", out]);
      assert.equal(built.code, 0, built.stderr);
      const entry = await Deno.readTextFile(`${out}/aws-lambda/aws-lambda-example.entry.ts`);
      assert.doesNotMatch(entry, /bindings\//);
    });
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
