/**
 * Conformance driver: the Google Cloud adapter's HTTP function registered with the real functions-framework
 * (`functions.http`), served by the framework's own server (`getTestServer`, the Express app `functions-framework
 * --target` runs) on a free port, and called over real HTTP. The function's Cloud Logging lines (JSON with a
 * `severity`, e.g. the thrown-error case's stack) go where Cloud Logging would take them: not into the test output.
 *
 * @module
 */

import functions from "@google-cloud/functions-framework";
import { getTestServer } from "@google-cloud/functions-framework/testing";
import type { AddressInfo } from "node:net";
import { handle } from "../../../adapters/gcp.ts";
import { type Driver, sendOverHttp } from "../driver.ts";

const TARGET = "conformance-echo";

const driver: Driver = {
  name: "gcp",
  async start({ fn }) {
    functions.http(TARGET, handle(fn));
    const server = getTestServer(TARGET);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { log, error } = console;
    const cloudLogging = (write: (...data: unknown[]) => void) => (...data: unknown[]) => {
      if (typeof data[0] !== "string" || !data[0].startsWith('{"severity":')) write(...data);
    };
    console.log = cloudLogging(log);
    console.error = cloudLogging(error);
    return {
      send: (request) => sendOverHttp(base, request),
      async close() {
        console.log = log;
        console.error = error;
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      },
    };
  },
  limits: [],
};

export default driver;
