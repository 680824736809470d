/**
 * The Cloudflare column of the conformance suite (tests/conformance/drivers/cloudflare.ts loads it): the echo
 * function behind the Cloudflare adapter, bundled with `deno bundle` as a deployment is, run in workerd through
 * Miniflare, and called over real HTTP on a socket workerd itself listens on (`unsafeDirectSockets`). It lives in this
 * workspace member because Miniflare's types bring the Workers globals with them, which must stay out of the root
 * program.
 *
 * Not `dispatchFetch`: Miniflare's dispatcher rebuilds the request headers and skips every header whose value is
 * empty (`if (!value) continue;` in `convertUndiciHeadersToStandard`, miniflare 4.20260730), so a header workerd
 * and the Workers runtime pass on would never reach the worker. Sent straight to workerd's socket, it does.
 *
 * @module
 */

import { Miniflare } from "npm:miniflare@^4";
import { bundleWorker } from "../../scripts/bundle_worker.ts";
import type { EchoApp, Target } from "../conformance/driver.ts";
import { sendOverHttp } from "../conformance/driver.ts";

const ROOT = new URL("../../", import.meta.url);
/**
 * Bundles `export default handle(<echo>)` and starts it in workerd.
 *
 * @param app The echo function's module.
 * @returns The running worker.
 */
export async function startWorkerd(app: EchoApp): Promise<Target> {
  const dir = await Deno.makeTempDir({ prefix: "slrs-conformance-worker-" });
  let mf: Miniflare;
  try {
    const entry = `${dir}/worker.ts`;
    await Deno.writeTextFile(
      entry,
      `import { handle } from ${JSON.stringify(new URL("adapters/cloudflare.ts", ROOT).href)};\n` +
        `import fn from ${JSON.stringify(new URL(app.module, ROOT).href)};\n` +
        `export default handle(fn);\n`,
    );
    const script = await bundleWorker(entry);
    mf = new Miniflare({
      modules: true,
      script,
      compatibilityDate: "2026-07-01",
      unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
      // The function's own logs (the thrown-error case's stack) go where Workers Logs would take them.
      structuredWorkerdLogs: true,
      handleStructuredLogs: () => {},
    });
    await mf.ready;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  const base = (await mf.unsafeGetDirectURL()).href;
  let ray = 0x8c1f2e3d4b5a0000;
  return {
    send(c) {
      // The edge adds these before the worker runs; cf-ray becomes ctx.requestId.
      const headers: (readonly [string, string])[] = [
        ...c.headers,
        ["cf-ray", `${(ray++).toString(16)}-LHR`],
        ["cf-connecting-ip", "203.0.113.7"],
        ["x-forwarded-proto", "https"],
      ];
      return sendOverHttp(base, { ...c, headers });
    },
    close: () => mf.dispose(),
  };
}
