/**
 * `cli.ts iac terraform|wrangler [entry…]`: deployment descriptions from the `--info` document, overrides applied.
 *
 * @module
 */

import { mkdir, stat } from "node:fs/promises";
import { relative, resolve } from "node:path";
import type { InfoDocument } from "../src/info.ts";
import { type Artifact, artifact, BUILD_FOLDERS } from "./iac/artifacts.ts";
import { terraform, TERRAFORM_PLATFORMS, type TerraformPlatform } from "./iac/terraform.ts";
import { platformProblems } from "./iac/overrides.ts";
import { wranglerConfig } from "./iac/wrangler.ts";
import { writeTracked } from "./iac/written_files.ts";
import { build } from "./build_command.ts";
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
  /** Where `slrs build` writes its output (default `dist`). */
  dist?: string | undefined;
  /**
   * Terraform only: some of `aws-lambda`, `cloudflare`, `azure`, `gcp`, comma-separated. Without it, every platform
   * with build output in `dist`.
   */
  platform?: string | undefined;
  /** Terraform only: run `build` for each artifact the files refer to before writing them. */
  build?: boolean | undefined;
  /** A JSON file of overrides that win over `slrs.overrides`. */
  overridesFile?: string | undefined;
}

/**
 * Writes the Terraform JSON files or the wrangler configurations, prints the path of each, and returns the exit code.
 * Overrides a platform cannot honour stop it before anything is written, and so does a build artifact that a
 * Terraform file would refer to but that is not there (unless `build` is set, which builds them first). Terraform
 * files an earlier run wrote that no longer apply are removed (`cli/iac/written_files.ts`).
 *
 * @param runtime The runtime layer.
 * @param options The kind, entries, output directories and overrides.
 * @returns 0 once written.
 * @throws {CliError} On an unknown kind or platform (exit 2), on overrides a platform cannot honour and on missing
 *   build output (exit 1).
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
  if (options.kind === "wrangler" && (options.platform !== undefined || options.build)) {
    const flag = options.platform !== undefined ? "--platform" : "--build";
    throw new CliError(`${flag} belongs to iac terraform; wrangler is for Cloudflare only.`, 2);
  }
  const asked = options.platform === undefined ? undefined : parsePlatforms(options.platform);
  const doc = await infoDocument(runtime, { entries: options.entries, overridesFile: options.overridesFile });
  const dist = resolve(runtime.cwd(), options.dist ?? "dist");
  if (options.kind === "terraform") return await writeTerraform(runtime, doc, dist, asked, options);
  return await writeWrangler(runtime, doc, dist, options);
}

/** `iac terraform`: the asked-for (or built) platforms' files, once every artifact they name is there. */
async function writeTerraform(
  runtime: Runtime,
  doc: InfoDocument,
  dist: string,
  asked: TerraformPlatform[] | undefined,
  options: IacOptions,
): Promise<number> {
  const out = resolve(runtime.cwd(), options.out ?? "infra");
  const platforms = asked ?? await builtPlatforms(runtime, dist, options);
  const result = terraform(doc, { platforms, dist: relative(out, dist).replaceAll("\\", "/") || "." });
  fail(result.errors);
  const artifacts = platforms.flatMap((platform) => doc.functions.map((fn) => artifact(platform, fn)));
  if (options.build) await buildArtifacts(runtime, artifacts, options);
  await requireArtifacts(runtime, dist, artifacts, options);
  for (const warning of result.warnings) console.error(`slrs: warning: ${warning}`);
  const files = Object.fromEntries(
    Object.entries(result.files).map(([name, json]) => [name, `${JSON.stringify(json, null, 2)}\n`]),
  );
  const tracked = await writeTracked(out, files);
  const shown = (name: string) => relative(runtime.cwd(), resolve(out, name)).replaceAll("\\", "/");
  for (const name of tracked.written) console.error(`wrote ${shown(name)}`);
  for (const name of tracked.removed) {
    console.error(`removed ${shown(name)}: an earlier run wrote it; it no longer applies`);
  }
  const changed = "an earlier run wrote it, but it was changed since; delete it if it no longer applies";
  for (const name of tracked.kept) console.error(`slrs: warning: kept ${shown(name)}: ${changed}`);
  return 0;
}

/** `iac wrangler`: a `wrangler.jsonc` per function, pointing at its Worker bundle. */
async function writeWrangler(runtime: Runtime, doc: InfoDocument, dist: string, options: IacOptions): Promise<number> {
  const written: [string, string][] = [];
  const warnings: string[] = [];
  const out = resolve(runtime.cwd(), options.out ?? "infra/wrangler");
  const errors: string[] = [];
  for (const fn of doc.functions) {
    const problems = platformProblems(fn, "cloudflare");
    errors.push(...problems.errors);
    warnings.push(...problems.warnings);
    const dir = resolve(out, fn.name);
    const main = relative(dir, resolve(dist, artifact("cloudflare", fn).path)).replaceAll("\\", "/");
    written.push([resolve(dir, "wrangler.jsonc"), wranglerConfig(fn, { main })]);
  }
  fail(errors);

  for (const warning of warnings) console.error(`slrs: warning: ${warning}`);
  for (const [path, text] of written) {
    await mkdir(resolve(path, ".."), { recursive: true });
    await runtime.writeText(path, text);
    console.error(`wrote ${relative(runtime.cwd(), path).replaceAll("\\", "/")}`);
  }
  return 0;
}

function parsePlatforms(value: string): TerraformPlatform[] {
  const names = value.split(",").map((name) => name.trim());
  for (const name of names) {
    if (!TERRAFORM_PLATFORMS.includes(name as TerraformPlatform)) {
      const hint = didYouMean(name, TERRAFORM_PLATFORMS);
      throw new CliError(`--platform ${name}${hint}: Terraform is written for ${TERRAFORM_PLATFORMS.join(", ")}.`, 2);
    }
  }
  return names as TerraformPlatform[];
}

/** The platforms whose build output folder exists in `dist`; none is an error that says what to build. */
async function builtPlatforms(runtime: Runtime, dist: string, options: IacOptions): Promise<TerraformPlatform[]> {
  const found: TerraformPlatform[] = [];
  for (const platform of TERRAFORM_PLATFORMS) {
    for (const folder of BUILD_FOLDERS[platform]) {
      if (await isDirectory(resolve(dist, folder)) && !found.includes(platform)) found.push(platform);
    }
  }
  if (found.length > 0) return found;
  const where = relative(runtime.cwd(), dist).replaceAll("\\", "/") || ".";
  throw new CliError(
    `nothing was written: there is no build output in ${where}/ to describe. Build first, e.g.\n  ` +
      `${buildCommand(runtime, "aws-lambda", options)}\n` +
      `or name the platforms and build them: iac terraform --platform aws-lambda --build`,
  );
}

/** Runs `build` once per target the artifacts need, for the entries of the functions that need it. */
async function buildArtifacts(runtime: Runtime, artifacts: Artifact[], options: IacOptions): Promise<void> {
  const byTarget = new Map<string, Set<string>>();
  for (const { target, fn } of artifacts) {
    if (!byTarget.has(target)) byTarget.set(target, new Set());
    byTarget.get(target)!.add(fn.entry);
  }
  for (const [target, entries] of byTarget) {
    await build(runtime, { target, entries: [...entries], out: options.dist, overridesFile: options.overridesFile });
  }
}

/** Fails (exit 1) when a file the Terraform refers to is not in `dist`, naming each and the build that makes it. */
async function requireArtifacts(
  runtime: Runtime,
  dist: string,
  artifacts: Artifact[],
  options: IacOptions,
): Promise<void> {
  const missing: Artifact[] = [];
  for (const item of artifacts) {
    const found = await stat(resolve(dist, item.path)).catch(() => undefined);
    if (!found?.isFile()) missing.push(item);
  }
  if (missing.length === 0) return;
  const shown = (path: string) => relative(runtime.cwd(), resolve(dist, path)).replaceAll("\\", "/");
  const targets = [...new Set(missing.map((item) => item.target))];
  throw new CliError(
    "nothing was written: the Terraform would refer to build output that is not there:\n  " +
      missing.map((item) => `${shown(item.path)} (${item.fn.name} on ${item.platform})`).join("\n  ") +
      `\nBuild it first:\n  ${targets.map((target) => buildCommand(runtime, target, options)).join("\n  ")}\n` +
      "or add --build, which builds it before writing.",
  );
}

/** The `build` command line for a target, as the user would type it, with the same entries, dist and overrides. */
function buildCommand(runtime: Runtime, target: string, options: IacOptions): string {
  const cli = runtime.name === "node" ? "npx slrs" : "deno run -A jsr:@slrs/core/cli";
  return [
    cli,
    "build",
    "--target",
    target,
    ...options.entries,
    ...(options.dist !== undefined ? ["--out", options.dist] : []),
    ...(options.overridesFile !== undefined ? ["--overrides", options.overridesFile] : []),
  ].join(" ");
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

function fail(errors: string[]): void {
  if (errors.length === 0) return;
  throw new CliError(`nothing was written; a platform cannot take these settings:\n  ${errors.join("\n  ")}`);
}
