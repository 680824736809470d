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
  const line = JSON.stringify(record);
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
  const write = (level: LogLevel) => (msg: string, fields?: Record<string, unknown>) =>
    sink({ ...fields, level, msg, requestId, time: new Date().toISOString() });
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
  return error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
}
