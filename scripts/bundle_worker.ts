/**
 * Bundles a worker entry into one ES module with `deno bundle`, as a Workers deployment (or Miniflare) takes it.
 * Used by the Cloudflare tests and `scripts/bench_cloudflare/bench.ts`.
 *
 * @module
 */

import { UNCHECKED_IMPORT_MAP } from "../cli/build_command.ts";

/** Options for {@linkcode bundleWorker}. */
export interface BundleOptions {
  /** Minify the output and leave out the definition checks, as `cli.ts build --target cloudflare` does. */
  minify?: boolean;
}

/**
 * Bundles `entry` for the browser platform (what workerd is closest to) and returns the code.
 *
 * @param entry The worker's entry module, e.g. a file URL.
 * @param options Whether to build as for a deployment.
 * @returns The bundled ES module's source.
 */
export async function bundleWorker(entry: string | URL, options: BundleOptions = {}): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "slrs-worker-" });
  try {
    const out = `${dir}/worker.js`;
    const importMap = `${dir}/import_map.json`;
    await Deno.writeTextFile(importMap, JSON.stringify(UNCHECKED_IMPORT_MAP));
    const path = entry instanceof URL ? entry.pathname : entry;
    const args = [
      "bundle",
      "--quiet",
      "--platform",
      "browser",
      ...(options.minify ? ["--minify", "--import-map", importMap] : []),
      "-o",
      out,
      path,
    ];
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args,
      env: { RUST_BACKTRACE: "0", NO_COLOR: "1" },
      stdout: "null",
      stderr: "piped",
    }).output();
    if (code !== 0) throw new Error(`deno ${args.join(" ")} failed:\n${new TextDecoder().decode(stderr)}`);
    return await Deno.readTextFile(out);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
