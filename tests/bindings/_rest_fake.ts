/**
 * A loopback HTTP server that plays a REST service from its documented protocol, for the backends with no local
 * server here (Firestore, Cloud Storage, Pub/Sub, Upstash, Vercel Blob). Each fake checks every request strictly
 * (method, path, query, headers, body) and records what breaks the protocol as a violation, answered with 418 so the
 * backend fails at once instead of retrying; a test asserts there were none.
 *
 * @module
 */

/** One request the fake received. */
export interface FakeRequest {
  /** The method. */
  method: string;
  /** The URL as received. */
  url: URL;
  /** The headers. */
  headers: Headers;
  /** The body's bytes. */
  body: Uint8Array<ArrayBuffer>;
  /** The body as text. */
  text(): string;
  /** The body parsed as JSON. */
  json<T = unknown>(): T;
}

/** A request that breaks the documented protocol. */
export class ProtocolViolation extends Error {}

/**
 * Throws a {@linkcode ProtocolViolation} unless `condition` holds.
 *
 * @param condition What the protocol requires.
 * @param message What was wrong.
 */
export function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new ProtocolViolation(message);
}

/**
 * Checks that an object has only the given keys, and all the required ones.
 *
 * @param value The object.
 * @param allowed The keys it may have.
 * @param required The keys it must have.
 * @param where Where it is, for the message.
 */
export function expectKeys(value: unknown, allowed: string[], required: string[], where: string): void {
  expect(typeof value === "object" && value !== null && !Array.isArray(value), `${where} is not an object`);
  for (const key of Object.keys(value)) expect(allowed.includes(key), `${where} has an unknown field ${key}`);
  for (const key of required) expect(key in value, `${where} lacks ${key}`);
}

/** A running fake. */
export interface RestFake {
  /** Its origin, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Its `host:port`, as the emulator variables take it. */
  host: string;
  /** Every request it received, in order. */
  requests: FakeRequest[];
  /** What broke the protocol. */
  violations: string[];
  /** Answers the next `count` requests with `response()` instead of serving them. */
  failNext(count: number, response: () => Response): void;
  /** Stops it. */
  stop(): Promise<void>;
}

/**
 * Starts a fake on a free loopback port.
 *
 * @param serve Answers one request; throws {@linkcode ProtocolViolation} for a request the protocol does not allow.
 * @returns The fake.
 */
export function startRestFake(serve: (request: FakeRequest) => Response | Promise<Response>): RestFake {
  const requests: FakeRequest[] = [];
  const violations: string[] = [];
  let failures = 0;
  let failure: () => Response = () => new Response(null, { status: 503 });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (raw) => {
    const body = new Uint8Array(await raw.arrayBuffer());
    const request: FakeRequest = {
      method: raw.method,
      url: new URL(raw.url),
      headers: raw.headers,
      body,
      text: () => new TextDecoder().decode(body),
      json: <T>() => JSON.parse(new TextDecoder().decode(body)) as T,
    };
    requests.push(request);
    if (failures > 0) {
      failures--;
      return failure();
    }
    try {
      return await serve(request);
    } catch (error) {
      if (!(error instanceof ProtocolViolation)) throw error;
      const message = `${raw.method} ${request.url.pathname}${request.url.search}: ${error.message}`;
      violations.push(message);
      return new Response(`protocol violation: ${message}`, { status: 418 });
    }
  });
  const port = server.addr.port;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    violations,
    failNext(count, response) {
      failures = count;
      failure = response;
    },
    stop: () => server.shutdown(),
  };
}
