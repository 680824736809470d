/**
 * Internal: the process environment, and `waitUntil` bookkeeping, for adapters that end the invocation when the
 * handler returns (AWS Lambda, Azure, Vercel, Google).
 *
 * @module
 */

/**
 * The environment variables as a plain object: `process.env` on Node (and Deno, which provides it), else `{}`.
 *
 * @returns The variables.
 *
 * @example Usage
 * ```ts
 * import { processEnv } from "./_env.ts";
 * console.assert(typeof processEnv() === "object");
 * ```
 */
export function processEnv(): Record<string, string | undefined> {
  const process = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return process?.env ?? {};
}

/**
 * Tracks `ctx.waitUntil` work for platforms that end the invocation when the handler returns.
 *
 * @returns `add` for `createContext({ waitUntil })` and `settled()`, which waits for everything added so far
 * (`undefined` when nothing was: most invocations, which then await nothing).
 *
 * @example Usage
 * ```ts
 * import { pending } from "./_env.ts";
 * const work = pending();
 * let done = false;
 * work.add(Promise.resolve().then(() => (done = true)));
 * await work.settled();
 * console.assert(done);
 * ```
 */
export function pending(): { add: (promise: Promise<unknown>) => void; settled: () => Promise<void> | undefined } {
  // Made on the first `add`: most invocations never call `waitUntil`.
  let promises: Promise<unknown>[] | undefined;
  // Work added while waiting (a waitUntil task that calls waitUntil) is awaited too.
  const all = async (list: Promise<unknown>[]) => {
    for (let seen = 0; seen < list.length;) {
      const batch = list.slice(seen);
      seen = list.length;
      await Promise.allSettled(batch);
    }
  };
  return {
    add: (promise) => void (promises ??= []).push(promise),
    settled: () => promises === undefined ? undefined : all(promises),
  };
}
