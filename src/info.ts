/**
 * The `--info` document: what each function is, needs, and should be given on each platform. Pure data, no I/O:
 * the CLI imports the entries and reads the overrides, this module describes.
 *
 * @module
 */

import { type BindingBackend, bindingBackends } from "./binding_backends.ts";
import { closest } from "./definition_error.ts";
import { PLATFORM_NAMES, type PlatformName, PLATFORMS, type SettingType, type SettingValue } from "./platforms.ts";
import { integerProblem, type Requirements } from "./requirements.ts";
import type { RouteInfo } from "./handler.ts";
import type { ServerlessFunction, Trigger } from "./serverless.ts";

/** The settings for one platform after overrides, and which of them came from an override. */
export interface PlatformInfo {
  /** The settings. */
  settings: Record<string, SettingValue>;
  /** The names of the settings whose value came from an override. */
  overridden: string[];
  /** What the platform cannot give the function, as sentences. */
  warnings: string[];
  /** Each binding's backend there and the variable that names its resource. */
  bindings: Record<string, BindingBackend>;
}

/** One function in the `--info` document. */
export interface FunctionInfo {
  /** The function's name. */
  name: string;
  /** The module that defines it, relative to the working directory. */
  entry: string;
  /** The export that holds it (`default` or a name). */
  export: string;
  /** Its description, or `null`. */
  description: string | null;
  /** Its HTTP routes. */
  routes: RouteInfo[];
  /** How it is invoked. */
  triggers: Trigger[];
  /** What it needs. */
  requirements: Requirements;
  /** Recommended settings per platform. */
  platforms: Record<PlatformName, PlatformInfo>;
}

/** The whole `--info` document. */
export interface InfoDocument {
  /** The version of slrs that wrote it. */
  slrs: string;
  /** The functions, in entry order. */
  functions: FunctionInfo[];
}

/** Settings that win over recommendations: function name → platform → setting → value. */
export type Overrides = Record<string, Partial<Record<PlatformName, Record<string, SettingValue>>>>;

/** Where a function was found. */
export interface FunctionSource {
  /** The defined function. */
  fn: ServerlessFunction<never>;
  /** The module path. */
  entry: string;
  /** The export name. */
  exportName: string;
}

/**
 * Describes one function for `--info`: its metadata, and per platform the recommended settings with the overrides
 * applied and a warning wherever the platform cannot meet a requirement.
 *
 * @param source The function and where it was found.
 * @param overrides The function's overrides per platform, if any.
 * @returns The function's entry of the `--info` document.
 *
 * @example A memory requirement Workers cannot meet
 * ```ts
 * import { serverless } from "../mod.ts";
 * import { describeFunction } from "./info.ts";
 *
 * const fn = serverless({ name: "big", requirements: { memory: 1024 }, fetch: () => new Response("ok") });
 * const info = describeFunction({ fn, entry: "big.ts", exportName: "default" });
 * console.assert(info.platforms["aws-lambda"].settings.memory === 1024);
 * console.assert(info.platforms.cloudflare.warnings.length > 0);
 * ```
 */
export function describeFunction(
  source: FunctionSource,
  overrides: Overrides[string] = {},
): FunctionInfo {
  const meta = source.fn.metadata;
  const platforms = {} as Record<PlatformName, PlatformInfo>;
  for (const platform of PLATFORM_NAMES) {
    const rule = PLATFORMS[platform];
    const own = overrides[platform] ?? {};
    const settings = { ...rule.recommend(meta.requirements), ...own };
    const bindings = bindingBackends(meta.requirements.bindings ?? {}, platform, settings);
    platforms[platform] = {
      settings,
      overridden: Object.keys(own),
      warnings: [...rule.check(meta.requirements, settings, meta.triggers), ...bindingWarnings(bindings, platform)],
      bindings,
    };
  }
  return {
    name: meta.name,
    entry: source.entry,
    export: source.exportName,
    description: meta.description ?? null,
    routes: [...meta.routes],
    triggers: [...meta.triggers],
    requirements: meta.requirements,
    platforms,
  };
}

/**
 * Checks an overrides object (from `slrs.overrides` in deno.json or an `--overrides` file) against the known
 * functions, platforms and settings, and each value against what its setting accepts (type, integer, range), so a
 * typo or a wrong type fails loudly instead of being ignored or replaced by a default.
 *
 * @param value The overrides as read.
 * @param functionNames The names of the functions being described.
 * @param root Where the object sits in its file, for messages: `slrs.overrides` (deno.json) or `""` (a file of its own).
 * @returns The overrides, typed.
 * @throws {TypeError} Naming the first bad key or value by its path.
 *
 * @example Usage
 * ```ts
 * import { validateOverrides } from "./info.ts";
 * const overrides = validateOverrides({ shop: { "aws-lambda": { memory: 512 } } }, ["shop"]);
 * console.assert(overrides.shop?.["aws-lambda"]?.memory === 512);
 * try {
 *   validateOverrides({ shop: { "aws-lambda": { memory: "1024" } } }, ["shop"]);
 * } catch (error) {
 *   console.assert(String(error).includes("slrs.overrides.shop.aws-lambda.memory must be an integer"));
 * }
 * ```
 */
export function validateOverrides(
  value: unknown,
  functionNames: readonly string[],
  root = "slrs.overrides",
): Overrides {
  const at = (...keys: string[]) => [root, ...keys].filter(Boolean).join(".");
  const top = record(value, root || "the overrides");
  for (const [fn, perPlatform] of Object.entries(top)) {
    if (!functionNames.includes(fn)) {
      throw new TypeError(
        `${at(fn)}: no function named "${fn}" was found${hint(fn, functionNames)}; ` +
          `functions: ${functionNames.join(", ") || "none"}.`,
      );
    }
    for (const [platform, settings] of Object.entries(record(perPlatform, at(fn)))) {
      if (!Object.hasOwn(PLATFORMS, platform)) {
        throw new TypeError(
          `${at(fn, platform)}: unknown platform${hint(platform, PLATFORM_NAMES)}; ` +
            `platforms: ${PLATFORM_NAMES.join(", ")}.`,
        );
      }
      const accepted = PLATFORMS[platform as PlatformName].settings as Readonly<Record<string, SettingType>>;
      const keys = Object.keys(accepted);
      for (const [key, setting] of Object.entries(record(settings, at(fn, platform)))) {
        const where = at(fn, platform, key);
        if (!Object.hasOwn(accepted, key)) {
          throw new TypeError(`${where}: unknown setting${hint(key, keys)}; settings: ${keys.join(", ")}.`);
        }
        const problem = settingProblem(setting, accepted[key]!);
        if (problem !== undefined) throw new TypeError(`${where} ${problem}; got ${JSON.stringify(setting)}.`);
      }
    }
  }
  return top as Overrides;
}

/**
 * What the bindings' backends on a platform fall short of: a binding with no backend, and each backend's numbered
 * limits of docs/bindings.md, once per backend in use. They are warnings whatever picked the backend: a limit is not
 * an override the platform refuses.
 *
 * @param bindings The bindings on the platform, as `--info` lists them.
 * @param platform The platform.
 * @returns The warnings.
 *
 * @example Usage
 * ```ts
 * import { bindingWarnings } from "./info.ts";
 * const warnings = bindingWarnings({ EMAILS: { kind: "queue", backend: "none" } }, "vercel");
 * console.assert(warnings[0]!.includes("no native backend on vercel"));
 * ```
 */
export function bindingWarnings(bindings: Record<string, BindingBackend>, platform: PlatformName): string[] {
  const warnings: string[] = [];
  for (const [name, { kind, backend }] of Object.entries(bindings)) {
    if (backend === "none") {
      warnings.push(
        `${kind} binding ${name} has no native backend on ${platform}; set the ${kind}Backend setting ` +
          `(e.g. "sqs" or "redis-queue") or it is undefined in ctx.env.`,
      );
    }
  }
  const used = new Set<string>(Object.values(bindings).map((binding) => binding.backend));
  for (const [backend, limit] of Object.entries(BACKEND_LIMITS)) if (used.has(backend)) warnings.push(limit);
  return warnings;
}

/** The numbered limits of docs/bindings.md that each backend adds to the interface's contract. */
const BACKEND_LIMITS: Readonly<Record<string, string>> = {
  "workers-kv": "KV on Workers KV is eventually consistent: a write can take 60 s or more to be seen in other " +
    "locations (docs/bindings.md, limit 5).",
  dynamodb: "KV on DynamoDB: keys up to 1,024 bytes (keep them to 512 to be portable) and values up to about 400 KB " +
    "with their key and metadata; one table sustains about 1,000 writes per second (docs/bindings.md, limits 1, 2, 7).",
  s3: "Bucket on S3: no empty key, and custom metadata names only a-z, 0-9, - and _ with ASCII values " +
    "(docs/bindings.md, limits 9, 11).",
  sqs: "Queue on SQS: delays up to 900 s, and sendBatch of more than 10 messages is not atomic " +
    "(docs/bindings.md, limits 13, 16).",
  "azure-table": "KV on Table Storage: no expiry of its own, so expired entries are billed until overwritten; " +
    "values up to 704 KiB (docs/bindings.md, limits 17, 21).",
  "azure-blob": "Bucket on Blob Storage: no empty key and no . or .. segments (docs/bindings.md, limit 20).",
  "azure-queue": "Queue on Queue Storage: about 48 KiB per message, and sendBatch is not atomic " +
    "(docs/bindings.md, limit 21).",
  firestore: "KV on Firestore: keys up to 750 bytes, values up to 1 MiB less 4 KiB (docs/bindings.md, limit 26).",
  gcs: "Bucket on Cloud Storage: deleting many keys is one request per key, not atomic (docs/bindings.md, limit 30).",
  pubsub: "Queue on Pub/Sub: no delaySeconds; send refuses a delay (docs/bindings.md, limit 24).",
  upstash: "KV on Upstash: values up to 7 MiB (docs/bindings.md, limit 27).",
  "vercel-blob": "Bucket on Vercel Blob: no custom metadata, keys up to 950 characters, and streamed puts are not " +
    "retried (docs/bindings.md, limits 25, 29).",
  redis: "KV on Redis: keys up to 512 bytes, values up to 25 MiB (docs/bindings.md, limit 22).",
  "redis-queue": "Queue on Redis: delivered at most once, up to 128 KB per message (docs/bindings.md, limit 22).",
  local: "KV in a local file: one process owns the file (docs/bindings.md, limit 23).",
  "local-bucket": "Bucket in a local directory: list slows with the number of objects (docs/bindings.md, limit 23).",
};

function settingProblem(value: unknown, accepted: SettingType): string | undefined {
  switch (accepted.type) {
    case "choice":
      return typeof value === "string" && accepted.values.includes(value)
        ? undefined
        : `must be one of ${accepted.values.join(", ")}${
          typeof value === "string" ? hint(value, accepted.values) : ""
        }`;
    case "integer":
      return integerProblem(value, accepted, accepted.unit);
    case "string":
      if (typeof value !== "string") return `must be a string${accepted.form ? ` (${accepted.form})` : ""}`;
      return accepted.pattern === undefined || accepted.pattern.test(value) ? undefined : `must be ${accepted.form}`;
    case "strings":
      return Array.isArray(value) && value.every((item) => typeof item === "string")
        ? undefined
        : "must be an array of strings";
  }
}

function record(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`${where}: must be an object; got ${JSON.stringify(value)}.`);
  }
  return value as Record<string, unknown>;
}

function hint(key: string, known: readonly string[]): string {
  const near = closest(key, known);
  return near === undefined ? "" : ` (did you mean "${near}"?)`;
}
