/**
 * The few calls that differ between Deno and Node, behind one interface, so the same CLI runs on both. Files,
 * environment and arguments go through `node:` modules, which Deno implements too; serving and reloading differ.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { spawn } from "node:child_process";
import { realpathSync } from "node:fs";
import { readdir, readFile, rename, writeFile } from "node:fs/promises";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { BadTarget, checkedRequest, listeningHost } from "../adapters/_request_url.ts";
import { jsonError } from "../src/error_response.ts";
import { serverless } from "../src/serverless.ts";
import type { ClientInfo } from "./dev_guard.ts";
import { CliError } from "./errors.ts";
import { restartOnChange } from "./restart_on_change.ts";

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
  /** Serves HTTP; the handler also learns the client's address. */
  serve(handler: (request: Request, client: ClientInfo) => Promise<Response>, options: ServeOptions): Promise<Server>;
  /**
   * Runs this CLI again in a child process that restarts whenever a module `entry` imports changes, or one of the
   * `watch` paths (which need not exist yet). A restart stops the child with SIGTERM and waits for it to exit, so it can answer its
   * open requests first. Resolves with the child's exit code once it ends.
   */
  runWatched(cliArgs: string[], entry: string, watch: string[], env: Record<string, string>): Promise<number>;
}

const CLI = new URL("../cli.ts", import.meta.url);
/** Where cli.ts is compiled to in the npm package. */
const CLI_JS = new URL("../cli.js", import.meta.url);

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
    let server: Deno.HttpServer;
    try {
      server = Deno.serve(
        { ...options, onListen: ({ port }) => resolve(port) },
        (given, info) => {
          // Deno.serve writes `Host` into the URL as it came (`x/admin?` would move the path): the URL is built as
          // every adapter builds it, and a dot segment answers 400, as on Node (whose adapter does the same).
          let request: Request;
          try {
            request = checkedRequest(given, () => listeningHost(server.addr as Deno.NetAddr));
          } catch (error) {
            if (!(error instanceof BadTarget)) throw error;
            return Promise.resolve(jsonError(400, error.message, crypto.randomUUID()));
          }
          return handler(request, { address: (info.remoteAddr as Deno.NetAddr).hostname });
        },
      );
    } catch (error) {
      throw listenError(error, options);
    }
    return promise.then((port) => ({ port, shutdown: () => server.shutdown() }));
  },
  runWatched(cliArgs, entry, watch, env) {
    // Not `deno run --watch`: it restarts by dropping the program, and every request in flight with it.
    return restartOnChange({
      command: Deno.execPath(),
      args: ["run", "-A", "--unstable-no-legacy-abort", CLI.href, ...cliArgs],
      env,
      cwd: process.cwd(),
      files: async () => [...await localModules(entry), ...watch],
    });
  },
};

// Node serves through the Node adapter (imported only here, so Deno never loads it). The adapter wants a function;
// the dev server's handler builds its own context, so the adapter's is not used. Signals keep their default effect,
// as on Deno: the watcher stops the child with SIGTERM.
const node: Runtime = {
  name: "node",
  ...shared,
  async serve(handler, options) {
    const { serve } = await import("../adapters/node.ts");
    const fn = serverless({
      name: "slrs-dev",
      fetch: (request, ctx) => handler(request, { address: (ctx.raw as NodeRaw).req.socket.remoteAddress }),
    });
    const server = await serve(fn, { ...options, processEnv: false, handleSignals: false, onListen: () => {} })
      .catch((error) => Promise.reject(listenError(error, options)));
    return { port: server.port, shutdown: () => server.shutdown() };
  },
  runWatched(cliArgs, _entry, watch, env) {
    // Node's `--watch` follows the modules the entry imports, but `--watch-path` would turn that off (Node cannot do
    // both). So `node --watch` restarts the server when a module changes, and the same watcher as on Deno restarts
    // `node --watch` itself when one of the other paths (.env, the other entries) changes. Both stop their child
    // with SIGTERM and wait for it to exit before they start the next one.
    // Source maps on: a stack through the compiled package points at its TypeScript, as on Deno.
    const flags = ["--enable-source-maps", "--watch", "--watch-preserve-output"];
    return restartOnChange({
      command: process.execPath,
      args: [...flags, fileURLToPath(CLI_JS), ...cliArgs],
      env,
      cwd: process.cwd(),
      files: () => Promise.resolve(watch),
    });
  },
};

/**
 * A taken port is the user's to fix (another server, an earlier dev still running): one line naming the port and
 * `--port`, not a stack. Deno throws `AddrInUse`, Node an error with code `EADDRINUSE`.
 */
function listenError(error: unknown, options: ServeOptions): unknown {
  const inUse = (error as { code?: string }).code === "EADDRINUSE" ||
    (typeof Deno !== "undefined" && error instanceof Deno.errors.AddrInUse);
  if (!inUse) return error;
  return new CliError(
    `port ${options.port} on ${options.hostname} is already in use; stop what listens there, or pick another ` +
      "port with --port N (--port 0 picks a free one).",
  );
}

/** `ctx.raw` of the Node adapter, as far as dev reads it. */
interface NodeRaw {
  req: { socket: { remoteAddress?: string | undefined } };
}

/** The local files of the entry's module graph, from `deno info --json`; just the entry when that fails. */
async function localModules(entry: string): Promise<string[]> {
  const output = await new Promise<string>((done) => {
    const chunks: Uint8Array[] = [];
    const child = spawn(Deno.execPath(), ["info", "--json", entry], { stdio: ["ignore", "pipe", "ignore"] });
    child.stdout.on("data", (chunk: Uint8Array) => chunks.push(chunk));
    child.on("error", () => done(""));
    child.on("close", () => done(new TextDecoder().decode(Buffer.concat(chunks))));
  });
  try {
    const graph = JSON.parse(output) as { modules?: { specifier: string; local?: string }[] };
    const files = (graph.modules ?? []).filter((m) => m.specifier.startsWith("file:") && m.local).map((m) => m.local!);
    return files.length > 0 ? files : [entry];
  } catch {
    return [entry];
  }
}

/**
 * The runtime the CLI runs on.
 *
 * @returns The Deno runtime layer on Deno, the Node one elsewhere (the npm package's `slrs` command).
 *
 * @example Usage
 * ```ts
 * import { currentRuntime } from "./runtime.ts";
 * console.assert(currentRuntime().name === "deno");
 * ```
 */
export function currentRuntime(): Runtime {
  return typeof Deno === "undefined" ? node : deno;
}

/**
 * Whether the module at `url` is the program being run. Deno says so with `import.meta.main`; Node 20 has no such
 * flag, so the started script (through any npm bin link) is compared with the module's file.
 *
 * @param url The module's `import.meta.url`.
 * @returns `true` when Node was started with that module.
 *
 * @example Usage
 * ```ts
 * import { isNodeMain } from "./runtime.ts";
 * console.assert(isNodeMain(import.meta.url) === false);
 * ```
 */
export function isNodeMain(url: string): boolean {
  const script = process.argv[1];
  if (typeof Deno !== "undefined" || script === undefined || !url.startsWith("file:")) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(url));
  } catch {
    return false;
  }
}
