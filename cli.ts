/**
 * The slrs command line: `--info` describes functions as JSON, `dev` serves one locally with reload on change,
 * `build` bundles them for a platform, `iac` writes Terraform JSON or wrangler configurations (see docs/deploy.md).
 *
 * ```sh
 * deno run -A jsr:@slrs/core/cli --info functions/orders.ts
 * deno run -A jsr:@slrs/core/cli dev functions/orders.ts --port 8000
 * deno run -A jsr:@slrs/core/cli build --target aws-lambda functions/orders.ts
 * deno run -A jsr:@slrs/core/cli iac terraform --out infra
 * npx slrs --info functions/orders.js        # from the npm package, on Node 20 or later
 * ```
 *
 * @module
 */

import process from "node:process";
import { main } from "./cli/main.ts";
import { currentRuntime, isNodeMain } from "./cli/runtime.ts";

export { main };
export type { Runtime, ServeOptions, Server } from "./cli/runtime.ts";
export type { ClientInfo } from "./cli/dev_guard.ts";

// Node 20 has no `import.meta.main`; the npm package runs this file as its `slrs` command.
if (import.meta.main ?? isNodeMain(import.meta.url)) {
  const runtime = currentRuntime();
  process.exitCode = await main(runtime.args(), runtime);
}
