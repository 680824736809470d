// The Lambda handlers the aws-lambda-ric tests run: bundled for Node and loaded by AWS's own runtime client as
// `index.handler` (buffered, handle()) or `index.stream` (streamHandle()).

import { Router, serverless } from "../../mod.ts";
import { handle, streamHandle } from "../../adapters/aws_lambda.ts";

const encoder = new TextEncoder();

const fn = serverless({
  name: "ric",
  fetch: new Router()
    .get("/text", () => {
      const headers = new Headers({ "content-type": "text/plain" });
      headers.append("set-cookie", "a=1");
      headers.append("set-cookie", "b=2");
      return new Response("hello", { status: 201, headers });
    })
    .get(
      "/chunks",
      () =>
        new Response(ReadableStream.from(["one ", "two ", "three"]).pipeThrough(new TextEncoderStream()), {
          headers: { "content-type": "text/plain" },
        }),
    )
    .get("/empty", () => new Response(null, { status: 204, headers: { "x-kept": "yes" } }))
    .get("/redirect", () => new Response(null, { status: 308, headers: { location: "/text" } }))
    .get("/broken", () =>
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(encoder.encode("partial"));
          },
          pull(controller) {
            controller.error(new Error("upstream went away"));
          },
        }),
        { headers: { "content-type": "text/plain" } },
      ))
    .get("/big", (request) => {
      // A body of ?mb= megabytes of "a", text so that it is not base64-encoded.
      const mb = Number(new URL(request.url).searchParams.get("mb"));
      return new Response("a".repeat(mb * 1024 * 1024), { headers: { "content-type": "text/plain" } });
    }),
});

const quiet = { logSink: (record: Record<string, unknown>) => console.log(JSON.stringify(record)) };

/** The buffered handler. */
export const handler = handle(fn, quiet);
/** The streaming handler (the runtime client provides `awslambda` before it loads this module). */
export const stream = (globalThis as { awslambda?: unknown }).awslambda === undefined
  ? undefined
  : streamHandle(fn, quiet);
