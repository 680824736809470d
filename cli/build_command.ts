/**
 * `cli.ts build --target <target> [entry…] [--out dist]`: for each function, the two-line entry its platform wants,
 * bundled by esbuild (cli/bundle.ts) into one minified ES module with its source map, and around it what the platform
 * deploys:
 *
 * - Lambda: a zip ready to upload (the map inside); with the `invokeMode` setting `RESPONSE_STREAM` the entry is `streamHandle`
 *   (Node.js) or `runtime(fn, { responseStream: true })` (Deno), for a function URL in that mode.
 * - Vercel: the Build Output API v3 folder `<out>/vercel/.vercel/output` (cli/vercel_output.ts), for
 *   `vercel deploy --prebuilt` from `<out>/vercel`; the `runtime` setting `edge` makes an Edge function.
 * - Azure: the function app folder `<out>/azure/<fn>/` and its zip `<out>/azure/<fn>.zip` (cli/azure_package.ts).
 * - Google Cloud: the source folder `<out>/gcp/<fn>/` and its zip `<out>/gcp/<fn>.zip` (cli/gcp_package.ts).
 *
 * Lambda on Deno (`aws-lambda-deno`, runtime `provided.al2023`): `deno compile` would give a self-contained
 * `bootstrap`, but it downloads `denort` at build time, which is not always possible; so the zip holds the bundle
 * (`main.js`) and a `bootstrap` shell script that runs it with a `deno` binary from a Lambda layer (`/opt/bin/deno`
 * or `/opt/deno`), or `$DENO`, or the `PATH`.
 *
 * @module
 */

import { readFile, rm } from "node:fs/promises";
import { basename, dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type * as fflate from "npm:fflate@^0.8.2";
import type { FunctionInfo } from "../src/info.ts";
import type { PlatformName } from "../src/platforms.ts";
import { platformProblems } from "./iac/overrides.ts";
import { AZURE_ENTRY, azurePackage } from "./azure_package.ts";
import { backendPackages, bindingImportLines } from "./binding_entry.ts";
import { CliError } from "./errors.ts";
import { bundleModule } from "./bundle.ts";
import { freshDirectories, freshDirectory, writeFreshFile } from "./fresh_file.ts";
import { GCP_ENTRY, gcpPackage, type GcpTarget } from "./gcp_package.ts";
import { infoDocument } from "./info_command.ts";
import { writeFiles, zipFiles } from "./package_files.ts";
import { importNpm } from "./npm_import.ts";
import { type VercelBuiltFunction, vercelChoice, vercelEntry, vercelOutput } from "./vercel_output.ts";
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
  /** Whether the platform runs the bundle on Node, whose AWS backends then send through `node:http`. */
  onNode?: (fn: FunctionInfo) => boolean;
  /** The entry's lines; `fn` is the function's import. */
  entry(fn: FunctionInfo): string[];
  /** The zip's files other than the bundle, and the bundle's name in it. */
  zip?: { bundle: string; extra: Record<string, string> };
  /**
   * The deployable folder the bundle goes into, made by the packaging module of that name; `deno-deploy` keeps the
   * bundle where it is and writes the Deno Deploy entrypoint `<fn>.deploy.js` beside it.
   */
  layout?: "vercel" | "azure" | "gcp" | "deno-deploy";
}

/** Whether a function's final Lambda settings ask for response streaming (the `invokeMode` setting). */
function streams(fn: FunctionInfo): boolean {
  return fn.platforms["aws-lambda"].settings.invokeMode === "RESPONSE_STREAM";
}

/**
 * The aws-lambda entry, specialised: it imports only the converters of the event shapes the deployment delivers
 * (see {@linkcode lambdaShapes}), so the bundle leaves the others out, and any other event gets an error saying what
 * the function was built for.
 */
function lambdaEntry(fn: FunctionInfo): string[] {
  const shapes = lambdaShapes(fn);
  const stream = streams(fn);
  if (shapes === undefined) {
    const general = stream ? "streamHandle" : "handle";
    return [
      `import { ${general} } from ADAPTER;`,
      "import fn from FUNCTION;",
      `export const handler = ${general}(fn);`,
    ];
  }
  const make = stream ? "streamHandleShapes" : "handleShapes";
  const warmUp = fn.platforms["aws-lambda"].settings.fetchWarmUp;
  const warm = warmUp === undefined ? LAMBDA_WARM_FETCH : warmUp === "init";
  const names = [make, ...shapes, ...(warm ? ["warmFetch"] : [])].sort();
  return [
    `import { ${names.join(", ")} } from ADAPTER;`,
    "import fn from FUNCTION;",
    ...(warm ? ["await warmFetch();"] : []),
    `export const handler = ${make}(fn, [${shapes.join(", ")}]);`,
  ];
}

/**
 * Whether aws-lambda entries do the Fetch first touch (`warmFetch()`) at module init, where Lambda runs module code
 * before the first request, when the `fetchWarmUp` setting does not say. Off: measured with
 * scripts/bench_cold_start.ts, the total (import + first invoke) was no better (BENCHMARKS.md, "AWS Lambda cold start").
 */
const LAMBDA_WARM_FETCH = false;

/**
 * The event shapes (names exported by the aws-lambda adapter) a function's Lambda deployment delivers, from its final
 * settings and triggers: HTTP by `exposure` (a Function URL and an HTTP API both send payload 2.0; `none` sends no
 * HTTP), schedules as EventBridge scheduled events, queues as SQS, events by their declared sources. `undefined` when
 * the settings say nothing certain (an exposure this build does not know), so the entry takes every shape.
 */
function lambdaShapes(fn: FunctionInfo): string[] | undefined {
  const http = fn.triggers.some((t) => t.type === "http");
  const exposure = fn.platforms["aws-lambda"].settings.exposure ?? (http ? "url" : "none");
  if (exposure !== "url" && exposure !== "http-api" && exposure !== "none") return undefined;
  const shapes = new Set<string>();
  if (http && exposure !== "none") shapes.add("httpV2");
  for (const trigger of fn.triggers) {
    if (trigger.type === "schedule") shapes.add("schedule");
    else if (trigger.type === "queue") shapes.add("sqs");
    else if (trigger.type === "event") { for (const shape of eventShapes(trigger.sources)) shapes.add(shape); }
  }
  return shapes.size === 0 ? undefined : [...shapes];
}

/**
 * The shapes an `event` trigger's sources arrive in. S3 notifications come directly or through EventBridge (source
 * `aws.s3`), SNS directly; any other source is an EventBridge one. No sources at all: every event shape.
 */
function eventShapes(sources: readonly string[]): string[] {
  if (sources.length === 0) return ["s3", "sns", "eventBridge"];
  const shapes: string[] = [];
  for (const source of sources) {
    const service = source.toLowerCase().replace(/^aws[.:]/, "");
    if (service === "s3") shapes.push("s3", "eventBridge");
    else if (service === "sns") shapes.push("sns");
    else shapes.push("eventBridge");
  }
  return shapes;
}

/** The `bootstrap` of the aws-lambda-deno zip. */
const BOOTSTRAP = `#!/bin/sh
# Lambda custom runtime (provided.al2023) entry, written by \`slrs build --target aws-lambda-deno\`.
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
    onNode: () => true,
    entry: lambdaEntry,
    zip: { bundle: "index.mjs", extra: {} },
  },
  "aws-lambda-deno": {
    platform: "aws-lambda",
    adapter: "aws_lambda",
    bundlePlatform: "deno",
    extension: ".js",
    entry: (fn) => [
      "import { runtime } from ADAPTER;",
      "import fn from FUNCTION;",
      streams(fn) ? "await runtime(fn, { responseStream: true });" : "await runtime(fn);",
    ],
    zip: { bundle: "main.js", extra: { bootstrap: BOOTSTRAP } },
  },
  cloudflare: {
    platform: "cloudflare",
    adapter: "cloudflare",
    bundlePlatform: "browser",
    extension: ".js",
    // An HTTP-only function gets the fetch-only worker, whose bundle leaves the queue and scheduled code out.
    entry: (fn) =>
      fn.triggers.every((trigger) => trigger.type === "http")
        ? ["import { handleFetch } from ADAPTER;", "import fn from FUNCTION;", "export default handleFetch(fn);"]
        : ["import { handle } from ADAPTER;", "import fn from FUNCTION;", "export default handle(fn);"],
  },
  vercel: {
    platform: "vercel",
    adapter: "vercel",
    bundlePlatform: "deno",
    extension: ".mjs",
    onNode: (fn) => vercelChoice(fn).runtime === "nodejs",
    // Each function's .vc-config.json carries its settings, so the entry exports no `config`.
    entry: (fn) => vercelEntry(fn, vercelChoice(fn).runtime).lines,
    layout: "vercel",
  },
  azure: {
    platform: "azure",
    adapter: "azure",
    bundlePlatform: "deno",
    extension: ".mjs",
    external: ["@azure/functions"],
    onNode: () => true,
    entry: () => [...AZURE_ENTRY],
    layout: "azure",
  },
  gcp: {
    platform: "gcp",
    adapter: "gcp",
    bundlePlatform: "deno",
    extension: ".mjs",
    external: ["@google-cloud/functions-framework"],
    onNode: () => true,
    entry: () => [...GCP_ENTRY],
    layout: "gcp",
  },
  deno: {
    adapter: "deno",
    bundlePlatform: "deno",
    extension: ".js",
    entry: () => [
      "import { handle, serve } from ADAPTER;",
      "import fn from FUNCTION;",
      "export default handle(fn);",
      // Deno Deploy stops an instance with SIGINT and kills it 5 s later: shut down gracefully within that.
      "export const start = () => serve(fn, { shutdownTimeoutMs: 4000 });",
    ],
    layout: "deno-deploy",
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
  /** The bundle: `<out>/<target>/<fn>.js` (`.mjs`), or its place inside the deployable folder. */
  bundle: string;
  /** The bundle's size in bytes. */
  bundleBytes: number;
  /** The zip, for Lambda, Azure and Google Cloud. */
  zip?: string;
  /** The deployable folder, for Vercel (`<fn>.func`), Azure and Google Cloud (`<fn>/`). */
  folder?: string;
  /** The Google Cloud entry points, HTTP first. */
  targets?: GcpTarget[];
  /** The Deno Deploy entrypoint, for the `deno` target. */
  deployEntry?: string;
  /** The zip's size in bytes. */
  zipBytes?: number;
  /** How long the bundling took, in ms. */
  ms: number;
}

/**
 * Builds every function for one target: writes `<out>/<target>/<fn>.entry.ts`, bundles it to `<fn>.js` (`.mjs` where
 * Node runs it) and zips it for Lambda, or bundles it into the deployable folder of Vercel, Azure or Google Cloud
 * (with its zip for the last two), and prints one line per function with its size and build time.
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
  // The plan's limits are checked before anything is bundled.
  if (target.layout === "vercel") vercelOutput(doc.functions.map((info) => ({ info, bundle: new Uint8Array() })));
  const dir = resolve(runtime.cwd(), options.out ?? "dist", options.target);
  // A link in the output (to a file outside it) is replaced, never written through.
  await freshDirectory(dir);
  await removeEarlierPackages(target, dir, doc.functions);
  const built: BuiltFunction[] = [];
  const vercel: VercelBuiltFunction[] = [];
  for (const fn of doc.functions) {
    const started = performance.now();
    const entry = resolve(dir, `${fn.name}.entry.ts`);
    await writeFreshFile(entry, entrySource(target, fn, entry, runtime.cwd()));
    const bundle = resolve(dir, bundlePath(target, fn));
    await freshDirectories(dir, relative(dir, dirname(bundle)).replaceAll("\\", "/"));
    const bundlePlatform = target.layout === "vercel"
      ? vercelEntry(fn, vercelChoice(fn).runtime).bundlePlatform
      : target.bundlePlatform;
    const external = [...(target.external ?? []), ...Object.keys(backendPackages(fn, target.platform))];
    await bundleEntry(runtime, { ...target, bundlePlatform, external }, entry, bundle);
    const code = await readFile(bundle);
    const sourceMap = await readFile(`${bundle}.map`).catch(() => undefined);
    const result: BuiltFunction = { name: fn.name, entry, bundle, bundleBytes: code.byteLength, ms: 0 };
    const packaged = { info: fn, bundle: code, ...(sourceMap !== undefined && { sourceMap }) };
    if (target.zip !== undefined) {
      // The map goes in under the name the bundle's sourceMappingURL comment gives it.
      const map = { [`${basename(bundle)}.map`]: await readFile(`${bundle}.map`, "utf8") };
      const zip = await lambdaZip(code, target.zip.bundle, { ...target.zip.extra, ...map });
      await writeZip(result, resolve(dir, `${fn.name}.zip`), zip);
    } else if (target.layout === "vercel") {
      vercel.push(packaged);
      result.folder = dirname(bundle);
    } else if (target.layout === "azure") {
      const app = azurePackage(packaged);
      result.folder = resolve(dir, fn.name);
      await writeFiles(result.folder, app.files);
      await writeZip(result, resolve(dir, `${fn.name}.zip`), await zipFiles(app.files));
    } else if (target.layout === "gcp") {
      const source = gcpPackage(packaged);
      result.folder = resolve(dir, fn.name);
      result.targets = source.targets;
      await writeFiles(result.folder, source.files);
      await writeZip(result, resolve(dir, `${fn.name}.zip`), await zipFiles(source.files));
    } else if (target.layout === "deno-deploy") {
      result.deployEntry = resolve(dir, `${fn.name}.deploy.js`);
      await writeFreshFile(result.deployEntry, denoDeployEntry(fn, relative(runtime.cwd(), dir), bundle));
    }
    result.ms = Math.round(performance.now() - started);
    built.push(result);
    console.log(`${options.target} ${fn.name}: ${summary(result, runtime.cwd())}`);
  }
  if (target.layout === "vercel") await writeFiles(dir, vercelOutput(vercel));
  return built;
}

/**
 * Removes the deployable folders an earlier build wrote, so a file it no longer makes (a function that is gone, the
 * Node.js bundle of a function now on the Edge runtime) is not deployed with the new ones. `dir` is a real directory
 * and `.vercel` is made one first: removing removes a link, never what it points at.
 */
async function removeEarlierPackages(target: Target, dir: string, functions: readonly FunctionInfo[]): Promise<void> {
  if (target.layout === "vercel") {
    await freshDirectories(dir, ".vercel");
    await rm(resolve(dir, ".vercel/output"), { recursive: true, force: true });
  } else if (target.layout === "azure" || target.layout === "gcp") {
    for (const fn of functions) await rm(resolve(dir, fn.name), { recursive: true, force: true });
  }
}

/** Where a function's bundle goes, relative to the target's folder. */
function bundlePath(target: Target, fn: FunctionInfo): string {
  switch (target.layout) {
    case "vercel":
      return `.vercel/output/functions/${fn.name}.func/${vercelEntry(fn, vercelChoice(fn).runtime).bundleName}`;
    case "azure":
    case "gcp":
      return `${fn.name}/index.js`;
    default:
      return `${fn.name}${target.extension}`;
  }
}

async function writeZip(result: BuiltFunction, path: string, bytes: Uint8Array): Promise<void> {
  await writeFreshFile(path, bytes);
  result.zip = path;
  result.zipBytes = bytes.byteLength;
}

/** The line printed for a built function: what to deploy, its size, the build time and any entry points. */
function summary(result: BuiltFunction, cwd: string): string {
  const shown = relative(cwd, result.zip ?? result.folder ?? result.bundle).replaceAll("\\", "/");
  const zipped = result.zipBytes === undefined ? "" : ` (zip ${kb(result.zipBytes)})`;
  const targets = result.targets === undefined
    ? ""
    : `; entry points ${result.targets.map((t) => `${t.entryPoint} (${t.signatureType})`).join(", ")}`;
  const deploy = result.deployEntry === undefined
    ? ""
    : `; Deno Deploy entrypoint ${relative(cwd, result.deployEntry).replaceAll("\\", "/")}`;
  return `${shown} ${kb(result.bundleBytes)}${zipped} in ${result.ms} ms${targets}${deploy}`;
}

/**
 * The Deno Deploy entrypoint of a function: Deno Deploy runs it (`deno run`, all permissions) and waits for its
 * HTTP server, so it starts the bundle's `serve` rather than relying on `deno serve`'s default export. Its comment
 * gives the `deno deploy` commands (https://docs.deno.com/runtime/reference/cli/deploy) with what `--info` knows.
 */
function denoDeployEntry(fn: FunctionInfo, dir: string, bundle: string): string {
  const folder = (dir || ".").replaceAll("\\", "/");
  const entrypoint = `${fn.name}.deploy.js`;
  const memory = fn.requirements.memory;
  const lines = [
    `// Deno Deploy entrypoint of the ${fn.name} function, written by \`slrs build --target deno\`.`,
    "// Deploy this folder with the deno deploy command (Deno 2.4.2 or later):",
    `//   deno deploy create ${folder} --app ${fn.name} --source local --runtime-mode dynamic --entrypoint ${entrypoint}`,
    ...(fn.requirements.env ?? []).map((name) => `//   deno deploy env add ${name} <value> --app ${fn.name}`),
    `//   deno deploy ${folder} --app ${fn.name} --prod`,
    ...(fn.requirements.regions === undefined
      ? []
      : [`// requirements.regions ${fn.requirements.regions.join(", ")}: pick --region us, eu or global on create.`]),
    ...(memory === undefined || memory <= 768
      ? []
      : [`// requirements.memory ${memory} MB: raise the runtime memory limit (768 MB by default, 4 GB on Pro).`]),
    ...(fn.triggers.some((t) => t.type !== "http")
      ? ["// Only the HTTP routes are served: the Deno adapter runs no schedules or queues."]
      : []),
    `import { start } from ${JSON.stringify(`./${bundle.split(/[\\/]/).at(-1)}`)};`,
    "start();",
    "",
  ];
  return lines.join("\n");
}

/** The generated entry module: import the adapter and the function, export what the platform wants. */
function entrySource(target: Target, fn: FunctionInfo, entryPath: string, cwd: string): string {
  const from = dirname(entryPath);
  const adapter = adapterSpecifier(target.adapter, from);
  const module = specifier(from, resolve(cwd, fn.entry));
  const importFn = fn.export === "default"
    ? "import fn from FUNCTION;"
    : `import { ${fn.export} as fn } from FUNCTION;`;
  const bindingModule = (name: string) => siblingSpecifier("bindings", name, from);
  const lines = target.entry(fn).flatMap((line) =>
    (line === "import fn from FUNCTION;"
      ? bindingImportLines(fn, target.platform, importFn, bindingModule, target.onNode?.(fn))
      : [line])
      .map((part) => part.replace("ADAPTER", JSON.stringify(adapter)).replace("FUNCTION", JSON.stringify(module)))
  );
  return [`// Generated by \`slrs build --target\`: the ${fn.name} function's entry.`, ...lines, ""].join("\n");
}

/** The adapter next to this CLI: a relative path when both are files, else its URL (a JSR or npm install). */
function adapterSpecifier(adapter: string, from: string): string {
  return siblingSpecifier("adapters", adapter, from);
}

/** A module of a folder next to this CLI's (`adapters/`, `bindings/`), as the entry at `from` imports it. */
function siblingSpecifier(folder: string, name: string, from: string): string {
  const extension = import.meta.url.endsWith(".js") ? "js" : "ts";
  const url = new URL(`../${folder}/${name}.${extension}`, import.meta.url);
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
 * const zip = await lambdaZip(new TextEncoder().encode("export {}"), "index.mjs", {});
 * console.assert(zip[0] === 0x50 && zip[1] === 0x4b); // "PK"
 * ```
 */
export async function lambdaZip(bundle: Uint8Array, name: string, extra: Record<string, string>): Promise<Uint8Array> {
  const { zipSync } = await importNpm<typeof fflate>("fflate", "build");
  const mtime = new Date("1980-01-01T00:00:00Z");
  // Unix (os 3) permissions in the high 16 bits of the external attributes.
  const file = (
    bytes: Uint8Array,
    mode: number,
  ): fflate.Zippable[string] => [bytes, { os: 3, attrs: mode << 16, mtime }];
  const files: fflate.Zippable = { [name]: file(bundle, 0o100644) };
  for (const [path, text] of Object.entries(extra)) {
    files[path] = file(new TextEncoder().encode(text), path === "bootstrap" ? 0o100755 : 0o100644);
  }
  return zipSync(files, { level: 9, mtime });
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}
