/**
 * The project around the CLI: the `slrs` key of deno.json, entry discovery, and importing entries.
 *
 * @module
 */

import { isAbsolute, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { isServerlessFunction, type ServerlessFunction } from "../src/serverless.ts";
import type { FunctionSource } from "../src/info.ts";
import { CliError } from "./errors.ts";
import type { Runtime } from "./runtime.ts";

/** The `slrs` key of deno.json (or package.json). */
export interface ProjectConfig {
  /** Globs of entry modules, relative to the project root. */
  functions: string[];
  /** Settings per function and platform that win over recommendations. */
  overrides: unknown;
  /** The file they were read from (`deno.json`, `deno.jsonc` or `package.json`), for messages. */
  file: string;
}

/**
 * Reads the `slrs` key from deno.json, deno.jsonc or package.json in the working directory.
 *
 * @param runtime The runtime layer.
 * @returns The configuration, empty when there is none.
 *
 * @example Usage
 * ```ts
 * import { readProjectConfig } from "./project.ts";
 * import { currentRuntime } from "./runtime.ts";
 * const config = await readProjectConfig(currentRuntime());
 * console.assert(Array.isArray(config.functions));
 * ```
 */
export async function readProjectConfig(runtime: Runtime): Promise<ProjectConfig> {
  for (const file of ["deno.json", "deno.jsonc", "package.json"]) {
    const text = await runtime.readText(resolve(runtime.cwd(), file));
    if (text === undefined) continue;
    let parsed: { slrs?: { functions?: unknown; overrides?: unknown } };
    try {
      parsed = JSON.parse(file.endsWith("c") ? stripComments(text) : text);
    } catch (error) {
      throw new CliError(`${file} is not valid JSON: ${(error as Error).message}`);
    }
    const slrs = parsed.slrs ?? {};
    const functions = slrs.functions ?? [];
    if (!Array.isArray(functions) || !functions.every((g) => typeof g === "string")) {
      throw new CliError(`${file}: slrs.functions must be an array of globs like "functions/*.ts".`);
    }
    return { functions, overrides: slrs.overrides ?? {}, file };
  }
  return { functions: [], overrides: {}, file: "deno.json" };
}

function stripComments(text: string): string {
  return text.replace(/("(?:\\.|[^"\\])*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (_, string) => string ?? "");
}

/**
 * Expands `slrs.functions` globs (`*` within a segment, `**` across segments) into entry paths, sorted.
 *
 * @param runtime The runtime layer.
 * @param globs The globs, relative to the working directory.
 * @returns The matching files, relative to the working directory.
 *
 * @example Usage
 * ```ts
 * import { discoverEntries } from "./project.ts";
 * import { currentRuntime } from "./runtime.ts";
 * const entries = await discoverEntries(currentRuntime(), ["examples/hello/main.ts"]);
 * console.assert(entries.length <= 1);
 * ```
 */
export async function discoverEntries(runtime: Runtime, globs: readonly string[]): Promise<string[]> {
  if (globs.length === 0) return [];
  const patterns = globs.map(globToRegExp);
  const files = await runtime.listFiles(runtime.cwd());
  return files.filter((file) => !file.includes("node_modules/") && patterns.some((p) => p.test(file))).sort();
}

function globToRegExp(glob: string): RegExp {
  const escape = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
  const segments = glob.replace(/^\.\//, "").split("/").map((segment) =>
    segment === "**" ? ".*" : segment.split("*").map(escape).join("[^/]*")
  );
  // `**/` may also stand for no directory at all.
  return new RegExp(`^${segments.join("/").replaceAll(".*/", "(?:.*/)?")}$`);
}

/**
 * Imports an entry and returns every function it exports (the default export first). Anything the module prints
 * while loading goes to stderr, so `--info` keeps stdout for its JSON.
 *
 * @param runtime The runtime layer.
 * @param entry The module path.
 * @param attempt 0 for the first import; a later one imports the module afresh (after it failed to load).
 * @returns The functions with where they were found.
 *
 * @example Usage
 * ```ts
 * import { importEntry } from "./project.ts";
 * import { currentRuntime } from "./runtime.ts";
 * const [hello] = await importEntry(currentRuntime(), "examples/hello/main.ts");
 * console.assert(hello?.fn.name === "hello");
 * ```
 */
export async function importEntry(runtime: Runtime, entry: string, attempt = 0): Promise<FunctionSource[]> {
  const path = isAbsolute(entry) ? entry : resolve(runtime.cwd(), entry);
  const shown = relative(runtime.cwd(), path).replaceAll("\\", "/") || entry;
  let module: Record<string, unknown>;
  const log = console.log;
  console.log = console.error;
  try {
    // A new URL per attempt: a module that failed to load stays failed under its URL.
    const url = pathToFileURL(path);
    if (attempt > 0) url.search = `?attempt=${attempt}`;
    module = await import(url.href);
  } catch (error) {
    throw new CliError(`Could not import ${shown}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    console.log = log;
  }
  const found = Object.entries(module)
    .filter((entry): entry is [string, ServerlessFunction<never>] => isServerlessFunction(entry[1]))
    .sort(([a], [b]) => Number(b === "default") - Number(a === "default"))
    .map(([exportName, fn]) => ({ fn, entry: shown, exportName }));
  if (found.length === 0) {
    throw new CliError(
      `${shown} exports no function defined with serverless(); add \`export default serverless({ name: "…", … })\`.`,
    );
  }
  return found;
}
