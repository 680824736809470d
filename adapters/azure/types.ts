/**
 * The shapes of `@azure/functions` (v4) the Azure adapter reads and returns, declared here so the adapter's public
 * types stand on their own; the library's own classes and objects satisfy them.
 *
 * @module
 */

/** The parts of the library's `HttpRequest` the adapter reads. */
export interface AzureHttpRequest {
  /** The method. */
  readonly method: string;
  /** The full URL, with the route prefix and the query. */
  readonly url: string;
  /** The headers. */
  readonly headers: Headers;
  /**
   * The body as a web `ReadableStream`, or `null`. Typed `unknown` because the library types it with Node's
   * `stream/web` declarations, which TypeScript does not equate with the global `ReadableStream`.
   */
  readonly body: unknown;
}

/** The parts of the library's `InvocationContext` the adapter uses. */
export interface AzureInvocationContext {
  /** The invocation's id, used as `ctx.requestId`. */
  readonly invocationId: string;
  /** Trigger metadata, e.g. a queue message's `id`, `dequeueCount` and `insertionTime`. */
  readonly triggerMetadata?: Record<string, unknown>;
  /** Logs at information level. */
  log(...args: unknown[]): void;
  /** Logs at debug level. */
  debug(...args: unknown[]): void;
  /** Logs at warning level. */
  warn(...args: unknown[]): void;
  /** Logs at error level. */
  error(...args: unknown[]): void;
}

/** A response cookie, as the library's `Cookie`. */
export interface AzureCookie {
  /** The name. */
  name: string;
  /** The value; Azure percent-encodes it when it writes the header. */
  value: string;
  /** The `Domain` attribute. */
  domain?: string;
  /** The `Path` attribute. */
  path?: string;
  /** The `Expires` attribute. */
  expires?: Date | number;
  /** The `Secure` attribute. */
  secure?: boolean;
  /** The `HttpOnly` attribute. */
  httpOnly?: boolean;
  /** The `SameSite` attribute. */
  sameSite?: "Strict" | "Lax" | "None";
  /** The `Max-Age` attribute, in seconds. */
  maxAge?: number;
}

/** What the HTTP handler returns: a subset of the library's `HttpResponseInit`. */
export interface AzureHttpResponseInit {
  /** The status. */
  status: number;
  /** The headers, without `Set-Cookie`. */
  headers: [string, string][];
  /** The body stream; absent for responses without one. */
  body?: ReadableStream<Uint8Array>;
  /** Every `Set-Cookie` of the response. */
  cookies?: AzureCookie[];
}

/** The HTTP handler `app.http` takes. */
export type AzureHttpHandler = (
  request: AzureHttpRequest,
  context: AzureInvocationContext,
) => Promise<AzureHttpResponseInit>;

/** The timer object a timer trigger receives. */
export interface AzureTimer {
  /** Whether this run is late. */
  isPastDue?: boolean;
  /** The schedule monitor's record; `next` is the occurrence being run. Absent without a monitor. */
  scheduleStatus?: { last?: string; next?: string; lastUpdated?: string } | null;
}

/** An HTTP method Azure accepts in `methods`. */
export type AzureHttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS";

/** The part of the library's `app` that `register` uses. */
export interface AzureApp {
  /** Registers an HTTP function. */
  http(
    name: string,
    options: {
      methods: AzureHttpMethod[];
      authLevel: "anonymous" | "function" | "admin";
      route: string;
      handler: AzureHttpHandler;
    },
  ): void;
  /** Registers a timer function with a six-field NCRONTAB schedule. */
  timer(
    name: string,
    options: { schedule: string; handler: (timer: AzureTimer, context: AzureInvocationContext) => Promise<void> },
  ): void;
  /** Registers a Storage queue function. */
  storageQueue(
    name: string,
    options: {
      queueName: string;
      connection: string;
      handler: (entry: unknown, context: AzureInvocationContext) => Promise<void>;
    },
  ): void;
  /** Sets app-wide options; `register` turns on `enableHttpStream`. */
  setup?(options: { enableHttpStream?: boolean }): void;
}
