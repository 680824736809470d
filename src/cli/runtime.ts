/**
 * The few calls that differ between Deno and Node, behind one interface, so the same CLI runs on both. Files,
 * environment and arguments go through `node:` modules, which Deno implements too; serving and reloading differ.
 *
 * @module
 */

import { spawn } from "node:child_process";
import { readdir, readFile, rename, writeFile } from "node:fs/promises";
import process from "node:process";

/** A running HTTP server. */
export interface Server {
  /** The port it listens on (useful with port 0). */
  readonly port: number;
  /** Stops accepting requests and resolves once open ones are answered. */
  shutdown(): Promise<void>;
}

/** Options for {@linkcode Runtime.serve}. */
export interface ServeOptions {
  /** The port; 0 picks a free one. */
  port: number;
  /** The interface to listen on. */
  hostname: string;
}

/** What the CLI needs from the JavaScript runtime. */
export interface Runtime {
  /** `deno` or `node`. */
  readonly name: "deno" | "node";
  /** The command-line arguments after the script. */
  args(): string[];
  /** The process environment. */
  env(): Record<string, string>;
  /** The working directory. */
  cwd(): string;
  /** Reads a UTF-8 file; `undefined` when it does not exist. */
  readText(path: string): Promise<string | undefined>;
  /** Writes a UTF-8 file atomically (temporary file, then rename). */
  writeText(path: string, text: string): Promise<void>;
  /** Every file below `dir`, as paths relative to it with `/` separators. */
  listFiles(dir: string): Promise<string[]>;
  /** Serves HTTP. */
  serve(handler: (request: Request) => Promise<Response>, options: ServeOptions): Promise<Server>;
  /**
   * Runs this CLI again in a child process that restarts whenever a file it imports, or one under `watch`, changes.
   * Resolves with the child's exit code once it ends.
   */
  runWatched(cliArgs: string[], watch: string[], env: Record<string, string>): Promise<number>;
}

const CLI = new URL("../../cli.ts", import.meta.url);

const shared = {
  args: () => process.argv.slice(2),
  env: () => ({ ...process.env }) as Record<string, string>,
  cwd: () => process.cwd(),
  async readText(path: string): Promise<string | undefined> {
    try {
      return await readFile(path, "utf8");
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") return undefined;
      throw error;
    }
  },
  async writeText(path: string, text: string): Promise<void> {
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, text);
    await rename(temporary, path);
  },
  async listFiles(dir: string): Promise<string[]> {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => {
      const parent = (e.parentPath ?? dir).slice(dir.length).replace(/^[\\/]+/, "");
      return [parent, e.name].filter(Boolean).join("/").replaceAll("\\", "/");
    });
  },
};

// Deno's own server: `Deno` is only named here, where the CLI runs on Deno.
const deno: Runtime = {
  name: "deno",
  ...shared,
  serve(handler, options) {
    const { promise, resolve } = Promise.withResolvers<number>();
    const server = Deno.serve({ ...options, onListen: ({ port }) => resolve(port) }, handler);
    return promise.then((port) => ({ port, shutdown: () => server.shutdown() }));
  },
  runWatched(cliArgs, watch, env) {
    const flags = ["run", "-A", "--unstable-no-legacy-abort", "--no-clear-screen", `--watch=${watch.join(",")}`];
    return runChild(Deno.execPath(), [...flags, CLI.href, ...cliArgs], env);
  },
};

function runChild(command: string, args: string[], env: Record<string, string>): Promise<number> {
  const child = spawn(command, args, { stdio: "inherit", env: { ...process.env, ...env } });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const onInt = forward("SIGINT");
  const onTerm = forward("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  return new Promise((resolve) => {
    child.on("exit", (code, signal) => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      resolve(code ?? (signal ? 128 + 15 : 1));
    });
  });
}

/**
 * The runtime the CLI runs on.
 *
 * @returns The Deno runtime layer (the Node one arrives with the npm build).
 *
 * @example Usage
 * ```ts
 * import { currentRuntime } from "./runtime.ts";
 * console.assert(currentRuntime().name === "deno");
 * ```
 */
export function currentRuntime(): Runtime {
  if (typeof Deno === "undefined") {
    throw new Error("This build of the slrs CLI runs on Deno; the Node runtime layer ships with the npm package.");
  }
  return deno;
}
