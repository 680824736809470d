// The AWS backends' node:http transport (bindings/node_http_transport.ts), bundled and run under node against a
// node:http server in the same process: keep-alive, streamed bodies, the timeout and network failures.

import assert from "node:assert/strict";

const module = (path: string) => JSON.stringify(new URL(`../../bindings/${path}`, import.meta.url).href);

/** Runs every case under node and prints one JSON line of what it saw. */
const DRIVER = `
import http from "node:http";
import { dynamoDbKv } from ${module("dynamodb_kv.ts")};
import { s3Bucket } from ${module("s3_bucket.ts")};
import { createNodeHttpTransport, nodeHttpTransport } from ${module("node_http_transport.ts")};

const sockets = new Set();
let requests = 0;
let release;
const server = http.createServer((req, res) => {
  requests++;
  sockets.add(req.socket);
  req.resume();
  req.on("end", () => {
    if (req.url.startsWith("/silent")) return;
    if (req.url.startsWith("/bucket/slow")) {
      res.writeHead(200, { "content-length": "10", etag: '"e"' });
      res.write("first");
      release = () => res.end("-last");
      return;
    }
    res.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
    res.end(JSON.stringify({ Item: { pk: { S: "kv" }, sk: { S: "count" }, v: { B: btoa("41") } } }));
  });
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const endpoint = "http://127.0.0.1:" + server.address().port;
const env = {
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "local",
  AWS_SECRET_ACCESS_KEY: "local",
  SLRS_COUNTER_TABLE: "t",
  SLRS_UPLOADS_BUCKET: "bucket",
  AWS_ENDPOINT_URL_DYNAMODB: endpoint,
  AWS_ENDPOINT_URL_S3: endpoint,
};
const result = {};

const kv = dynamoDbKv("COUNTER", env, nodeHttpTransport);
const values = [];
for (let i = 0; i < 5; i++) values.push(await kv.get("count"));
result.keepAlive = { values, requests, sockets: sockets.size };
// Node loads its Fetch implementation (undici) on the first touch of fetch, Request, Response or Headers.
result.undiciLoaded = process.moduleLoadList.some((name) => name.includes("undici"));

const object = await s3Bucket("UPLOADS", env, nodeHttpTransport).get("slow");
const reader = object.body.getReader();
const first = new TextDecoder().decode((await reader.read()).value);
release();
let rest = "";
for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += new TextDecoder().decode(chunk.value);
result.stream = { first, rest, size: object.size };

requests = 0;
const silent = dynamoDbKv("COUNTER", { ...env, AWS_ENDPOINT_URL_DYNAMODB: endpoint + "/silent" }, createNodeHttpTransport({ timeoutMs: 50 }));
const timedOut = await silent.get("count").catch((error) => error);
result.timeout = { name: timedOut.name, message: timedOut.message, requests };

const closed = http.createServer();
await new Promise((resolve) => closed.listen(0, "127.0.0.1", resolve));
const port = closed.address().port;
await new Promise((resolve) => closed.close(resolve));
const refused = await dynamoDbKv("COUNTER", { ...env, AWS_ENDPOINT_URL_DYNAMODB: "http://127.0.0.1:" + port }, nodeHttpTransport)
  .get("count").catch((error) => error);
result.refused = { name: refused.name, operation: refused.operation, message: refused.message };

server.closeAllConnections();
server.close();
console.log(JSON.stringify(result));
`;

Deno.test("the node:http transport under node", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "slrs-node-http-" });
  let result: Record<string, Record<string, unknown> | boolean>;
  try {
    await Deno.writeTextFile(`${dir}/driver.ts`, DRIVER);
    const bundle = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--quiet", "--platform", "node", "-o", `${dir}/driver.mjs`, `${dir}/driver.ts`],
      cwd: new URL("../../", import.meta.url).pathname,
      env: { RUST_BACKTRACE: "0" },
      stderr: "piped",
    }).output();
    assert.ok(bundle.success, new TextDecoder().decode(bundle.stderr));
    const node = await new Deno.Command("node", { args: [`${dir}/driver.mjs`], stdout: "piped", stderr: "piped" })
      .output();
    assert.ok(node.success, new TextDecoder().decode(node.stderr));
    result = JSON.parse(new TextDecoder().decode(node.stdout).trim().split("\n").at(-1)!);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }

  await t.step("keeps one connection alive for sequential requests", () => {
    assert.deepEqual(result.keepAlive, { values: ["41", "41", "41", "41", "41"], requests: 5, sockets: 1 });
  });

  await t.step("reads DynamoDB without loading Node's Fetch implementation", () => {
    assert.equal(result.undiciLoaded, false);
  });

  await t.step("hands an object's body over as it arrives, before the server has sent it all", () => {
    assert.deepEqual(result.stream, { first: "first", rest: "-last", size: 10 });
  });

  await t.step("closes a silent connection after its timeout, retries, then reports a BindingError", () => {
    assert.equal((result.timeout as Record<string, unknown>).name, "BindingError");
    assert.match(
      String((result.timeout as Record<string, unknown>).message),
      /^COUNTER \(kv on dynamodb\) get: could not reach http:\/\/127\.0\.0\.1:\d+ \(the connection was silent for 50 ms\) after 5 attempts$/,
    );
    assert.equal((result.timeout as Record<string, unknown>).requests, 5);
  });

  await t.step("a refused connection is a BindingError that names the endpoint", () => {
    assert.equal((result.refused as Record<string, unknown>).name, "BindingError");
    assert.equal((result.refused as Record<string, unknown>).operation, "get");
    assert.match(
      String((result.refused as Record<string, unknown>).message),
      /could not reach http:\/\/127\.0\.0\.1:\d+ \(.*ECONNREFUSED.*\)/,
    );
  });
});
