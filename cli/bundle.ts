/**
 * Bundling with esbuild from npm (the engine `deno bundle` runs), the same on Deno and on Node: one ES module and its
 * source map, with the definition checks of `serverless()` left out for deployments. On Node, imports resolve as
 * Node resolves them (`node_modules`); on Deno, what Node cannot resolve (`file:` and `https:` URLs, `jsr:`, import
 * map names, `npm:` packages in Deno's cache) resolves through `deno info --json`, Deno's own module graph.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, extname, join } from "node:path";
import process from "node:process";
import { fileURLToPath, pathToFileURL } from "node:url";
import type * as esbuild from "npm:esbuild@0.25.12";
import { BUILD_PACKAGES, importNpm } from "./npm_import.ts";

/** What to bundle, and how. */
export interface BundleModuleOptions {
  /** The entry module, a path. */
  entry: string;
  /** Where the bundle will be written: names the source map (`<out>.map`) and anchors its paths. */
  out: string;
  /** `deno` (server runtimes: Node, Deno; `node:` modules stay imports) or `browser` (Workers). */
  platform: "deno" | "browser";
  /** Packages left out of the bundle. */
  external?: readonly string[] | undefined;
  /** `esm` (default) or `iife`. */
  format?: "esm" | "iife" | undefined;
  /** Minify (default true). */
  minify?: boolean | undefined;
  /** Take `src/_definition_unchecked` for `src/validate_definition` (default: as `minify`). */
  unchecked?: boolean | undefined;
  /** The directory `deno info` resolves from (the project); default the working directory. */
  cwd?: string | undefined;
  /** Also say how many bytes of the bundle each input module makes (default false). */
  inputs?: boolean | undefined;
}

/** A bundle and its source map. */
export interface BundledModule {
  /** The code, ending in a `sourceMappingURL` comment naming `<out>.map`. */
  code: Uint8Array;
  /** The source map, with the sources' text. */
  map: Uint8Array;
  /** With `inputs: true`: each input module (its path as esbuild names it) → its bytes in the bundle. */
  inputs?: Record<string, number>;
}

/**
 * Bundles `entry` into one module.
 *
 * @param options The entry, the output path, the platform and the externals.
 * @returns The code and its source map (not written: the caller decides how).
 * @throws {Error} With esbuild's messages when a module cannot be resolved or parsed.
 *
 * @example Usage
 * ```ts ignore
 * import { bundleModule } from "./bundle.ts";
 * const { code } = await bundleModule({ entry: "dist/deno/hello.entry.ts", out: "dist/deno/hello.js", platform: "deno" });
 * ```
 */
export async function bundleModule(options: BundleModuleOptions): Promise<BundledModule> {
  const minify = options.minify ?? true;
  const deno = typeof Deno === "undefined" ? undefined : await denoGraph(options.entry, options.cwd ?? process.cwd());
  const esbuild = await importNpm<EsbuildModule>("esbuild", "build");
  running++;
  try {
    const result = await esbuild.build({
      entryPoints: [options.entry],
      outfile: options.out,
      bundle: true,
      write: false,
      format: options.format ?? "esm",
      platform: options.platform === "browser" ? "browser" : "node",
      minify,
      sourcemap: "linked",
      metafile: options.inputs === true,
      legalComments: "none",
      logLevel: "silent",
      external: [...(options.external ?? [])],
      ...(deno !== undefined && { nodePaths: [deno.nodeModules] }),
      plugins: [slrsResolve({ unchecked: options.unchecked ?? minify, external: options.external ?? [], deno })],
    });
    const code = result.outputFiles.find((file) => !file.path.endsWith(".map"));
    const map = result.outputFiles.find((file) => file.path.endsWith(".map"));
    if (code === undefined || map === undefined) throw new Error(`esbuild wrote no bundle for ${options.entry}.`);
    const output = Object.entries(result.metafile?.outputs ?? {}).find(([path]) => !path.endsWith(".map"))?.[1];
    const inputs = output &&
      Object.fromEntries(Object.entries(output.inputs).map(([path, input]) => [path, input.bytesInOutput]));
    return { code: code.contents, map: map.contents, ...(inputs !== undefined && { inputs }) };
  } catch (error) {
    const failure = error as { errors?: esbuild.Message[] };
    if (failure.errors === undefined) throw error;
    throw new Error(
      (await esbuild.formatMessages(failure.errors, { kind: "error", color: false })).join("\n").trim(),
    );
  } finally {
    // The esbuild service is a child process: a CLI (or a test) that left it running would not exit. Bundles made
    // at the same time share it, so the last one stops it.
    if (--running === 0) await esbuild.stop();
    if (deno !== undefined) await rm(deno.nodeModules, { recursive: true, force: true }).catch(() => {});
  }
}

/**
 * The esbuild release bundles are made with (cli/npm_import.ts loads it): one version on every runtime is what makes a
 * Node build and a Deno build of the same code the same bytes.
 *
 * @example Usage
 * ```ts
 * import { ESBUILD_VERSION } from "./bundle.ts";
 * console.assert(/^\d+\.\d+\.\d+$/.test(ESBUILD_VERSION));
 * ```
 */
export const ESBUILD_VERSION: string = BUILD_PACKAGES.esbuild.slice("npm:esbuild@".length);

/** esbuild's API, for the module loaded on first use. */
type EsbuildModule = typeof esbuild;

/** Bundles in progress, which share esbuild's service. */
let running = 0;

/** Deno's resolution of the entry's graph, for what esbuild cannot resolve by itself. */
interface DenoGraph {
  /** Importer URL → specifier → resolved URL (`file:`, `https:`, `npm:/name@version/sub`). */
  resolved: Map<string, Map<string, string>>;
  /** Remote module URL → its file in Deno's cache. */
  local: Map<string, string>;
  /** A `node_modules` folder of links into Deno's npm cache, one per package the graph uses. */
  nodeModules: string;
}

function slrsResolve(options: { unchecked: boolean; external: readonly string[]; deno: DenoGraph | undefined }) {
  const { deno } = options;
  const remote = (url: string) => ({ path: url, namespace: "remote" });
  return {
    name: "slrs-resolve",
    setup(build: esbuild.PluginBuild) {
      // The build imported every entry already, so the definition checks ran; bundles take the unchecked stand-in.
      if (options.unchecked) {
        build.onResolve({ filter: /validate_definition\.(ts|js)$/ }, async (args) => {
          if (args.pluginData === "plain") return undefined;
          const standIn = args.path.replace(/validate_definition\.(ts|js)$/, "_definition_unchecked.$1");
          if (args.namespace === "remote") return remote(new URL(standIn, args.importer).href);
          const found = await build.resolve(args.path, { ...plain(args), pluginData: "plain" });
          if (found.errors.length > 0 || !/[\\/]src[\\/]validate_definition\.(ts|js)$/.test(found.path)) return found;
          const path = join(dirname(found.path), basename(standIn));
          return existsSync(path) ? { path } : found;
        });
      }
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === "plain" || args.kind === "entry-point") return undefined;
        const importer = args.namespace === "remote" ? args.importer : pathToFileURL(args.importer).href;
        const target = deno?.resolved.get(importer)?.get(args.path) ?? args.path;
        if (target.startsWith("file:")) return library({ path: fileURLToPath(target) });
        if (/^https?:/.test(target)) return library(remote(target));
        if (target.startsWith("npm:")) return npmPackage(build, target, args, options.external);
        if (args.namespace === "remote") return library(remote(new URL(target, args.importer).href));
        if (!target.startsWith(".") || !isLibraryModule(pathToFileURL(args.importer).href)) return undefined;
        return library(await build.resolve(args.path, { ...plain(args), pluginData: "plain" }));
      });
      build.onLoad({ filter: /.*/, namespace: "remote" }, async (args) => {
        const cached = deno?.local.get(args.path);
        const contents = cached === undefined ? await fetchText(args.path) : await readFile(cached, "utf8");
        return { contents, loader: loaderOf(args.path) };
      });
    },
  };
}

/**
 * The library's own modules (as the npm package's `sideEffects: false` says of all of them) do nothing when imported
 * but define things, so a module none of whose exports a bundle uses is left out whole, even where esbuild cannot
 * prove it (a class with a static block, like the router's): an HTTP-only function carries no router.
 */
function library<Result extends { path: string; namespace?: string; errors?: unknown[] }>(
  result: Result,
): Result & { sideEffects?: false } {
  if (result.errors !== undefined && result.errors.length > 0) return result;
  const url = result.namespace === "remote" ? result.path : pathToFileURL(result.path).href;
  return isLibraryModule(url) ? { ...result, sideEffects: false } : result;
}

/** The folders (and face) of the library, against which `library` checks a module's URL. */
const LIBRARY_PARTS = ["src/", "adapters/", "bindings/", "mod.ts"].map((part) =>
  new URL(`../${part}`, import.meta.url).href
);

function isLibraryModule(url: string): boolean {
  return LIBRARY_PARTS.some((part) => part.endsWith("/") ? url.startsWith(part) : url === part);
}

function plain(args: esbuild.OnResolveArgs) {
  return { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer };
}

/** `npm:name@range/sub` or Deno's `npm:/name@version/sub`: the package by name, from node_modules. */
function npmPackage(
  build: esbuild.PluginBuild,
  target: string,
  args: esbuild.OnResolveArgs,
  external: readonly string[],
) {
  const match = target.match(/^npm:\/?((?:@[^/@]+\/)?[^/@]+)(?:@[^/]*)?(\/.*)?$/);
  if (match === null) return undefined;
  const bare = `${match[1]}${match[2] ?? ""}`;
  if (external.includes(match[1]!)) return { path: bare, external: true };
  const resolveDir = args.namespace === "remote" ? process.cwd() : args.resolveDir;
  return build.resolve(bare, { kind: args.kind, resolveDir, importer: args.importer, pluginData: "plain" });
}

async function fetchText(url: string): Promise<string> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  return await response.text();
}

function loaderOf(url: string): esbuild.Loader {
  const extension = extname(new URL(url).pathname);
  return extension === ".ts" || extension === ".mts" ? "ts" : extension === ".tsx" ? "tsx" : "js";
}

interface DenoInfo {
  modules?: {
    specifier: string;
    local?: string;
    dependencies?: { specifier: string; code?: { specifier: string } }[];
  }[];
  redirects?: Record<string, string>;
  npmPackages?: Record<string, { name: string; localPath?: string; dependencies: string[] }>;
}

/** Deno's graph of `entry` from `deno info --json`, run from `cwd` so the project's import map applies. */
async function denoGraph(entry: string, cwd: string): Promise<DenoGraph> {
  const info = JSON.parse(await output(process.execPath, ["info", "--json", entry], cwd)) as DenoInfo;
  const redirects = info.redirects ?? {};
  const follow = (specifier: string) => {
    let current = specifier;
    for (let hops = 0; redirects[current] !== undefined && hops < 10; hops++) current = redirects[current]!;
    return current;
  };
  const resolved = new Map<string, Map<string, string>>();
  const local = new Map<string, string>();
  const npmRoots: string[] = [];
  for (const module of info.modules ?? []) {
    if (module.local !== undefined && !module.specifier.startsWith("file:")) local.set(module.specifier, module.local);
    const npm = (module as { npmPackage?: string }).npmPackage;
    if (npm !== undefined) npmRoots.push(npm);
    const deps = new Map<string, string>();
    for (const dep of module.dependencies ?? []) {
      if (dep.code !== undefined) deps.set(dep.specifier, follow(dep.code.specifier));
    }
    resolved.set(module.specifier, deps);
  }
  return { resolved, local, nodeModules: await linkNpmPackages(npmRoots, info.npmPackages ?? {}) };
}

/** Links each package reachable from `roots` into a temporary `node_modules` (the first version of a name wins). */
async function linkNpmPackages(roots: string[], packages: NonNullable<DenoInfo["npmPackages"]>): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), "slrs-bundle-")), "node_modules");
  await mkdir(dir, { recursive: true });
  const linked = new Set<string>();
  const queue = [...roots];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    const pkg = packages[id];
    if (pkg === undefined || pkg.localPath === undefined || linked.has(pkg.name)) continue;
    linked.add(pkg.name);
    const link = join(dir, pkg.name);
    await mkdir(dirname(link), { recursive: true });
    await symlink(pkg.localPath, link, "dir");
    queue.push(...pkg.dependencies);
  }
  return dir;
}

function output(command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    const errors: Uint8Array[] = [];
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, RUST_BACKTRACE: "0", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (chunk: Uint8Array) => chunks.push(chunk));
    child.stderr.on("data", (chunk: Uint8Array) => errors.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      const text = (parts: Uint8Array[]) => new TextDecoder().decode(Buffer.concat(parts));
      if (code === 0) resolve(text(chunks));
      else reject(new Error(`deno ${args.join(" ")} failed:\n${text(errors).trim()}`));
    });
  });
}

/**
 * The bundle's file name, for the `sourceMappingURL` comment esbuild writes (`<name>.map`).
 *
 * @param out The bundle's path.
 * @returns Its base name.
 *
 * @example Usage
 * ```ts
 * import { mapName } from "./bundle.ts";
 * console.assert(mapName("dist/deno/hello.js") === "hello.js.map");
 * ```
 */
export function mapName(out: string): string {
  return `${basename(out)}.map`;
}
