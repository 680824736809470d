/**
 * `dev --target cloudflare`: the function is built exactly as `cli.ts build --target cloudflare` builds it and runs
 * as a Worker in workerd, through Miniflare, with its KV namespaces, D1 databases and R2 buckets kept under
 * `.slrs/miniflare/`. Miniflare is imported only in this mode, so plain `dev` never loads (or downloads) it.
 *
 * @module
 */

import { resolve } from "node:path";
import { describeFunction } from "../src/info.ts";
import type { ServerlessFunction } from "../src/serverless.ts";
import { build } from "./build_command.ts";
import { importNpm } from "./npm_import.ts";
import { workerSettings } from "./iac/_cloudflare.ts";
import type { QueueRunner } from "./dev_triggers.ts";
import type { Runtime } from "./runtime.ts";

/** The part of Miniflare dev uses; typed here, as Miniflare's own types reach for Workers types Deno cannot use. */
interface MiniflareInstance {
  ready: Promise<URL>;
  getWorker(): Promise<{ queue(queue: string, messages: QueueMessage[]): Promise<QueueResult> }>;
  dispatchFetch(url: string, init: Record<string, unknown>): Promise<Response>;
  dispose(): Promise<void>;
}

/** A message as Miniflare hands it to the Worker's `queue` handler. */
interface QueueMessage {
  id: string;
  timestamp: Date;
  attempts: number;
  body: unknown;
}

/** What workerd reports once the `queue` handler finished. */
interface QueueResult {
  outcome: string;
  ackAll: boolean;
  retryBatch: { retry: boolean; delaySeconds?: number };
  explicitAcks: string[];
  retryMessages: { msgId: string; delaySeconds?: number }[];
}

/** A Worker running in workerd. */
export interface LocalWorker {
  /** Sends a request to the Worker. */
  fetch(request: Request): Promise<Response>;
  /** Stops workerd. */
  close(): Promise<void>;
  /** Runs a batch through the Worker's `queue` handler, and reports what workerd would tell Cloudflare Queues. */
  queue: QueueRunner;
}

/**
 * Builds a function for Cloudflare and starts it in workerd.
 *
 * @param runtime The runtime layer.
 * @param fn The function.
 * @param entry Its entry module.
 * @param vars The variables from `.env` and the process that the function declares or `.env` sets.
 * @returns The running Worker.
 *
 * @example Usage
 * ```ts ignore
 * import { serverless } from "../mod.ts";
 * import { startWorker } from "./dev_cloudflare.ts";
 * import { currentRuntime } from "./runtime.ts";
 * const worker = await startWorker(currentRuntime(), serverless({ name: "a", fetch: () => new Response("a") }), "a.ts", {});
 * await worker.close();
 * ```
 */
export async function startWorker(
  runtime: Runtime,
  fn: ServerlessFunction<Record<string, unknown>>,
  entry: string,
  vars: Record<string, string>,
): Promise<LocalWorker> {
  const state = resolve(runtime.cwd(), ".slrs", "miniflare");
  // A folder per function: build empties its output folder first.
  const out = resolve(state, "build", fn.name);
  const [built] = await build(runtime, { target: "cloudflare", entries: [entry], out });
  const { Miniflare, supportedCompatibilityDate } = await importNpm<MiniflareModule>(
    "miniflare",
    "dev --target cloudflare",
  );
  const settings = workerSettings(describeFunction({ fn: fn as ServerlessFunction<never>, entry, exportName: "" }));
  // workerd refuses a date newer than itself; the deployed Worker keeps the configured one.
  let compatibilityDate = settings.compatibilityDate;
  if (supportedCompatibilityDate !== undefined && compatibilityDate > supportedCompatibilityDate) {
    console.error(
      `slrs dev: note: this workerd supports compatibility dates up to ${supportedCompatibilityDate}; ` +
        `"${fn.name}" runs with that instead of ${compatibilityDate} here.`,
    );
    compatibilityDate = supportedCompatibilityDate;
  }
  const bindings = fn.metadata.requirements.bindings ?? {};
  const mf = new Miniflare({
    name: fn.name,
    modules: true,
    scriptPath: built!.bundle,
    compatibilityDate,
    compatibilityFlags: settings.compatibilityFlags,
    bindings: vars,
    kvNamespaces: [...bindings.kv ?? []],
    kvPersist: resolve(state, "kv"),
    d1Databases: [...bindings.d1 ?? []],
    d1Persist: resolve(state, "d1"),
    r2Buckets: [...bindings.buckets ?? []],
    r2Persist: resolve(state, "r2"),
  });
  await mf.ready;
  return {
    async fetch(request) {
      const body = request.body === null ? undefined : new Uint8Array(await request.arrayBuffer());
      const answer = await mf.dispatchFetch(request.url, {
        method: request.method,
        headers: [...request.headers],
        body,
        redirect: "manual",
      });
      // Miniflare answers with its own (undici) Response; copied pair by pair so every Set-Cookie stays apart.
      const headers = new Headers();
      for (const [name, value] of answer.headers) headers.append(name, value);
      return new Response(answer.body, { status: answer.status, statusText: answer.statusText, headers });
    },
    close: () => mf.dispose(),
    async queue(queue, messages) {
      const worker = await mf.getWorker();
      const result = await worker.queue(queue, messages.map((m) => ({ ...m })));
      const acked = new Set(result.explicitAcks);
      const retried = new Map(result.retryMessages.map((r) => [r.msgId, r.delaySeconds]));
      const report = messages.map(({ id }) => {
        if (result.ackAll || acked.has(id)) return { id, outcome: "acked" };
        if (result.retryBatch.retry || retried.has(id)) {
          const delaySeconds = retried.get(id) ?? result.retryBatch.delaySeconds;
          return delaySeconds === undefined ? { id, outcome: "retried" } : { id, outcome: "retried", delaySeconds };
        }
        // Neither: Cloudflare acknowledges it when the handler returned, delivers it again when it threw.
        return { id, outcome: result.outcome === "ok" ? "acked" : "failed" };
      });
      return { messages: report, failed: result.outcome !== "ok" };
    },
  };
}

/** What dev takes from the miniflare module. */
interface MiniflareModule {
  Miniflare: new (options: Record<string, unknown>) => MiniflareInstance;
  supportedCompatibilityDate?: string;
}
