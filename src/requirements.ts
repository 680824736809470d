/**
 * What a function needs from the platform, in platform-neutral units, and its validation.
 *
 * @module
 */

import { closest, DefinitionError } from "./definition_error.ts";

/** CPU architecture. */
export type Architecture = "x86_64" | "arm64";

/** Named bindings a function uses, by kind; each name becomes a key of `ctx.env`. */
export interface Bindings {
  /** Key-value namespaces (Workers KV, or a local store in `cli.ts dev`). */
  kv?: readonly string[];
  /** D1 databases. */
  d1?: readonly string[];
  /** Other SQL databases. */
  sql?: readonly string[];
  /** Queues the function sends to. */
  queues?: readonly string[];
  /** Object storage buckets. */
  buckets?: readonly string[];
  /** Secrets. */
  secrets?: readonly string[];
}

/** What a function needs; `--info` turns it into settings per platform. */
export interface Requirements {
  /** Memory in MB, 128–10240. */
  memory?: number;
  /** Wall-clock limit per invocation in seconds, 1–900. */
  timeout?: number;
  /** CPU architecture, where the platform offers a choice. */
  architecture?: Architecture;
  /** Most concurrent invocations, where the platform can cap them. */
  concurrency?: number;
  /** Names of environment variables the function reads. */
  env?: string[];
  /** Bindings by kind. */
  bindings?: Bindings;
  /** Preferred regions, in the platforms' own names. */
  regions?: string[];
  /**
   * Whether responses must reach the client as they are written (server-sent events, large downloads) instead of
   * after the handler's body has been read to the end. Workers, Vercel, Azure, Google Cloud, Deno and Node stream
   * anyway; on AWS Lambda it selects the `invokeMode` setting `RESPONSE_STREAM`, so `build` makes a streaming entry
   * and the function URL streams (up to 200 MB instead of 6 MB).
   *
   * @example A function that sends server-sent events
   * ```ts
   * import { serverless } from "../mod.ts";
   *
   * const ticks = serverless({
   *   name: "ticks",
   *   requirements: { streaming: true },
   *   fetch: () => new Response("data: 1\n\n", { headers: { "content-type": "text/event-stream" } }),
   * });
   * console.assert(ticks.metadata.requirements.streaming === true);
   * ```
   */
  streaming?: boolean;
}

/** The limits `serverless()` accepts, before any platform narrows them. */
export const LIMITS: {
  readonly memory: { readonly min: number; readonly max: number };
  readonly timeout: { readonly min: number; readonly max: number };
} = {
  memory: { min: 128, max: 10240 },
  timeout: { min: 1, max: 900 },
};

/** An inclusive range of integers; without `max`, any integer from `min` up. */
export interface IntegerRange {
  /** The smallest value accepted. */
  readonly min: number;
  /** The largest value accepted. */
  readonly max?: number;
}

/** The unit an integer is given in, for messages: megabytes, seconds, or a plain count. */
export type IntegerUnit = "MB" | "s" | "";

/**
 * What is wrong with a value that should be an integer in `range`, as a phrase for an error message; the same check
 * for `requirements` and for the overrides of `--info`, `build` and `iac`.
 *
 * @param value The value given.
 * @param range The integers accepted.
 * @param unit The unit, named in the phrase.
 * @returns `undefined` when the value is fine, else what it must be.
 *
 * @example Usage
 * ```ts
 * import { integerProblem } from "./requirements.ts";
 * console.assert(integerProblem(256, { min: 128, max: 10240 }, "MB") === undefined);
 * console.assert(integerProblem("1024", { min: 128, max: 10240 }, "MB") === "must be an integer from 128 to 10240 (MB)");
 * console.assert(integerProblem(-5, { min: 1 }, "s") === "must be an integer of at least 1 (seconds)");
 * ```
 */
export function integerProblem(value: unknown, range: IntegerRange, unit: IntegerUnit): string | undefined {
  const max = range.max ?? Infinity;
  if (typeof value === "number" && Number.isInteger(value) && value >= range.min && value <= max) return undefined;
  const what = unit === "MB" ? " (MB)" : unit === "s" ? " (seconds)" : "";
  return range.max === undefined
    ? `must be an integer of at least ${range.min}${what}`
    : `must be an integer from ${range.min} to ${range.max}${what}`;
}

const REQUIREMENT_KEYS = [
  "memory",
  "timeout",
  "architecture",
  "concurrency",
  "env",
  "bindings",
  "regions",
  "streaming",
] as const;
const BINDING_KINDS = ["kv", "d1", "sql", "queues", "buckets", "secrets"] as const;
const ARCHITECTURES: readonly Architecture[] = ["x86_64", "arm64"];
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Checks requirements and returns a copy, throwing a {@linkcode DefinitionError} that names the first bad field.
 *
 * @param fn The function's name, for the message.
 * @param value The `requirements` option as given.
 * @returns The validated requirements.
 *
 * @example Usage
 * ```ts
 * import { validateRequirements } from "./requirements.ts";
 * const req = validateRequirements("shop", { memory: 256, architecture: "arm64" });
 * console.assert(req.memory === 256);
 * ```
 */
export function validateRequirements(fn: string, value: unknown): Requirements {
  if (value === undefined) return {};
  const req = plainObject(fn, "requirements", value);
  rejectUnknown(fn, "requirements", req, REQUIREMENT_KEYS);
  const out: Requirements = {};
  if (req.memory !== undefined) out.memory = integer(fn, "requirements.memory", req.memory, LIMITS.memory, "MB");
  if (req.timeout !== undefined) out.timeout = integer(fn, "requirements.timeout", req.timeout, LIMITS.timeout, "s");
  if (req.architecture !== undefined) {
    if (!ARCHITECTURES.includes(req.architecture as Architecture)) {
      throw new DefinitionError(fn, "requirements.architecture", req.architecture, `must be "x86_64" or "arm64"`);
    }
    out.architecture = req.architecture as Architecture;
  }
  if (req.concurrency !== undefined) {
    out.concurrency = integer(fn, "requirements.concurrency", req.concurrency, { min: 1, max: 100_000 }, "");
  }
  if (req.env !== undefined) {
    out.env = names(fn, "requirements.env", req.env, ENV_NAME, "variable names like DATABASE_URL");
  }
  if (req.regions !== undefined) {
    out.regions = names(fn, "requirements.regions", req.regions, /^[a-z0-9-]+$/i, "region names like eu-west-1");
  }
  if (req.bindings !== undefined) out.bindings = validateBindings(fn, req.bindings);
  if (req.streaming !== undefined) {
    if (typeof req.streaming !== "boolean") {
      throw new DefinitionError(fn, "requirements.streaming", req.streaming, "must be true or false");
    }
    out.streaming = req.streaming;
  }
  return out;
}

function validateBindings(fn: string, value: unknown): Bindings {
  const bindings = plainObject(fn, "requirements.bindings", value);
  rejectUnknown(fn, "requirements.bindings", bindings, BINDING_KINDS);
  const out: Bindings = {};
  const seen = new Set<string>();
  for (const kind of BINDING_KINDS) {
    if (bindings[kind] === undefined) continue;
    const field = `requirements.bindings.${kind}`;
    const list = names(fn, field, bindings[kind], ENV_NAME, "binding names like CACHE");
    for (const name of list) {
      if (seen.has(name)) throw new DefinitionError(fn, field, name, "must not reuse a binding name of another kind");
      seen.add(name);
    }
    out[kind] = list;
  }
  return out;
}

/**
 * Throws a {@linkcode DefinitionError} for the first key of `object` outside `known`, suggesting the nearest one.
 *
 * @param fn The function's name, for the message.
 * @param field Where the object sits, e.g. `requirements`.
 * @param object The object to check.
 * @param known The accepted keys.
 *
 * @example Usage
 * ```ts
 * import { rejectUnknown } from "./requirements.ts";
 * rejectUnknown("shop", "requirements", { memory: 1 }, ["memory"]);
 * ```
 */
export function rejectUnknown(fn: string | undefined, field: string, object: object, known: readonly string[]): void {
  for (const key of Object.keys(object)) {
    if (known.includes(key)) continue;
    const hint = closest(key, known);
    const accepted = `is not a known key${hint ? ` (did you mean "${hint}"?)` : ""}; the keys accepted are ${
      known.join(", ")
    }`;
    throw new DefinitionError(fn, field === "" ? key : `${field}.${key}`, key, accepted);
  }
}

/**
 * Checks that a value is a plain object.
 *
 * @param fn The function's name, for the message.
 * @param field The field's path.
 * @param value The value.
 * @returns The value, typed as a record.
 *
 * @example Usage
 * ```ts
 * import { plainObject } from "./requirements.ts";
 * console.assert(plainObject("shop", "requirements", { a: 1 }).a === 1);
 * ```
 */
export function plainObject(fn: string | undefined, field: string, value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new DefinitionError(fn, field, value, "must be an object");
  }
  return value as Record<string, unknown>;
}

function integer(fn: string, field: string, value: unknown, range: IntegerRange, unit: IntegerUnit): number {
  const problem = integerProblem(value, range, unit);
  if (problem !== undefined) throw new DefinitionError(fn, field, value, problem);
  return value as number;
}

function names(fn: string, field: string, value: unknown, pattern: RegExp, what: string): string[] {
  if (!Array.isArray(value)) throw new DefinitionError(fn, field, value, `must be an array of ${what}`);
  for (const [index, item] of value.entries()) {
    if (typeof item !== "string" || !pattern.test(item)) {
      throw new DefinitionError(fn, `${field}[${index}]`, item, `must be one of the ${what}`);
    }
  }
  return [...value];
}
