/**
 * Bundles a generated entry the way `cli.ts build` does (cli/build_command.ts, `bundleEntry`): `deno bundle
 * --quiet --minify` with the unchecked-definition import map, the target's `--platform` and `--external`s, from the
 * running Deno binary. Entry lines use `ADAPTER` and `FUNCTION` for the adapter's and the function's modules.
 */

import { UNCHECKED_IMPORT_MAP } from "../../cli/build_command.ts";

/** What to bundle. */
export interface BundleOptions {
  /** The entry's lines, as the packaging module gives them. */
  lines: string[];
  /** The adapter, by file name without extension (`vercel`, `azure`, `gcp`). */
  adapter: string;
  /** The function's module, as a file URL. */
  fn: URL;
  /** `deno bundle --platform`. */
  platform: "deno" | "browser";
  /** npm packages left out of the bundle. */
  external?: string[];
  /** `deno bundle --format`, when not the default ESM. */
  format?: string;
}

/** Writes the entry into `dir`, bundles it to `dir/<name>` and returns the bundle's bytes. */
export async function bundle(dir: string, name: string, options: BundleOptions): Promise<Uint8Array> {
  const adapter = new URL(`../../adapters/${options.adapter}.ts`, import.meta.url).href;
  const entry = `${dir}/${name}.entry.ts`;
  const source = options.lines.map((line) =>
    line.replace("ADAPTER", JSON.stringify(adapter)).replace("FUNCTION", JSON.stringify(options.fn.href))
  );
  await Deno.writeTextFile(entry, source.join("\n") + "\n");
  return await bundleFile(entry, `${dir}/${name}`, options);
}

/** Bundles a module file with the build's flags. */
export async function bundleFile(
  entry: string,
  out: string,
  options: Pick<BundleOptions, "platform" | "external" | "format">,
): Promise<Uint8Array> {
  const importMap = `${out}.import_map.json`;
  await Deno.writeTextFile(importMap, JSON.stringify(UNCHECKED_IMPORT_MAP));
  const args = [
    "bundle",
    "--quiet",
    "--minify",
    "--import-map",
    importMap,
    "--platform",
    options.platform,
    ...(options.format === undefined ? [] : ["--format", options.format]),
    ...(options.external ?? []).flatMap((name) => ["--external", name]),
    "-o",
    out,
    entry,
  ];
  const result = await new Deno.Command(Deno.execPath(), {
    args,
    env: { RUST_BACKTRACE: "0", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(importMap);
  if (!result.success) throw new Error(`deno ${args.join(" ")}:\n${new TextDecoder().decode(result.stderr)}`);
  return await Deno.readFile(out);
}
