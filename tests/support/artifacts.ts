// Stand-ins for build output, for tests about the Terraform text rather than the bundles: `iac terraform` refuses to
// write files that refer to artifacts that are not there. Tests that need real bundles run `build` instead.

import type { InfoDocument } from "../../src/info.ts";
import { artifact } from "../../cli/iac/artifacts.ts";
import type { TerraformPlatform } from "../../cli/iac/terraform.ts";
import { runCli } from "./process.ts";

/** Writes a placeholder for every artifact the platforms' Terraform refers to, for the functions `--info` finds. */
export async function placeholderArtifacts(
  cwd: string,
  dist: string,
  platforms: readonly TerraformPlatform[],
  entries: string[] = [],
): Promise<void> {
  const info = await runCli(["--info", ...entries], cwd);
  if (info.code !== 0) throw new Error(info.stderr);
  const doc = JSON.parse(info.stdout) as InfoDocument;
  for (const platform of platforms) {
    for (const fn of doc.functions) {
      const path = `${dist}/${artifact(platform, fn).path}`;
      await Deno.mkdir(path.replace(/\/[^/]+$/, ""), { recursive: true });
      await Deno.writeTextFile(path, "placeholder: not a real build");
    }
  }
}
