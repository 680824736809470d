/**
 * Polls one file for appearing, changing or going away: for paths `fs.watch` cannot follow (a folder that does not
 * exist yet, a module Node's `--watch` never loaded). Not `fs.watchFile`, which Deno reports with empty stats.
 *
 * @module
 */

import { statSync } from "node:fs";

/**
 * Calls `onChange` once the file's modification time (or its existence) differs from when polling began.
 *
 * @param path The file.
 * @param intervalMs How often to look.
 * @param onChange Called at most once.
 * @returns A function that stops polling.
 *
 * @example Usage
 * ```ts
 * import { pollFile } from "./poll_file.ts";
 * const stop = pollFile("does-not-exist.ts", 300, () => console.log("appeared"));
 * stop();
 * ```
 */
export function pollFile(path: string, intervalMs: number, onChange: () => void): () => void {
  const initial = stamp(path);
  const timer = setInterval(() => {
    if (stamp(path) === initial) return;
    clearInterval(timer);
    onChange();
  }, intervalMs);
  return () => clearInterval(timer);
}

function stamp(path: string): string {
  try {
    const stat = statSync(path);
    return `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
  } catch {
    return "missing";
  }
}
