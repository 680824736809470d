// A local Lambda Runtime API, written from the documented protocol
// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html), for testing runtime():
// - GET  /2018-06-01/runtime/invocation/next         → the next event (blocks until there is one), with the
//   Lambda-Runtime-Aws-Request-Id, -Deadline-Ms, -Invoked-Function-Arn and -Trace-Id headers
// - POST /2018-06-01/runtime/invocation/{id}/response → 202
// - POST /2018-06-01/runtime/invocation/{id}/error    → 202, body {errorMessage, errorType}, Lambda-Runtime-Function-Error-Type
// - POST /2018-06-01/runtime/init/error               → 202
// A /response posted with Lambda-Runtime-Function-Response-Mode: streaming is split into prelude and body.
// An unknown request id answers 400 (InvalidRequestID), as the real API does.

/** What the runtime answered for one invocation. */
export interface Outcome {
  kind: "response" | "error" | "stream";
  body: unknown;
  errorType: string | null;
}

interface Pending {
  id: string;
  event: unknown;
  deadline: number;
  trace: string;
  resolve: (outcome: Outcome) => void;
}

/** The server, its address, and a way to invoke the function through it. */
export interface RuntimeApiServer extends AsyncDisposable {
  /** `host:port`, as in AWS_LAMBDA_RUNTIME_API. */
  readonly api: string;
  /** Queues an invocation and resolves with what the runtime posted back. */
  invoke(event: unknown, options?: { timeoutMs?: number; id?: string; trace?: string }): Promise<Outcome>;
  /** Bodies posted to /init/error. */
  readonly initErrors: { body: unknown; errorType: string | null }[];
  /** How many times /invocation/next was called. */
  readonly nextCalls: number;
}

/** Starts the server on 127.0.0.1 on a free port. */
export function startRuntimeApi(): RuntimeApiServer {
  const queue: Pending[] = [];
  const waiting: ((p: Pending | undefined) => void)[] = [];
  const inFlight = new Map<string, Pending>();
  const initErrors: { body: unknown; errorType: string | null }[] = [];
  let nextCalls = 0;
  let counter = 0;

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
    const path = new URL(request.url).pathname;
    if (request.method === "GET" && path === "/2018-06-01/runtime/invocation/next") {
      nextCalls++;
      // Long poll until there is an invocation, or until the client gives up (the runtime loop was stopped).
      const pending = queue.shift() ?? await new Promise<Pending | undefined>((resolve) => {
        waiting.push(resolve);
        request.signal.addEventListener("abort", () => {
          waiting.splice(waiting.indexOf(resolve), 1);
          resolve(undefined);
        });
      });
      if (pending === undefined) return new Response(null, { status: 503 });
      inFlight.set(pending.id, pending);
      return new Response(JSON.stringify(pending.event), {
        headers: {
          "content-type": "application/json",
          "lambda-runtime-aws-request-id": pending.id,
          "lambda-runtime-deadline-ms": String(pending.deadline),
          "lambda-runtime-invoked-function-arn": "arn:aws:lambda:eu-west-1:123456789012:function:test",
          "lambda-runtime-trace-id": pending.trace,
        },
      });
    }
    if (request.method === "POST" && path === "/2018-06-01/runtime/init/error") {
      initErrors.push({
        body: await request.json(),
        errorType: request.headers.get("lambda-runtime-function-error-type"),
      });
      return Response.json({ status: "OK" }, { status: 202 });
    }
    const match = path.match(/^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/);
    if (request.method === "POST" && match) {
      const pending = inFlight.get(decodeURIComponent(match[1]!));
      if (pending === undefined) {
        await request.body?.cancel();
        return Response.json({ errorMessage: "Invalid request ID", errorType: "InvalidRequestID" }, { status: 400 });
      }
      inFlight.delete(pending.id);
      if (request.headers.get("lambda-runtime-function-response-mode") === "streaming") {
        // Streaming mode: the body is the JSON prelude, 8 NUL bytes, then the response body.
        const bytes = new Uint8Array(await request.arrayBuffer());
        let split = -1;
        for (let i = 0; i + 8 <= bytes.length && split === -1; i++) {
          if (bytes.subarray(i, i + 8).every((b) => b === 0)) split = i;
        }
        pending.resolve({
          kind: "stream",
          body: {
            contentType: request.headers.get("content-type"),
            prelude: split === -1 ? null : JSON.parse(new TextDecoder().decode(bytes.subarray(0, split))),
            body: split === -1 ? null : new TextDecoder().decode(bytes.subarray(split + 8)),
          },
          errorType: null,
        });
        return Response.json({ status: "OK" }, { status: 202 });
      }
      const text = await request.text();
      pending.resolve({
        kind: match[2] as "response" | "error",
        body: text === "" ? undefined : JSON.parse(text),
        errorType: request.headers.get("lambda-runtime-function-error-type"),
      });
      return Response.json({ status: "OK" }, { status: 202 });
    }
    return Response.json({ errorMessage: "Not found" }, { status: 404 });
  });

  return {
    api: `127.0.0.1:${server.addr.port}`,
    initErrors,
    get nextCalls() {
      return nextCalls;
    },
    invoke(event, options = {}) {
      return new Promise<Outcome>((resolve) => {
        const pending: Pending = {
          id: options.id ?? `inv-${++counter}`,
          event,
          deadline: Date.now() + (options.timeoutMs ?? 3000),
          trace: options.trace ?? `Root=1-00000000-${String(counter).padStart(24, "0")};Sampled=1`,
          resolve,
        };
        const waiter = waiting.shift();
        if (waiter) waiter(pending);
        else queue.push(pending);
      });
    },
    async [Symbol.asyncDispose]() {
      for (const waiter of waiting.splice(0)) waiter(undefined);
      await server.shutdown();
    },
  };
}
