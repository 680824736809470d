/**
 * Each platform's limits and how a function's requirements become its settings there. The figures come from the
 * platforms' limit pages: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html,
 * https://developers.cloudflare.com/workers/platform/limits/, https://vercel.com/docs/functions/limitations,
 * https://learn.microsoft.com/azure/azure-functions/functions-scale (Azure: timeouts, the 230 s HTTP limit) and
 * https://cloud.google.com/functions/docs/configuring/timeout (Google). docs/platforms.md lists every source.
 *
 * @module
 */

import { BACKEND_SETTINGS, type BackendKind, backendsOf } from "./binding_backends.ts";
import type { IntegerUnit, Requirements } from "./requirements.ts";
import type { Trigger } from "./serverless.ts";

/** The platforms `--info` gives settings for. */
export type PlatformName = "aws-lambda" | "cloudflare" | "azure" | "vercel" | "gcp";

/** A setting's value: what deployment tools write into the platform's configuration. */
export type SettingValue = string | number | boolean | string[];

/** What `--info` recommends for one platform. */
export interface PlatformAdvice {
  /** The settings, in the platform's own units and names. */
  settings: Record<string, SettingValue>;
  /** Where the platform cannot meet a requirement, what falls short and by how much. */
  warnings: string[];
}

/**
 * What one setting accepts as an override: an integer from `min` up (the platform's own limits are checked after, by
 * `check`), a string (matching `pattern` where it has a fixed form), or an array of strings.
 */
export type SettingType =
  | { readonly type: "integer"; readonly min: number; readonly unit: IntegerUnit }
  | { readonly type: "string"; readonly pattern?: RegExp; readonly form?: string }
  | { readonly type: "strings" }
  | { readonly type: "choice"; readonly values: readonly string[] };

interface PlatformRule {
  /** Every setting the platform takes, recommended or set through an override, with what it accepts. */
  settings: Readonly<Record<string, SettingType>>;
  /** The settings a function's requirements call for, before overrides. */
  recommend(req: Requirements): Record<string, SettingValue>;
  /** What the final settings (after overrides) fail to give the function. */
  check(req: Requirements, settings: Record<string, SettingValue>, triggers: readonly Trigger[]): string[];
}

const STRING: SettingType = { type: "string" };
const STRINGS: SettingType = { type: "strings" };
const MEGABYTES: SettingType = { type: "integer", min: 1, unit: "MB" };
const SECONDS: SettingType = { type: "integer", min: 1, unit: "s" };
const COUNT: SettingType = { type: "integer", min: 1, unit: "" };

const hasHttp = (triggers: readonly Trigger[]) => triggers.some((t) => t.type === "http");

// A platform's own settings and those that pick a binding backend per kind (`kvBackend: "redis"`), each one of that
// kind's backends. Built in a function, not at module level, so a bundle that never reads PLATFORMS leaves it out.
function withBackendChoices<T extends Record<string, SettingType>>(settings: T): T & Record<string, SettingType> {
  const choices = (Object.keys(BACKEND_SETTINGS) as BackendKind[]).map((kind) => [
    BACKEND_SETTINGS[kind],
    { type: "choice", values: backendsOf(kind) } satisfies SettingType,
  ]);
  return { ...settings, ...Object.fromEntries(choices) };
}
const roundUp = (value: number, steps: readonly number[]) => steps.find((s) => s >= value) ?? steps.at(-1)!;
const num = (value: SettingValue | undefined, fallback: number) => typeof value === "number" ? value : fallback;

const AZURE_MEMORY = [512, 2048, 4096] as const;
const VERCEL_MEMORY = [2048, 4096] as const;
/** Vercel's plans, for the `plan` setting (default `hobby`). */
export const VERCEL_PLANS = ["hobby", "pro", "enterprise"] as const;
/** A Vercel plan. */
export type VercelPlan = typeof VERCEL_PLANS[number];
/**
 * What a Vercel Function may use per plan, with Fluid compute (on by default since April 2025): memory in MB,
 * maxDuration in seconds. https://vercel.com/docs/functions/limitations
 */
export const VERCEL_PLAN_LIMITS: Readonly<Record<VercelPlan, { memory: number; maxDuration: number }>> = {
  hobby: { memory: 2048, maxDuration: 300 },
  pro: { memory: 4096, maxDuration: 800 },
  enterprise: { memory: 4096, maxDuration: 800 },
};
/** Where a Vercel Function runs, for the `runtime` setting (default `nodejs`). */
const VERCEL_RUNTIMES = ["nodejs", "edge"] as const;
const GCP_MEMORY = [128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768] as const;
/** The retention periods CloudWatch Logs accepts (`retention_in_days`). */
const LOG_RETENTION_DAYS = [
  1,
  3,
  5,
  7,
  14,
  30,
  60,
  90,
  120,
  150,
  180,
  365,
  400,
  545,
  731,
  1096,
  1827,
  2192,
  2557,
  2922,
  3288,
  3653,
] as const;
/** How a Lambda function is reached over HTTP: a function URL, an API Gateway HTTP API, or not at all. */
const LAMBDA_EXPOSURES = ["url", "http-api", "none"] as const;
/**
 * How Lambda returns a function's response (a function URL's `InvokeMode`): whole, up to 6 MB, or streamed as it is
 * written, up to 200 MB. https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html
 */
const INVOKE_MODE: SettingType = {
  type: "string",
  pattern: /^(BUFFERED|RESPONSE_STREAM)$/,
  form: '"BUFFERED" or "RESPONSE_STREAM"',
};
/**
 * When a Lambda entry does the Fetch first touch (Node loads undici when a Fetch global is first used): at module init
 * (`warmFetch()`, in Lambda's init phase) or on the first request. Measured in BENCHMARKS.md.
 */
const FETCH_WARM_UP: SettingType = {
  type: "string",
  pattern: /^(init|first-request)$/,
  form: '"init" or "first-request"',
};
const oneOf = (value: SettingValue | undefined, allowed: readonly (string | number)[]) =>
  value === undefined || allowed.includes(value as string | number);

/** The rules per platform; `satisfies` keeps the table complete when a platform is added. */
export const PLATFORMS = {
  "aws-lambda": {
    settings: /* @__PURE__ */ withBackendChoices({
      runtime: STRING,
      memory: MEGABYTES,
      timeout: SECONDS,
      architecture: STRING,
      // 0 is Lambda's way to stop a function from running at all.
      reservedConcurrency: { type: "integer", min: 0, unit: "" },
      logRetentionDays: COUNT,
      exposure: STRING,
      invokeMode: INVOKE_MODE,
      fetchWarmUp: FETCH_WARM_UP,
    }),
    recommend: (req) => ({
      runtime: "nodejs22.x",
      memory: req.memory ?? 128,
      timeout: req.timeout ?? 3,
      architecture: req.architecture ?? "arm64",
      ...(req.concurrency !== undefined && { reservedConcurrency: req.concurrency }),
      ...(req.streaming !== undefined && { invokeMode: req.streaming ? "RESPONSE_STREAM" : "BUFFERED" }),
    }),
    check: (req, settings, triggers) => {
      const warnings = [];
      const memory = num(settings.memory, 128);
      const timeout = num(settings.timeout, 3);
      if (memory < 128 || memory > 10240) warnings.push(`memory ${memory} MB is outside Lambda's 128–10240 MB.`);
      if (timeout > 900) warnings.push(`timeout ${timeout} s is above Lambda's 900 s cap.`);
      if (req.memory !== undefined && memory < req.memory) {
        warnings.push(`memory ${memory} MB is below the ${req.memory} MB the function requires.`);
      }
      if (req.timeout !== undefined && timeout < req.timeout) {
        warnings.push(`timeout ${timeout} s is below the ${req.timeout} s the function requires.`);
      }
      if (!oneOf(settings.architecture, ["arm64", "x86_64"])) {
        warnings.push(`architecture ${JSON.stringify(settings.architecture)} is not one of Lambda's: arm64, x86_64.`);
      }
      if (!oneOf(settings.exposure, LAMBDA_EXPOSURES)) {
        warnings.push(`exposure ${JSON.stringify(settings.exposure)} is not one of: ${LAMBDA_EXPOSURES.join(", ")}.`);
      }
      // Only a function URL or InvokeWithResponseStream streams; an HTTP API buffers the whole response.
      if (
        settings.invokeMode === "RESPONSE_STREAM" && (settings.exposure ?? "url") === "http-api" && hasHttp(triggers)
      ) {
        warnings.push(
          'invokeMode "RESPONSE_STREAM" does not stream through an API Gateway HTTP API (exposure "http-api"), ' +
            'which buffers the response; use exposure "url" (a function URL) or invokeMode "BUFFERED".',
        );
      }
      if (!oneOf(settings.logRetentionDays, LOG_RETENTION_DAYS)) {
        warnings.push(
          `logRetentionDays ${JSON.stringify(settings.logRetentionDays)} is not a period CloudWatch Logs keeps: ` +
            `${LOG_RETENTION_DAYS.join(", ")}.`,
        );
      }
      if (typeof settings.runtime === "string" && !/^(nodejs\d+\.x|provided\.al20(23|2))$/.test(settings.runtime)) {
        warnings.push(
          `runtime "${settings.runtime}" is not a Node.js (nodejsNN.x) or custom (provided.al2023) runtime.`,
        );
      }
      if (req.bindings?.d1) {
        warnings.push("d1 bindings have no Lambda equivalent; pass a client for RDS or Aurora through env.");
      }
      return warnings;
    },
  },
  cloudflare: {
    settings: {
      memory: MEGABYTES,
      cpuMs: COUNT,
      compatibilityDate: { type: "string", pattern: /^\d{4}-\d{2}-\d{2}$/, form: "a date like 2026-11-01" },
      compatibilityFlags: STRINGS,
      routes: STRINGS,
    },
    recommend: (req) => ({
      memory: 128,
      // Workers bill and cap CPU time, not wall time; the wall-clock timeout is the most CPU a request can use.
      cpuMs: Math.min((req.timeout ?? 30) * 1000, 300_000),
      compatibilityDate: "2026-11-01",
    }),
    check: (req, settings) => {
      const warnings = [];
      if (req.memory !== undefined && req.memory > 128) {
        warnings.push(`memory ${req.memory} MB is above the 128 MB a Worker isolate has; Workers cannot raise it.`);
      }
      const cpuMs = num(settings.cpuMs, 30_000);
      if (cpuMs > 300_000) warnings.push(`cpuMs ${cpuMs} is above the Workers maximum of 300000 (5 min).`);
      if (req.timeout !== undefined && req.timeout > 300) {
        warnings.push(`timeout ${req.timeout} s: a Worker's CPU time is capped at 300 s (limits.cpu_ms).`);
      }
      if (req.architecture === "x86_64") warnings.push("architecture cannot be chosen on Workers.");
      return warnings;
    },
  },
  azure: {
    settings: /* @__PURE__ */ withBackendChoices({
      plan: STRING,
      instanceMemory: MEGABYTES,
      functionTimeout: { type: "string", pattern: /^(-1|\d{1,2}:\d{2}:\d{2})$/, form: "hh:mm:ss, like 00:30:00" },
      maximumInstanceCount: COUNT,
    }),
    recommend: (req) => ({
      plan: "flex-consumption",
      instanceMemory: roundUp(req.memory ?? 2048, AZURE_MEMORY),
      functionTimeout: hms(req.timeout ?? 1800),
    }),
    check: (req, settings, triggers) => {
      const warnings = [];
      const memory = num(settings.instanceMemory, 2048);
      if (req.memory !== undefined && req.memory > memory) {
        warnings.push(`memory ${req.memory} MB is above the largest Flex Consumption instance (${memory} MB).`);
      }
      if (req.timeout !== undefined && req.timeout > 230 && hasHttp(triggers)) {
        warnings.push(`timeout ${req.timeout} s: Azure's load balancer ends HTTP requests after 230 s.`);
      }
      return warnings;
    },
  },
  vercel: {
    settings: /* @__PURE__ */ withBackendChoices({
      memory: MEGABYTES,
      maxDuration: SECONDS,
      regions: STRINGS,
      plan: STRING,
      runtime: STRING,
    }),
    recommend: (req) => ({
      memory: roundUp(req.memory ?? 2048, VERCEL_MEMORY),
      maxDuration: req.timeout ?? 300,
    }),
    check: (req, settings) => {
      const warnings = [];
      if (!oneOf(settings.plan, VERCEL_PLANS)) {
        warnings.push(`plan ${JSON.stringify(settings.plan)} is not one of Vercel's: ${VERCEL_PLANS.join(", ")}.`);
      }
      if (!oneOf(settings.runtime, VERCEL_RUNTIMES)) {
        warnings.push(`runtime ${JSON.stringify(settings.runtime)} is not one of: ${VERCEL_RUNTIMES.join(", ")}.`);
      }
      // https://vercel.com/docs/functions/runtimes/edge: 128 MB, 25 s to start the response, 300 s in all.
      if (settings.runtime === "edge") {
        if (req.memory !== undefined && req.memory > 128) {
          warnings.push(`memory ${req.memory} MB is above the edge runtime's fixed 128 MB.`);
        }
        if (req.timeout !== undefined && req.timeout > 300) {
          warnings.push(`timeout ${req.timeout} s is above the edge runtime's 300 s.`);
        }
        return warnings;
      }
      const plan =
        VERCEL_PLAN_LIMITS[settings.plan === "pro" || settings.plan === "enterprise" ? settings.plan : "hobby"];
      const memory = num(settings.memory, 2048);
      const maxDuration = num(settings.maxDuration, 300);
      if (req.memory !== undefined && req.memory > 4096) {
        warnings.push(`memory ${req.memory} MB is above Vercel's 4096 MB maximum.`);
      }
      if (memory > plan.memory) {
        warnings.push(`memory ${memory} MB needs a Pro or Enterprise plan (Hobby: 2048 MB); set plan "pro".`);
      }
      if (maxDuration > 800) warnings.push(`maxDuration ${maxDuration} s is above Vercel's 800 s maximum.`);
      else if (maxDuration > plan.maxDuration) {
        warnings.push(`maxDuration ${maxDuration} s needs a Pro or Enterprise plan (Hobby: 300 s); set plan "pro".`);
      }
      if (req.architecture !== undefined) warnings.push("architecture cannot be chosen on Vercel.");
      return warnings;
    },
  },
  gcp: {
    settings: /* @__PURE__ */ withBackendChoices({
      generation: STRING,
      memory: MEGABYTES,
      timeout: SECONDS,
      maxInstances: COUNT,
      region: STRING,
    }),
    recommend: (req) => ({
      generation: "2nd",
      memory: roundUp(req.memory ?? 256, GCP_MEMORY),
      timeout: req.timeout ?? 60,
      ...(req.concurrency !== undefined && { maxInstances: req.concurrency }),
    }),
    check: (req, settings, triggers) => {
      const warnings = [];
      const timeout = num(settings.timeout, 60);
      const cap = hasHttp(triggers) ? 3600 : 540;
      if (timeout > cap) {
        warnings.push(
          `timeout ${timeout} s is above the ${cap} s cap for ${cap === 3600 ? "HTTP" : "event"} functions.`,
        );
      }
      if (req.architecture === "arm64") warnings.push("architecture cannot be chosen on Cloud Run functions.");
      return warnings;
    },
  },
} satisfies Record<PlatformName, PlatformRule>;

// Marked pure so that bundlers drop the table above from workers, which never run `--info` code.
/** The platforms in the order `--info` lists them. */
export const PLATFORM_NAMES: readonly PlatformName[] = /* @__PURE__ */ Object.keys(PLATFORMS) as PlatformName[];

/**
 * Seconds as Azure's `hh:mm:ss` timeout format.
 *
 * @param seconds A duration in seconds.
 * @returns The duration as `hh:mm:ss`.
 *
 * @example Usage
 * ```ts
 * import { hms } from "./platforms.ts";
 * console.assert(hms(90) === "00:01:30");
 * ```
 */
export function hms(seconds: number): string {
  const pad = (n: number) => String(Math.floor(n)).padStart(2, "0");
  return `${pad(seconds / 3600)}:${pad((seconds % 3600) / 60)}:${pad(seconds % 60)}`;
}
