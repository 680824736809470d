/**
 * The slrs command line: `--info` describes functions as JSON, `dev` serves one locally with reload on change.
 *
 * ```sh
 * deno run -A jsr:@slrs/core/cli --info functions/orders.ts
 * deno run -A jsr:@slrs/core/cli dev functions/orders.ts --port 8000
 * ```
 *
 * @module
 */

import process from "node:process";
import { main } from "./src/cli/main.ts";
import { currentRuntime } from "./src/cli/runtime.ts";

export { main };
export type { Runtime, ServeOptions, Server } from "./src/cli/runtime.ts";

if (import.meta.main) {
  const runtime = currentRuntime();
  process.exitCode = await main(runtime.args(), runtime);
}
