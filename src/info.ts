/**
 * The `--info` document: what each function is, needs, and should be given on each platform. Pure data, no I/O:
 * the CLI imports the entries and reads the overrides, this module describes.
 *
 * @module
 */

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
    platforms[platform] = {
      settings,
      overridden: Object.keys(own),
      warnings: rule.check(meta.requirements, settings, meta.triggers),
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

function settingProblem(value: unknown, accepted: SettingType): string | undefined {
  switch (accepted.type) {
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
