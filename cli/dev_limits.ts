/**
 * The platform limits `dev` holds a function to: `requirements.timeout` (the request's signal aborts and the client
 * gets a 504 at the deadline, as from API Gateway or a Function URL when Lambda times out) and `requirements.memory`
 * (reported when the process grows past it).
 *
 * Memory is measured as the resident set size of the whole dev process after each request. That is what a
 * platform counts too (Lambda's "Max Memory Used" includes the runtime), but here it also includes the CLI, the
 * other functions dev serves and memory the garbage collector has not given back yet, so it over-reports on a busy
 * server and cannot say which request allocated what. It warns; nothing is stopped.
 *
 * @module
 */

import process from "node:process";
import type { ServerlessFunction } from "../src/serverless.ts";

/** The per-request deadline of a function, or none when it sets no `requirements.timeout`. */
export interface Deadline {
  /** Epoch milliseconds, `Infinity` without a timeout. */
  readonly at: number;
  /** Aborts at the deadline (with a `TimeoutError`) or when the client goes away. */
  readonly signal: AbortSignal;
  /** Stops the timer once the request is answered. */
  clear(): void;
}

/**
 * Starts the deadline of one request.
 *
 * @param fn The function, whose `requirements.timeout` (seconds) sets it.
 * @param client The request's own signal (the client went away).
 * @returns The deadline.
 *
 * @example Usage
 * ```ts
 * import { serverless } from "../mod.ts";
 * import { startDeadline } from "./dev_limits.ts";
 * const fn = serverless({ name: "a", requirements: { timeout: 3 }, fetch: () => new Response("a") });
 * const deadline = startDeadline(fn, new AbortController().signal);
 * console.assert(deadline.at - Date.now() <= 3000 && !deadline.signal.aborted);
 * deadline.clear();
 * ```
 */
export function startDeadline(fn: ServerlessFunction<never>, client: AbortSignal): Deadline {
  const seconds = fn.metadata.requirements.timeout;
  if (seconds === undefined) return { at: Infinity, signal: client, clear: () => {} };
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException(`"${fn.name}" ran out of its ${seconds} s timeout.`, "TimeoutError")),
    seconds * 1000,
  );
  return {
    at: Date.now() + seconds * 1000,
    signal: AbortSignal.any([client, controller.signal]),
    clear: () => clearTimeout(timer),
  };
}

/**
 * Answers with the handler's response, or with a 504 once the deadline passes first. The handler keeps running
 * (a platform would freeze or stop it); its signal has aborted, so well-behaved work stops.
 *
 * @param fn The function, for the message.
 * @param deadline The request's deadline.
 * @param requestId The request id, for the answer.
 * @param answer The handler's answer.
 * @returns The response.
 *
 * @example Usage
 * ```ts
 * import { serverless } from "../mod.ts";
 * import { answerWithin, startDeadline } from "./dev_limits.ts";
 * const fn = serverless({ name: "a", fetch: () => new Response("a") });
 * const deadline = startDeadline(fn, new AbortController().signal);
 * const res = await answerWithin(fn, deadline, "r-1", Promise.resolve(new Response("a")));
 * console.assert(res.status === 200);
 * ```
 */
export async function answerWithin(
  fn: ServerlessFunction<never>,
  deadline: Deadline,
  requestId: string,
  answer: Promise<Response>,
): Promise<Response> {
  if (deadline.at === Infinity) return await answer;
  const timedOut = new Promise<Response>((resolve) => {
    const onAbort = () => {
      const seconds = fn.metadata.requirements.timeout;
      console.error(`[warn] "${fn.name}" did not answer within its timeout of ${seconds} s (request ${requestId})`);
      resolve(Response.json({ message: "Endpoint request timed out", requestId }, { status: 504 }));
    };
    if (deadline.signal.aborted) onAbort();
    else deadline.signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([answer, timedOut]);
  } finally {
    deadline.clear();
  }
}

/** Warns when the dev process has grown past a function's `requirements.memory`, once per new peak. */
export class MemoryWatch {
  #peak = 0;

  /**
   * Checks the process after a request of `fn`.
   *
   * @param fn The function that just answered.
   * @param requestId Its request id, for the log line.
   *
   * @example Usage
   * ```ts
   * import { serverless } from "../mod.ts";
   * import { MemoryWatch } from "./dev_limits.ts";
   * new MemoryWatch().check(serverless({ name: "a", requirements: { memory: 128 } }), "r-1");
   * ```
   */
  check(fn: ServerlessFunction<never>, requestId: string): void {
    const limit = fn.metadata.requirements.memory;
    if (limit === undefined) return;
    const mb = Math.round(process.memoryUsage().rss / (1024 * 1024));
    if (mb <= limit || mb <= this.#peak) return;
    this.#peak = mb;
    console.error(
      `[warn] "${fn.name}" is over its requirements.memory of ${limit} MB: the dev process uses ${mb} MB after ` +
        `request ${requestId} (resident set of the whole process; see docs/dev.md). On the platform the ` +
        "invocation could be stopped for running out of memory.",
    );
  }
}
