/**
 * Conformance driver: the Deno adapter's `serve()` on a free port, called over real HTTP.
 *
 * @module
 */

import { serve } from "../../../adapters/deno.ts";
import { type Driver, sendOverHttp } from "../driver.ts";

const driver: Driver = {
  name: "deno",
  start({ fn }) {
    const server = serve(fn, { port: 0, hostname: "127.0.0.1", handleSignals: false, onListen() {}, logSink() {} });
    return Promise.resolve({
      send: (request) => sendOverHttp(server.url, request),
      close: () => server.shutdown(),
    });
  },
  limits: [],
};

export default driver;
