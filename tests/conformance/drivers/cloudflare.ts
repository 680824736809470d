/**
 * Conformance driver: the Cloudflare adapter in workerd, through Miniflare (`npm:miniflare@^4`), over real HTTP
 * to workerd's own socket (see that file for why not `dispatchFetch`). The code that uses
 * Miniflare is tests/cloudflare/conformance_driver.ts, in the `tests/cloudflare` workspace member: Miniflare's types
 * declare the Workers globals (`Response.json()` returning `unknown`, …), which would break the root program's type
 * check. It is imported here through a computed specifier, so the root program never sees it; the member's own
 * `deno check` checks it.
 *
 * @module
 */

import type { Driver, Target } from "../driver.ts";
import { knownMethodsOnly, resolvedDotSegments } from "./_limits.ts";

const MEMBER = "../../cloudflare/conformance_driver.ts";

const driver: Driver = {
  name: "cloudflare",
  async start(app): Promise<Target> {
    const { startWorkerd } = await import(new URL(MEMBER, import.meta.url).href);
    return await startWorkerd(app);
  },
  limits: [
    knownMethodsOnly(
      "workerd-known-methods",
      "workerd answers a method outside its list with 501 before the worker runs",
    ),
    resolvedDotSegments(
      "workerd-resolved-dot-segments",
      "workerd resolves plain `.` and `..` segments (not `%2e`) itself",
    ),
    {
      id: "workerd-bad-host",
      applies: (c) => c.tags.includes("bad-host"),
      reason: "workerd builds request.url from an invalid Host and fails; the Cloudflare edge refuses such a Host",
    },
  ],
};

export default driver;
