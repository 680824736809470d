/**
 * The Vercel Build Output API (v3) layout for built functions, deployable with `vercel deploy --prebuilt`:
 *
 * ```
 * .vercel/output/config.json                      version 3, routes to each function, crons
 * .vercel/output/functions/<name>.func/.vc-config.json
 * .vercel/output/functions/<name>.func/index.mjs  the bundle (index.js for edge), and its .map if any
 * ```
 *
 * Every key written is one Vercel documents:
 * - config.json: https://vercel.com/docs/build-output-api/v3/configuration (`version`, `routes`, `crons`)
 * - .vc-config.json: https://vercel.com/docs/build-output-api/v3/primitives#serverless-function-configuration
 *   (`runtime`, `handler`, `memory`, `maxDuration`, `regions`, `supportsResponseStreaming`), its Node.js part
 *   (`launcherType: "Nodejs"`, `shouldAddHelpers`, `shouldAddSourcemapSupport`) and
 *   https://vercel.com/docs/build-output-api/v3/primitives#edge-function-configuration (`runtime: "edge"`,
 *   `entrypoint`, `regions`); the same fields as `NodejsLambda`/`EdgeFunction` in vercel/vercel's
 *   packages/build-utils/src (nodejs-lambda.ts, lambda.ts, edge-function.ts), which `vercel build` writes from.
 *
 * @module
 */

import type { FunctionInfo } from "../src/info.ts";
import { VERCEL_PLAN_LIMITS, VERCEL_PLANS, type VercelPlan } from "../src/platforms.ts";
import { CliError } from "./errors.ts";
import { jsonFile, type PackageFiles } from "./package_files.ts";

/** Where a Vercel Function runs: Vercel's Node.js runtime (the default) or its Edge runtime. */
export type VercelRuntime = "nodejs" | "edge";

/** One built function for {@linkcode vercelOutput}. */
export interface VercelBuiltFunction {
  /** The function's `--info` entry. */
  info: FunctionInfo;
  /** The bundle made from {@linkcode vercelEntry}'s lines. */
  bundle: Uint8Array;
  /** The bundle's source map, if one was made. */
  sourceMap?: Uint8Array;
}

/** Options of {@linkcode vercelOutput}; each wins over the function's `vercel` settings of the same name. */
export interface VercelOutputOptions {
  /** `nodejs` (default) or `edge`. */
  runtime?: VercelRuntime;
  /** The plan whose limits apply (default `hobby`). */
  plan?: VercelPlan;
  /** The Node.js runtime (default `nodejs22.x`; Vercel offers `nodejs20.x`, `nodejs22.x`, `nodejs24.x`). */
  nodeRuntime?: string;
}

/** A `routes` entry of config.json (the `Source` route form). */
export interface VercelRoute {
  /** A PCRE-compatible expression the pathname must match. */
  src: string;
  /** The function path the request goes to; the function still sees the path the client asked for. */
  dest: string;
}

/** What `build` bundles for one function on Vercel. */
export interface VercelEntry {
  /** The entry's lines, with `ADAPTER` and `FUNCTION` for the adapter's and function's specifiers. */
  lines: string[];
  /** The bundle platform (cli/bundle.ts): `deno` for Node.js, `browser` for the Edge runtime (no Node built-ins). */
  bundlePlatform: "deno" | "browser";
  /** The bundle's name inside `<name>.func/`. */
  bundleName: "index.mjs" | "index.js";
}

const OUTPUT = ".vercel/output";

/**
 * The settings the Vercel output of a function is made with: the runtime and plan from the options, else the
 * function's `vercel` settings (`runtime`, `plan` overrides), else `nodejs` on `hobby`.
 *
 * @param info The function's `--info` entry.
 * @param options The runtime and plan given to `build`.
 * @returns The runtime and plan.
 *
 * @example An override picks the Edge runtime
 * ```ts
 * import { vercelChoice } from "./vercel_output.ts";
 * const settings = { memory: 2048, maxDuration: 300, runtime: "edge" };
 * const info = { platforms: { vercel: { settings, overridden: ["runtime"], warnings: [] } } } as never;
 * console.assert(vercelChoice(info).runtime === "edge" && vercelChoice(info).plan === "hobby");
 * ```
 */
export function vercelChoice(
  info: FunctionInfo,
  options: VercelOutputOptions = {},
): { runtime: VercelRuntime; plan: VercelPlan } {
  const settings = info.platforms.vercel.settings;
  const runtime = options.runtime ?? (settings.runtime === "edge" ? "edge" : "nodejs");
  const plan = options.plan ?? (VERCEL_PLANS.find((p) => p === settings.plan) ?? "hobby");
  return { runtime, plan };
}

/**
 * The entry `build` bundles for a function on Vercel. Node.js takes the adapter's web-standard exports as the
 * default export (`{ GET, POST, …, fetch }`); the Edge runtime takes a default export function `(request) =>
 * Response`. Scheduled triggers are served under `/_slrs/cron/<name>/<index>`, so the crons of several
 * functions in one deployment do not collide.
 *
 * @param info The function's `--info` entry.
 * @param runtime `nodejs` or `edge`.
 * @returns The entry's lines, the bundle platform and the bundle's name.
 *
 * @example Usage
 * ```ts
 * import { vercelEntry } from "./vercel_output.ts";
 * const entry = vercelEntry({ name: "shop" } as never, "edge");
 * console.assert(entry.bundlePlatform === "browser" && entry.lines.at(-1)!.includes(".fetch"));
 * ```
 */
export function vercelEntry(info: FunctionInfo, runtime: VercelRuntime): VercelEntry {
  const handle = `handle(fn, { cronPath: ${JSON.stringify(cronPath(info.name))} })`;
  return {
    lines: [
      "import { handle } from ADAPTER;",
      "import fn from FUNCTION;",
      runtime === "edge" ? `export default ${handle}.fetch;` : `export default ${handle};`,
    ],
    bundlePlatform: runtime === "edge" ? "browser" : "deno",
    bundleName: runtime === "edge" ? "index.js" : "index.mjs",
  };
}

/**
 * The Build Output API files for built functions: one `<name>.func` per function and one config.json whose
 * routes send each function's paths (and its cron paths) to it and whose crons run its `scheduled` triggers.
 *
 * @param functions The built functions, in route order (the first whose route matches wins).
 * @param options The runtime, plan and Node.js version.
 * @returns The files, under `.vercel/output/`.
 * @throws {CliError} When a function's memory or maxDuration is above its plan's limit.
 *
 * @example A Node.js function
 * ```ts
 * import { describeFunction } from "../src/info.ts";
 * import { serverless } from "../mod.ts";
 * import { vercelOutput } from "./vercel_output.ts";
 *
 * const fn = serverless({ name: "shop", fetch: () => new Response("ok") });
 * const info = describeFunction({ fn, entry: "shop.ts", exportName: "default" });
 * const files = vercelOutput([{ info, bundle: new TextEncoder().encode("export default {}") }]);
 * const vc = JSON.parse(new TextDecoder().decode(files.get(".vercel/output/functions/shop.func/.vc-config.json")));
 * console.assert(vc.handler === "index.mjs" && vc.launcherType === "Nodejs");
 * ```
 */
export function vercelOutput(
  functions: readonly VercelBuiltFunction[],
  options: VercelOutputOptions = {},
): PackageFiles {
  const files: PackageFiles = new Map();
  const routes: VercelRoute[] = [];
  const crons: { path: string; schedule: string }[] = [];
  for (const { info, bundle, sourceMap } of functions) {
    const { runtime, plan } = vercelChoice(info, options);
    const dir = `${OUTPUT}/functions/${info.name}.func`;
    const { bundleName } = vercelEntry(info, runtime);
    const config = runtime === "edge"
      ? edgeConfig(info, bundleName)
      : nodeConfig(info, bundleName, plan, options.nodeRuntime ?? "nodejs22.x", sourceMap !== undefined);
    files.set(`${dir}/.vc-config.json`, jsonFile(config));
    files.set(`${dir}/${bundleName}`, bundle);
    if (sourceMap !== undefined) files.set(`${dir}/${bundleName}.map`, sourceMap);
    routes.push(...vercelRoutes(info));
    crons.push(...schedules(info).map((schedule, index) => ({ path: `${cronPath(info.name)}/${index}`, schedule })));
  }
  files.set(`${OUTPUT}/config.json`, jsonFile({ version: 3, routes, ...(crons.length > 0 && { crons }) }));
  return files;
}

/**
 * The config.json routes that send a function's paths to it: each route path as an anchored expression
 * (`:param` is one segment, a trailing `*` the rest of the path), and its cron paths when it has schedules.
 * Methods are left to the function's router, so a wrong method gets its 405 rather than Vercel's 404.
 *
 * @param info The function's `--info` entry.
 * @returns The routes, without duplicates.
 *
 * @example Usage
 * ```ts
 * import { vercelRoutes } from "./vercel_output.ts";
 * const info = { name: "shop", routes: [{ method: "GET", path: "/users/:id" }], triggers: [] } as never;
 * console.assert(vercelRoutes(info)[0]!.src === "^/users/[^/]+$");
 * ```
 */
export function vercelRoutes(info: FunctionInfo): VercelRoute[] {
  const dest = `/${info.name}`;
  const sources = new Set(info.routes.map((route) => pathPattern(route.path)));
  if (schedules(info).length > 0) sources.add(`^${escape(cronPath(info.name))}/\\d+$`);
  return [...sources].map((src) => ({ src, dest }));
}

function pathPattern(path: string): string {
  const segments = path.split("/").slice(1);
  let pattern = "";
  for (const [index, segment] of segments.entries()) {
    if (segment === "*" && index === segments.length - 1) return `^${pattern}(?:/.*)?$`;
    pattern += "/" + (segment.startsWith(":") ? "[^/]+" : escape(segment));
  }
  return `^${pattern}$`;
}

function escape(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");
}

function cronPath(name: string): string {
  return `/_slrs/cron/${name}`;
}

function schedules(info: FunctionInfo): string[] {
  return info.triggers.flatMap((t) => t.type === "schedule" ? [t.cron] : []);
}

function regions(info: FunctionInfo): { regions?: string[] } {
  const value = info.platforms.vercel.settings.regions;
  return Array.isArray(value) && value.length > 0 ? { regions: [...value] } : {};
}

function nodeConfig(
  info: FunctionInfo,
  handler: string,
  plan: VercelPlan,
  runtime: string,
  hasSourceMap: boolean,
): Record<string, unknown> {
  const settings = info.platforms.vercel.settings;
  const memory = typeof settings.memory === "number" ? settings.memory : 2048;
  const maxDuration = typeof settings.maxDuration === "number" ? settings.maxDuration : 300;
  checkPlan(info.name, plan, memory, maxDuration);
  return {
    runtime,
    handler,
    launcherType: "Nodejs",
    // The helpers add Express-style req/res methods; the adapter answers with web-standard Request/Response.
    shouldAddHelpers: false,
    ...(hasSourceMap && { shouldAddSourcemapSupport: true }),
    supportsResponseStreaming: true,
    memory,
    maxDuration,
    ...regions(info),
  };
}

function edgeConfig(info: FunctionInfo, entrypoint: string): Record<string, unknown> {
  return { runtime: "edge", entrypoint, ...regions(info) };
}

function checkPlan(name: string, plan: VercelPlan, memory: number, maxDuration: number): void {
  const limits = VERCEL_PLAN_LIMITS[plan];
  const problems = [
    ...(memory > limits.memory ? [`memory ${memory} MB is above the ${plan} plan's ${limits.memory} MB`] : []),
    ...(maxDuration > limits.maxDuration
      ? [`maxDuration ${maxDuration} s is above the ${plan} plan's ${limits.maxDuration} s`]
      : []),
  ];
  if (problems.length === 0) return;
  const paid = plan === "hobby" ? ` or, on a paid plan, set slrs.overrides.${name}.vercel.plan to "pro"` : "";
  throw new CliError(
    `${name} on vercel: ${problems.join(" and ")}; lower slrs.overrides.${name}.vercel.memory/maxDuration${paid}.`,
  );
}
