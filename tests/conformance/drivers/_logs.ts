/**
 * Keeps the function's own log lines (the JSON records `ctx.log` writes to the console, e.g. the thrown-error case's
 * stack) out of the test output, where the platform would have sent them to its log service. Everything else is
 * written as usual.
 *
 * @module
 */

/**
 * Filters `console.log` and `console.error` until the returned function is called.
 *
 * @returns Restores the console.
 */
export function quietFunctionLogs(): () => void {
  const { log, error } = console;
  const filter = (write: (...data: unknown[]) => void) => (...data: unknown[]) => {
    const first = data[0];
    if (data.length === 1 && typeof first === "string" && /^\{.*"level":"\w+".*\}$/s.test(first)) return;
    write(...data);
  };
  console.log = filter(log);
  console.error = filter(error);
  return () => {
    console.log = log;
    console.error = error;
  };
}
