/**
 * The lines a build entry uses to give a function its bindings: the backend modules of the target's backends and
 * the `withBindings` wrap, in place of the entry's `import fn from FUNCTION;`, so the adapter's own lines stay as
 * they are. A function without bindings, and every Cloudflare entry (whose bindings are native), gets the plain
 * import and bundles no backend.
 *
 * @module
 */

import { type BackendName, type BindingBackend, bindingBackends } from "../src/binding_backends.ts";
import type { FunctionInfo } from "../src/info.ts";
import type { PlatformName } from "../src/platforms.ts";

/**
 * A backend's module under `bindings/`, its constructor, the npm packages the platform installs for it, and, for a
 * backend that takes a transport (the AWS ones: `fetch` unless given, `node:http` on Node; see
 * `node_http_transport.ts`), its constructor without the `fetch` default, which the Node entry imports instead.
 */
interface BackendModule {
  readonly module: string;
  readonly factory: string;
  readonly npm?: Readonly<Record<string, string>>;
  readonly overTransport?: string;
}

/**
 * Every backend's module. The Azure SDKs stay out of the bundle, as `@azure/functions` does, and the app's
 * package.json lists them (their ranges are the ones slrs is tested with, deno.json).
 */
const MODULES: Readonly<Record<BackendName, BackendModule>> = {
  dynamodb: { module: "dynamodb_kv", factory: "dynamoDbKv", overTransport: "dynamoDbKvOver" },
  s3: { module: "s3_bucket", factory: "s3Bucket", overTransport: "s3BucketOver" },
  sqs: { module: "sqs_queue", factory: "sqsQueue", overTransport: "sqsQueueOver" },
  "azure-table": { module: "azure_table_kv", factory: "azureTableKv", npm: { "@azure/data-tables": "^13.3.2" } },
  "azure-blob": {
    module: "azure_blob_bucket",
    factory: "azureBlobBucket",
    npm: { "@azure/storage-blob": "^12.34.0" },
  },
  "azure-queue": { module: "azure_queue", factory: "azureQueue", npm: { "@azure/storage-queue": "^12.32.0" } },
  firestore: { module: "firestore_kv", factory: "firestoreKv" },
  gcs: { module: "gcs_bucket", factory: "gcsBucket" },
  pubsub: { module: "pubsub_queue", factory: "pubSubQueue" },
  upstash: { module: "upstash_kv", factory: "upstashKv" },
  "vercel-blob": { module: "vercel_blob_bucket", factory: "vercelBlobBucket" },
  redis: { module: "redis_kv", factory: "redisKv" },
  "redis-queue": { module: "redis_queue", factory: "redisQueue" },
  local: { module: "local_kv", factory: "localKv" },
  "local-bucket": { module: "local_bucket", factory: "localBucket" },
};

/**
 * The backend of each binding a build for `platform` wires: the platform's listing in `--info`, or the self-hosted
 * defaults for a target without a platform (Deno, Node). Cloudflare wires none.
 *
 * @param fn The function's `--info` entry.
 * @param platform The target's platform; `undefined` for self-hosted.
 * @returns The wired bindings, by name; backends named `none` are left out.
 *
 * @example The counter on Lambda
 * ```ts
 * import { serverless } from "../mod.ts";
 * import { describeFunction } from "../src/info.ts";
 * import { wiredBindings } from "./binding_entry.ts";
 * const fn = serverless({ name: "c", requirements: { bindings: { kv: ["COUNTER"] } } });
 * const info = describeFunction({ fn, entry: "c.ts", exportName: "default" });
 * console.assert(wiredBindings(info, "aws-lambda").COUNTER?.backend === "dynamodb");
 * ```
 */
export function wiredBindings(fn: FunctionInfo, platform: PlatformName | undefined): Record<string, BindingBackend> {
  if (platform === "cloudflare") return {};
  // The same function --info lists with and iac creates resources for, so the three cannot disagree.
  const all = bindingBackends(
    fn.requirements.bindings ?? {},
    platform ?? "self-hosted",
    platform === undefined ? {} : fn.platforms[platform].settings,
  );
  return Object.fromEntries(Object.entries(all).filter(([, binding]) => binding.backend in MODULES));
}

/**
 * The npm packages a function's backends need installed on the platform (the Azure SDKs), with their ranges.
 *
 * @param fn The function's `--info` entry.
 * @param platform The target's platform.
 * @returns Package name → version range.
 *
 * @example Usage
 * ```ts
 * import { serverless } from "../mod.ts";
 * import { describeFunction } from "../src/info.ts";
 * import { backendPackages } from "./binding_entry.ts";
 * const fn = serverless({ name: "c", requirements: { bindings: { kv: ["COUNTER"] } } });
 * const info = describeFunction({ fn, entry: "c.ts", exportName: "default" });
 * console.assert(backendPackages(info, "azure")["@azure/data-tables"] !== undefined);
 * ```
 */
export function backendPackages(fn: FunctionInfo, platform: PlatformName | undefined): Record<string, string> {
  const packages: Record<string, string> = {};
  for (const { backend } of Object.values(wiredBindings(fn, platform))) {
    Object.assign(packages, MODULES[backend as BackendName].npm);
  }
  return packages;
}

/**
 * The lines that import the function and its backends and wrap it as `fn`, or the plain import when it has no
 * binding to wire. On Node the AWS backends are given the `node:http` transport, imported only then: Node loads its
 * Fetch implementation (undici) on first use, which costs a cold start more than the request itself.
 *
 * @param fn The function's `--info` entry.
 * @param platform The target's platform; `undefined` for self-hosted.
 * @param importFn The plain import line, binding the function to `fn`.
 * @param bindingModule The specifier of a module under `bindings/` from the entry, by module name.
 * @param onNode Whether the target runs the bundle on Node (Lambda's Node.js runtime, Azure, Google Cloud, Vercel's
 *   Node.js runtime).
 * @returns The lines, with `FUNCTION` still to be replaced.
 *
 * @example Usage
 * ```ts
 * import { serverless } from "../mod.ts";
 * import { describeFunction } from "../src/info.ts";
 * import { bindingImportLines } from "./binding_entry.ts";
 * const fn = serverless({ name: "c", requirements: { bindings: { kv: ["COUNTER"] } } });
 * const info = describeFunction({ fn, entry: "c.ts", exportName: "default" });
 * const lines = bindingImportLines(info, "aws-lambda", "import fn from FUNCTION;", (m) => `./${m}.ts`, true);
 * console.assert(lines.at(-1) === 'const fn = withBindings(base, { "COUNTER": viaNodeHttp(dynamoDbKvOver) });');
 * ```
 */
export function bindingImportLines(
  fn: FunctionInfo,
  platform: PlatformName | undefined,
  importFn: string,
  bindingModule: (module: string) => string,
  onNode = false,
): string[] {
  const wired = Object.entries(wiredBindings(fn, platform));
  if (wired.length === 0) return [importFn];
  const used = [...new Set(wired.map(([, { backend }]) => MODULES[backend as BackendName]))];
  const viaNodeHttp = onNode && used.some((module) => module.overTransport);
  // The name the entry imports from a backend's module, and the constructor it hands withBindings.
  const wiring = ({ factory, overTransport }: BackendModule) =>
    viaNodeHttp && overTransport
      ? { imported: overTransport, wired: `viaNodeHttp(${overTransport})` }
      : { imported: factory, wired: factory };
  return [
    importFn.replace(/\bfn(?= from | \})/, "base"),
    `import { withBindings } from ${JSON.stringify(bindingModule("with_bindings"))};`,
    ...used.map((module) =>
      `import { ${wiring(module).imported} } from ${JSON.stringify(bindingModule(module.module))};`
    ),
    ...(viaNodeHttp ? [`import { viaNodeHttp } from ${JSON.stringify(bindingModule("node_http_transport"))};`] : []),
    `const fn = withBindings(base, { ${
      wired.map(([name, { backend }]) => `${JSON.stringify(name)}: ${wiring(MODULES[backend as BackendName]).wired}`)
        .join(", ")
    } });`,
  ];
}
