/**
 * The worker entry: `wrangler deploy` (see wrangler.jsonc) or `deno bundle` this file.
 *
 * @module
 */

import { handle } from "../../adapters/cloudflare.ts";
import fn from "./main.ts";

export default handle(fn);
