#!/usr/bin/env bash
# Runs the Azure and Google adapters under real Node 20 (not Deno's Node compatibility): bundles them with
# `deno bundle`, installs @azure/functions and @google-cloud/functions-framework from npm into a temporary folder
# (about 20 s), calls the Azure handler with the library's classes, and serves the GCP example with the
# `functions-framework` CLI on 127.0.0.1. Usage: bash scripts/node_smoke.sh
set -euo pipefail
export RUST_BACKTRACE=0
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$(mktemp -d)"
trap 'if [[ -n "${ff:-}" ]]; then kill "$ff" 2>/dev/null || true; fi; rm -rf "$dir"' EXIT
cd "$dir"
cat > package.json <<'JSON'
{ "private": true, "type": "module",
  "dependencies": { "@azure/functions": "^4.16.5", "@google-cloud/functions-framework": "^5.0.5" } }
JSON
npm install --silent --no-audit --no-fund >/dev/null
cat > azure.ts <<TS
import assert from "node:assert/strict";
import az from "@azure/functions";
import { handle } from "$root/adapters/azure.ts";
import { Router, serverless } from "$root/mod.ts";
const fn = serverless({
  name: "smoke",
  fetch: new Router().post("/echo", async (req) => {
    const headers = new Headers({ "content-type": "application/octet-stream" });
    headers.append("set-cookie", "a=1");
    headers.append("set-cookie", "b=2");
    return new Response(new Uint8Array(await req.arrayBuffer()).reverse(), { headers });
  }),
});
const request = new az.HttpRequest({ method: "POST", url: "http://x/api/echo", body: { bytes: new Uint8Array([1, 2, 3]) } });
const res = new az.HttpResponse(await handle(fn)(request, new az.InvocationContext({ invocationId: "node" })));
assert.deepEqual([...new Uint8Array(await res.arrayBuffer())], [3, 2, 1]);
assert.deepEqual(res.cookies.map((c) => c.name), ["a", "b"]);
console.log("azure: ok under node", process.version);
TS
deno bundle --quiet --config "$root/deno.json" --external @azure/functions -o azure.js azure.ts
node azure.js
deno bundle --quiet --config "$root/deno.json" --external @google-cloud/functions-framework -o gcp.js \
  "$root/examples/gcp/index.ts"
PORT=18091 node node_modules/@google-cloud/functions-framework/build/src/main.js --target=shop --source=gcp.js >ff.log 2>&1 &
ff=$!
for _ in $(seq 1 100); do curl -s -o /dev/null http://127.0.0.1:18091/ && break; sleep 0.1; done
body="$(curl -s -H 'function-execution-id: node-1' http://127.0.0.1:18091/hello/ada)"
[[ "$body" == '{"hello":"ada","requestId":"node-1"}' ]] || { echo "gcp: unexpected $body"; cat ff.log; exit 1; }
echo "gcp: ok under node $(node --version) with the functions-framework CLI"
