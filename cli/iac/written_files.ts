/**
 * What `iac terraform` wrote, kept in `<out>/.slrs-iac.json`, so that a later run removes the files that no longer
 * apply (a platform dropped from `--platform`, or no longer built) and nothing else: a file is removed only when the
 * manifest names it and it still holds what was written, so a file the user wrote or edited is never deleted.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { resolve } from "node:path";

/**
 * The manifest's file name, in the output folder.
 *
 * @example Usage
 * ```ts
 * import { MANIFEST } from "./written_files.ts";
 * console.assert(MANIFEST === ".slrs-iac.json");
 * ```
 */
export const MANIFEST = ".slrs-iac.json";

/** The only names the manifest may hold: a `*.tf.json` directly in the output folder. */
const OWN_NAME = /^[a-z0-9_-]+\.tf\.json$/;

/** What {@linkcode writeTracked} did, by file name. */
export interface Tracked {
  /** Written (or rewritten) this run. */
  written: string[];
  /** Written by an earlier run, no longer generated, and removed. */
  removed: string[];
  /** Written by an earlier run and no longer generated, but changed since: left alone. */
  kept: string[];
}

/**
 * Writes `files` into `out`, removes what an earlier run wrote there that is not among them, and records what was
 * written (with each file's SHA-256) in the manifest.
 *
 * @param out The output folder.
 * @param files File name → text.
 * @returns What was written, removed and kept.
 *
 * @example Usage
 * ```ts
 * import { writeTracked } from "./written_files.ts";
 * const out = await Deno.makeTempDir();
 * await writeTracked(out, { "main.tf.json": "{}", "gcp.tf.json": "{}" });
 * const { removed } = await writeTracked(out, { "main.tf.json": "{}" });
 * console.assert(removed[0] === "gcp.tf.json");
 * await Deno.remove(out, { recursive: true });
 * ```
 */
export async function writeTracked(out: string, files: Record<string, string>): Promise<Tracked> {
  const before = await readManifest(out);
  await mkdir(out, { recursive: true });
  const hashes: Record<string, string> = Object.create(null);
  for (const [name, text] of Object.entries(files)) {
    await writeFile(resolve(out, name), text);
    hashes[name] = sha256(text);
  }
  const removed: string[] = [];
  const kept: string[] = [];
  for (const [name, hash] of Object.entries(before)) {
    if (Object.hasOwn(hashes, name)) continue;
    const text = await readFile(resolve(out, name), "utf8").catch(() => undefined);
    if (text === undefined) continue;
    if (sha256(text) === hash) {
      await rm(resolve(out, name));
      removed.push(name);
    } else {
      kept.push(name);
    }
  }
  await writeFile(resolve(out, MANIFEST), `${JSON.stringify({ slrs: "iac terraform", files: hashes }, null, 2)}\n`);
  return { written: Object.keys(files), removed, kept };
}

/** The files an earlier run wrote, by name; a manifest that is missing, unreadable or names another path, none. */
async function readManifest(out: string): Promise<Record<string, string>> {
  const text = await readFile(resolve(out, MANIFEST), "utf8").catch(() => undefined);
  if (text === undefined) return {};
  try {
    const files = (JSON.parse(text) as { files?: unknown }).files;
    if (typeof files !== "object" || files === null) return {};
    return Object.fromEntries(
      Object.entries(files).filter(([name, hash]) => OWN_NAME.test(name) && typeof hash === "string"),
    );
  } catch {
    return {};
  }
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
