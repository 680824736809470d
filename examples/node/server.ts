/**
 * Serves ./main.ts on Node with `node:http`. Build and run (Node 20 or later):
 *
 * ```sh
 * deno run -A scripts/compile_for_node.ts dist examples/node/server.ts
 * node dist/examples/node/server.js          # PORT=3000 node … to pick the port
 * ```
 *
 * SIGINT/SIGTERM stop it gracefully: no new connections, in-flight requests and `waitUntil` work finish first.
 *
 * @module
 */

import { serve } from "../../adapters/node.ts";
import fn from "./main.ts";

const server = await serve(fn);
await server.finished;
console.log("stopped");
