/**
 * Waiting without timing luck: poll a condition until it holds or a deadline passes, then fail with what was seen.
 *
 * @module
 */

/**
 * Calls `probe` until `accept` holds for its result, or fails after `timeoutMs` with the last value seen.
 *
 * @param what What is being waited for, for the failure message.
 * @param probe Reads the current state.
 * @param accept Whether the state is the one wanted.
 * @param timeoutMs The deadline. Default 10 s.
 * @returns The accepted value.
 */
export async function pollUntil<T>(
  what: string,
  probe: () => T | Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  for (let wait = 5;; wait = Math.min(wait * 2, 100)) {
    last = await probe();
    if (accept(last)) return last;
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(last)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/**
 * Polls until `probe` returns the same value `times` times in a row: the state has stopped changing.
 *
 * @param what What is being waited for.
 * @param probe Reads the current state.
 * @param times How many equal readings in a row count as stable.
 * @param timeoutMs The deadline.
 * @returns The stable value.
 */
export async function pollUntilStable<T>(
  what: string,
  probe: () => T | Promise<T>,
  times = 5,
  timeoutMs = 10_000,
): Promise<T> {
  let previous: string | undefined;
  let same = 0;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    const text = JSON.stringify(value);
    same = text === previous ? same + 1 : 0;
    previous = text;
    if (same >= times) return value;
    if (Date.now() > deadline) throw new Error(`${what} kept changing for ${timeoutMs} ms; last: ${text}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
