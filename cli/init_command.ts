/**
 * `init [dir] [--runtime deno|node] [--targets …] [--library <path>] [--force]`: writes a new project with one
 * function, its test, the tasks that run the CLI, and GitHub Actions workflows to test it and deploy it.
 *
 * @module
 */

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { basename, dirname, isAbsolute, relative, resolve } from "node:path";
import { closest } from "../src/definition_error.ts";
import { VERSION } from "../src/version.ts";
import { CliError } from "./errors.ts";
import { type LibrarySource, projectFiles } from "./init_templates.ts";
import { DEPLOY_TARGETS, type DeployTarget, type InitRuntime } from "./init_workflows.ts";
import type { Runtime } from "./runtime.ts";

/** The runtimes `init --runtime` accepts. */
export const INIT_RUNTIMES: readonly InitRuntime[] = ["deno", "node"];

/** Options of the `init` command, as given on the command line. */
export interface InitOptions {
  /** Where to write the project (default: the working directory). */
  dir?: string | undefined;
  /** `deno` (default) or `node`. */
  runtime?: string | undefined;
  /** Comma-separated {@linkcode DEPLOY_TARGETS}. */
  targets?: string | undefined;
  /** A local copy of the library to use instead of the published package. */
  library?: string | undefined;
  /** Write into a non-empty directory. */
  force?: boolean | undefined;
}

/**
 * Writes the project and prints what it wrote and what to run next.
 *
 * @param runtime The runtime layer.
 * @param options The directory, runtime, targets, library and `--force`.
 * @returns 0 once written.
 * @throws {CliError} Exit code 2 for an unknown runtime or target (with the closest name), 1 for a directory that is
 * not empty without `--force` or a `--library` that is not a copy of slrs.
 *
 * @example An unknown target names the closest one
 * ```ts
 * import { init } from "./init_command.ts";
 * import { currentRuntime } from "./runtime.ts";
 * const error = await init(currentRuntime(), { dir: "new-app", targets: "aws-lamda" }).catch((e) => e);
 * console.assert(error.exitCode === 2 && error.message.includes('did you mean "aws-lambda"'));
 * ```
 */
export async function init(runtime: Runtime, options: InitOptions): Promise<number> {
  const projectRuntime = parseRuntime(options.runtime);
  const targets = parseTargets(options.targets);
  const dir = resolve(runtime.cwd(), options.dir ?? ".");
  const shown = relative(runtime.cwd(), dir).replaceAll("\\", "/") || ".";
  const library = options.library === undefined
    ? { kind: "published" as const, version: VERSION }
    : localLibrary(resolve(runtime.cwd(), options.library), options.library, dir, projectRuntime);
  refuseNonEmpty(dir, shown, options.force === true);

  const name = functionName(dir);
  const files = projectFiles({ name, runtime: projectRuntime, targets, library });
  for (const [path, text] of Object.entries(files)) {
    const file = resolve(dir, path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
  }
  console.log(
    `Created ${projectRuntime === "deno" ? "a Deno" : "a Node"} project for the function "${name}" in ${shown}:`,
  );
  for (const path of Object.keys(files)) console.log(`  ${path}`);
  const enter = shown === "." ? "" : `cd ${shown} && `;
  const next = projectRuntime === "deno"
    ? `${enter}deno task test && deno task dev`
    : `${enter}npm install && npm test && npx slrs dev`;
  console.log(`\nNext: ${next}`);
  if (targets.length === 0) console.log(`No deploy workflow: pass --targets ${DEPLOY_TARGETS.join(",")} for some.`);
  return 0;
}

function parseRuntime(value: string | undefined): InitRuntime {
  if (value === undefined) return "deno";
  const known = INIT_RUNTIMES.find((runtime) => runtime === value);
  if (known !== undefined) return known;
  throw new CliError(`unknown --runtime "${value}"${suggestion(value, INIT_RUNTIMES)}; it is deno or node.`, 2);
}

function parseTargets(value: string | undefined): DeployTarget[] {
  if (value === undefined) return [];
  const targets: DeployTarget[] = [];
  for (const given of value.split(",").map((t) => t.trim()).filter((t) => t !== "")) {
    const target = DEPLOY_TARGETS.find((known) => known === given);
    if (target === undefined) {
      throw new CliError(
        `unknown target "${given}" in --targets${suggestion(given, DEPLOY_TARGETS)}; ` +
          `the targets are ${DEPLOY_TARGETS.join(", ")}.`,
        2,
      );
    }
    if (!targets.includes(target)) targets.push(target);
  }
  return targets;
}

function suggestion(given: string, known: readonly string[]): string {
  const near = closest(given, known);
  return near === undefined ? "" : ` (did you mean "${near}"?)`;
}

function refuseNonEmpty(dir: string, shown: string, force: boolean): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new CliError(`${shown} is a file; init needs a directory to write into.`);
  const entries = readdirSync(dir);
  if (entries.length === 0 || force) return;
  const listed = entries.slice(0, 3).join(", ") + (entries.length > 3 ? ", …" : "");
  throw new CliError(
    `${shown} is not empty (${listed}); init writes into an empty or new directory. ` +
      "Pass another directory, or --force to write into this one (files of the same name are replaced).",
  );
}

/** The directory's name as a function name: lowercase letters, digits and hyphens, starting with a letter. */
function functionName(dir: string): string {
  const slug = basename(dir).toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^[^a-z]+|-+$/g, "").slice(0, 63)
    .replace(/-+$/, "");
  return slug === "" ? "app" : slug;
}

/**
 * The library as the project reaches a local copy: Deno maps `@slrs/core` and each subpath the copy's deno.json
 * exports; Node depends on `file:<copy>/npm` (what `deno task build:npm` writes), or on the copy itself when it is
 * already the npm package. A relative `--library` stays relative, to the project.
 */
function localLibrary(path: string, given: string, dir: string, runtime: InitRuntime): LibrarySource {
  const spec = (to: string) => {
    if (isAbsolute(given)) return to.replaceAll("\\", "/");
    const rel = relative(dir, to).replaceAll("\\", "/");
    return rel.startsWith(".") ? rel : `./${rel}`;
  };
  const manifest = (file: string): { name?: string; exports?: Record<string, string> } | undefined => {
    try {
      return JSON.parse(readFileSync(resolve(path, file), "utf8"));
    } catch {
      return undefined;
    }
  };
  const deno = manifest("deno.json");
  const npm = manifest("package.json");
  if (deno?.name === "@slrs/core" && typeof deno.exports === "object") {
    const imports: Record<string, string> = {};
    for (const [subpath, file] of Object.entries(deno.exports)) {
      const specifier = subpath === "." ? "@slrs/core" : `@slrs/core/${subpath.replace(/^\.\//, "")}`;
      imports[specifier] = spec(resolve(path, file));
    }
    if (runtime === "node" && !existsSync(resolve(path, "npm/package.json"))) {
      console.error(`Note: ${given}/npm does not exist yet; build it there with \`deno task build:npm\`.`);
    }
    return {
      kind: "local",
      imports,
      cli: spec(resolve(path, "cli.ts")),
      dependency: `file:${spec(resolve(path, "npm"))}`,
    };
  }
  if (runtime === "node" && npm?.name === "@slrs/core") {
    return { kind: "local", imports: {}, cli: "", dependency: `file:${spec(path)}` };
  }
  throw new CliError(
    `--library ${given}: no slrs there (no deno.json named @slrs/core${
      runtime === "node" ? ", nor its built npm package" : ""
    }); point it at a checkout of slrs.`,
  );
}
