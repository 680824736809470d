/**
 * The bounded retry every backend shares: throttling (each backend says which answers are) and network failures are
 * tried again with full-jitter exponential backoff, at most {@linkcode RETRY}`.attempts` times in all.
 *
 * @module
 */

import { BindingError, type BindingKind } from "../src/bindings.ts";

// As plain constants the minifier inlines them; the exported object is left out of bundles.
const ATTEMPTS = 5;
const BASE_MS = 50;
const CAP_MS = 1000;

/**
 * {@linkcode RETRY}`.attempts` as a constant, for loops that are not {@linkcode fetchWithRetry}'s.
 *
 * @example
 * ```ts
 * import { RETRY, RETRY_ATTEMPTS } from "./_retry.ts";
 *
 * console.assert(RETRY_ATTEMPTS === RETRY.attempts);
 * ```
 */
export const RETRY_ATTEMPTS: number = ATTEMPTS;

/** How many times a throttled request is tried in all, and the backoff's first step and ceiling. */
export const RETRY: { readonly attempts: number; readonly baseMs: number; readonly capMs: number } = {
  attempts: ATTEMPTS,
  baseMs: BASE_MS,
  capMs: CAP_MS,
};

/** A backend's answer to "is this response worth trying again?"; it reads the body only from a clone. */
export type Throttled = (response: Response) => Promise<boolean>;

/** Which binding a request belongs to, for error messages. */
export interface RetryTarget {
  /** The binding kind. */
  kind: BindingKind;
  /** The backend's name in messages. */
  backend: string;
  /** The binding's name, e.g. `COUNTER`. */
  binding: string;
}

/**
 * Sends the request `build` makes (afresh for each attempt, so a signature or token stays current), retrying
 * throttling and network failures. The body must be replayable (text or bytes).
 *
 * @param target The binding, for the error.
 * @param operation The operation, for the error.
 * @param build Makes the request to send.
 * @param throttled Whether a response is throttling.
 * @returns The last response (which may be an error response the caller turns into a {@linkcode BindingError}).
 */
export async function fetchWithRetry(
  target: RetryTarget,
  operation: string,
  build: () => Request | Promise<Request>,
  throttled: Throttled,
): Promise<Response> {
  for (let attempt = 1;; attempt++) {
    let response: Response;
    let url = "";
    try {
      const request = await build();
      url = request.url;
      response = await fetch(request);
    } catch (cause) {
      if (cause instanceof BindingError) throw cause;
      if (attempt >= ATTEMPTS) {
        const origin = url ? new URL(url).origin : "the service";
        throw new BindingError({
          ...target,
          operation,
          message: `could not reach ${origin} (${errorMessage(cause)}) after ${attempt} attempts`,
          cause,
        });
      }
      await backoff(attempt);
      continue;
    }
    if (attempt >= ATTEMPTS || !(await throttled(response))) return response;
    // Not awaited: a body whose clone was read stays open until the clone's branch is cancelled too.
    response.body?.cancel().catch(() => {});
    await backoff(attempt);
  }
}

/**
 * Waits a random time up to the attempt's ceiling (full jitter).
 *
 * @param attempt The attempt that just failed, from 1.
 * @returns When the wait is over.
 */
export function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(CAP_MS, BASE_MS * 2 ** (attempt - 1));
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
