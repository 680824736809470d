/**
 * The worker entry, as `slrs build --target cloudflare` writes it for main.ts; the tests run it in Miniflare.
 *
 * @module
 */

import { handle } from "../../adapters/cloudflare.ts";
import fn from "./main.ts";

export default handle(fn);
