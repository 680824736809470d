/**
 * Structured logging: one JSON line per record, each carrying the request id.
 *
 * @module
 */

/** Severity of a {@linkcode LogRecord}. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** One log record as written by a {@linkcode Logger}. */
export interface LogRecord {
  /** Severity. */
  level: LogLevel;
  /** What happened. */
  msg: string;
  /** The request (or invocation) this record belongs to. */
  requestId: string;
  /** ISO 8601 time of the record. */
  time: string;
  /** Extra fields passed by the caller. */
  [field: string]: unknown;
}

/** Where log records go. The default writes one JSON line to the console. */
export type LogSink = (record: LogRecord) => void;

/** A logger bound to one request. */
export interface Logger {
  /** Logs at `debug` level. */
  debug(msg: string, fields?: Record<string, unknown>): void;
  /** Logs at `info` level. */
  info(msg: string, fields?: Record<string, unknown>): void;
  /** Logs at `warn` level. */
  warn(msg: string, fields?: Record<string, unknown>): void;
  /** Logs at `error` level. */
  error(msg: string, fields?: Record<string, unknown>): void;
}

/**
 * Writes a record as one JSON line: errors and warnings to `console.error`, the rest to `console.log`, which every
 * platform collects (CloudWatch, Workers Logs, Application Insights, Cloud Logging).
 *
 * @param record The record to write.
 *
 * @example Usage
 * ```ts
 * import { consoleSink } from "./log.ts";
 * consoleSink({ level: "info", msg: "started", requestId: "r-1", time: new Date().toISOString() });
 * ```
 */
export function consoleSink(record: LogRecord): void {
  const line = logLine(record);
  if (record.level === "error" || record.level === "warn") console.error(line);
  else console.log(line);
}

/**
 * Creates a logger whose records carry `requestId`.
 *
 * @param requestId The id every record carries.
 * @param sink Where records go; {@linkcode consoleSink} by default.
 * @returns The logger.
 *
 * @example Capture records
 * ```ts
 * import { createLogger, type LogRecord } from "./log.ts";
 * const records: LogRecord[] = [];
 * createLogger("r-1", (r) => records.push(r)).info("hello", { user: 7 });
 * console.assert(records[0]?.requestId === "r-1" && records[0]?.user === 7);
 * ```
 */
export function createLogger(requestId: string, sink: LogSink = consoleSink): Logger {
  const write = (level: LogLevel) => (msg: string, fields?: Record<string, unknown>) => {
    const record = { level, msg, requestId, time: new Date().toISOString() };
    // Logging must never fail the code that logs: a throwing getter in `fields` or a broken sink would otherwise
    // turn a log call into a 500 (or crash a trigger), blaming the request for the logger.
    try {
      sink({ ...fields, ...record });
    } catch (error) {
      console.error(logLine({ ...record, logError: errorText(error) }));
    }
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}

/**
 * The stack of an error (or the text of a thrown non-error), for logs only: never for a response.
 *
 * @param error Anything that was thrown.
 * @returns A printable description.
 *
 * @example Usage
 * ```ts
 * import { errorText } from "./log.ts";
 * console.assert(errorText(new Error("boom")).includes("boom"));
 * ```
 */
export function errorText(error: unknown): string {
  // Whatever was thrown must be describable: `Object.create(null)` has no `toString`, a Proxy may throw from every
  // trap, and a plain object would print as the useless "[object Object]", so it is written as JSON instead.
  let text = "[an indescribable value]";
  try {
    text = Object.prototype.toString.call(error);
    if (error instanceof Error && typeof error.stack === "string") return error.stack;
    text = String(error);
  } catch { /* no usable toString: the tag stands */ }
  try {
    if (text === "[object Object]" && typeof error === "object") {
      const json = JSON.stringify(error, jsonSafe());
      if (json !== undefined && json !== "{}") text = json;
    }
  } catch { /* a toJSON or getter that throws: the tag stands */ }
  return text;
}

/**
 * A log record as one line of JSON that is always written: BigInts become strings, errors their stack, a value met
 * again inside itself `"[Circular]"`; a record that still cannot be serialized (a getter or `toJSON` that throws)
 * keeps its level, message, request id and time and says why its fields were dropped. Sinks that write JSON use
 * it so that no value a handler logs can make the log call throw.
 *
 * @param record The record.
 * @returns One line of JSON.
 *
 * @example Usage
 * ```ts
 * import { logLine } from "./log.ts";
 * const record: Record<string, unknown> = { level: "info", msg: "x", requestId: "r-1", time: "t", n: 1n };
 * record.self = record;
 * const line = logLine(record as never);
 * console.assert(line.includes('"n":"1"') && line.includes('"self":"[Circular]"'));
 * ```
 */
export function logLine(record: LogRecord): string {
  try {
    return JSON.stringify(record, jsonSafe());
  } catch (error) {
    const core = (["level", "msg", "requestId", "time"] as const).map((key) => [key, errorText(record[key])]);
    return JSON.stringify({
      ...Object.fromEntries(core),
      logError: `its fields could not be written as JSON: ${errorText(error)}`,
    });
  }
}

// A JSON.stringify replacer that turns what JSON cannot hold into text. Cycles are found by keeping the chain of
// objects from the root to the current value (JSON.stringify calls the replacer with the holder as `this`, which is
// on the chain unless it is the root's wrapper), so a value shared by two fields is written twice rather than taken
// for a cycle.
function jsonSafe(): (this: unknown, key: string, value: unknown) => unknown {
  const chain: unknown[] = [];
  return function (this: unknown, _key: string, value: unknown): unknown {
    if (typeof value === "bigint") return String(value);
    if (value instanceof Error) return errorText(value);
    if (typeof value !== "object" || value === null) return value;
    chain.splice(chain.indexOf(this) + 1);
    if (chain.includes(value)) return "[Circular]";
    chain.push(value);
    return value;
  };
}
