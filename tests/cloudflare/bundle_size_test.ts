/**
 * The size budget of issue #4: the hello worker, bundled as `cli.ts build` bundles a deployment, is at most half the
 * same app written with Hono. A change that grows the worker past it fails here, not in a benchmark nobody reran.
 * Figures and the speed comparison: `scripts/bench_cloudflare/bench.ts`, BENCHMARKS.md.
 */

import assert from "node:assert/strict";
import { bundleWorker } from "../../scripts/bundle_worker.ts";

Deno.test("the hello worker bundles to at most half of the same app in Hono", async () => {
  const [slrs, hono] = await Promise.all([
    bundleWorker(new URL("../../examples/cloudflare/hello.ts", import.meta.url), { minify: true }),
    bundleWorker(new URL("../../scripts/bench_cloudflare/hono_hello.ts", import.meta.url), { minify: true }),
  ]);
  assert.ok(
    slrs.length <= hono.length / 2,
    `slrs ${slrs.length} bytes, Hono ${hono.length} bytes: ${(slrs.length / hono.length).toFixed(3)}×, over 0.5×`,
  );
  // The build leaves the definition and route checks out: their messages must not be in the bundle.
  assert.ok(!slrs.includes("may only be the last segment"), "the route checks are in the deployment bundle");
  assert.ok(!slrs.includes("five-field cron"), "the definition checks are in the deployment bundle");
});
