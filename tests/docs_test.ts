/**
 * The documentation as a user meets it: it shows the CLI the way a project runs it, cites only sources a reader can
 * open, and says what is true about the npm package. Generated files carry the same instructions.
 */

import assert from "node:assert/strict";
import { describeFunction } from "../src/info.ts";
import { wranglerConfig } from "../cli/iac/wrangler.ts";
import hello from "../examples/hello/main.ts";
import { ROOT } from "./support/process.ts";

/** Every file under `dir` (relative to the root) whose name ends with one of `extensions`. */
async function filesUnder(dir: string, extensions: string[]): Promise<string[]> {
  const found: string[] = [];
  const walk = async (path: string): Promise<void> => {
    for await (const entry of Deno.readDir(`${ROOT}${path}`)) {
      const child = `${path}/${entry.name}`;
      // docs/api is the generated reference (`deno task docs`), not part of the repository.
      const skipped = entry.name === "node_modules" || entry.name === "dist" || child === "docs/api";
      if (entry.isDirectory && !skipped) await walk(child);
      else if (entry.isFile && extensions.some((ext) => entry.name.endsWith(ext))) found.push(child);
    }
  };
  await walk(dir);
  return found.sort();
}

/** `path:line: text` for each line of the files that matches `pattern`. */
async function linesMatching(files: string[], pattern: RegExp): Promise<string[]> {
  const hits: string[] = [];
  for (const file of files) {
    const lines = (await Deno.readTextFile(`${ROOT}${file}`)).split("\n");
    lines.forEach((line, i) => {
      if (pattern.test(line)) hits.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  return hits;
}

/** README.md, docs/*.md and examples/*\/README.md. */
async function userDocs(): Promise<string[]> {
  const examples = (await filesUnder("examples", ["README.md"])).filter((file) => file.split("/").length === 3);
  return ["README.md", ...await filesUnder("docs", [".md"]), ...examples];
}

Deno.test("docs cite only sources a reader can open", async (t) => {
  const outside = /\.\.\/shared|\/work\/shared|PLATFORM_FACTS|TOOLCHAIN\.md/;

  await t.step("no doc, example, test or published source points at a file outside the repository", async () => {
    const files = ["README.md", "BENCHMARKS.md", "mod.ts", "cli.ts", "deno.json"];
    for (const dir of ["docs", "src", "adapters", "cli", "bindings", "examples", "scripts", "tests", ".github"]) {
      files.push(...await filesUnder(dir, [".md", ".ts", ".js", ".json", ".jsonc", ".toml", ".yml", ".yaml"]));
    }
    assert.ok(files.length > 50, `only ${files.length} files found`);
    const self = "tests/docs_test.ts";
    assert.deepEqual(await linesMatching(files.filter((file) => file !== self), outside), []);
  });

  await t.step("docs/platforms.md lists its public sources", async () => {
    const text = await Deno.readTextFile(`${ROOT}docs/platforms.md`);
    assert.match(text, /^## Sources$/m);
    assert.match(text, /https:\/\/docs\.aws\.amazon\.com\/lambda\/latest\/dg\/gettingstarted-limits\.html/);
    assert.match(text, /https:\/\/developers\.cloudflare\.com\/workers\/platform\/limits\//);
  });
});

Deno.test("docs show the CLI the way a user's own project runs it", async (t) => {
  await t.step("no instruction runs cli.ts except where it says it is about this repository", async () => {
    const files = await userDocs();
    const offenders: string[] = [];
    for (const file of files) {
      const lines = (await Deno.readTextFile(`${ROOT}${file}`)).split("\n");
      // The layout table names the file; anything else needs a line saying it is about this repository, at most a
      // few lines above (the sentence that introduces a code block).
      let aboutRepository = -Infinity;
      lines.forEach((line, i) => {
        if (/this repository|a checkout of/.test(line)) aboutRepository = i;
        if (/\bcli\.ts\b/.test(line) && !line.startsWith("| `cli.ts`") && i - aboutRepository > 4) {
          offenders.push(`${file}:${i + 1}: ${line.trim()}`);
        }
      });
    }
    assert.deepEqual(offenders, []);
  });

  await t.step("the README shows the JSR command, a deno task and npx", async () => {
    const readme = await Deno.readTextFile(`${ROOT}README.md`);
    assert.match(readme, /deno run -A jsr:@slrs\/core\/cli/);
    assert.match(readme, /"slrs": "deno run -A jsr:@slrs\/core\/cli"/);
    assert.match(readme, /deno task slrs build/);
    assert.match(readme, /npx slrs/);
    assert.match(readme, /globs in `deno\.json` \(on Node: `package\.json`\)/);
  });

  await t.step("a generated wrangler.jsonc says how to build with the published CLI", () => {
    const text = wranglerConfig(describeFunction({ fn: hello, entry: "functions/hello.ts", exportName: "default" }));
    assert.doesNotMatch(text, /cli\.ts/);
    assert.match(
      text,
      /^\/\/ Build first: deno run -A jsr:@slrs\/core\/cli build --target cloudflare functions\/hello\.ts$/m,
    );
    assert.match(text, /npx slrs build --target cloudflare functions\/hello\.ts/);
  });

  await t.step("no string the CLI writes into a generated file names cli.ts", async () => {
    const sources = await filesUnder("cli", [".ts"]);
    // A string that starts a generated comment (`"// …`), or a line of a multi-line template that is one (`# …`).
    assert.deepEqual(await linesMatching(sources, /(^#|[`"'](\/\/|#) ).*cli\.ts/), []);
  });
});

Deno.test("docs/node.md agrees with the README about the npm package", async (t) => {
  const node = await Deno.readTextFile(`${ROOT}docs/node.md`);
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  const release = await Deno.readTextFile(`${ROOT}.github/workflows/release.yml`);

  await t.step("neither says the package is unpublished while the README says npm install", () => {
    assert.match(readme, /npm install @slrs\/core/);
    assert.doesNotMatch(node, /not (yet )?published|unpublished|until the npm package is published/i);
    assert.match(node, /npm install @slrs\/core/);
  });

  await t.step("node.md names the build task and the release workflow that publishes it", () => {
    assert.match(node, /deno task build:npm/);
    assert.match(node, /\.github\/workflows\/release\.yml/);
    assert.match(release, /task build:npm/);
    assert.match(release, /npm publish/);
  });
});

Deno.test("deno task docs builds the API reference the README links to", async (t) => {
  await t.step("the task writes docs/api/index.html with the public API in it", async () => {
    await Deno.remove(`${ROOT}docs/api/index.html`).catch(() => {});
    const task = await new Deno.Command(Deno.execPath(), {
      args: ["task", "docs"],
      cwd: ROOT,
      env: { RUST_BACKTRACE: "0", NO_COLOR: "1" },
      stdin: "null",
    }).output();
    assert.ok(task.success, new TextDecoder().decode(task.stderr));
    const index = await Deno.readTextFile(`${ROOT}docs/api/index.html`);
    assert.match(index, /@slrs\/core/);
    const all = await Deno.readTextFile(`${ROOT}docs/api/all_symbols.html`);
    for (const symbol of ["serverless", "Router", "HttpError"]) assert.match(all, new RegExp(`\\b${symbol}\\b`));
  });

  await t.step("the reference stays out of git and the README says how to open it", async () => {
    assert.match(await Deno.readTextFile(`${ROOT}.gitignore`), /^\/docs\/api\/$/m);
    const readme = await Deno.readTextFile(`${ROOT}README.md`);
    assert.match(readme, /Run `deno task docs` and open `docs\/api\/index\.html`/);
  });
});
