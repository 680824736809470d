/**
 * Bundles a worker entry into one ES module with esbuild, as `cli.ts build --target cloudflare` does and a Workers
 * deployment (or Miniflare) takes it.
 * Used by the Cloudflare tests and `scripts/bench_cloudflare/bench.ts`.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { bundleModule } from "../cli/bundle.ts";

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
  const path = entry instanceof URL ? fileURLToPath(entry) : entry;
  const minify = options.minify ?? false;
  const { code } = await bundleModule({ entry: path, out: `${path}.bundle.js`, platform: "browser", minify });
  // Miniflare takes the code as a string, without the map: the comment naming it would only add bytes.
  return new TextDecoder().decode(code).replace(/\n\/\/# sourceMappingURL=\S+\n?$/, "\n");
}
