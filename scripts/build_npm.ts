/**
 * Builds the npm package from the same sources as the JSR one: `mod.ts`, `cli.ts` and every entry of deno.json
 * `exports` (adapters included, so a new adapter needs no change here) are compiled with the TypeScript compiler from
 * npm into `npm/` as ES modules with `.d.ts` files and source maps, next to a `package.json` written from deno.json,
 * README.md, LICENSE and `src/info_schema.json`.
 *
 * Usage: `deno task build:npm` (or `deno run -A scripts/build_npm.ts [outDir]`), then `cd npm && npm publish`.
 *
 * @module
 */

import ts from "npm:typescript@^5.9.3";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join, relative, resolve } from "node:path";
import process from "node:process";
import { compileForNode, REPO_ROOT } from "./compile_for_node.ts";
import { BUILD_PACKAGES } from "../cli/npm_import.ts";

/** The parts of deno.json the build reads. */
export interface DenoConfig {
  /** The package name, e.g. `@slrs/core`. */
  name: string;
  /** The version, e.g. `0.1.0`. */
  version: string;
  /** The SPDX license. */
  license: string;
  /** One line about the package. */
  description?: string;
  /** Not a Deno setting: the repository URL, when deno.json names it. */
  repository?: string;
  /** Subpath → module, or a single module for `.`. */
  exports: string | Record<string, string>;
  /** The import map: bare name → `npm:name@range`. */
  imports?: Record<string, string>;
}

/** The `package.json` the build writes (the fields it sets). */
export interface PackageJson {
  name: string;
  version: string;
  description?: string;
  license: string;
  repository?: { type: "git"; url: string };
  type: "module";
  exports: Record<string, { types: string; import: string }>;
  bin: Record<string, string>;
  engines: { node: string };
  sideEffects: false;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional: true }>;
}

/** What {@linkcode buildNpm} produced. */
export interface BuildResult {
  /** The package directory, absolute. */
  outDir: string;
  /** The package.json written there. */
  packageJson: PackageJson;
  /** Every file written, relative to `outDir`, sorted. */
  files: string[];
}

/** Files copied into the package as they are, besides the compiled modules. */
export const COPIED_FILES: readonly string[] = ["README.md", "LICENSE", "src/info_schema.json"];
/**
 * The module that loads npm packages with a computed `import()` (so Deno fetches them only when used), which the
 * specifier scan cannot see. Its `BUILD_PACKAGES` (esbuild and fflate for `slrs build`) are dependencies of the package
 * all the same, when the package has that module.
 */
export const RUN_TIME_LOADER = "cli/npm_import.ts";
/**
 * Modules nothing imports that `slrs build` swaps in when it bundles (cli/bundle.ts): the definition checks' stand-in.
 * Without it in the package, a Node build would keep the checks (a larger bundle than the same build on Deno).
 */
export const BUNDLE_ONLY_MODULES: readonly string[] = ["./src/_definition_unchecked.ts"];
/** The command the package installs. */
export const BIN_NAME = "slrs";
/** The oldest Node the package supports. */
export const NODE_RANGE = ">=20";

/**
 * Reads the subpath → module map from deno.json `exports`, adding `mod.ts` and `cli.ts` if they are missing.
 *
 * @param config The parsed deno.json.
 * @returns Subpath (`.`, `./node`, …) → module path relative to the repository (`./adapters/node.ts`).
 *
 * @example Usage
 * ```ts
 * import { exportsOf } from "./build_npm.ts";
 * const map = exportsOf({ name: "@a/b", version: "1.0.0", license: "MIT", exports: { ".": "./mod.ts" } });
 * console.assert(map["./cli"] === "./cli.ts");
 * ```
 */
export function exportsOf(config: DenoConfig): Record<string, string> {
  const map: Record<string, string> = typeof config.exports === "string"
    ? { ".": config.exports }
    : { ...config.exports };
  map["."] ??= "./mod.ts";
  map["./cli"] ??= "./cli.ts";
  return map;
}

/**
 * Compiles the package into `outDir` (emptied first) and writes its package.json.
 *
 * @param outDir Where the package goes. Default `npm/` in the repository.
 * @param root The repository root. Default the parent of `scripts/`.
 * @returns The directory, the package.json and the files written.
 *
 * @example Build into a temporary directory
 * ```ts ignore
 * import { buildNpm } from "./build_npm.ts";
 * const { packageJson } = buildNpm(Deno.makeTempDirSync());
 * console.log(Object.keys(packageJson.exports));
 * ```
 */
export function buildNpm(outDir: string = join(REPO_ROOT, "npm"), root: string = REPO_ROOT): BuildResult {
  outDir = resolve(outDir);
  const config = JSON.parse(readFileSync(join(root, "deno.json"), "utf8")) as DenoConfig;
  const exportMap = exportsOf(config);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  const entries = [...Object.values(exportMap), ...BUNDLE_ONLY_MODULES].map((entry) => resolve(root, entry));
  const written =
    compileForNode({ entries, outDir, root, declaration: true, sourceMap: true, packageJson: false }).files;
  const specifiers = new Map<string, { runtime: boolean }>();
  for (const file of written) {
    if (!/\.(d\.ts|js)$/.test(file)) continue;
    const runtime = file.endsWith(".js");
    const text = rewriteSpecifiers(readFileSync(file, "utf8"), config.imports ?? {}, (name) => {
      const seen = specifiers.get(name);
      specifiers.set(name, { runtime: runtime || (seen?.runtime ?? false) });
    });
    writeFileSync(file, text);
  }

  // Only a package that has the loader loads them.
  const loader = join(outDir, RUN_TIME_LOADER.replace(/\.ts$/, ".js"));
  if (written.some((file) => resolve(file) === loader)) {
    for (const specifier of Object.values(BUILD_PACKAGES)) specifiers.set(specifier, { runtime: true });
  }

  const cli = join(outDir, "cli.js");
  addShebang(cli);
  for (const file of COPIED_FILES) cpSync(join(root, file), join(outDir, file));

  const packageJson = packageJsonFor(config, exportMap, specifiers, repositoryOf(config, root));
  writeFileSync(join(outDir, "package.json"), JSON.stringify(packageJson, null, 2) + "\n");
  const files = listFiles(outDir);
  for (const [subpath, target] of Object.entries(packageJson.exports)) {
    for (const file of [target.import, target.types]) {
      if (!files.includes(file.slice(2))) throw new Error(`The build wrote no ${file} for export "${subpath}".`);
    }
  }
  return { outDir, packageJson, files };
}

// Bare imports keep working on Node when the import-map name is the npm name; `npm:` specifiers and renamed
// mappings are rewritten to the package name. Type packages keep the module name TypeScript looks up
// (`aws-lambda` for `@types/aws-lambda`). Declarations keep the sources' `./x.ts` imports, which become `./x.js`
// like in the code. TypeScript finds the specifiers, so examples in comments are left alone.
function rewriteSpecifiers(text: string, imports: Record<string, string>, use: (name: string) => void): string {
  const found = ts.preProcessFile(text, true, true);
  const references = [...found.importedFiles, ...found.typeReferenceDirectives].sort((a, b) => b.pos - a.pos);
  for (const ref of references) {
    let replacement: string;
    if (/^\.\.?\//.test(ref.fileName)) {
      if (!/\.(m|c)?ts$/.test(ref.fileName) || ref.fileName.endsWith(".d.ts")) continue;
      replacement = ref.fileName.replace(/ts$/, "js");
    } else if (ref.fileName.startsWith("node:")) {
      use("node:");
      continue;
    } else {
      const mapped = mapSpecifier(ref.fileName, imports);
      use(mapped.key);
      replacement = mapped.specifier;
    }
    // Import positions start at the opening quote; reference directives at the name itself.
    const start = /["'`]/.test(text[ref.pos]!) ? ref.pos + 1 : ref.pos;
    text = text.slice(0, start) + replacement + text.slice(start + ref.fileName.length);
  }
  return text;
}

function mapSpecifier(specifier: string, imports: Record<string, string>): { key: string; specifier: string } {
  const direct = specifier.startsWith("npm:") ? parseNpm(specifier.slice(4)) : undefined;
  if (direct) return { key: specifier, specifier: moduleName(direct.name) + direct.subpath };
  // Like Deno: `"x": "npm:x@1"` also maps `x/sub`, and a `"x/": …` key maps everything under it.
  const key = Object.keys(imports)
    .filter((k) => specifier === k || specifier.startsWith(k.endsWith("/") ? k : `${k}/`))
    .sort((a, b) => b.length - a.length)[0];
  const target = key === undefined ? undefined : imports[key];
  const parsed = target?.startsWith("npm:") ? parseNpm(target.slice(4)) : undefined;
  if (key === undefined || parsed === undefined) {
    const name = parseNpm(specifier)?.name ?? specifier;
    throw new Error(
      `The published code imports "${specifier}", which deno.json "imports" does not map to an npm package; ` +
        `import it as "npm:${name}@<range>" (e.g. "npm:${name}@^1"), or map it there.`,
    );
  }
  const rest = specifier.slice(key.endsWith("/") ? key.length - 1 : key.length);
  const subpath = parsed.subpath.replace(/\/$/, "");
  return { key, specifier: moduleName(parsed.name) + subpath + rest };
}

function parseNpm(text: string): { name: string; range: string; subpath: string } | undefined {
  const match = text.match(/^(@[^/@]+\/[^/@]+|[^/@]+)(?:@([^/]+))?(\/.*)?$/);
  if (!match) return undefined;
  return { name: match[1]!, range: match[2] ?? "*", subpath: match[3] ?? "" };
}

// `@types/aws-lambda` is imported as `aws-lambda`, `@types/scope__pkg` as `@scope/pkg`.
function moduleName(name: string): string {
  if (!name.startsWith("@types/")) return name;
  const bare = name.slice("@types/".length);
  return bare.includes("__") ? `@${bare.replace("__", "/")}` : bare;
}

function packageJsonFor(
  config: DenoConfig,
  exportMap: Record<string, string>,
  specifiers: Map<string, { runtime: boolean }>,
  repository: string | undefined,
): PackageJson {
  const exports: PackageJson["exports"] = {};
  for (const [subpath, source] of Object.entries(exportMap)) {
    const base = "./" + relative(".", source).replace(/\.tsx?$/, "");
    exports[subpath] = { types: `${base}.d.ts`, import: `${base}.js` };
  }
  const dependencies: Record<string, string> = {};
  const peers: Record<string, string> = {};
  for (const [key, { runtime }] of [...specifiers].sort(([a], [b]) => a.localeCompare(b))) {
    if (key === "node:") {
      peers["@types/node"] = NODE_RANGE;
      continue;
    }
    const target = key.startsWith("npm:") ? key.slice(4) : config.imports![key]!.slice(4);
    const { name, range } = parseNpm(target)!;
    if (runtime && !name.startsWith("@types/")) dependencies[name] = range;
    else peers[name] = range;
  }
  const optional = Object.fromEntries(Object.keys(peers).map((name) => [name, { optional: true as const }]));
  return {
    name: config.name,
    version: config.version,
    ...(config.description !== undefined && { description: config.description }),
    license: config.license,
    ...(repository !== undefined && { repository: { type: "git" as const, url: repository } }),
    type: "module",
    exports,
    bin: { [BIN_NAME]: exports["./cli"]!.import },
    engines: { node: NODE_RANGE },
    sideEffects: false,
    ...(Object.keys(dependencies).length > 0 && { dependencies }),
    ...(Object.keys(peers).length > 0 && { peerDependencies: peers, peerDependenciesMeta: optional }),
  };
}

// npm checks `repository` against the workflow's repository when it publishes with provenance: in GitHub Actions the
// repository the workflow runs in is the right answer; elsewhere deno.json's `repository`, else the git remote.
function repositoryOf(config: DenoConfig, root: string): string | undefined {
  const env = process.env;
  let url = config.repository;
  if (url === undefined && env.GITHUB_REPOSITORY) {
    url = `${env.GITHUB_SERVER_URL ?? "https://github.com"}/${env.GITHUB_REPOSITORY}`;
  }
  if (url === undefined) {
    try {
      url = execFileSync("git", ["remote", "get-url", "origin"], { cwd: root, stdio: ["ignore", "pipe", "ignore"] })
        .toString().trim() || undefined;
    } catch {
      // No remote: package.json goes without `repository`.
    }
  }
  if (url === undefined) return undefined;
  const https = url.replace(/^git@([^:]+):/, "https://$1/").replace(/^git\+/, "").replace(/\.git$/, "");
  return `git+${https}.git`;
}

// npm runs a bin through its shebang. The source map gains an empty first line so it still points at the right code.
function addShebang(file: string): void {
  writeFileSync(file, `#!/usr/bin/env node\n${readFileSync(file, "utf8")}`);
  const mapFile = `${file}.map`;
  const map = JSON.parse(readFileSync(mapFile, "utf8")) as { mappings: string };
  map.mappings = `;${map.mappings}`;
  writeFileSync(mapFile, JSON.stringify(map));
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).replaceAll("\\", "/"))
    .sort();
}

if (import.meta.main) {
  const started = performance.now();
  const { outDir, packageJson, files } = buildNpm(Deno.args[0]);
  const ms = Math.round(performance.now() - started);
  console.log(`Built ${packageJson.name}@${packageJson.version} into ${outDir}: ${files.length} files in ${ms} ms.`);
  if (packageJson.repository === undefined) {
    console.warn("Note: no repository (deno.json, GITHUB_REPOSITORY or git remote); npm --provenance needs one.");
  }
}
