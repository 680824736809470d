/**
 * JSR readiness: what `deno publish` would upload, and the documentation JSR scores (module docs on every entry
 * point, a summary on every exported symbol, a runnable example on every exported function and class).
 *
 * @module
 */

import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { ROOT } from "./support/process.ts";

const config = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));
const entries: string[] = Object.values<string>(config.exports).map((path) => path.replace(/^\.\//, ""));

async function deno(args: string[]): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { RUST_BACKTRACE: "0", NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, `deno ${args.join(" ")} failed:\n${text}`);
  return text;
}

Deno.test("the JSR package holds the library, README, LICENSE and deno.json only", async () => {
  // Type checks and slow types are checked by `deno publish --dry-run` at the end of `deno task test`.
  const output = await deno(["publish", "--dry-run", "--allow-dirty", "--no-check"]);
  const files = [...output.matchAll(/^\s+(file:\/\/\S+)/gm)].map((m) => m[1]!.slice(pathToFileURL(ROOT).href.length));
  assert.ok(files.length > 0, `no file list in:\n${output}`);
  const allowed =
    /^(README\.md|LICENSE|deno\.json|mod\.ts|cli\.ts|src\/.+\.(ts|json)|adapters\/.+\.ts|bindings\/.+\.ts|cli\/.+\.ts)$/;
  assert.deepEqual(files.filter((f) => !allowed.test(f)), []);
  for (const entry of [...entries, "README.md", "LICENSE", "src/info_schema.json"]) {
    assert.ok(files.includes(entry), `the JSR package lacks ${entry}`);
  }
  assert.deepEqual(files.filter((f) => /_test\.ts$|(^|\/)(tests|fixtures)\//.test(f)), []);
});

interface DocNode {
  name: string;
  declarations: { kind: string; jsDoc?: { doc?: string; tags?: { kind: string }[] } }[];
}

Deno.test("every entry point has module docs, every export a summary, every function and class an example", async () => {
  const doc = JSON.parse(await deno(["doc", "--json", ...entries]));
  const missing: string[] = [];
  for (const entry of entries) {
    const node = doc.nodes[pathToFileURL(`${ROOT}${entry}`).href] as {
      module_doc?: { doc?: string };
      symbols: DocNode[];
    };
    if (!node?.module_doc?.doc?.trim()) missing.push(`${entry}: module doc`);
    for (const symbol of node?.symbols ?? []) {
      // A symbol exported by two entry points is documented once; the second one only refers to it.
      for (const declaration of symbol.declarations.filter((d) => d.kind !== "reference")) {
        if (!declaration.jsDoc?.doc?.trim()) missing.push(`${entry}: ${symbol.name}: summary`);
        const needsExample = declaration.kind === "function" || declaration.kind === "class";
        if (needsExample && !declaration.jsDoc?.tags?.some((tag) => tag.kind === "example")) {
          missing.push(`${entry}: ${symbol.name}: @example`);
        }
      }
    }
  }
  assert.deepEqual(missing, []);
});
