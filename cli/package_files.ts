/**
 * A deployable package as data: relative paths to file contents, its zip (for zip deploy and upload), and writing
 * it to a folder. The packaging modules (`vercel_output.ts`, `azure_package.ts`, `gcp_package.ts`) build these
 * without touching the disk, so they can be tested as data and written by `build`. fflate, which zips, is loaded on
 * first use (cli/npm_import.ts), so only `build` downloads it.
 *
 * @module
 */

import { dirname, relative, resolve, sep } from "node:path";
import type * as fflate from "npm:fflate@^0.8.2";
import { importNpm } from "./npm_import.ts";
import { freshDirectories, writeFreshFile } from "./fresh_file.ts";

/** A package's files: relative paths with `/` separators, in the order they were added. */
export type PackageFiles = Map<string, Uint8Array>;

/**
 * The file contents of JSON documents as written to disk: two-space indent and a final newline, so generated
 * configuration reads like hand-written configuration.
 *
 * @param value The document.
 * @returns Its bytes.
 *
 * @example Usage
 * ```ts
 * import { jsonFile } from "./package_files.ts";
 * console.assert(new TextDecoder().decode(jsonFile({ a: 1 })) === '{\n  "a": 1\n}\n');
 * ```
 */
export function jsonFile(value: unknown): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Zips a package with fixed timestamps and Unix permissions (0644), so the same files give the same bytes and the
 * same hash for Terraform's `source_code_hash` or a bucket object's MD5.
 *
 * @param files The package.
 * @returns The zip's bytes.
 *
 * @example Usage
 * ```ts
 * import { zipFiles } from "./package_files.ts";
 * const zip = await zipFiles(new Map([["index.js", new TextEncoder().encode("export {}")]]));
 * console.assert(zip[0] === 0x50 && zip[1] === 0x4b); // "PK"
 * ```
 */
export async function zipFiles(files: PackageFiles): Promise<Uint8Array> {
  const { zipSync } = await importNpm<typeof fflate>("fflate", "build");
  const mtime = new Date("1980-01-01T00:00:00Z");
  const zippable: fflate.Zippable = {};
  // Sorted: the zip does not depend on the order in which a module added its files.
  for (const path of [...files.keys()].sort()) {
    checkPath(path);
    zippable[path] = [files.get(path)!, { os: 3, attrs: 0o100644 << 16, mtime }];
  }
  return zipSync(zippable, { level: 9, mtime });
}

/**
 * Writes a package under a folder, creating the folders its paths need. Nothing is written through a symbolic link:
 * a link where a folder or a file of the package goes is replaced (cli/fresh_file.ts), never followed.
 *
 * @param dir The folder the paths are relative to.
 * @param files The package.
 * @returns The absolute paths written, in the package's order.
 * @throws {TypeError} For a path that is absolute or climbs out of `dir`.
 *
 * @example Usage
 * ```ts
 * import { writeFiles } from "./package_files.ts";
 * const dir = await Deno.makeTempDir();
 * await writeFiles(dir, new Map([["a/b.txt", new TextEncoder().encode("hi")]]));
 * console.assert(await Deno.readTextFile(`${dir}/a/b.txt`) === "hi");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeFiles(dir: string, files: PackageFiles): Promise<string[]> {
  const root = resolve(dir);
  const written: string[] = [];
  for (const [path, bytes] of files) {
    checkPath(path);
    const target = resolve(root, path);
    if (!target.startsWith(root + sep)) throw new TypeError(`package path ${JSON.stringify(path)} leaves ${root}.`);
    await freshDirectories(root, relative(root, dirname(target)).replaceAll("\\", "/"));
    await writeFreshFile(target, bytes);
    written.push(target);
  }
  return written;
}

// A function name ends up in paths: one that is absolute or has `..` must not escape the package.
function checkPath(path: string): void {
  if (path === "" || path.startsWith("/") || path.includes("\\") || path.split("/").some((part) => part === "..")) {
    throw new TypeError(`package path ${JSON.stringify(path)} must be relative, with "/" and no "..".`);
  }
}
