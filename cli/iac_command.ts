/**
 * `cli.ts iac terraform|wrangler [entry…]`: deployment descriptions from the `--info` document, overrides applied.
 *
 * @module
 */

import { mkdir } from "node:fs/promises";
import { relative, resolve } from "node:path";
import { terraform, type TerraformPlatform } from "./iac/terraform.ts";
import { platformProblems } from "./iac/overrides.ts";
import { wranglerConfig } from "./iac/wrangler.ts";
import { CliError } from "./errors.ts";
import { didYouMean } from "./help.ts";
import { infoDocument } from "./info_command.ts";
import type { Runtime } from "./runtime.ts";

/** Options of the `iac` command. */
export interface IacOptions {
  /** `terraform` or `wrangler`. */
  kind: string | undefined;
  /** Entry modules; discovered from `slrs.functions` when empty. */
  entries: string[];
  /** Where to write: `infra` for Terraform, `infra/wrangler` for wrangler by default. */
  out?: string | undefined;
  /** Where `cli.ts build` writes its output (default `dist`). */
  dist?: string | undefined;
  /** Terraform only: `aws-lambda`, `cloudflare` or both, comma-separated. */
  platform?: string | undefined;
  /** A JSON file of overrides that win over `slrs.overrides`. */
  overridesFile?: string | undefined;
}

const PLATFORMS: readonly TerraformPlatform[] = ["aws-lambda", "cloudflare"];

/**
 * Writes the Terraform JSON files or the wrangler configurations, prints the path of each, and returns the exit code.
 * Overrides a platform cannot honour stop it before anything is written.
 *
 * @param runtime The runtime layer.
 * @param options The kind, entries, output directories and overrides.
 * @returns 0 once written.
 * @throws {CliError} On an unknown kind or platform (exit 2) and on overrides a platform cannot honour (exit 1).
 *
 * @example An unknown kind is a command-line error
 * ```ts
 * import { iac } from "./iac_command.ts";
 * import { currentRuntime } from "./runtime.ts";
 * const error = await iac(currentRuntime(), { kind: "pulumi", entries: [] }).catch((e) => e);
 * console.assert(error.exitCode === 2);
 * ```
 */
export async function iac(runtime: Runtime, options: IacOptions): Promise<number> {
  if (options.kind !== "terraform" && options.kind !== "wrangler") {
    throw new CliError(
      `iac needs what to write: "iac terraform" or "iac wrangler"; got ${JSON.stringify(options.kind ?? "")}.`,
      2,
    );
  }
  if (options.kind === "wrangler" && options.platform !== undefined) {
    throw new CliError("--platform belongs to iac terraform; wrangler is for Cloudflare only.", 2);
  }
  const platforms = parsePlatforms(options.platform);
  const doc = await infoDocument(runtime, { entries: options.entries, overridesFile: options.overridesFile });
  const dist = resolve(runtime.cwd(), options.dist ?? "dist");
  const written: [string, string][] = [];
  const warnings: string[] = [];

  if (options.kind === "terraform") {
    const out = resolve(runtime.cwd(), options.out ?? "infra");
    const result = terraform(doc, { platforms, dist: relative(out, dist).replaceAll("\\", "/") || "." });
    fail(result.errors);
    warnings.push(...result.warnings);
    for (const [name, json] of Object.entries(result.files)) {
      written.push([resolve(out, name), `${JSON.stringify(json, null, 2)}\n`]);
    }
  } else {
    const out = resolve(runtime.cwd(), options.out ?? "infra/wrangler");
    const errors: string[] = [];
    for (const fn of doc.functions) {
      const problems = platformProblems(fn, "cloudflare");
      errors.push(...problems.errors);
      warnings.push(...problems.warnings);
      const dir = resolve(out, fn.name);
      const main = relative(dir, resolve(dist, "cloudflare", `${fn.name}.js`)).replaceAll("\\", "/");
      written.push([resolve(dir, "wrangler.jsonc"), wranglerConfig(fn, { main })]);
    }
    fail(errors);
  }

  for (const warning of warnings) console.error(`slrs: warning: ${warning}`);
  for (const [path, text] of written) {
    await mkdir(resolve(path, ".."), { recursive: true });
    await runtime.writeText(path, text);
    console.error(`wrote ${relative(runtime.cwd(), path).replaceAll("\\", "/")}`);
  }
  return 0;
}

function parsePlatforms(value: string | undefined): TerraformPlatform[] {
  if (value === undefined) return [...PLATFORMS];
  const names = value.split(",").map((name) => name.trim());
  for (const name of names) {
    if (!PLATFORMS.includes(name as TerraformPlatform)) {
      const hint = didYouMean(name, PLATFORMS);
      throw new CliError(`--platform ${name}${hint}: Terraform is written for ${PLATFORMS.join(" and ")}.`, 2);
    }
  }
  return names as TerraformPlatform[];
}

function fail(errors: string[]): void {
  if (errors.length === 0) return;
  throw new CliError(`nothing was written; a platform cannot take these settings:\n  ${errors.join("\n  ")}`);
}
