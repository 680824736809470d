// A local Lambda Runtime API, written from the documented protocol
// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html and …/runtimes-custom.html#runtimes-custom-response-streaming),
// for testing runtime() and AWS's own Node.js runtime client (aws-lambda-ric):
// - GET  /2018-06-01/runtime/invocation/next         → the next event (blocks until there is one), with the
//   Lambda-Runtime-Aws-Request-Id, -Deadline-Ms, -Invoked-Function-Arn and -Trace-Id headers
// - POST /2018-06-01/runtime/invocation/{id}/response → 202; in streaming mode (Lambda-Runtime-Function-Response-Mode:
//   streaming, Transfer-Encoding: chunked) the body is read chunk by chunk, with the error trailers
//   (Lambda-Runtime-Function-Error-Type, -Error-Body) a runtime sends when the function fails mid-stream
// - POST /2018-06-01/runtime/invocation/{id}/error    → 202, body {errorMessage, errorType}, Lambda-Runtime-Function-Error-Type
// - POST /2018-06-01/runtime/init/error               → 202
// An unknown request id answers 400 (InvalidRequestID) and a buffered response over 6 MiB + 100 bytes answers 413
// (RequestEntityTooLarge), as the real API does.
//
// It speaks HTTP/1.1 over a plain TCP socket rather than through Deno.serve, so that every post is recorded exactly as
// it arrived: the de-chunked body bytes, whether it was chunked, and the trailers (Deno.serve exposes neither).

/** What the runtime answered for one invocation. */
export interface Outcome {
  kind: "response" | "error" | "stream";
  body: unknown;
  errorType: string | null;
}

/** One POST as it arrived. */
export interface Post {
  /** The request id in the path (`""` for `/invocation//response`), or `"init"`. */
  id: string;
  kind: "response" | "error" | "init";
  /** Request headers, lowercase names. */
  headers: Record<string, string>;
  /** Whether the body came with `Transfer-Encoding: chunked`. */
  chunked: boolean;
  /** The body, de-chunked, byte for byte. */
  bytes: Uint8Array;
  /** Trailer fields after the last chunk, lowercase names. */
  trailers: Record<string, string>;
}

/** How one invocation is delivered. */
export interface InvokeOptions {
  timeoutMs?: number;
  id?: string;
  trace?: string;
  /** Headers of `/next` to leave out (lowercase), e.g. `lambda-runtime-deadline-ms`. */
  omit?: string[];
  /** Read the `/response` post, then close the connection without answering (a Runtime API that fails the post). */
  dropResponse?: boolean;
}

interface Pending {
  id: string;
  event: unknown;
  options: InvokeOptions;
  deadline: number;
  trace: string;
  resolve: (outcome: Outcome) => void;
}

/** The server, its address, and a way to invoke the function through it. */
export interface RuntimeApiServer extends AsyncDisposable {
  /** `host:port`, as in AWS_LAMBDA_RUNTIME_API. */
  readonly api: string;
  /** Queues an invocation and resolves with what the runtime posted back. */
  invoke(event: unknown, options?: InvokeOptions): Promise<Outcome>;
  /** Bodies posted to /init/error. */
  readonly initErrors: { body: unknown; errorType: string | null }[];
  /** Every POST, in order, as it arrived. */
  readonly posts: Post[];
  /** How many times /invocation/next was called. */
  readonly nextCalls: number;
}

const CRLF = new Uint8Array([13, 10]);
/** What the Runtime API accepts as a buffered /response: 6 MiB + 100 bytes. */
const BUFFERED_LIMIT = 6 * 1024 * 1024 + 100;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Buffered reading of one connection. */
class Reader {
  #buffer = new Uint8Array(0);
  #eof = false;
  constructor(private readonly conn: Deno.Conn) {}

  #filling: Promise<boolean> | undefined;

  /** Reads more bytes; false at end of stream. One read at a time, however many callers wait for it. */
  fill(): Promise<boolean> {
    this.#filling ??= this.#read().finally(() => this.#filling = undefined);
    return this.#filling;
  }

  async #read(): Promise<boolean> {
    if (this.#eof) return false;
    const chunk = new Uint8Array(64 * 1024);
    const n = await this.conn.read(chunk).catch(() => null);
    if (n === null) {
      this.#eof = true;
      return false;
    }
    const next = new Uint8Array(this.#buffer.length + n);
    next.set(this.#buffer);
    next.set(chunk.subarray(0, n), this.#buffer.length);
    this.#buffer = next;
    return true;
  }

  /** A line without its CRLF, or null at end of stream. */
  async line(): Promise<string | null> {
    while (true) {
      const at = indexOf(this.#buffer, CRLF);
      if (at !== -1) {
        const line = decoder.decode(this.#buffer.subarray(0, at));
        this.#buffer = this.#buffer.subarray(at + 2);
        return line;
      }
      if (!(await this.fill())) return null;
    }
  }

  async bytes(n: number): Promise<Uint8Array> {
    while (this.#buffer.length < n) {
      if (!(await this.fill())) throw new Error(`connection closed ${n - this.#buffer.length} bytes short`);
    }
    const out = this.#buffer.slice(0, n);
    this.#buffer = this.#buffer.subarray(n);
    return out;
  }
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) out.set(c, offset), offset += c.length;
  return out;
}

async function fields(reader: Reader): Promise<Record<string, string> | null> {
  const headers: Record<string, string> = Object.create(null);
  while (true) {
    const line = await reader.line();
    if (line === null) return null;
    if (line === "") return headers;
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
}

async function readBody(
  reader: Reader,
  headers: Record<string, string>,
): Promise<{ bytes: Uint8Array; chunked: boolean; trailers: Record<string, string> }> {
  if (/chunked/i.test(headers["transfer-encoding"] ?? "")) {
    const chunks: Uint8Array[] = [];
    while (true) {
      const sizeLine = await reader.line();
      if (sizeLine === null) throw new Error("connection closed inside a chunked body");
      const size = parseInt(sizeLine.split(";")[0]!, 16);
      if (size === 0) break;
      chunks.push(await reader.bytes(size));
      await reader.bytes(2);
    }
    const trailers = await fields(reader) ?? {};
    return { bytes: concat(chunks), chunked: true, trailers: { ...trailers } };
  }
  const length = Number(headers["content-length"] ?? 0);
  return { bytes: await reader.bytes(length), chunked: false, trailers: {} };
}

function respond(
  conn: Deno.Conn,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): Promise<number> {
  const bytes = encoder.encode(body);
  const reason = status === 200
    ? "OK"
    : status === 202
    ? "Accepted"
    : status === 400
    ? "Bad Request"
    : status === 413
    ? "Payload Too Large"
    : "Error";
  let head = `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${bytes.length}\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  return conn.write(concat([encoder.encode(head + "\r\n"), bytes])).catch(() => 0);
}

/** Starts the server on 127.0.0.1 on a free port. */
export function startRuntimeApi(): RuntimeApiServer {
  const queue: Pending[] = [];
  const waiting: ((p: Pending | undefined) => void)[] = [];
  const inFlight = new Map<string, Pending>();
  const initErrors: { body: unknown; errorType: string | null }[] = [];
  const posts: Post[] = [];
  const conns = new Set<Deno.Conn>();
  let nextCalls = 0;
  let counter = 0;
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });

  async function next(reader: Reader, conn: Deno.Conn): Promise<void> {
    nextCalls++;
    // Long poll until there is an invocation, or until the client gives up (the runtime loop was stopped).
    let pending = queue.shift();
    if (pending === undefined) {
      let resolve!: (p: Pending | undefined) => void;
      const got = new Promise<Pending | undefined>((r) => resolve = r);
      waiting.push(resolve);
      const gone = reader.fill().then((more) => {
        if (more) return;
        const at = waiting.indexOf(resolve);
        if (at !== -1) waiting.splice(at, 1);
        resolve(undefined);
      });
      pending = await got;
      void gone;
      if (pending === undefined) return void await respond(conn, 503, "{}");
    }
    inFlight.set(pending.id, pending);
    const headers: Record<string, string> = {
      "lambda-runtime-aws-request-id": pending.id,
      "lambda-runtime-deadline-ms": String(pending.deadline),
      "lambda-runtime-invoked-function-arn": "arn:aws:lambda:eu-west-1:123456789012:function:test",
      "lambda-runtime-trace-id": pending.trace,
    };
    for (const name of pending.options.omit ?? []) delete headers[name];
    await respond(conn, 200, JSON.stringify(pending.event), headers);
  }

  // Returns false when the connection must be closed.
  async function post(kind: Post["kind"], id: string, reader: Reader, conn: Deno.Conn, head: Record<string, string>) {
    if (head.expect?.toLowerCase() === "100-continue") {
      await conn.write(encoder.encode("HTTP/1.1 100 Continue\r\n\r\n"));
    }
    const body = await readBody(reader, head);
    posts.push({ id, kind, headers: { ...head }, ...body });
    const errorType = head["lambda-runtime-function-error-type"] ?? null;
    if (kind === "init") {
      initErrors.push({ body: JSON.parse(decoder.decode(body.bytes)), errorType });
      await respond(conn, 202, '{"status":"OK"}');
      return true;
    }
    const pending = inFlight.get(id);
    if (pending === undefined) {
      await respond(conn, 400, '{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}');
      return true;
    }
    if (kind === "response" && pending.options.dropResponse) return false;
    if (kind === "response" && !body.chunked && body.bytes.length > BUFFERED_LIMIT) {
      // As the real API does: the invocation stays open for an /error post.
      await respond(
        conn,
        413,
        `{"errorMessage":"Exceeded maximum allowed payload size (${BUFFERED_LIMIT} bytes).","errorType":"RequestEntityTooLarge"}`,
      );
      return true;
    }
    inFlight.delete(id);
    const text = decoder.decode(body.bytes);
    if (kind === "response" && head["lambda-runtime-function-response-mode"] === "streaming") {
      // Streaming mode: the body is the JSON prelude, 8 NUL bytes, then the response body.
      const split = indexOf(body.bytes, new Uint8Array(8));
      pending.resolve({
        kind: "stream",
        body: {
          contentType: head["content-type"] ?? null,
          prelude: split === -1 ? null : JSON.parse(decoder.decode(body.bytes.subarray(0, split))),
          body: split === -1 ? null : decoder.decode(body.bytes.subarray(split + 8)),
        },
        errorType: body.trailers["lambda-runtime-function-error-type"] ?? null,
      });
    } else {
      pending.resolve({ kind, body: text === "" ? undefined : JSON.parse(text), errorType });
    }
    await respond(conn, 202, '{"status":"OK"}');
    return true;
  }

  async function serve(conn: Deno.Conn): Promise<void> {
    conns.add(conn);
    const reader = new Reader(conn);
    try {
      while (true) {
        const requestLine = await reader.line();
        if (requestLine === null) return;
        const [method, path] = requestLine.split(" ");
        const head = await fields(reader);
        if (head === null) return;
        const match = path?.match(/^\/2018-06-01\/runtime\/invocation\/([^/]*)\/(response|error)$/);
        if (method === "GET" && path === "/2018-06-01/runtime/invocation/next") await next(reader, conn);
        else if (method === "POST" && path === "/2018-06-01/runtime/init/error") {
          await post("init", "init", reader, conn, head);
        } else if (method === "POST" && match) {
          const kind = match[2] as "response" | "error";
          if (!(await post(kind, decodeURIComponent(match[1]!), reader, conn, head))) return;
        } else {
          await readBody(reader, head);
          await respond(conn, 404, '{"errorMessage":"Not found"}');
        }
      }
    } catch {
      // A client that went away mid-request.
    } finally {
      conns.delete(conn);
      try {
        conn.close();
      } catch {
        // already closed
      }
    }
  }

  const serving = new Set<Promise<void>>();
  const accepting = (async () => {
    for await (const conn of listener) {
      const done: Promise<void> = serve(conn).finally(() => serving.delete(done));
      serving.add(done);
    }
  })().catch(() => {});

  return {
    api: `127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    initErrors,
    posts,
    get nextCalls() {
      return nextCalls;
    },
    invoke(event, options = {}) {
      return new Promise<Outcome>((resolve) => {
        const pending: Pending = {
          id: options.id ?? `inv-${++counter}`,
          event,
          options,
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
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch {
          // already closed
        }
      }
      await accepting;
      await Promise.all(serving);
    },
  };
}
