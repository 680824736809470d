/**
 * Which of a function's bindings the Azure and Google Terraform leave out.
 *
 * @module
 */

import type { FunctionInfo } from "../../src/info.ts";

/**
 * The binding kinds a function declares that no Azure or Google resource is written for yet; secrets are not among
 * them, since they arrive through the function's environment variable.
 *
 * @param fn The function's entry of the `--info` document.
 * @returns The kinds, e.g. `["kv"]`.
 *
 * @example Usage
 * ```ts
 * import { serverless } from "../../mod.ts";
 * import { describeFunction } from "../../src/info.ts";
 * import { unmappedBindings } from "./_bindings.ts";
 *
 * const fn = serverless({ name: "c", requirements: { bindings: { kv: ["CACHE"] } }, fetch: () => new Response() });
 * console.assert(unmappedBindings(describeFunction({ fn, entry: "c.ts", exportName: "default" }))[0] === "kv");
 * ```
 */
export function unmappedBindings(fn: FunctionInfo): string[] {
  const bindings = fn.requirements.bindings ?? {};
  return (["kv", "d1", "sql", "queues", "buckets"] as const).filter((kind) => (bindings[kind]?.length ?? 0) > 0);
}
