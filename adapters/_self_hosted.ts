/**
 * What the Deno and Node adapters share: the running-server handle, `waitUntil` bookkeeping, request ids and
 * shutdown timing. Internal: users import `./deno.ts` or `./node.ts`.
 *
 * @module
 */

/** What `serve()` returns on Deno and on Node: enough for the CLI's dev server, for tests and for graceful exits. */
export interface RunningServer {
  /** The address the server listens on, as given (e.g. `0.0.0.0`). */
  readonly hostname: string;
  /** The port it listens on (the one the OS chose when `port: 0` was asked for). */
  readonly port: number;
  /** A URL a local client can reach it at, e.g. `http://localhost:8000/`. */
  readonly url: string;
  /** Resolves once the server has shut down and every `waitUntil` task has settled (or timed out). */
  readonly finished: Promise<void>;
  /**
   * Stops accepting connections, lets in-flight requests finish, waits for `waitUntil` tasks, then resolves.
   * Calling it again returns the same promise.
   */
  shutdown(): Promise<void>;
  /** The same as {@linkcode RunningServer.shutdown}, for `await using server = …`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** The header read for the request id unless told otherwise. */
export const REQUEST_ID_HEADER = "x-request-id";

/** Default time to wait for in-flight requests and `waitUntil` tasks on shutdown. */
export const SHUTDOWN_TIMEOUT_MS = 10_000;

/** The signals that start a graceful shutdown. */
export const SHUTDOWN_SIGNALS = ["SIGINT", "SIGTERM"] as const;

/** Exit codes a second signal uses when the user does not want to wait: 128 + the signal number. */
export const SIGNAL_EXIT_CODES: Record<(typeof SHUTDOWN_SIGNALS)[number], number> = { SIGINT: 130, SIGTERM: 143 };

// Printable ASCII, bounded: a request id ends up in every log line, so a client must not be able to inject
// newlines or megabytes through it.
const SAFE_ID = /^[\x21-\x7e]{1,200}$/;

/**
 * The request id a client or proxy sent in `header`, if it is safe to log; a random UUID otherwise.
 *
 * @param headers The request headers.
 * @param header The header name, or `false` to always make a new id.
 * @returns The request id.
 */
export function requestIdFrom(headers: Headers, header: string | false): string {
  return safeRequestId(header === false ? null : headers.get(header)) ?? crypto.randomUUID();
}

/**
 * The request id a client or proxy sent, if it is safe to log; `undefined` otherwise (let the context make one when
 * it is first read).
 *
 * @param given The header's value, as `Headers.get` reports it, or `null`.
 * @returns The value, or `undefined`.
 */
export function safeRequestId(given: string | null): string | undefined {
  return given !== null && SAFE_ID.test(given) ? given : undefined;
}

/**
 * A URL a local client can use: wildcard addresses become `localhost`, IPv6 literals get brackets.
 *
 * @param hostname The listening address.
 * @param port The listening port.
 * @returns The URL, ending with `/`.
 */
export function localUrl(hostname: string, port: number): string {
  const host = hostname === "0.0.0.0" || hostname === "::" || hostname === ""
    ? "localhost"
    : hostname.includes(":")
    ? `[${hostname}]`
    : hostname;
  return `http://${host}:${port}/`;
}

/**
 * Checks a port option and says what is accepted when it is wrong.
 *
 * @param port The value given.
 * @param source Where it came from, for the message.
 * @returns The port.
 */
export function checkPort(port: unknown, source: string): number {
  if (typeof port === "number" && Number.isInteger(port) && port >= 0 && port <= 65535) return port;
  throw new TypeError(
    `${source} is ${JSON.stringify(port)}: use an integer from 0 to 65535 (0 lets the OS pick a free port).`,
  );
}

/** The `waitUntil` promises still running, so shutdown can wait for them. */
export class PendingTasks {
  readonly #tasks = new Set<Promise<unknown>>();

  /**
   * Keeps `promise` until it settles.
   *
   * @param promise A task; its rejection is swallowed here because `ctx.waitUntil` has already logged it.
   */
  add(promise: Promise<unknown>): void {
    const task: Promise<unknown> = promise.catch(() => {}).finally(() => this.#tasks.delete(task));
    this.#tasks.add(task);
  }

  /** How many tasks are still running. */
  get size(): number {
    return this.#tasks.size;
  }

  /**
   * Waits until every task (including ones added meanwhile) has settled, or `timeoutMs` has passed.
   *
   * @param timeoutMs The most to wait.
   * @returns `true` when all settled in time.
   */
  async settle(timeoutMs: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<false>((resolve) => timer = setTimeout(() => resolve(false), timeoutMs));
    try {
      while (this.#tasks.size > 0) {
        const done = await Promise.race([Promise.allSettled([...this.#tasks]).then(() => true), expired]);
        if (!done) return false;
      }
      return true;
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Runs `work` once and hands out the same promise on every later call.
 *
 * @param work What to run.
 * @returns A function starting `work` on first call.
 */
export function once(work: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => running ??= work();
}
