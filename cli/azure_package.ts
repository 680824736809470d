/**
 * The function app folder of one function for Azure Functions' v4 Node.js programming model (`build` zips it for zip
 * deploy):
 *
 * ```
 * host.json      version 2.0, the v4 extension bundle, the function timeout, the HTTP route prefix
 * package.json   "main": "index.js", "type": "module", @azure/functions (and its bindings' storage SDKs) as dependencies
 * index.js       the bundle: registers the function's triggers with app.http, app.timer and app.storageQueue
 * ```
 *
 * The host loads `main` and records what it registers (the v4 model needs no function.json):
 * https://learn.microsoft.com/azure/azure-functions/functions-reference-node?pivots=nodejs-model-v4#folder-structure.
 * host.json keys: https://learn.microsoft.com/azure/azure-functions/functions-host-json (`version`,
 * `extensionBundle`, `functionTimeout`, `extensions.http.routePrefix`); the bundle range `[4.*, 5.0.0)` is the one
 * https://learn.microsoft.com/azure/azure-functions/functions-bindings-register#extension-bundles gives for v4.
 * `@azure/functions` stays out of the bundle: the library must be the one the worker hooks (`@azure/functions-core`),
 * so it is installed from package.json by the deployment's remote build.
 *
 * @module
 */

import type { FunctionInfo } from "../src/info.ts";
import { backendPackages } from "./binding_entry.ts";
import { jsonFile, type PackageFiles } from "./package_files.ts";

/** The `@azure/functions` range the app depends on: the one slrs is tested with (its `npm:` imports). */
export const AZURE_FUNCTIONS_VERSION = "^4.16.5";

/** The route prefix the app's host.json sets, which the adapter removes by default (`routePrefix: "api"`). */
export const AZURE_ROUTE_PREFIX = "api";

/** One built function for {@linkcode azurePackage}. */
export interface AzureBuiltFunction {
  /** The function's `--info` entry. */
  info: FunctionInfo;
  /** The bundle made from {@linkcode AZURE_ENTRY}, an ES module. */
  bundle: Uint8Array;
  /** The bundle's source map, if one was made. */
  sourceMap?: Uint8Array;
}

/** A function app folder. */
export interface AzurePackage {
  /** The folder's files (`build` zips them for `az functionapp deployment source config-zip`). */
  files: PackageFiles;
}

/**
 * The entry `build` bundles for Azure (with `--external @azure/functions`): it registers every trigger of the
 * function on the library's `app` when the host loads it.
 *
 * @example Usage
 * ```ts
 * import { AZURE_ENTRY } from "./azure_package.ts";
 * console.assert(AZURE_ENTRY.at(-1) === "register(az.app, fn);");
 * ```
 */
export const AZURE_ENTRY: readonly string[] = [
  'import az from "@azure/functions";',
  "import { register } from ADAPTER;",
  "import fn from FUNCTION;",
  "register(az.app, fn);",
];

/**
 * The function app folder for a built function.
 *
 * @param built The function's `--info` entry and bundle.
 * @returns The files (host.json, package.json, index.js and its map).
 *
 * @example Usage
 * ```ts
 * import { describeFunction } from "../src/info.ts";
 * import { serverless } from "../mod.ts";
 * import { azurePackage } from "./azure_package.ts";
 *
 * const fn = serverless({ name: "shop", fetch: () => new Response("ok") });
 * const info = describeFunction({ fn, entry: "shop.ts", exportName: "default" });
 * const { files } = azurePackage({ info, bundle: new TextEncoder().encode("export {}") });
 * const pkg = JSON.parse(new TextDecoder().decode(files.get("package.json")));
 * console.assert(pkg.main === "index.js" && pkg.type === "module");
 * ```
 */
export function azurePackage(built: AzureBuiltFunction): AzurePackage {
  const { info, bundle, sourceMap } = built;
  const files: PackageFiles = new Map();
  files.set("host.json", jsonFile(hostJson(info)));
  files.set("package.json", jsonFile(packageJson(info)));
  files.set("index.js", bundle);
  if (sourceMap !== undefined) files.set("index.js.map", sourceMap);
  return { files };
}

function hostJson(info: FunctionInfo): Record<string, unknown> {
  const timeout = info.platforms.azure.settings.functionTimeout;
  return {
    version: "2.0",
    extensionBundle: { id: "Microsoft.Azure.Functions.ExtensionBundle", version: "[4.*, 5.0.0)" },
    ...(typeof timeout === "string" && { functionTimeout: timeout }),
    extensions: { http: { routePrefix: AZURE_ROUTE_PREFIX } },
  };
}

function packageJson(info: FunctionInfo): Record<string, unknown> {
  return {
    name: info.name,
    version: "1.0.0",
    private: true,
    description: info.description ?? `The ${info.name} function, built by slrs.`,
    // The bundle is an ES module: with "type": "module" the worker imports it as one.
    type: "module",
    main: "index.js",
    // The storage SDKs of its bindings stay out of the bundle too; the remote build installs them.
    dependencies: { "@azure/functions": AZURE_FUNCTIONS_VERSION, ...backendPackages(info, "azure") },
  };
}
