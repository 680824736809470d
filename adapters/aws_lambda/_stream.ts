/**
 * Response streaming on the Node.js managed runtime: `awslambda.streamifyResponse` hands the handler a writable
 * stream; `awslambda.HttpResponseStream.from(stream, prelude)` writes the JSON prelude (status, headers, cookies) and
 * the 8 NUL bytes that separate it from the body. Works for Function URLs with `InvokeMode: RESPONSE_STREAM` and for
 * `InvokeWithResponseStream`; not for ALB.
 *
 * @module
 */

import type { ServerlessFunction } from "../../src/serverless.ts";
import { type Json, readHead } from "./_http.ts";
import { shapeOf } from "./_event_shape.ts";
import { STREAMED_LIMIT } from "./_limits.ts";
import { Invocation, invoke, type LambdaContextLike, type Resolved, respond } from "./_invoke.ts";

const NO_BYTES = new Uint8Array(0);

/** The slice of a Node.js `Writable` the adapter uses. */
export interface ResponseStream {
  write(chunk: Uint8Array | string): boolean;
  end(): void;
  once(event: "drain" | "close" | "error", listener: () => void): unknown;
  removeListener(event: "drain" | "close" | "error", listener: () => void): unknown;
  readonly destroyed?: boolean;
}

/** The `awslambda` global of the Node.js runtime, as far as streaming needs it. */
interface AwsLambdaGlobal {
  streamifyResponse(
    handler: (event: unknown, stream: ResponseStream, context: LambdaContextLike) => Promise<void>,
  ): unknown;
  HttpResponseStream: { from(stream: ResponseStream, prelude: Record<string, unknown>): ResponseStream };
}

/**
 * Wraps the function for response streaming.
 *
 * @param fn The function.
 * @param options Resolved options.
 * @returns What `awslambda.streamifyResponse` returns.
 */
export function streamify(fn: ServerlessFunction<never>, options: Resolved): unknown {
  const awslambda = (globalThis as { awslambda?: AwsLambdaGlobal }).awslambda;
  if (awslambda === undefined || typeof awslambda.streamifyResponse !== "function") {
    throw new Error(
      "streamHandle() needs the `awslambda` global of the Lambda Node.js runtime, which is missing here. Deploy it " +
        "on a nodejs runtime with a Function URL in RESPONSE_STREAM mode, or use handle() for buffered responses.",
    );
  }
  return awslambda.streamifyResponse(async (event, stream, context) => {
    const shape = typeof event === "object" && event !== null ? shapeOf(event as Json, options.shapes) : undefined;
    if (shape?.kind !== "http") {
      // Not HTTP (InvokeWithResponseStream with another payload): run it as handle() would, answer its JSON.
      const result = await invoke(fn, event, context, options);
      stream.write(JSON.stringify(result ?? null));
      stream.end();
      return;
    }
    const invocation = new Invocation(context, event, options);
    const ctx = invocation.ctx;
    try {
      const response = await respond(fn, shape, event as Json, invocation, options);
      const head = readHead(response);
      const prelude: Record<string, unknown> = { statusCode: head.status, headers: head.headers };
      if (head.cookies.length > 0) {
        if (shape.v2) prelude.cookies = head.cookies;
        else prelude.multiValueHeaders = { "set-cookie": head.cookies };
      }
      const body = awslambda.HttpResponseStream.from(stream, prelude);
      // The runtime client writes the prelude on the first write() only, so a response without a body (204, HEAD,
      // a redirect) would lose its status and headers: an empty write sends the prelude now.
      body.write(NO_BYTES);
      let failure: { error: unknown } | undefined;
      try {
        if (response.body !== null) await pipe(response.body, body);
      } catch (error) {
        ctx.log.error("response stream failed after the head was sent", { error: String(error) });
        failure = { error };
      }
      // On failure the stream is left open: the runtime client ends it with the Lambda-Runtime-Function-Error-Type
      // and -Error-Body trailers when the handler rejects, so the client sees a failed response, not a short 200.
      if (failure === undefined) body.end();
      await invocation.finish();
      if (failure !== undefined) throw failure.error;
    } finally {
      invocation.dispose();
    }
  });
}

/**
 * Copies a body to a Lambda response stream, only as fast as Lambda takes the bytes (when write() says the buffer is
 * full, it waits for "drain"), and at most {@linkcode STREAMED_LIMIT} bytes.
 *
 * @param source The response body.
 * @param sink The stream to Lambda.
 * @returns When the body has been written; rejects when the body fails, the stream closes or the limit is passed.
 */
export async function pipe(source: ReadableStream<Uint8Array>, sink: ResponseStream): Promise<void> {
  const reader = source.getReader();
  let sent = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) return;
      if (sink.destroyed) throw new Error("the response stream was closed by Lambda");
      sent += value.length;
      if (sent > STREAMED_LIMIT) {
        throw new RangeError(
          `The streamed response passed ${sent} bytes, over AWS Lambda's limit of ${STREAMED_LIMIT} for a streamed body.`,
        );
      }
      if (!sink.write(value)) await drained(sink);
    }
  } catch (error) {
    await reader.cancel(error).catch(() => {});
    throw error;
  } finally {
    reader.releaseLock();
  }
}

function drained(sink: ResponseStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (error?: Error) => {
      sink.removeListener("drain", onDrain);
      sink.removeListener("close", onClose);
      sink.removeListener("error", onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => settle();
    const onClose = () => settle(new Error("the response stream was closed by Lambda"));
    sink.once("drain", onDrain);
    sink.once("close", onClose);
    sink.once("error", onClose);
  });
}
