/**
 * Conformance driver: the Node adapter's `serve()` under real Node 20, called over real HTTP. The echo function
 * and the adapter are compiled with scripts/compile_for_node.ts into a temporary directory.
 *
 * @module
 */

import { compileForNode } from "../../../scripts/compile_for_node.ts";
import { type ChildServer, startChild } from "../../support/child_server.ts";
import { type Driver, sendOverHttp } from "../driver.ts";
import { knownMethodsOnly } from "./_limits.ts";

const driver: Driver = {
  name: "node",
  async unavailable() {
    try {
      const { success } = await new Deno.Command("node", { args: ["--version"], stdout: "null" }).output();
      return success ? undefined : "`node --version` failed";
    } catch {
      return "node is not on PATH";
    }
  },
  async start({ module }) {
    const outDir = await Deno.makeTempDir({ prefix: "slrs-conformance-node-" });
    let server: ChildServer;
    try {
      const compiled = compileForNode({ entries: [module, "adapters/node.ts"], outDir });
      const entry = `${outDir}/main.js`;
      await Deno.writeTextFile(
        entry,
        `import fn from ${JSON.stringify(compiled.outputOf(module))};\n` +
          `import { serve } from ${JSON.stringify(compiled.outputOf("adapters/node.ts"))};\n` +
          `await serve(fn, { port: 0, hostname: "127.0.0.1", onListen: ({ port }) => console.log(JSON.stringify({ port })) });\n`,
      );
      server = await startChild("node", [entry], outDir);
    } catch (error) {
      await Deno.remove(outDir, { recursive: true }).catch(() => {});
      throw error;
    }
    return {
      send: (request) => sendOverHttp(server.url, request),
      close: () => server.close(),
    };
  },
  limits: [knownMethodsOnly("node-http-known-methods")],
};

export default driver;
