/**
 * Bundles a generated entry the way `cli.ts build` does (cli/build_command.ts, `bundleEntry`): esbuild through
 * cli/bundle.ts, minified, with the definition checks left out, the target's platform and externals. Entry lines use
 * `ADAPTER` and `FUNCTION` for the adapter's and the function's modules.
 */

import { bundleModule } from "../../cli/bundle.ts";

/** What to bundle. */
export interface BundleOptions {
  /** The entry's lines, as the packaging module gives them. */
  lines: string[];
  /** The adapter, by file name without extension (`vercel`, `azure`, `gcp`). */
  adapter: string;
  /** The function's module, as a file URL. */
  fn: URL;
  /** The bundle's platform, as cli/build_command.ts names it. */
  platform: "deno" | "browser";
  /** npm packages left out of the bundle. */
  external?: string[];
  /** The format, when not the default ESM. */
  format?: "esm" | "iife";
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
  const { code, map } = await bundleModule({ entry, out, ...options });
  await Deno.writeFile(`${out}.map`, map);
  await Deno.writeFile(out, code);
  return code;
}
