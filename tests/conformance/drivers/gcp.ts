/**
 * Conformance driver: the Google Cloud adapter's HTTP function registered with the real functions-framework
 * (`functions.http`), served by the framework's own server (`getTestServer`, the Express app `functions-framework
 * --target` runs) on a free port, and called over real HTTP. The function's Cloud Logging lines (the thrown-error
 * case's stack) are kept out of the test output.
 *
 * @module
 */

import functions from "npm:@google-cloud/functions-framework@^5.0.5";
import { getTestServer } from "npm:@google-cloud/functions-framework@^5.0.5/testing";
import type { AddressInfo } from "node:net";
import { handle } from "../../../adapters/gcp.ts";
import { type Driver, sendOverHttp } from "../driver.ts";
import { quietFunctionLogs } from "./_logs.ts";
import { knownMethodsOnly } from "./_limits.ts";

const TARGET = "conformance-echo";

const driver: Driver = {
  name: "gcp",
  async start({ fn }) {
    functions.http(TARGET, handle(fn));
    const server = getTestServer(TARGET);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const restore = quietFunctionLogs();
    return {
      send: (request) => sendOverHttp(base, request),
      async close() {
        restore();
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      },
    };
  },
  limits: [knownMethodsOnly("node-http-known-methods")],
};

export default driver;
