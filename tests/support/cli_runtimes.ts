/**
 * The CLI as a user's own project runs it, on each runtime, so one table of cases runs on both: on Deno,
 * `deno run -A cli.ts …` with entries importing the checkout's mod.ts; on Node, the npm package's `slrs` bin (built
 * with scripts/build_npm.ts, once per test run) with entries importing `@slrs/core` from the project's
 * `node_modules`. The package's npm dependencies (esbuild and fflate too, which `build` and `dev --target cloudflare`
 * load) come from `.slrs/cache/cli-node/` (see npm_cache.ts).
 *
 * @module
 */

import { symlink } from "node:fs/promises";
import { dirname } from "node:path";
import { buildNpm } from "../../scripts/build_npm.ts";
import { npmCache } from "./npm_cache.ts";
import { CLI, DenoProcess, MOD_URL, type Run } from "./process.ts";

/** One runtime the CLI runs on, as a project outside the repository uses it. */
export interface CliRuntime {
  /** `deno` or `node`, for test names. */
  readonly name: "deno" | "node";
  /** The file extension of an entry the project's runtime loads as an ES module. */
  readonly ext: "ts" | "mjs";
  /** What an entry imports the library's root module from. */
  readonly library: string;
  /** The manifest the runtime's users keep the `slrs` configuration in: `deno.json` or `package.json`. */
  readonly manifest: "deno.json" | "package.json";
  /** Makes `dir` a project that can import {@linkcode library}. */
  project(dir: string): Promise<void>;
  /**
   * Adds npm packages to the project in `dir` as its user would (`deno add`, `npm install`): on Deno as import map
   * entries, on Node into its `node_modules`, from a cache under `.slrs/cache/` (see npm_cache.ts).
   *
   * @param packages Each package's `npm:name@range` specifier, by name.
   */
  addPackages(dir: string, packages: Readonly<Record<string, string>>): Promise<void>;
  /** Runs the CLI in `cwd` and waits for it. */
  run(args: string[], cwd: string): Promise<Run>;
  /** Starts the CLI in `cwd`, its output collected line by line. */
  start(args: string[], cwd: string): Promise<DenoProcess>;
}

const ENV = { RUST_BACKTRACE: "0", NO_COLOR: "1" };

async function runCommand(command: string, args: string[], cwd: string): Promise<Run> {
  const output = await new Deno.Command(command, { args, cwd, env: ENV, stdin: "null" }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

/** Merges `fields` into the JSON file at `path` (created when missing). */
async function mergeJson(path: string, fields: Record<string, unknown>): Promise<void> {
  const current = await Deno.readTextFile(path).then(JSON.parse, () => ({}));
  await Deno.writeTextFile(path, JSON.stringify({ ...current, ...fields }, null, 2));
}

/**
 * Writes the project's `slrs` configuration into the manifest of `runtime`, keeping its other fields.
 *
 * @param runtime The runtime whose users keep it there.
 * @param dir The project.
 * @param slrs The value of the `slrs` key.
 */
export function configure(runtime: CliRuntime, dir: string, slrs: Record<string, unknown>): Promise<void> {
  return mergeJson(`${dir}/${runtime.manifest}`, { slrs });
}

const deno: CliRuntime = {
  name: "deno",
  ext: "ts",
  library: MOD_URL,
  manifest: "deno.json",
  project: () => Promise.resolve(),
  async addPackages(dir, packages) {
    const path = `${dir}/deno.json`;
    const current = await Deno.readTextFile(path).then(JSON.parse, () => ({}));
    const imports: Record<string, string> = { ...current.imports };
    for (const [name, specifier] of Object.entries(packages)) {
      imports[name] = specifier;
      imports[`${name}/`] = `${specifier}/`;
    }
    await mergeJson(path, { imports });
  },
  run: (args, cwd) => runCommand(Deno.execPath(), ["run", "-A", CLI, ...args], cwd),
  start: (args, cwd) => Promise.resolve(new DenoProcess(["run", "-A", CLI, ...args], cwd)),
};

let built: Promise<string> | undefined;

/** The npm package built from this checkout (once per test run), its dependencies beside it; its folder. */
function nodePackage(): Promise<string> {
  built ??= (async () => {
    const work = await Deno.makeTempDir({ prefix: "slrs-cli-node-" });
    // Removed when the test run ends, whichever test built it.
    globalThis.addEventListener("unload", () => Deno.removeSync(work, { recursive: true }));
    const { packageJson } = buildNpm(`${work}/package`);
    const cache = await npmCache("cli-node", versionsOf(packageJson.dependencies ?? {}));
    await symlink(`${cache}node_modules`, `${work}/package/node_modules`);
    return `${work}/package`;
  })();
  return built;
}

/** What npm_cache.ts installs for each dependency range: the exact version of a pinned one, else the major. */
function versionsOf(ranges: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(ranges).map(([name, range]) => [
      name,
      /^\d/.test(range) ? range : range.replace(/^[\^~]/, "").split(".")[0]!,
    ]),
  );
}

const node: CliRuntime = {
  name: "node",
  ext: "mjs",
  library: "@slrs/core",
  manifest: "package.json",
  async project(dir) {
    await Deno.mkdir(`${dir}/node_modules/@slrs`, { recursive: true });
    await symlink(await nodePackage(), `${dir}/node_modules/@slrs/core`).catch((error) => {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    });
    const manifest = `${dir}/package.json`;
    const exists = await Deno.stat(manifest).then(() => true, () => false);
    if (!exists) await Deno.writeTextFile(manifest, JSON.stringify({ name: "app", private: true, type: "module" }));
  },
  async addPackages(dir, packages) {
    const ranges = Object.fromEntries(
      Object.entries(packages).map(([name, specifier]) => [name, specifier.slice(specifier.lastIndexOf("@") + 1)]),
    );
    const names = Object.keys(ranges).sort();
    const cache = await npmCache(`node-${names.join("+").replaceAll("/", "_")}`, versionsOf(ranges));
    for (const name of names) {
      await Deno.mkdir(dirname(`${dir}/node_modules/${name}`), { recursive: true });
      await symlink(`${cache}node_modules/${name}`, `${dir}/node_modules/${name}`);
    }
  },
  async run(args, cwd) {
    return runCommand("node", [`${await nodePackage()}/cli.js`, ...args], cwd);
  },
  async start(args, cwd) {
    return new DenoProcess([`${await nodePackage()}/cli.js`, ...args], cwd, "node");
  },
};

/** Deno, then Node: every CLI case runs on both. */
export const CLI_RUNTIMES: readonly CliRuntime[] = [deno, node];
