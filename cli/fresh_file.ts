/**
 * Writing build output without following links. An output path that is a symbolic link (planted in `dist/`, or left
 * by a tool) must not let `build` overwrite whatever the link points to: the link is replaced by a new file.
 *
 * @module
 */

import { lstat, mkdir, rename, rm, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve, sep } from "node:path";

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

/**
 * Makes `root/relative` a real directory, component by component: a symbolic link at any level below `root` is
 * removed (not followed) and a directory made in its place, so a link planted inside the output (say
 * `dist/azure/shop -> /etc`) cannot send later writes outside it. `root` itself is handled by
 * {@linkcode freshDirectory}.
 *
 * @param root The output directory.
 * @param relative A path below it, with `/` separators.
 * @returns The directory's absolute path.
 * @throws {TypeError} For a path that climbs out of `root`.
 *
 * @example Usage
 * ```ts
 * import { freshDirectories } from "./fresh_file.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.symlink("/tmp", `${dir}/a`);
 * await freshDirectories(dir, "a/b");
 * console.assert((await Deno.lstat(`${dir}/a`)).isDirectory && (await Deno.lstat(`${dir}/a/b`)).isDirectory);
 * ```
 */
export async function freshDirectories(root: string, relative: string): Promise<string> {
  const base = resolve(root);
  await freshDirectory(base);
  let dir = base;
  for (const part of relative.split("/").filter((p) => p !== "" && p !== ".")) {
    dir = resolve(dir, part);
    if (!dir.startsWith(base + sep)) throw new TypeError(`${JSON.stringify(relative)} leaves ${base}.`);
    await freshDirectory(dir);
  }
  return dir;
}
