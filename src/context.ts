/**
 * The per-request {@linkcode Context} every handler receives next to the `Request`.
 *
 * @module
 */

import { createLogger, errorText, type Logger, type LogSink } from "./log.ts";

/** Where a function runs. `dev` is the local server of `cli.ts dev`; `fetch` is a bare `fn.fetch()` call. */
export type Platform =
  | "aws-lambda"
  | "cloudflare"
  | "azure"
  | "vercel"
  | "gcp"
  | "deno"
  | "node"
  | "dev"
  | "fetch";

/** The default shape of `ctx.env`: variables (strings) and bindings (objects). */
export type DefaultEnv = Record<string, unknown>;

/** Everything a handler may need besides the request. */
export interface Context<Env = DefaultEnv, Raw = unknown> {
  /** The platform the function runs on. */
  readonly platform: Platform;
  /** The platform's id for this request or invocation (Lambda `awsRequestId`, Cloudflare `cf-ray`, …). */
  readonly requestId: string;
  /** Route parameters, percent-decoded; `*` holds what a trailing wildcard matched. */
  params: Record<string, string>;
  /** Environment variables and bindings (KV, D1, queues…), typed by `Env`. */
  readonly env: Env;
  /** Aborts shortly before the platform's deadline, or when the client goes away. */
  readonly signal: AbortSignal;
  /** Milliseconds left before the platform stops the invocation; `Infinity` where it sets no deadline. */
  remainingMs(): number;
  /** Keeps the invocation alive until `promise` settles, after the response where the platform allows it. */
  waitUntil(promise: Promise<unknown>): void;
  /** Structured JSON logging; each record carries {@linkcode Context.requestId}. */
  readonly log: Logger;
  /** The platform's native event and context, typed per adapter. */
  readonly raw: Raw;
}

/** What an adapter knows when it builds a {@linkcode Context}. */
export interface ContextInit<Env = DefaultEnv, Raw = unknown> {
  /** The platform. */
  platform: Platform;
  /**
   * The platform's request id; a random UUID when absent. A function is called on the first use of `ctx.requestId`
   * instead (most requests never need it), and may return `undefined`.
   */
  requestId?: string | (() => string | undefined) | undefined;
  /** Variables and bindings. */
  env?: Env;
  /**
   * Aborts when the platform is about to stop the invocation. Read on the first use of `ctx.signal`, and a function is
   * called then: producing a signal costs (~13 µs for an `AbortSignal` on Node 20, more than a whole small Lambda
   * invocation; a header lookup for Cloudflare's `request.signal`), and most requests never read it.
   */
  signal?: AbortSignal | (() => AbortSignal) | undefined;
  /** The platform deadline in epoch milliseconds. */
  deadline?: number;
  /** Where `waitUntil` promises go; by default they are only kept from rejecting unhandled. */
  waitUntil?: (promise: Promise<unknown>) => void;
  /** The native event and context. */
  raw?: Raw;
  /** Where `ctx.log` writes. */
  logSink?: LogSink;
}

class RequestContext<Env, Raw> implements Context<Env, Raw> {
  // Declared, not defined: the constructor assigns them, and the bundle carries no field list.
  declare readonly platform: Platform;
  params: Record<string, string> = {};
  declare readonly env: Env;
  declare readonly raw: Raw;
  // What was given (a value or a function to call on first use), then what it resolved to.
  #requestId: string | (() => string | undefined) | undefined;
  #signal: AbortSignal | (() => AbortSignal) | undefined;
  // The rest is read only by the calls that need it (remainingMs, waitUntil, the logger), which most requests never make.
  #init: ContextInit<Env, Raw>;
  #log: Logger | undefined;

  constructor(init: ContextInit<Env, Raw>) {
    this.platform = init.platform;
    this.env = init.env ?? ({} as Env);
    this.raw = init.raw as Raw;
    this.#requestId = init.requestId;
    this.#signal = init.signal;
    this.#init = init;
  }

  get requestId(): string {
    const given = this.#requestId;
    if (typeof given === "string") return given;
    return this.#requestId = (typeof given === "function" ? given() : undefined) ?? crypto.randomUUID();
  }

  // Resolved on first use. Without a platform signal, a never-aborted one is made per context, not once at module
  // scope: Cloudflare Workers refuse to start a script that creates an AbortController at global scope ("Disallowed
  // operation called within global scope"), and an I/O object made in one request must not serve another there.
  get signal(): AbortSignal {
    const given = this.#signal;
    if (given !== undefined && typeof given !== "function") return given;
    return this.#signal = typeof given === "function" ? given() : new AbortController().signal;
  }

  remainingMs(): number {
    return Math.max(0, (this.#init.deadline ?? Infinity) - Date.now());
  }

  waitUntil(promise: Promise<unknown>): void {
    const logged = Promise.resolve(promise).catch((error) =>
      this.log.error("waitUntil task failed", { error: errorText(error) })
    );
    this.#init.waitUntil?.(logged);
  }

  // Built on first use: most requests never log, and a logger per request would be wasted work on the hot path.
  get log(): Logger {
    return this.#log ??= createLogger(this.requestId, this.#init.logSink);
  }
}

/**
 * Creates the {@linkcode Context} for one request. Adapters call this; handlers only receive it.
 *
 * @param init What the platform knows about the request.
 * @returns The context.
 *
 * @example Usage
 * ```ts
 * import { createContext } from "./context.ts";
 * const ctx = createContext({ platform: "deno", requestId: "r-1", deadline: Date.now() + 1000 });
 * console.assert(ctx.requestId === "r-1" && ctx.remainingMs() <= 1000);
 * ```
 */
export function createContext<Env = DefaultEnv, Raw = unknown>(init: ContextInit<Env, Raw>): Context<Env, Raw> {
  return new RequestContext(init);
}
