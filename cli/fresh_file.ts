/**
 * Writing build output without following links. An output path that is a symbolic link (planted in `dist/`, or left
 * by a tool) must not let `build` overwrite whatever the link points to: the link is replaced by a new file.
 *
 * @module
 */

import { lstat, mkdir, rename, rm, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * A unique name beside `path` that keeps its extension (`deno bundle` reads it), for writing before a rename.
 *
 * @param path The final path.
 * @returns A path in the same directory that nothing uses yet.
 *
 * @example Usage
 * ```ts
 * import { temporaryBeside } from "./fresh_file.ts";
 * console.assert(temporaryBeside("dist/deno/hello.js").endsWith("-hello.js"));
 * ```
 */
export function temporaryBeside(path: string): string {
  return join(dirname(path), `.tmp-${crypto.randomUUID().slice(0, 8)}-${basename(path)}`);
}

/**
 * Writes `data` as a new file at `path`. The bytes go to a fresh temporary file first (created exclusively, so a
 * link there fails instead of being followed), which is then renamed over `path`: a rename replaces a link itself,
 * never its target.
 *
 * @param path Where the file goes.
 * @param data Its content.
 *
 * @example Usage
 * ```ts
 * import { writeFreshFile } from "./fresh_file.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.symlink(`${dir}/elsewhere.txt`, `${dir}/out.txt`);
 * await writeFreshFile(`${dir}/out.txt`, "built");
 * console.assert((await Deno.lstat(`${dir}/out.txt`)).isFile);
 * ```
 */
export async function writeFreshFile(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = temporaryBeside(path);
  try {
    await writeFile(temporary, data, { flag: "wx" });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Makes sure `dir` is a real directory: a symbolic link there is removed (not followed) and a directory made.
 *
 * @param dir The directory the output goes to.
 *
 * @example Usage
 * ```ts
 * import { freshDirectory } from "./fresh_file.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.symlink("/tmp", `${dir}/out`);
 * await freshDirectory(`${dir}/out`);
 * console.assert((await Deno.lstat(`${dir}/out`)).isDirectory);
 * ```
 */
export async function freshDirectory(dir: string): Promise<void> {
  const existing = await lstat(dir).catch(() => undefined);
  if (existing?.isSymbolicLink()) await unlink(dir);
  await mkdir(dir, { recursive: true });
}
