/**
 * `dev --target <platform>`: every request goes through that platform's adapter the way production sends it, so a
 * difference shows on the laptop. The npm packages a mode needs (Miniflare, `@azure/functions`, the Functions
 * Framework) are imported only when that mode starts. What each mode reproduces, and what not: docs/dev.md.
 *
 * @module
 */

import process from "node:process";
import type { ServerlessFunction } from "../src/serverless.ts";
import type { ClientInfo } from "./dev_guard.ts";
import type { QueueRunner } from "./dev_triggers.ts";
import { startWorker } from "./dev_cloudflare.ts";
import { lambdaAnswerer, type LambdaExposure } from "./dev_lambda.ts";
import { infoDocument } from "./info_command.ts";
import { CliError } from "./errors.ts";
import { importNpm, type LoadedPackage } from "./npm_import.ts";
import type { Runtime } from "./runtime.ts";
import type { AzureCookie } from "../adapters/azure/types.ts";

/** The platforms `dev --target` takes. */
export const DEV_TARGETS: readonly string[] = ["aws-lambda", "cloudflare", "azure", "vercel", "gcp"];

/** The npm package each target's local runtime comes from (the others need none). */
const TARGET_PACKAGES: ReadonlyMap<string, LoadedPackage> = new Map([
  ["cloudflare", "miniflare"],
  ["azure", "@azure/functions"],
  ["gcp", "@google-cloud/functions-framework"],
]);

/**
 * Loads the npm package a target needs, so that a missing one is an error before the watcher starts: once the
 * server runs under the watcher, a failed start waits for a file to change, and installing a package changes none.
 *
 * @param target One of {@linkcode DEV_TARGETS}.
 * @throws {CliError} When the package cannot be loaded, saying how to install it.
 *
 * @example Usage
 * ```ts ignore
 * import { requireTargetPackage } from "./dev_targets.ts";
 * await requireTargetPackage("cloudflare"); // loads Miniflare, or says how to install it
 * ```
 */
export async function requireTargetPackage(target: string): Promise<void> {
  const name = TARGET_PACKAGES.get(target);
  if (name !== undefined) await importNpm(name, `dev --target ${target}`);
}

/** What one request brings to a target besides itself. */
export interface TargetInvocation {
  /** The request id. */
  requestId: string;
  /** The deadline in epoch milliseconds, `Infinity` without a timeout. */
  deadline: number;
  /** `ctx.env` for adapters that take it. */
  env: Record<string, unknown>;
  /** The client, for the source address a platform reports. */
  client: ClientInfo;
}

/** One function running behind a platform's adapter. */
export interface TargetFunction {
  /** Answers a request as the platform would. */
  fetch(request: Request, invocation: TargetInvocation): Promise<Response>;
  /** Stops what the mode started (workerd, a server). */
  close(): Promise<void>;
  /** Runs a queue batch through the platform's runtime, where dev can (workerd); in dev's process otherwise. */
  queue?: QueueRunner;
}

/** What starting a target needs. */
export interface TargetStart {
  /** The runtime layer. */
  runtime: Runtime;
  /** The function. */
  fn: ServerlessFunction<Record<string, unknown>>;
  /** Its entry module. */
  entry: string;
  /** Variables from `.env`, for platforms whose adapters read the process environment. */
  vars: Record<string, string>;
}

/**
 * Starts one function behind the adapter of `target`.
 *
 * @param target One of {@linkcode DEV_TARGETS}.
 * @param start The function and what it needs.
 * @returns The function as the platform runs it.
 * @throws {CliError} For an unknown target (exit code 2), naming the known ones.
 *
 * @example Usage
 * ```ts
 * import { serverless } from "../mod.ts";
 * import { startTarget } from "./dev_targets.ts";
 * import { currentRuntime } from "./runtime.ts";
 * const fn = serverless({ name: "a", fetch: () => new Response("hi") });
 * const target = await startTarget("vercel", { runtime: currentRuntime(), fn, entry: "a.ts", vars: {} });
 * const invocation = { requestId: "r", deadline: Infinity, env: {}, client: { address: "127.0.0.1" } };
 * const res = await target.fetch(new Request("http://localhost/"), invocation);
 * console.assert(await res.text() === "hi");
 * await target.close();
 * ```
 */
export async function startTarget(target: string, start: TargetStart): Promise<TargetFunction> {
  const closed = () => Promise.resolve();
  switch (target) {
    case "aws-lambda": {
      const answer = lambdaAnswerer(start.fn, await lambdaExposure(start));
      return { fetch: answer, close: closed };
    }
    case "cloudflare": {
      const worker = await startWorker(start.runtime, start.fn, start.entry, start.vars);
      return { fetch: (request) => worker.fetch(request), close: () => worker.close(), queue: worker.queue };
    }
    case "vercel": {
      exportVars(start.vars);
      const { handle } = await import("../adapters/vercel.ts");
      const handlers = handle(start.fn as ServerlessFunction<never>);
      return { fetch: (request) => handlers.fetch(request), close: closed };
    }
    case "gcp":
      exportVars(start.vars);
      return await gcpTarget(start.fn);
    case "azure":
      exportVars(start.vars);
      return await azureTarget(start.fn);
    default:
      throw new CliError(`dev --target takes one of ${DEV_TARGETS.join(", ")}; got ${JSON.stringify(target)}.`, 2);
  }
}

/** The function's aws-lambda `exposure`, with `slrs.overrides` applied, as `build` and `iac` read it. */
async function lambdaExposure(start: TargetStart): Promise<LambdaExposure> {
  const doc = await infoDocument(start.runtime, { entries: [start.entry], overridesFile: undefined });
  const settings = doc.functions.find((fn) => fn.name === start.fn.name)?.platforms["aws-lambda"].settings ?? {};
  const exposure = settings.exposure ?? "url";
  if (exposure === "url" || exposure === "http-api" || exposure === "none") return exposure;
  throw new CliError(
    `"${start.fn.name}": the aws-lambda exposure must be url, http-api or none; got ${JSON.stringify(exposure)}.`,
  );
}

// Vercel, Google and Azure read ctx.env from the process environment, as they do deployed.
function exportVars(vars: Record<string, string>): void {
  for (const [name, value] of Object.entries(vars)) process.env[name] ??= value;
}

interface FunctionsFramework {
  default: { http(name: string, handler: unknown): void };
}
interface FrameworkTesting {
  getTestServer(name: string): {
    listen(port: number, host: string, done: () => void): void;
    address(): { port: number };
    close(done: () => void): void;
    closeAllConnections?(): void;
  };
}

// The Functions Framework's own Express app, as `functions-framework --target` serves it, on a local port.
async function gcpTarget(fn: ServerlessFunction<Record<string, unknown>>): Promise<TargetFunction> {
  const framework = await importNpm<FunctionsFramework>("@google-cloud/functions-framework", "dev --target gcp");
  const testing = await importNpm<FrameworkTesting>(
    "@google-cloud/functions-framework",
    "dev --target gcp",
    "/testing",
  );
  const { handle } = await import("../adapters/gcp.ts");
  framework.default.http(fn.name, handle(fn as ServerlessFunction<never>));
  const server = testing.getTestServer(fn.name);
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    async fetch(request) {
      const url = new URL(request.url);
      const body = request.body === null ? null : new Uint8Array(await request.arrayBuffer());
      return await fetch(`${origin}${url.pathname}${url.search}`, {
        method: request.method,
        headers: request.headers,
        body,
        redirect: "manual",
      });
    },
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections?.();
        server.close(() => done());
      }),
  };
}

interface AzureFunctions {
  default: {
    HttpRequest: new (init: Record<string, unknown>) => unknown;
    InvocationContext: new (init: Record<string, unknown>) => unknown;
    HttpResponse: new (init: unknown) => Response & { cookies: AzureCookie[] };
  };
}

// The v4 programming model's own HttpRequest and InvocationContext, and HttpResponse to read the result as the
// Functions host does. Azure serves HTTP functions under /api, which dev adds.
async function azureTarget(fn: ServerlessFunction<Record<string, unknown>>): Promise<TargetFunction> {
  const az = (await importNpm<AzureFunctions>("@azure/functions", "dev --target azure")).default;
  const { handle } = await import("../adapters/azure.ts");
  const handler = handle(fn as ServerlessFunction<never>) as unknown as (
    req: unknown,
    ctx: unknown,
  ) => Promise<unknown>;
  return {
    async fetch(request, invocation) {
      const url = new URL(request.url);
      const headers: Record<string, string> = Object.create(null);
      // The Functions host joins repeated headers with "," and no space.
      for (const [name, value] of request.headers) headers[name] = value.replaceAll(", ", ",");
      const bytes = request.body === null ? undefined : new Uint8Array(await request.arrayBuffer());
      const azureRequest = new az.HttpRequest({
        method: request.method,
        url: `https://${fn.name}.azurewebsites.net/api${url.pathname}${url.search}`,
        headers: { ...headers },
        ...(bytes !== undefined && bytes.byteLength > 0 && { body: { bytes } }),
      });
      const context = new az.InvocationContext({ invocationId: invocation.requestId, functionName: fn.name });
      const result = new az.HttpResponse(await handler(azureRequest, context));
      const out = new Headers();
      for (const [name, value] of result.headers) out.append(name, value);
      for (const cookie of result.cookies) out.append("set-cookie", serializeCookie(cookie));
      const body = result.body === null ? null : new Uint8Array(await result.arrayBuffer());
      return new Response(body, { status: result.status, headers: out });
    },
    close: () => Promise.resolve(),
  };
}

function serializeCookie(cookie: AzureCookie): string {
  const parts = [`${cookie.name}=${cookie.value}`];
  if (cookie.domain !== undefined) parts.push(`Domain=${cookie.domain}`);
  if (cookie.path !== undefined) parts.push(`Path=${cookie.path}`);
  if (cookie.expires !== undefined) parts.push(`Expires=${new Date(cookie.expires).toUTCString()}`);
  if (cookie.maxAge !== undefined) parts.push(`Max-Age=${cookie.maxAge}`);
  if (cookie.secure) parts.push("Secure");
  if (cookie.httpOnly) parts.push("HttpOnly");
  if (cookie.sameSite !== undefined) parts.push(`SameSite=${cookie.sameSite}`);
  return parts.join("; ");
}
