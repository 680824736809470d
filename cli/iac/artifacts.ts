/**
 * The build output each platform's Terraform points at, and the `build` target that makes it. The generators take
 * their paths from here, so `iac terraform` checks exactly the files the `*.tf.json` name.
 *
 * @module
 */

import type { FunctionInfo } from "../../src/info.ts";
import type { TerraformPlatform } from "./terraform.ts";

/** One file a `*.tf.json` refers to. */
export interface Artifact {
  /** The platform whose file refers to it. */
  platform: TerraformPlatform;
  /** The function it deploys. */
  fn: FunctionInfo;
  /** The `build --target` that writes it. */
  target: string;
  /** Its path below the build output folder (`--dist`), e.g. `aws-lambda/shop.zip`. */
  path: string;
}

/**
 * The folders below `--dist` where each platform's build output goes: one that exists means the platform was built.
 *
 * @example Usage
 * ```ts
 * import { BUILD_FOLDERS } from "./artifacts.ts";
 * console.assert(BUILD_FOLDERS["aws-lambda"].includes("aws-lambda-deno"));
 * ```
 */
export const BUILD_FOLDERS: Readonly<Record<TerraformPlatform, readonly string[]>> = {
  "aws-lambda": ["aws-lambda", "aws-lambda-deno"],
  cloudflare: ["cloudflare"],
  azure: ["azure"],
  gcp: ["gcp"],
};

/**
 * The file a function's Terraform on one platform refers to, and the build target that writes it: the Lambda zip
 * (the Deno one for a `provided.*` runtime), the Worker bundle, the Azure or Google zip.
 *
 * @param platform The platform.
 * @param fn The function's entry of the `--info` document.
 * @returns The artifact.
 *
 * @example Usage
 * ```ts
 * import { serverless } from "../../mod.ts";
 * import { describeFunction } from "../../src/info.ts";
 * import { artifact } from "./artifacts.ts";
 *
 * const fn = describeFunction({ fn: serverless({ name: "hi", fetch: () => new Response() }), entry: "hi.ts", exportName: "default" });
 * console.assert(artifact("aws-lambda", fn).path === "aws-lambda/hi.zip");
 * console.assert(artifact("cloudflare", fn).target === "cloudflare");
 * ```
 */
export function artifact(platform: TerraformPlatform, fn: FunctionInfo): Artifact {
  if (platform === "aws-lambda") {
    const runtime = fn.platforms["aws-lambda"].settings.runtime;
    const target = typeof runtime === "string" && runtime.startsWith("provided.") ? "aws-lambda-deno" : "aws-lambda";
    return { platform, fn, target, path: `${target}/${fn.name}.zip` };
  }
  if (platform === "cloudflare") return { platform, fn, target: "cloudflare", path: `cloudflare/${fn.name}.js` };
  return { platform, fn, target: platform, path: `${platform}/${fn.name}.zip` };
}
