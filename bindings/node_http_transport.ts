/**
 * The AWS backends' transport over `node:http` and `node:https`, for functions that run on Node (the Lambda entry
 * `build` generates passes it; a hand-written Node entry may too).
 *
 * Why not `fetch`: Node loads its Fetch implementation (undici) on the first `fetch`, `Request`, `Response` or
 * `Headers`, and a first `fetch` costs 40–48 ms in a fresh Node 20 process against 11–13 ms for a first `node:http`
 * request (measured against a loopback server), which is most of a Lambda cold start that reads one item. The AWS
 * SDK v3 sends through `node:http` on Node for the same reason. Like it, connections are kept alive
 * (`Agent({ keepAlive: true })`), so warm requests reuse one.
 *
 * A response body is read whole unless the request asks for a stream (an S3 object's body), which is then handed
 * over as it arrives, with Node's backpressure. A connection silent for the timeout (300 s unless given, as Node's
 * `fetch` waits) is closed, whether a request is waiting on it or it is idle in the pool; for a request, that
 * failure, like any network failure, is retried by the backend and then reported as a `BindingError`.
 *
 * @example Give the DynamoDB KV the Node transport
 * ```ts ignore
 * import { dynamoDbKvOver } from "./dynamodb_kv.ts";
 * import { nodeHttpTransport } from "./node_http_transport.ts";
 *
 * const counter = dynamoDbKv("COUNTER", process.env, nodeHttpTransport);
 * ```
 *
 * @module
 */

import type { Agent, IncomingMessage, request as httpRequest } from "node:http";
import type { AwsRequest, AwsResponse, AwsTransport } from "./_aws.ts";
import type { EnvRecord } from "./_bytes.ts";

/** Options of {@linkcode createNodeHttpTransport}. */
export interface NodeHttpTransportOptions {
  /** How long a connection may stay silent, waiting for an answer or the next part of a body; 300,000 by default. */
  timeoutMs?: number;
}

interface Client {
  request: typeof httpRequest;
  agent: Agent;
}

/**
 * A transport over `node:http` and `node:https`.
 *
 * @param options Its timeout.
 * @returns The transport.
 *
 * @example A shorter timeout
 * ```ts ignore
 * import { s3Bucket } from "./s3_bucket.ts";
 * import { createNodeHttpTransport } from "./node_http_transport.ts";
 *
 * const uploads = s3Bucket("UPLOADS", process.env, createNodeHttpTransport({ timeoutMs: 10_000 }));
 * ```
 */
export function createNodeHttpTransport(options: NodeHttpTransportOptions = {}): AwsTransport {
  const timeoutMs = options.timeoutMs ?? 300_000;
  // One client per protocol, loaded at the first request that needs it (`node:https` costs a few ms to load). The
  // timeout is the agent's, set once per connection: a `setTimeout` per request costs a warm read about 0.1 ms.
  const clients = new Map<string, Promise<Client>>();
  const client = (protocol: string) => {
    let found = clients.get(protocol);
    if (found === undefined) {
      found = (protocol === "https:" ? import("node:https") : import("node:http"))
        .then((http) => ({ request: http.request, agent: new http.Agent({ keepAlive: true, timeout: timeoutMs }) }));
      clients.set(protocol, found);
    }
    return found;
  };
  return async (request) => {
    const { request: send, agent } = await client(request.url.protocol);
    const toWeb = request.stream ? (await import("node:stream")).Readable.toWeb : undefined;
    return await new Promise<AwsResponse>((resolve, reject) => {
      const outgoing = send(request.url, { method: request.method, headers: request.headers, agent }, (incoming) => {
        const status = incoming.statusCode ?? 0;
        const headers = headersOf(incoming);
        let text: Promise<string> | undefined;
        const read = () => text ??= readText(incoming);
        if (toWeb) {
          resolve({
            status,
            headers,
            text: read,
            get body() {
              return toWeb(incoming) as ReadableStream<Uint8Array>;
            },
          });
        } else read().then((body) => resolve({ status, headers, text: () => Promise.resolve(body) }), reject);
      });
      outgoing.on("timeout", () => outgoing.destroy(new Error(`the connection was silent for ${timeoutMs} ms`)));
      outgoing.on("error", reject);
      outgoing.end(request.body);
    });
  };
}

/** The transport with its defaults. */
export const nodeHttpTransport: AwsTransport = createNodeHttpTransport();

/**
 * An AWS backend's constructor that sends through {@linkcode nodeHttpTransport}: what the Node entry `build`
 * generates hands to `withBindings`.
 *
 * @param factory The backend's constructor, e.g. `dynamoDbKv`.
 * @returns The constructor `withBindings` calls with the binding's name and the environment.
 *
 * @example
 * ```ts ignore
 * import { withBindings } from "./with_bindings.ts";
 * import { dynamoDbKvOver } from "./dynamodb_kv.ts";
 * import { viaNodeHttp } from "./node_http_transport.ts";
 * import base from "../examples/hello/main.ts";
 *
 * const fn = withBindings(base, { COUNTER: viaNodeHttp(dynamoDbKvOver) });
 * ```
 */
export function viaNodeHttp<Client>(
  factory: (binding: string, env: EnvRecord, transport: AwsTransport) => Client,
): (binding: string, env: EnvRecord) => Client {
  return (binding, env) => factory(binding, env, nodeHttpTransport);
}

function headersOf(incoming: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

function readText(incoming: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    incoming.setEncoding("utf8");
    incoming.on("data", (chunk: string) => text += chunk);
    incoming.on("end", () => resolve(text));
    incoming.on("error", reject);
  });
}

export type { AwsRequest, AwsResponse, AwsTransport };
