/**
 * The npm packages only some commands need (esbuild and fflate for `build`, Miniflare, `@azure/functions` and the
 * Functions Framework for `dev --target`), loaded when that command runs.
 *
 * Deno downloads, before it runs anything, every module the entry's static imports reach, and also every dynamic
 * `import()` whose specifier it can read in the source (even one in a branch that never runs); a specifier computed
 * at run time is fetched only when the `import()` runs. So the CLI names these packages nowhere in its module graph
 * (type-only imports are fine: `deno run` does not fetch them), and a plain `dev` downloads no npm package.
 *
 * @module
 */

import { CliError } from "./errors.ts";

/**
 * The packages `slrs build` loads at run time, with the range it is tested with: dependencies of the npm package
 * (scripts/build_npm.ts adds them to its package.json, as it cannot see a computed `import()`).
 *
 * @example Usage
 * ```ts
 * import { BUILD_PACKAGES } from "./npm_import.ts";
 * console.assert(BUILD_PACKAGES.esbuild.startsWith("npm:esbuild@"));
 * ```
 */
export const BUILD_PACKAGES = {
  // One esbuild release on every runtime is what makes a Node build and a Deno build of the same code the same bytes.
  esbuild: "npm:esbuild@0.25.12",
  fflate: "npm:fflate@^0.8.2",
} as const;

/**
 * The packages a `dev --target` mode loads, with the range it is tested with. A project that runs that mode on Node
 * installs them itself (they are large and most projects never use the mode); on Deno they are fetched on first use.
 *
 * @example Usage
 * ```ts
 * import { DEV_TARGET_PACKAGES } from "./npm_import.ts";
 * console.assert(DEV_TARGET_PACKAGES.miniflare === "npm:miniflare@^4");
 * ```
 */
export const DEV_TARGET_PACKAGES = {
  miniflare: "npm:miniflare@^4",
  "@azure/functions": "npm:@azure/functions@^4.16.5",
  "@google-cloud/functions-framework": "npm:@google-cloud/functions-framework@^5.0.5",
} as const;

/** A package {@linkcode importNpm} can load. */
export type LoadedPackage = keyof typeof BUILD_PACKAGES | keyof typeof DEV_TARGET_PACKAGES;

/**
 * Imports one of the packages of {@linkcode BUILD_PACKAGES} or {@linkcode DEV_TARGET_PACKAGES}: by its name where that
 * resolves (Node's `node_modules`, or a Deno project whose import map or `node_modules` has it, so the project's own
 * version wins), else, on Deno, by its `npm:` specifier with the tested range.
 *
 * @param name The package.
 * @param purpose What needs it, for the error: e.g. `dev --target cloudflare`.
 * @param subpath A subpath export, e.g. `/testing`.
 * @returns The module namespace.
 * @throws {CliError} When the package cannot be loaded, saying how to install it.
 *
 * @example Load fflate on first use
 * ```ts
 * import type * as fflate from "npm:fflate@^0.8.2";
 * import { importNpm } from "./npm_import.ts";
 * const { strToU8 } = await importNpm<typeof fflate>("fflate", "build");
 * console.assert(strToU8("a")[0] === 97);
 * ```
 */
export async function importNpm<T>(name: LoadedPackage, purpose: string, subpath = ""): Promise<T> {
  const bare = `${name}${subpath}`;
  let failure: unknown;
  try {
    return await import(bare) as T;
  } catch (error) {
    failure = error;
  }
  if (typeof Deno !== "undefined") {
    try {
      return await import(`${specifierOf(name)}${subpath}`) as T;
    } catch (error) {
      failure = error;
    }
  }
  throw new CliError(
    `${purpose} needs the npm package ${name}, which could not be loaded (${(failure as Error).message}); ` +
      `on Node, install it in the project: npm install --save-dev ${name}.`,
  );
}

function specifierOf(name: LoadedPackage): string {
  return name in BUILD_PACKAGES
    ? BUILD_PACKAGES[name as keyof typeof BUILD_PACKAGES]
    : DEV_TARGET_PACKAGES[name as keyof typeof DEV_TARGET_PACKAGES];
}
