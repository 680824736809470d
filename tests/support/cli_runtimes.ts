/**
 * The CLI as a user's own project runs it, on each runtime, so one table of cases runs on both: on Deno,
 * `deno run -A cli.ts …` with entries importing the checkout's mod.ts; on Node, the npm package's `slrs` bin (built
 * with scripts/build_npm.ts, once per test run) with entries importing `@slrs/core` from the project's
 * `node_modules`. The package's npm dependencies come from `.slrs/cache/cli-node/` (see npm_cache.ts).
 *
 * @module
 */

import { symlink } from "node:fs/promises";
import { buildNpm } from "../../scripts/build_npm.ts";
import { BUILD_PACKAGES } from "../../cli/npm_import.ts";
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
  /** Makes `dir` a project that can import {@linkcode library}. */
  project(dir: string): Promise<void>;
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

const deno: CliRuntime = {
  name: "deno",
  ext: "ts",
  library: MOD_URL,
  project: () => Promise.resolve(),
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
    // esbuild and fflate are loaded only by `build`, which these tests do not run through this package.
    const buildOnly = Object.keys(BUILD_PACKAGES);
    const wanted = Object.entries(packageJson.dependencies ?? {}).filter(([name]) => !buildOnly.includes(name));
    const majors = Object.fromEntries(
      wanted.map(([name, range]) => [name, range.replace(/^[\^~]/, "").split(".")[0]!]),
    );
    const cache = await npmCache("cli-node", majors);
    await symlink(`${cache}node_modules`, `${work}/package/node_modules`);
    return `${work}/package`;
  })();
  return built;
}

const node: CliRuntime = {
  name: "node",
  ext: "mjs",
  library: "@slrs/core",
  async project(dir) {
    await Deno.mkdir(`${dir}/node_modules/@slrs`, { recursive: true });
    await symlink(await nodePackage(), `${dir}/node_modules/@slrs/core`).catch((error) => {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    });
    const manifest = `${dir}/package.json`;
    const exists = await Deno.stat(manifest).then(() => true, () => false);
    if (!exists) await Deno.writeTextFile(manifest, JSON.stringify({ name: "app", private: true, type: "module" }));
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
