/**
 * `cli.ts --info [entry…] [--overrides file.json]`: one JSON document on stdout describing every function.
 *
 * @module
 */

import {
  describeFunction,
  type FunctionSource,
  type InfoDocument,
  type Overrides,
  validateOverrides,
} from "../src/info.ts";
import { VERSION } from "../src/version.ts";
import { CliError } from "./errors.ts";
import { discoverEntries, importEntry, type ProjectConfig, readProjectConfig } from "./project.ts";
import type { Runtime } from "./runtime.ts";

/** Options of the `--info` command. */
export interface InfoOptions {
  /** Entry modules; discovered from `slrs.functions` when empty. */
  entries: string[];
  /** A JSON file of overrides that win over `slrs.overrides`. */
  overridesFile?: string | undefined;
}

/**
 * Builds the `--info` document: imports the entries, describes each exported function, applies overrides.
 *
 * @param runtime The runtime layer.
 * @param options The entries and the overrides file.
 * @returns The document.
 *
 * @example Usage
 * ```ts
 * import { infoDocument } from "./info_command.ts";
 * import { currentRuntime } from "./runtime.ts";
 * const doc = await infoDocument(currentRuntime(), { entries: ["examples/hello/main.ts"] });
 * console.assert(doc.functions[0]?.name === "hello");
 * ```
 */
export async function infoDocument(runtime: Runtime, options: InfoOptions): Promise<InfoDocument> {
  const config = await readProjectConfig(runtime);
  const entries = options.entries.length > 0 ? options.entries : await discoverEntries(runtime, config.functions);
  if (entries.length === 0) {
    throw new CliError(
      'No entries: pass them (cli.ts --info functions/orders.ts) or list globs in deno.json under "slrs": ' +
        '{ "functions": ["functions/*.ts"] }.',
    );
  }
  const sources: FunctionSource[] = [];
  for (const entry of entries) sources.push(...await importEntry(runtime, entry));
  const names = sources.map((s) => s.fn.name);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) {
    const where = sources.filter((s) => s.fn.name === twice).map((s) => `${s.entry} (${s.exportName})`);
    throw new CliError(`Two functions are named "${twice}": ${where.join(" and ")}. Names must be unique.`);
  }
  const overrides = await loadOverrides(runtime, config, options.overridesFile, names);
  return { slrs: VERSION, functions: sources.map((source) => describeFunction(source, overrides[source.fn.name])) };
}

/** Both sources of overrides, validated (a mistake names its file) and merged: the file wins, setting by setting. */
async function loadOverrides(runtime: Runtime, config: ProjectConfig, file: string | undefined, names: string[]) {
  const base = validated(config.file, () => validateOverrides(config.overrides, names));
  if (file === undefined) return base;
  const text = await runtime.readText(file);
  if (text === undefined) throw new CliError(`--overrides ${file}: no such file.`);
  const extra = validated(`--overrides ${file}`, () => validateOverrides(JSON.parse(text), names, ""));
  const merged = structuredClone(base);
  for (const [fn, platforms] of Object.entries(extra)) {
    for (const [platform, settings] of Object.entries(platforms)) {
      const target = (merged[fn] ??= {}) as Record<string, Record<string, unknown>>;
      target[platform] = { ...target[platform], ...settings };
    }
  }
  return merged;
}

function validated(source: string, validate: () => Overrides): Overrides {
  try {
    return validate();
  } catch (error) {
    throw new CliError(
      `${source}: ${(error as Error).message} Fix the override in ${source.replace(/^--overrides /, "")}.`,
    );
  }
}
