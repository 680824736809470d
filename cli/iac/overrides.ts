/**
 * Which of a function's `--info` warnings come from an override. `--info` only warns; `build` and `iac` refuse to
 * write a deployment that a platform cannot honour, but only where the user asked for it: a requirement the platform
 * cannot meet (1 GB on Workers) stays a warning, an override it cannot take (`memory: 20000` on Lambda) is an error.
 *
 * The limits live in one place, `src/platforms.ts`: the warnings are recomputed there without the overrides, and a
 * warning that only appears with them is the overrides' doing.
 *
 * @module
 */

import { bindingWarnings, type FunctionInfo } from "../../src/info.ts";
import { type PlatformName, PLATFORMS } from "../../src/platforms.ts";

/** A function's warnings on one platform, split by cause. */
export interface PlatformProblems {
  /** Caused by an override: the deployment must not be written. Each names the setting, its value and the limit. */
  errors: string[];
  /** Caused by the requirements alone: worth saying, not worth stopping for. */
  warnings: string[];
}

/**
 * Splits a function's `--info` warnings for one platform into errors (an override the platform cannot honour) and
 * warnings (a requirement it cannot meet).
 *
 * @param fn The function's entry of the `--info` document.
 * @param platform The platform being deployed to.
 * @returns The errors and the warnings, as sentences that start with the function's name.
 *
 * @example An override above Lambda's memory limit is an error
 * ```ts
 * import { serverless } from "../../mod.ts";
 * import { describeFunction } from "../../src/info.ts";
 * import { platformProblems } from "./overrides.ts";
 *
 * const fn = serverless({ name: "big", fetch: () => new Response("ok") });
 * const info = describeFunction({ fn, entry: "big.ts", exportName: "default" }, { "aws-lambda": { memory: 20000 } });
 * const { errors } = platformProblems(info, "aws-lambda");
 * console.assert(errors[0]?.includes("memory 20000 MB is outside Lambda's 128–10240 MB"));
 * ```
 */
export function platformProblems(fn: FunctionInfo, platform: PlatformName): PlatformProblems {
  const rule = PLATFORMS[platform];
  const info = fn.platforms[platform];
  const withoutOverrides = new Set([
    ...rule.check(fn.requirements, rule.recommend(fn.requirements), fn.triggers),
    ...bindingWarnings(info.bindings, platform),
  ]);
  const set = info.overridden.map((key) => `${key}=${JSON.stringify(info.settings[key])}`).join(", ");
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const warning of info.warnings) {
    if (withoutOverrides.has(warning)) warnings.push(`${fn.name} on ${platform}: ${warning}`);
    else errors.push(`${fn.name} on ${platform}: ${warning} (overridden: ${set}; change or remove the override)`);
  }
  return { errors, warnings };
}
