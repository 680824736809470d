/**
 * Vercel entry: `vercel.json` rewrites every path here; the router sees the path the client asked for.
 * Vercel reads `config` from this source without running it, so it is a literal: the values `config(shop)` gives
 * (tests/vercel_test.ts checks they agree; `slrs build --target vercel` writes the same values into each function's
 * `.vc-config.json` instead).
 */
import { handle } from "../../../adapters/vercel.ts";
import shop from "../shop.ts";

export default handle(shop);

export const config = { maxDuration: 30, memory: 2048 };
