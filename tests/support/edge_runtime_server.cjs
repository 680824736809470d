// Runs a script under Vercel's edge-runtime with runServer, twice: as the npm package gives it (no `process`), and
// with a `process.env` as Vercel's edge functions have one. Prints {"plain":url,"withEnv":url,"process":typeof}.
// Usage: node edge_runtime_server.cjs <edge-runtime package dir> <script> <env JSON>
const { readFileSync } = require("node:fs");
const { EdgeRuntime, runServer } = require(process.argv[2]);

const initialCode = readFileSync(process.argv[3], "utf8");
const env = JSON.parse(process.argv[4]);
const plain = new EdgeRuntime({ initialCode });
const withEnv = new EdgeRuntime({
  initialCode,
  extend: (context) => Object.assign(context, { process: { env } }),
});
Promise.all([plain, withEnv].map((runtime) => runServer({ runtime, port: 0, host: "127.0.0.1" }))).then(
  ([a, b]) => console.log(JSON.stringify({ plain: a.url, withEnv: b.url, process: plain.evaluate("typeof process") })),
);
