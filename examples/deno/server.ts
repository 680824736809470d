/**
 * Serves ./main.ts with the Deno adapter: `deno run --allow-net --allow-env examples/deno/server.ts`.
 * `PORT` picks the port (default 8000); SIGINT/SIGTERM stop it after in-flight requests and `waitUntil` work.
 *
 * @module
 */

import { serve } from "../../adapters/deno.ts";
import { fn } from "./main.ts";

const server = serve(fn);
await server.finished;
console.log("stopped");
