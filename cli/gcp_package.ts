/**
 * The deployable source folder of one function for Cloud Run functions (Cloud Functions 2nd gen, Node.js runtime),
 * which `build` zips for a bucket upload:
 *
 * ```
 * package.json   "main": "index.js", "type": "module", engines node >= 20, the Functions Framework dependency
 * index.js       the bundle: registers the HTTP target and the CloudEvent target with the Functions Framework
 * ```
 *
 * Google's build installs the dependencies and starts `functions-framework --target=<entry point>`:
 * https://cloud.google.com/functions/docs/writing#directory-structure-nodejs (`main`),
 * https://cloud.google.com/functions/docs/concepts/nodejs-runtime#dependencies (the framework as dependency),
 * https://github.com/GoogleCloudPlatform/functions-framework-nodejs#configure-the-functions-framework (`--target`,
 * `--signature-type`). A function with HTTP routes and event triggers is deployed twice from the same folder, once
 * per entry point in {@linkcode gcpTargets}.
 *
 * @module
 */

import type { FunctionInfo } from "../src/info.ts";
import { jsonFile, type PackageFiles } from "./package_files.ts";

/** The `@google-cloud/functions-framework` range the folder depends on: the one slrs is tested with (its `npm:` imports). */
export const GCP_FUNCTIONS_FRAMEWORK_VERSION = "^5.0.5";

/**
 * The entry `build` bundles for Google Cloud (with `--external @google-cloud/functions-framework`): it registers
 * the function's targets with the framework when the framework loads `main`.
 *
 * @example Usage
 * ```ts
 * import { GCP_ENTRY } from "./gcp_package.ts";
 * console.assert(GCP_ENTRY.at(-1)!.includes("register(functions, fn)"));
 * ```
 */
export const GCP_ENTRY: readonly string[] = [
  'import functions from "@google-cloud/functions-framework";',
  "import { register } from ADAPTER;",
  "import fn from FUNCTION;",
  "export const targets = register(functions, fn);",
];

/** One entry point of the folder: what `gcloud functions deploy --entry-point` and the framework's flags take. */
export interface GcpTarget {
  /** `--entry-point` / `--target`. */
  entryPoint: string;
  /** `--signature-type`: `http` for routes, `cloudevent` for Pub/Sub, Scheduler and other events. */
  signatureType: "http" | "cloudevent";
}

/** One built function for {@linkcode gcpPackage}. */
export interface GcpBuiltFunction {
  /** The function's `--info` entry. */
  info: FunctionInfo;
  /** The bundle made from {@linkcode GCP_ENTRY}, an ES module. */
  bundle: Uint8Array;
  /** The bundle's source map, if one was made. */
  sourceMap?: Uint8Array;
}

/** A source folder and its entry points. */
export interface GcpPackage {
  /** The folder's files (`build` zips them for the bucket object `google_cloudfunctions2_function` builds from). */
  files: PackageFiles;
  /** The entry points, HTTP first. */
  targets: GcpTarget[];
}

/**
 * The entry points the adapter's `register` gives a function: its name for HTTP, and for events its name, or
 * `<name>-events` when the name is taken by HTTP.
 *
 * @param info The function's `--info` entry.
 * @returns The entry points, HTTP first.
 *
 * @example Usage
 * ```ts
 * import { gcpTargets } from "./gcp_package.ts";
 * const info = { name: "shop", triggers: [{ type: "http" }, { type: "queue", queue: "orders" }] } as never;
 * console.assert(gcpTargets(info)[1]!.entryPoint === "shop-events");
 * ```
 */
export function gcpTargets(info: FunctionInfo): GcpTarget[] {
  const types = new Set(info.triggers.map((t) => t.type));
  const http = types.has("http");
  const events = types.has("schedule") || types.has("queue") || types.has("event");
  return [
    ...(http ? [{ entryPoint: info.name, signatureType: "http" as const }] : []),
    ...(events ? [{ entryPoint: http ? `${info.name}-events` : info.name, signatureType: "cloudevent" as const }] : []),
  ];
}

/**
 * The source folder for a built function and its entry points.
 *
 * @param built The function's `--info` entry and bundle.
 * @returns The files (package.json, index.js and its map) and the entry points.
 *
 * @example Usage
 * ```ts
 * import { describeFunction } from "../src/info.ts";
 * import { serverless } from "../mod.ts";
 * import { gcpPackage } from "./gcp_package.ts";
 *
 * const fn = serverless({ name: "shop", fetch: () => new Response("ok") });
 * const info = describeFunction({ fn, entry: "shop.ts", exportName: "default" });
 * const { files, targets } = gcpPackage({ info, bundle: new TextEncoder().encode("export {}") });
 * const pkg = JSON.parse(new TextDecoder().decode(files.get("package.json")));
 * console.assert(pkg.main === "index.js" && targets[0]!.signatureType === "http");
 * ```
 */
export function gcpPackage(built: GcpBuiltFunction): GcpPackage {
  const { info, bundle, sourceMap } = built;
  const targets = gcpTargets(info);
  const files: PackageFiles = new Map();
  files.set("package.json", jsonFile(packageJson(info, targets)));
  files.set("index.js", bundle);
  if (sourceMap !== undefined) files.set("index.js.map", sourceMap);
  return { files, targets };
}

function packageJson(info: FunctionInfo, targets: GcpTarget[]): Record<string, unknown> {
  const [first] = targets;
  return {
    name: info.name,
    version: "1.0.0",
    private: true,
    description: info.description ?? `The ${info.name} function, built by slrs.`,
    type: "module",
    main: "index.js",
    engines: { node: ">=20" },
    // `npm start` runs the first entry point locally, as Google's runtime would.
    ...(first && {
      scripts: { start: `functions-framework --target=${first.entryPoint} --signature-type=${first.signatureType}` },
    }),
    dependencies: { "@google-cloud/functions-framework": GCP_FUNCTIONS_FRAMEWORK_VERSION },
  };
}
