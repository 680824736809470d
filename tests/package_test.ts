import assert from "node:assert/strict";
import { VERSION } from "../mod.ts";
import { ROOT } from "./support/process.ts";

async function* coreFiles(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* coreFiles(path);
    else if (entry.isFile && path.endsWith(".ts")) yield path;
  }
}

Deno.test("The core in src/ names no Deno API and imports no node: module", async () => {
  const offenders: string[] = [];
  let checked = 0;
  for await (const path of coreFiles(`${ROOT}src`)) {
    checked++;
    const text = await Deno.readTextFile(path);
    text.split("\n").forEach((line, i) => {
      if (/\bDeno\./.test(line) || /from\s+["']node:|import\(\s*["']node:|require\(\s*["']node:/.test(line)) {
        offenders.push(`${path.slice(ROOT.length)}:${i + 1}: ${line.trim()}`);
      }
    });
  }
  assert.ok(checked >= 10, `only ${checked} core files found`);
  assert.deepEqual(offenders, []);
});

Deno.test("VERSION matches deno.json", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  assert.equal(VERSION, config.version);
  assert.equal(config.name, "@slrs/core");
});

Deno.test("README shows the two commands that work on a fresh machine", async () => {
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  const top = readme.split("\n").slice(0, 20).join("\n");
  assert.match(top, /npx -y deno@2\.9\.6 task dev/);
  assert.match(top, /npx -y deno@2\.9\.6 task test/);
  const ci = await Deno.readTextFile(`${ROOT}.ci/run`);
  assert.match(ci, /^set -euo pipefail$/m);
  assert.match(ci, /^npx -y deno@2\.9\.6 task test$/m);
});
