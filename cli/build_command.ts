/**
 * `cli.ts build --target <target> [entry…] [--out dist]`: for each function, the two-line entry its platform wants,
 * bundled by esbuild (cli/bundle.ts) into one minified ES module with its source map, and for Lambda a zip ready to
 * upload (the map inside).
 *
 * Lambda on Deno (`aws-lambda-deno`, runtime `provided.al2023`): `deno compile` would give a self-contained
 * `bootstrap`, but it downloads `denort` at build time, which is not always possible; so the zip holds the bundle
 * (`main.js`) and a `bootstrap` shell script that runs it with a `deno` binary from a Lambda layer (`/opt/bin/deno`
 * or `/opt/deno`), or `$DENO`, or the `PATH`.
 *
 * @module
 */

import { readFile } from "node:fs/promises";
import { basename, dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Zippable, zipSync } from "fflate";
import type { FunctionInfo } from "../src/info.ts";
import type { PlatformName } from "../src/platforms.ts";
import { platformProblems } from "./iac/overrides.ts";
import { CliError } from "./errors.ts";
import { bundleModule } from "./bundle.ts";
import { freshDirectory, writeFreshFile } from "./fresh_file.ts";
import { infoDocument } from "./info_command.ts";
import type { Runtime } from "./runtime.ts";

/** How a build target turns a function into files. */
interface Target {
  /** The platform whose `--info` settings and limits apply; none for self-hosted Deno. */
  platform?: PlatformName;
  /** The adapter module, without extension. */
  adapter: string;
  /** The bundle platform (cli/bundle.ts): `deno` for server runtimes, `browser` for Workers. */
  bundlePlatform: "deno" | "browser";
  /** The bundle's file extension: `.mjs` where Node runs it, so it loads as ESM without a package.json. */
  extension: ".mjs" | ".js";
  /** npm packages the platform installs itself, left out of the bundle. */
  external?: string[];
  /** The entry's lines; `fn` is the function's import. */
  entry(fn: FunctionInfo): string[];
  /** The zip's files other than the bundle, and the bundle's name in it. */
  zip?: { bundle: string; extra: Record<string, string> };
}

/** The `bootstrap` of the aws-lambda-deno zip. */
const BOOTSTRAP = `#!/bin/sh
# Lambda custom runtime (provided.al2023) entry, written by \`cli.ts build --target aws-lambda-deno\`.
# Runs main.js with deno from a layer (/opt/bin/deno or /opt/deno), from $DENO, or from the PATH.
if [ -z "$DENO" ]; then
  for candidate in /opt/bin/deno /opt/deno; do
    if [ -x "$candidate" ]; then DENO="$candidate"; break; fi
  done
fi
export DENO_DIR="\${DENO_DIR:-/tmp/deno}"
export DENO_NO_UPDATE_CHECK=1
exec "\${DENO:-deno}" run --allow-all --no-prompt "\${LAMBDA_TASK_ROOT:-$(dirname "$0")}/main.js"
`;

const TARGETS: Record<string, Target> = {
  "aws-lambda": {
    platform: "aws-lambda",
    adapter: "aws_lambda",
    bundlePlatform: "deno",
    extension: ".mjs",
    entry: () => ["import { handle } from ADAPTER;", "import fn from FUNCTION;", "export const handler = handle(fn);"],
    zip: { bundle: "index.mjs", extra: {} },
  },
  "aws-lambda-deno": {
    platform: "aws-lambda",
    adapter: "aws_lambda",
    bundlePlatform: "deno",
    extension: ".js",
    entry: () => ["import { runtime } from ADAPTER;", "import fn from FUNCTION;", "await runtime(fn);"],
    zip: { bundle: "main.js", extra: { bootstrap: BOOTSTRAP } },
  },
  cloudflare: {
    platform: "cloudflare",
    adapter: "cloudflare",
    bundlePlatform: "browser",
    extension: ".js",
    entry: () => ["import { handle } from ADAPTER;", "import fn from FUNCTION;", "export default handle(fn);"],
  },
  vercel: {
    platform: "vercel",
    adapter: "vercel",
    bundlePlatform: "deno",
    extension: ".mjs",
    entry: (fn) => [
      "import { handle } from ADAPTER;",
      "import fn from FUNCTION;",
      "export default handle(fn);",
      // Vercel reads this literal without running the module.
      `export const config = ${JSON.stringify(vercelConfig(fn))};`,
    ],
  },
  azure: {
    platform: "azure",
    adapter: "azure",
    bundlePlatform: "deno",
    extension: ".mjs",
    external: ["@azure/functions"],
    entry: () => [
      'import az from "@azure/functions";',
      "import { register } from ADAPTER;",
      "import fn from FUNCTION;",
      "register(az.app, fn);",
    ],
  },
  gcp: {
    platform: "gcp",
    adapter: "gcp",
    bundlePlatform: "deno",
    extension: ".mjs",
    external: ["@google-cloud/functions-framework"],
    entry: () => [
      'import functions from "@google-cloud/functions-framework";',
      "import { register } from ADAPTER;",
      "import fn from FUNCTION;",
      "export const targets = register(functions, fn);",
    ],
  },
  deno: {
    adapter: "deno",
    bundlePlatform: "deno",
    extension: ".js",
    entry: () => ["import { handle } from ADAPTER;", "import fn from FUNCTION;", "export default handle(fn);"],
  },
};

/** The build targets, in the order `--help` lists them. */
export const BUILD_TARGETS: readonly string[] = Object.keys(TARGETS);

/** Options of the `build` command. */
export interface BuildOptions {
  /** One of {@linkcode BUILD_TARGETS}. */
  target: string | undefined;
  /** Entry modules; discovered from `slrs.functions` when empty. */
  entries: string[];
  /** The output directory (default `dist`); files go to `<out>/<target>/`. */
  out?: string | undefined;
  /** A JSON file of overrides that win over `slrs.overrides`. */
  overridesFile?: string | undefined;
}

/** What was built for one function. */
export interface BuiltFunction {
  /** The function's name. */
  name: string;
  /** The generated entry. */
  entry: string;
  /** The bundle. */
  bundle: string;
  /** The bundle's size in bytes. */
  bundleBytes: number;
  /** The zip, for Lambda targets. */
  zip?: string;
  /** The zip's size in bytes. */
  zipBytes?: number;
  /** How long the bundling took, in ms. */
  ms: number;
}

/**
 * Builds every function for one target: writes `<out>/<target>/<fn>.entry.ts`, bundles it to `<fn>.js` (`.mjs` where
 * Node runs it), zips it for Lambda, and prints one line per function with its size and build time.
 *
 * @param runtime The runtime layer.
 * @param options The target, the entries, the output directory and the overrides file.
 * @returns What was built.
 * @throws {CliError} With exit code 2 for an unknown target, 1 for an entry that cannot be imported or bundled or
 *   an override the target's platform cannot honour.
 *
 * @example An unknown target is a command-line error
 * ```ts
 * import { build } from "./build_command.ts";
 * import { currentRuntime } from "./runtime.ts";
 * const error = await build(currentRuntime(), { target: "heroku", entries: [] }).catch((e) => e);
 * console.assert(error.exitCode === 2 && error.message.includes("aws-lambda-deno"));
 * ```
 */
export async function build(runtime: Runtime, options: BuildOptions): Promise<BuiltFunction[]> {
  const target = options.target === undefined ? undefined : TARGETS[options.target];
  if (target === undefined || options.target === undefined) {
    throw new CliError(
      `build needs --target, one of ${BUILD_TARGETS.join(", ")}; got ${JSON.stringify(options.target ?? "")}.`,
      2,
    );
  }
  const doc = await infoDocument(runtime, { entries: options.entries, overridesFile: options.overridesFile });
  if (target.platform !== undefined) {
    const errors: string[] = [];
    for (const fn of doc.functions) {
      const problems = platformProblems(fn, target.platform);
      errors.push(...problems.errors);
      for (const warning of problems.warnings) console.error(`slrs: warning: ${warning}`);
      if (
        target.platform === "vercel" && !runtime.env().CRON_SECRET && fn.triggers.some((t) => t.type === "schedule")
      ) {
        console.error(
          `slrs: warning: ${fn.name} has Vercel cron jobs and CRON_SECRET is not set here. Set it in the Vercel project ` +
            "(Settings → Environment Variables, 16 or more random characters): without it a production deployment " +
            "refuses cron calls, since anyone can send their User-Agent (docs/vercel.md).",
        );
      }
    }
    if (errors.length > 0) {
      throw new CliError(`nothing was built; a platform cannot take these settings:\n  ${errors.join("\n  ")}`);
    }
  }
  const dir = resolve(runtime.cwd(), options.out ?? "dist", options.target);
  // A link in the output (to a file outside it) is replaced, never written through.
  await freshDirectory(dir);
  const built: BuiltFunction[] = [];
  for (const fn of doc.functions) {
    const started = performance.now();
    const entry = resolve(dir, `${fn.name}.entry.ts`);
    await writeFreshFile(entry, entrySource(target, fn, entry, runtime.cwd()));
    const bundle = resolve(dir, `${fn.name}${target.extension}`);
    await bundleEntry(runtime, target, entry, bundle);
    const code = await readFile(bundle);
    const result: BuiltFunction = { name: fn.name, entry, bundle, bundleBytes: code.byteLength, ms: 0 };
    if (target.zip !== undefined) {
      const zip = resolve(dir, `${fn.name}.zip`);
      // The map goes in under the name the bundle's sourceMappingURL comment gives it.
      const map = { [`${basename(bundle)}.map`]: await readFile(`${bundle}.map`, "utf8") };
      const bytes = lambdaZip(code, target.zip.bundle, { ...target.zip.extra, ...map });
      await writeFreshFile(zip, bytes);
      result.zip = zip;
      result.zipBytes = bytes.byteLength;
    }
    result.ms = Math.round(performance.now() - started);
    built.push(result);
    const shown = relative(runtime.cwd(), result.zip ?? bundle).replaceAll("\\", "/");
    const zipped = result.zipBytes === undefined ? "" : ` (zip ${kb(result.zipBytes)})`;
    console.log(`${options.target} ${fn.name}: ${shown} ${kb(result.bundleBytes)}${zipped} in ${result.ms} ms`);
  }
  return built;
}

/** The generated entry module: import the adapter and the function, export what the platform wants. */
function entrySource(target: Target, fn: FunctionInfo, entryPath: string, cwd: string): string {
  const from = dirname(entryPath);
  const adapter = adapterSpecifier(target.adapter, from);
  const module = specifier(from, resolve(cwd, fn.entry));
  const importFn = fn.export === "default"
    ? "import fn from FUNCTION;"
    : `import { ${fn.export} as fn } from FUNCTION;`;
  const lines = target.entry(fn).map((line) =>
    (line === "import fn from FUNCTION;" ? importFn : line)
      .replace("ADAPTER", JSON.stringify(adapter))
      .replace("FUNCTION", JSON.stringify(module))
  );
  return [`// Generated by \`cli.ts build --target\`: the ${fn.name} function's entry.`, ...lines, ""].join("\n");
}

/** The adapter next to this CLI: a relative path when both are files, else its URL (a JSR or npm install). */
function adapterSpecifier(adapter: string, from: string): string {
  const extension = import.meta.url.endsWith(".js") ? "js" : "ts";
  const url = new URL(`../adapters/${adapter}.${extension}`, import.meta.url);
  return url.protocol === "file:" ? specifier(from, fileURLToPath(url)) : url.href;
}

function specifier(from: string, to: string): string {
  const path = relative(from, to).replaceAll("\\", "/");
  return path.startsWith(".") ? path : `./${path}`;
}

async function bundleEntry(runtime: Runtime, target: Target, entry: string, out: string): Promise<void> {
  let bundled;
  try {
    bundled = await bundleModule({
      entry,
      out,
      platform: target.bundlePlatform,
      external: target.external,
      cwd: runtime.cwd(),
    });
  } catch (error) {
    throw new CliError(`could not bundle ${relative(runtime.cwd(), entry)}:\n${(error as Error).message}`);
  }
  // Written fresh: a link at `out` (to a file outside the output) is replaced, never written through.
  await writeFreshFile(`${out}.map`, bundled.map);
  await writeFreshFile(out, bundled.code);
}

/**
 * A Lambda deployment package: the bundle plus extra files (such as an executable `bootstrap`), with fixed
 * timestamps so the same code gives the same zip, and the same `source_code_hash`.
 *
 * @param bundle The bundled code.
 * @param name The bundle's name in the zip.
 * @param extra Other files by name; `bootstrap` is made executable.
 * @returns The zip's bytes.
 *
 * @example Usage
 * ```ts
 * import { lambdaZip } from "./build_command.ts";
 * const zip = lambdaZip(new TextEncoder().encode("export {}"), "index.mjs", {});
 * console.assert(zip[0] === 0x50 && zip[1] === 0x4b); // "PK"
 * ```
 */
export function lambdaZip(bundle: Uint8Array, name: string, extra: Record<string, string>): Uint8Array {
  const mtime = new Date("1980-01-01T00:00:00Z");
  // Unix (os 3) permissions in the high 16 bits of the external attributes.
  const file = (bytes: Uint8Array, mode: number): Zippable[string] => [bytes, { os: 3, attrs: mode << 16, mtime }];
  const files: Zippable = { [name]: file(bundle, 0o100644) };
  for (const [path, text] of Object.entries(extra)) {
    files[path] = file(new TextEncoder().encode(text), path === "bootstrap" ? 0o100755 : 0o100644);
  }
  return zipSync(files, { level: 9, mtime });
}

function vercelConfig(fn: FunctionInfo): Record<string, unknown> {
  const { maxDuration, memory, regions } = fn.platforms.vercel.settings;
  return { maxDuration, memory, ...(regions !== undefined && { regions }) };
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}
