// The SigV4 signer the AWS backends use (bindings/_sigv4.ts), against AWS's published test vectors and, for every
// request shape the DynamoDB, S3 and SQS backends send, against aws4fetch's signer.

import assert from "node:assert/strict";
import { AwsV4Signer } from "npm:aws4fetch@^1.0.20";
import { sigV4Signer } from "../../bindings/_sigv4.ts";
import type { AwsRequest, AwsTransport } from "../../bindings/_aws.ts";
import { dynamoDbKv } from "../../bindings/dynamodb_kv.ts";
import { S3_BUCKET_LIMITS, s3Bucket } from "../../bindings/s3_bucket.ts";
import { sqsQueue } from "../../bindings/sqs_queue.ts";

const VECTORS = new URL("../fixtures/aws/sigv4/", import.meta.url);

/**
 * The vectors the signer does not take, and why: headers given more than once or over several lines (the backends
 * send one value per header), and paths with characters to encode under a service other than S3 (the suite's
 * expected paths are encoded once, the S3 rule, while SigV4 encodes other services' paths twice; the backends' S3
 * paths are checked against aws4fetch below, and DynamoDB and SQS requests go to `/`).
 */
const UNSUPPORTED = new Set([
  "get-header-key-duplicate",
  "get-header-value-multiline",
  "get-header-value-order",
  "get-space",
  "get-utf8",
]);

/** A `.req` file: `METHOD path HTTP/1.1`, `Name:value` lines, a blank line, the body. */
function parseRequest(text: string) {
  const [head, ...body] = text.split("\n\n");
  const [requestLine, ...lines] = head!.split("\n");
  const method = requestLine!.slice(0, requestLine!.indexOf(" "));
  const path = requestLine!.slice(method.length + 1, -" HTTP/1.1".length);
  const headers: Record<string, string> = {};
  for (const line of lines) headers[line.slice(0, line.indexOf(":")).toLowerCase()] = line.slice(line.indexOf(":") + 1);
  return { method, path, headers, body: body.join("\n\n") };
}

Deno.test("the SigV4 signer gives AWS's published signatures", async (t) => {
  const names = [...Deno.readDirSync(VECTORS)].map((entry) => entry.name).filter((name) => name.endsWith(".req"))
    .map((name) => name.slice(0, -".req".length)).sort();
  assert.ok(names.length >= 26, `only ${names.length} vectors in ${VECTORS.pathname}`);
  for (const name of names.filter((name) => !UNSUPPORTED.has(name))) {
    await t.step(`signs ${name} as the suite does`, async () => {
      const { method, path, headers, body } = parseRequest(await Deno.readTextFile(new URL(`${name}.req`, VECTORS)));
      const { "x-amz-date": datetime, "x-amz-security-token": sessionToken, ...rest } = headers;
      const sign = sigV4Signer(
        { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken },
        "service",
        "us-east-1",
      );
      const url = new URL(`https://${headers.host}${path}`);
      const signed = await sign({ method, url, headers: rest, body }, datetime);
      assert.equal(signed.authorization, (await Deno.readTextFile(new URL(`${name}.authz`, VECTORS))).trim());
    });
  }
});

/** A transport that records each request and answers what the backend needs to go on. */
function recorder(
  answer: (request: AwsRequest) => { status?: number; headers?: Record<string, string>; text?: string },
) {
  const requests: AwsRequest[] = [];
  const transport: AwsTransport = (request) => {
    requests.push(request);
    const { status = 200, headers = {}, text = "" } = answer(request);
    return Promise.resolve({
      status,
      headers,
      text: () => Promise.resolve(text),
      ...(request.stream ? { body: new Blob([text]).stream() } : {}),
    });
  };
  return { requests, transport };
}

const SECRET = { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+token/with+slashes==";

/**
 * What aws4fetch's signer makes of the same request at the same instant, for comparison. aws4fetch leaves
 * `content-type` unsigned by default, where AWS's vectors and SDKs sign it (and so does the signer here), so it is
 * asked to sign every header it is given (`allHeaders`), and given none that the signer here leaves unsigned (`range`).
 */
async function aws4fetchHeaders(
  request: AwsRequest,
  service: string,
  sessionToken: string | undefined,
  region = "eu-west-3",
) {
  const headers = Object.fromEntries(
    Object.entries(request.headers).filter(([name]) =>
      !["authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256", "range"].includes(name)
    ),
  );
  const signed = await new AwsV4Signer({
    method: request.method,
    url: request.url.toString(),
    headers,
    ...(request.body === undefined ? {} : { body: request.body }),
    accessKeyId: SECRET.AWS_ACCESS_KEY_ID,
    secretAccessKey: SECRET.AWS_SECRET_ACCESS_KEY,
    ...(sessionToken ? { sessionToken } : {}),
    service,
    region,
    datetime: request.headers["x-amz-date"]!,
    allHeaders: true,
  }).sign();
  return Object.fromEntries(
    [...signed.headers].filter(([name]) => name === "authorization" || name.startsWith("x-amz-")),
  );
}

function signedPart(request: AwsRequest) {
  return Object.fromEntries(
    Object.entries(request.headers).filter(([name]) => name === "authorization" || name.startsWith("x-amz-")),
  );
}

async function assertSameAsAws4fetch(requests: AwsRequest[], service: string, sessionToken: string | undefined) {
  assert.ok(requests.length > 0);
  for (const request of requests) {
    assert.deepEqual(
      signedPart(request),
      await aws4fetchHeaders(request, service, sessionToken),
      `${request.method} ${request.url}`,
    );
  }
}

Deno.test("the backends' requests are signed exactly as aws4fetch signs them", async (t) => {
  for (const sessionToken of [undefined, TOKEN]) {
    const env = { ...SECRET, AWS_REGION: "eu-west-3", ...(sessionToken ? { AWS_SESSION_TOKEN: sessionToken } : {}) };
    const credentials = sessionToken ? "temporary credentials" : "long-term credentials";

    await t.step(`DynamoDB GetItem, PutItem, DeleteItem and Query, unicode keys, ${credentials}`, async () => {
      const { requests, transport } = recorder(() => ({ text: "{}" }));
      const kv = dynamoDbKv("COUNTER", { ...env, SLRS_COUNTER_TABLE: "counter-table" }, transport);
      await kv.get("zähler ☃/1+1");
      await kv.put("ключ", "значение ✓", { metadata: { by: "ünïcode" }, expirationTtl: 3600 });
      await kv.delete("count");
      await kv.list({ prefix: "ü ", limit: 10, cursor: btoa("a+b") });
      assert.equal(requests[0]!.url.href, "https://dynamodb.eu-west-3.amazonaws.com/");
      await assertSameAsAws4fetch(requests, "dynamodb", sessionToken);
    });

    await t.step(`DynamoDB at an endpoint override with a port, ${credentials}`, async () => {
      const { requests, transport } = recorder(() => ({ text: "{}" }));
      const overridden = { ...env, SLRS_COUNTER_TABLE: "t", AWS_ENDPOINT_URL_DYNAMODB: "http://127.0.0.1:4567" };
      await dynamoDbKv("COUNTER", overridden, transport).get("count");
      await assertSameAsAws4fetch(requests, "dynamodb", sessionToken);
    });

    for (const endpoint of [undefined, "http://localhost:4568"]) {
      const style = endpoint ? "path-style at an endpoint with a port" : "virtual-hosted";
      await t.step(`S3 object requests, keys with spaces, + and unicode, ${style}, ${credentials}`, async () => {
        const { requests, transport } = recorder((request) => ({
          headers: { etag: '"e"', "content-length": "1" },
          text: request.url.search.includes("uploads") ? "<UploadId>up+load/id=</UploadId>" : "",
        }));
        const bucket = s3Bucket("UPLOADS", {
          ...env,
          SLRS_UPLOADS_BUCKET: "my-bucket",
          ...(endpoint ? { AWS_ENDPOINT_URL_S3: endpoint } : {}),
        }, transport);
        const keys = ["photos/my cat+dog (1)!.jpg", "ünï/çødé ☃.txt", "a/b//c~d*e'f", "100% real"];
        for (const key of keys) {
          await bucket.get(key, { range: { offset: 2, length: 3 } });
          await bucket.head(key);
          await bucket.put(key, "body ✓", {
            httpMetadata: { contentType: "text/plain; charset=utf-8", cacheControl: "max-age=60" },
            customMetadata: { owner: "ada lovelace", "x_y-z": "1" },
          });
          await bucket.delete(key);
        }
        await bucket.delete(keys);
        await bucket.list({
          prefix: "ünï/ a+b",
          delimiter: "/",
          limit: 5,
          cursor: "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=",
        });
        if (!endpoint) assert.equal(requests[0]!.url.host, "my-bucket.s3.eu-west-3.amazonaws.com");
        assert.ok(requests.some((r) => r.headers.range === "bytes=2-4"));
        await assertSameAsAws4fetch(requests, "s3", sessionToken);
      });
    }

    await t.step(`an S3 multipart upload of a stream, ${credentials}`, async () => {
      const { requests, transport } = recorder((request) => ({
        headers: { etag: '"part"' },
        text: request.url.search === "?uploads" ? "<UploadId>up+load/id=</UploadId>" : "<ETag>done</ETag>",
      }));
      const bucket = s3Bucket("UPLOADS", { ...env, SLRS_UPLOADS_BUCKET: "b" }, transport);
      const chunk = new Uint8Array(S3_BUCKET_LIMITS.partBytes / 4);
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull: (controller) => sent++ < 5 ? controller.enqueue(chunk) : controller.close(),
      });
      await bucket.put("big file.bin", stream);
      assert.deepEqual(requests.map((r) => r.method), ["POST", "PUT", "PUT", "POST"]);
      await assertSameAsAws4fetch(requests, "s3", sessionToken);
    });

    await t.step(`SQS SendMessage and SendMessageBatch, unicode bodies, ${credentials}`, async () => {
      const { requests, transport } = recorder(() => ({ text: "<SendMessageResult></SendMessageResult>" }));
      const queue = sqsQueue("EMAILS", {
        ...env,
        SLRS_EMAILS_QUEUE_URL: "https://sqs.eu-west-3.amazonaws.com/123456789012/emails",
      }, transport);
      await queue.send({ to: "ada@example.com", note: "ünï ☃ +&=" }, { delaySeconds: 5 });
      await queue.send("plain text + more", { contentType: "text" });
      await queue.sendBatch([{ body: new Uint8Array([0, 255]) }, { body: { n: 1 }, delaySeconds: 2 }]);
      await assertSameAsAws4fetch(requests, "sqs", sessionToken);
    });
  }
});

Deno.test("the SigV4 signer keeps the day's signing key and derives the next day's", async (t) => {
  const sign = sigV4Signer(
    { accessKeyId: "AKIDEXAMPLE", secretAccessKey: SECRET.AWS_SECRET_ACCESS_KEY },
    "sqs",
    "us-east-1",
  );
  const request = { method: "POST", url: new URL("https://sqs.us-east-1.amazonaws.com/"), headers: {}, body: "x" };
  await t.step("a request on another day is signed with that day's key", async () => {
    for (const datetime of ["20261201T235959Z", "20261202T000001Z"]) {
      const ours = await sign(request, datetime);
      const theirs = await aws4fetchHeaders({ ...request, headers: ours }, "sqs", undefined, "us-east-1");
      assert.equal(ours.authorization, theirs.authorization);
    }
  });
});
