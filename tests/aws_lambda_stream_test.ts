import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { serverless } from "../mod.ts";
import { streamHandle } from "../adapters/aws_lambda.ts";
import { fixture, lambdaContext } from "./support/aws_lambda.ts";

// A stand-in for the `awslambda` global of the Node.js runtime, for what the real one cannot show (how much the
// stream buffered). It behaves as aws-lambda-ric's HttpResponseStream.from does: the content type is set at once,
// the JSON prelude and the 8 NUL bytes are written just before the first write(), never earlier
// (aws-lambda-nodejs-runtime-interface-client src/stream/http-response-stream). The bytes at the Runtime API under the
// real runtime client are checked in tests/aws_lambda_ric_test.ts.
type StreamingHandler = (event: unknown, stream: Writable, context: unknown) => Promise<void>;
const awslambda = {
  streamifyResponse: (handler: StreamingHandler) => handler,
  HttpResponseStream: {
    from(stream: Writable & { contentType?: string }, prelude: Record<string, unknown>) {
      stream.contentType = "application/vnd.awslambda.http-integration-response";
      const write = stream.write.bind(stream);
      let first = true;
      stream.write = ((chunk: Uint8Array | string) => {
        if (first) {
          first = false;
          write(JSON.stringify(prelude));
          write(new Uint8Array(8));
        }
        return write(chunk);
      }) as typeof stream.write;
      return stream;
    },
  },
};

/** A slow Lambda response stream: 16-byte buffer, 1 ms per chunk; records the most bytes ever buffered. */
function responseStream() {
  const chunks: Uint8Array[] = [];
  let maxBuffered = 0;
  const stream = new Writable({
    highWaterMark: 16,
    write(chunk: Uint8Array, _encoding, callback) {
      chunks.push(new Uint8Array(chunk));
      setTimeout(callback, 1);
    },
  });
  const write = stream.write.bind(stream);
  stream.write = ((chunk: Uint8Array | string) => {
    const ok = write(chunk);
    maxBuffered = Math.max(maxBuffered, stream.writableLength);
    return ok;
  }) as typeof stream.write;
  return {
    stream,
    get maxBuffered() {
      return maxBuffered;
    },
    output(): { prelude: Record<string, unknown>; body: string } {
      const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let offset = 0;
      for (const c of chunks) all.set(c, offset), offset += c.length;
      const separator = all.findIndex((_, i) => all.subarray(i, i + 8).every((b) => b === 0) && i + 8 <= all.length);
      assert.ok(separator > 0, "the prelude must be followed by 8 NUL bytes");
      return {
        prelude: JSON.parse(new TextDecoder().decode(all.subarray(0, separator))),
        body: new TextDecoder().decode(all.subarray(separator + 8)),
      };
    },
  };
}

function finished(stream: Writable): Promise<void> {
  return stream.writableFinished ? Promise.resolve() : new Promise((resolve) => stream.once("finish", resolve));
}

Deno.test("streamHandle() streams through awslambda.HttpResponseStream", async (t) => {
  (globalThis as { awslambda?: unknown }).awslambda = awslambda;
  try {
    await t.step("the prelude carries status, headers and cookies; the body follows the 8 NUL bytes", async () => {
      const fn = serverless({
        name: "stream",
        fetch: (req) => {
          const headers = new Headers({ "content-type": "text/plain", "x-path": new URL(req.url).pathname });
          headers.append("set-cookie", "a=1");
          headers.append("set-cookie", "b=2");
          return new Response(ReadableStream.from(["hel", "lo"]).pipeThrough(new TextEncoderStream()), {
            status: 201,
            headers,
          });
        },
      });
      const handler = streamHandle(fn) as unknown as StreamingHandler;
      const sink = responseStream();
      await handler(fixture("function-url.json"), sink.stream, lambdaContext());
      await finished(sink.stream);
      const { prelude, body } = sink.output();
      assert.deepEqual(prelude, {
        statusCode: 201,
        headers: { "content-type": "text/plain", "x-path": "/hello" },
        cookies: ["a=1", "b=2"],
      });
      assert.equal(body, "hello");
      assert.equal(
        (sink.stream as { contentType?: string }).contentType,
        "application/vnd.awslambda.http-integration-response",
      );
    });

    await t.step("the body is read only as fast as the stream drains (backpressure)", async () => {
      let produced = 0;
      const chunk = new Uint8Array(1024).fill(97);
      const fn = serverless({
        name: "big",
        fetch: () =>
          new Response(
            new ReadableStream({
              pull(controller) {
                if (produced === 200) return controller.close();
                produced++;
                controller.enqueue(chunk);
              },
            }, { highWaterMark: 0 }),
            { headers: { "content-type": "application/octet-stream" } },
          ),
      });
      const sink = responseStream();
      await (streamHandle(fn) as unknown as StreamingHandler)(
        fixture("function-url.json"),
        sink.stream,
        lambdaContext(),
      );
      await finished(sink.stream);
      assert.equal(sink.output().body.length, 200 * 1024);
      // Without waiting for "drain" all 200 KB would pile up in the stream's buffer.
      assert.ok(sink.maxBuffered <= 4 * 1024, `buffered up to ${sink.maxBuffered} bytes`);
    });

    await t.step("an error after the head rejects the handler and leaves the stream to the runtime", async () => {
      const records: Record<string, unknown>[] = [];
      const fn = serverless({
        name: "broken",
        fetch: () =>
          new Response(
            new ReadableStream({
              start(controller) {
                controller.enqueue(new TextEncoder().encode("partial"));
              },
              pull(controller) {
                controller.error(new Error("upstream went away"));
              },
            }),
            { headers: { "content-type": "text/plain" } },
          ),
      });
      const sink = responseStream();
      const handler = streamHandle(fn, { logSink: (r) => void records.push(r) }) as unknown as StreamingHandler;
      // The runtime client ends the stream with the error trailers when the handler rejects.
      await assert.rejects(handler(fixture("function-url.json"), sink.stream, lambdaContext()), /upstream went away/);
      assert.equal(sink.stream.writableEnded, false);
      sink.stream.end();
      await finished(sink.stream);
      const { prelude, body } = sink.output();
      assert.equal(prelude.statusCode, 200);
      assert.equal(body, "partial");
      assert.ok(records.some((r) => String(r.error).includes("upstream went away")));
    });

    await t.step("a body past the 200 MB streaming limit fails the stream instead of being cut silently", async () => {
      const mib = new Uint8Array(1024 * 1024);
      const fn = serverless({
        name: "huge",
        fetch: () =>
          new Response(
            new ReadableStream({ pull: (controller) => controller.enqueue(mib) }, { highWaterMark: 0 }),
            { headers: { "content-type": "application/octet-stream" } },
          ),
      });
      let written = 0;
      const sink = new Writable({
        write(chunk: Uint8Array, _encoding, callback) {
          written += chunk.length;
          callback();
        },
      });
      const records: Record<string, unknown>[] = [];
      const handler = streamHandle(fn, { logSink: (r) => void records.push(r) }) as unknown as StreamingHandler;
      await assert.rejects(
        handler(fixture("function-url.json"), sink, lambdaContext()),
        /passed 210763776 bytes, over AWS Lambda's limit of 209715200/,
      );
      assert.ok(written <= 200 * 1024 * 1024 + 1024, `wrote ${written} bytes`);
      assert.ok(records.some((r) => String(r.error).includes("limit of 209715200")));
      sink.destroy();
    });

    await t.step("a malformed event is answered 400 through the stream", async () => {
      const event = fixture<Record<string, unknown>>("function-url.json");
      event.isBase64Encoded = true;
      event.body = "%%%";
      const sink = responseStream();
      const fn = serverless({ name: "s", fetch: () => new Response("unreachable") });
      await (streamHandle(fn, { logSink: () => {} }) as unknown as StreamingHandler)(
        event,
        sink.stream,
        lambdaContext(),
      );
      await finished(sink.stream);
      assert.equal(sink.output().prelude.statusCode, 400);
    });
  } finally {
    delete (globalThis as { awslambda?: unknown }).awslambda;
  }
});
