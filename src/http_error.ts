/**
 * Deliberate HTTP errors: throw one from a handler to answer with its status.
 *
 * @module
 */

/** Options for {@linkcode HttpError}. */
export interface HttpErrorOptions {
  /**
   * Whether the message is sent to the client. Defaults to `true` below 500 and `false` from 500 on, so that
   * internal details of a server error never leak by accident.
   */
  expose?: boolean;
  /**
   * Headers added to the error response, e.g. `WWW-Authenticate` for a 401: anything `new Headers()` takes.
   * (Spelled as the constructor's parameter rather than the DOM's `HeadersInit`, which Node's types do not define.)
   */
  headers?: ConstructorParameters<typeof Headers>[0];
  /** The underlying error, kept for the log. */
  cause?: unknown;
}

/**
 * An error that answers with a chosen HTTP status. The body is JSON `{ "error": message, "requestId": … }` when the
 * message is exposed, and carries the status text otherwise.
 *
 * @example Answer 404 from a handler
 * ```ts
 * import { HttpError, serverless } from "../mod.ts";
 *
 * const fn = serverless({
 *   name: "users",
 *   fetch: () => {
 *     throw new HttpError(404, "No user with id 7");
 *   },
 * });
 * const res = await fn.fetch(new Request("http://localhost/users/7"));
 * console.assert(res.status === 404);
 * console.assert((await res.json()).error === "No user with id 7");
 * ```
 */
export class HttpError extends Error {
  /** The HTTP status the error answers with (400–599). */
  declare readonly status: number;
  /** Whether {@linkcode HttpError.message} is sent to the client. */
  declare readonly expose: boolean;
  /** Extra headers for the error response. */
  declare readonly headers: ConstructorParameters<typeof Headers>[0];

  /**
   * Creates an HTTP error.
   *
   * @param status An HTTP error status from 400 to 599.
   * @param message What went wrong, in words the caller can act on.
   * @param options Whether to expose the message, extra headers and a cause.
   */
  constructor(status: number, message?: string, options: HttpErrorOptions = {}) {
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(`HttpError status must be an integer from 400 to 599; got ${status}.`);
    }
    // `Error` takes `cause` from the options (only when the key is there) and ignores the rest.
    super(message ?? statusText(status), options);
    this.name = "HttpError";
    this.status = status;
    this.expose = options.expose ?? status < 500;
    this.headers = options.headers;
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  410: "Gone",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  412: "Precondition Failed",
  416: "Range Not Satisfiable",
  418: "I'm a Teapot",
  428: "Precondition Required",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/**
 * The reason phrase for an HTTP error status, as error responses carry it, or `"Error"` for a code without a
 * well-known phrase.
 *
 * @param status An HTTP error status code (400–599).
 * @returns The reason phrase, such as `"Not Found"`.
 *
 * @example Usage
 * ```ts
 * import { statusText } from "./http_error.ts";
 * console.assert(statusText(404) === "Not Found");
 * ```
 */
export function statusText(status: number): string {
  return STATUS_TEXT[status] ?? "Error";
}
