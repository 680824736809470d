/**
 * The reloading half of `cli.ts dev`: runs the server in a child process and, when a watched file changes, stops it
 * with SIGTERM, waits until it has answered its open requests and exited, then starts a new one. (Deno's own
 * `--watch` restarts by dropping the running program, and with it every request in flight; Node's follows only the
 * modules that loaded, so on Node the child is `node --watch` and this watches the rest, such as `.env`.)
 *
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, type FSWatcher, watch } from "node:fs";
import { basename, dirname, relative } from "node:path";
import process from "node:process";
import { pollFile } from "./poll_file.ts";

/** How to run the child and what to watch. */
export interface RestartOptions {
  /** The executable. */
  command: string;
  /** Its arguments. */
  args: string[];
  /** Added to this process's environment for the child. */
  env: Record<string, string>;
  /** The files whose change restarts the child, asked again at each start (imports change). */
  files: () => Promise<string[]>;
  /** For messages: paths are shown relative to it. */
  cwd: string;
}

/** Wait this long after a change for more (an editor's save is several events). */
const SETTLE_MS = 50;
/** How often a file in a missing folder is looked for. */
const POLL_MS = 300;

/**
 * Runs the child until this process is told to stop (SIGINT, SIGTERM: forwarded to the child), restarting it on
 * every change of a watched file; a child that exits by itself is restarted on the next change.
 *
 * @param options The command and the files to watch.
 * @returns The child's exit code once this process was told to stop.
 *
 * @example Usage
 * ```ts ignore
 * import { restartOnChange } from "./restart_on_change.ts";
 * await restartOnChange({ command: Deno.execPath(), args: ["run", "-A", "main.ts"], env: {}, cwd: Deno.cwd(), files: async () => ["main.ts"] });
 * ```
 */
export async function restartOnChange(options: RestartOptions): Promise<number> {
  let child: ChildProcess | undefined;
  let stopping = false;
  // Not Promise.withResolvers: the CLI runs on Node 20, which lacks it.
  let stop = () => {};
  const stopped = new Promise<void>((resolve) => stop = resolve);
  const forward = (signal: NodeJS.Signals) => () => {
    stopping = true;
    child?.kill(signal);
    stop();
  };
  const onInt = forward("SIGINT");
  const onTerm = forward("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  let files: string[] = [];
  try {
    while (true) {
      child = spawn(options.command, options.args, { stdio: "inherit", env: { ...process.env, ...options.env } });
      const exited = exitOf(child);
      files = await options.files().catch(() => files);
      const change = changeOf(files);
      const first = await Promise.race([exited.then((code) => ({ code })), change.next, stopped.then(() => "stop")]);
      if (first === "stop" || stopping) {
        change.close();
        return await exited;
      }
      if (typeof first === "object") {
        // The server stopped by itself (say, the entry does not compile): start again once something changes.
        const shown = files.map((file) => relative(options.cwd, file) || file).join(", ");
        console.error(`slrs dev: the server exited (code ${first.code}); waiting for a change to restart (${shown}).`);
        const next = await Promise.race([change.next, stopped.then(() => "stop")]);
        change.close();
        if (next === "stop") return first.code;
        continue;
      }
      change.close();
      console.error(`slrs dev: ${relative(options.cwd, first) || first} changed; restarting once open requests end.`);
      child.kill("SIGTERM");
      await exited;
      if (stopping) return 0;
    }
  } finally {
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
  }
}

function exitOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once("error", () => resolve(1));
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 + 15 : 1)));
  });
}

/**
 * Resolves `next` with the first watched file that changes (after a short settle). Directories are watched rather
 * than files, since editors often save by writing a new file and renaming it over the old one.
 */
function changeOf(files: string[]): { next: Promise<string>; close(): void } {
  const byDir = new Map<string, Set<string>>();
  for (const file of files) {
    const dir = dirname(file);
    if (!byDir.has(dir)) byDir.set(dir, new Set());
    byDir.get(dir)!.add(basename(file));
  }
  const watchers: FSWatcher[] = [];
  const polls: (() => void)[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let resolve: (file: string) => void = () => {};
  const next = new Promise<string>((done) => resolve = done);
  for (const [dir, names] of byDir) {
    if (!existsSync(dir)) {
      // A folder that does not exist yet cannot be watched; its files are polled until they appear.
      for (const name of names) {
        const file = `${dir}/${name}`;
        polls.push(pollFile(file, POLL_MS, () => resolve(file)));
      }
      continue;
    }
    try {
      watchers.push(watch(dir, (_event, name) => {
        if (name === null || !names.has(String(name))) return;
        clearTimeout(timer);
        timer = setTimeout(() => resolve(`${dir}/${name}`), SETTLE_MS);
      }));
    } catch {
      // A folder that does not exist (yet) has nothing to watch.
    }
  }
  return {
    next,
    close() {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
      for (const stop of polls) stop();
    },
  };
}
