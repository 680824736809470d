/**
 * scripts/build_npm.ts on a small made-up project, for what the real one does not have yet: runtime npm
 * dependencies, renamed and `npm:` specifiers, type packages, and imports nobody mapped.
 *
 * @module
 */

import assert from "node:assert/strict";
import { buildNpm } from "../scripts/build_npm.ts";
import { BUILD_PACKAGES } from "../cli/npm_import.ts";

async function project(files: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "slrs-build-" });
  for (const [name, text] of Object.entries(files)) {
    await Deno.mkdir(`${dir}/${name}`.replace(/\/[^/]+$/, ""), { recursive: true });
    await Deno.writeTextFile(`${dir}/${name}`, text);
  }
  return dir;
}

const BASE = {
  "README.md": "# x\n",
  "LICENSE": "MIT\n",
  "src/info_schema.json": "{}\n",
  "cli.ts": "/** The CLI. */\nexport const cli: number = 1;\n",
};

Deno.test("build_npm maps imports to npm packages", async (t) => {
  const root = await project({
    ...BASE,
    "deno.json": JSON.stringify({
      name: "@x/y",
      version: "1.2.3",
      license: "MIT",
      repository: "https://github.com/x/y",
      exports: { ".": "./mod.ts", "./extra": "./lib/extra.ts" },
      imports: {
        "dep": "npm:dep@^1.2.0",
        "renamed": "npm:real-name@^2.0.0",
        "aws-lambda": "npm:@types/aws-lambda@^8.10.0",
      },
    }),
    "mod.ts": `import dep from "dep";
import { sub } from "renamed/sub";
import type { Context } from "aws-lambda";
import { other } from "npm:direct@^3.1.0/path";
/** Example: \`import nope from "not-mapped";\` in a comment is left alone. */
export const value: number = dep + sub + other;
export type Ctx = Context;
`,
    "lib/extra.ts": `import type { IncomingMessage } from "node:http";\nexport type Req = IncomingMessage;\n`,
  });
  const out = `${root}/out`;
  try {
    const { packageJson, files } = buildNpm(out, root);
    await t.step("runtime imports become dependencies with deno.json's ranges", () => {
      assert.deepEqual(packageJson.dependencies, { "dep": "^1.2.0", "direct": "^3.1.0", "real-name": "^2.0.0" });
    });
    await t.step("type packages and Node's types become optional peers", () => {
      assert.deepEqual(packageJson.peerDependencies, { "@types/aws-lambda": "^8.10.0", "@types/node": ">=20" });
      assert.deepEqual(Object.values(packageJson.peerDependenciesMeta ?? {}), [{ optional: true }, { optional: true }]);
    });
    await t.step("specifiers are rewritten to package names; type packages keep the module name", () => {
      const js = Deno.readTextFileSync(`${out}/mod.js`);
      assert.match(js, /from "dep"/);
      assert.match(js, /from "real-name\/sub"/);
      assert.match(js, /from "direct\/path"/);
      assert.match(js, /import nope from "not-mapped"/);
      assert.match(Deno.readTextFileSync(`${out}/mod.d.ts`), /from "aws-lambda"/);
    });
    await t.step("package.json carries the metadata, exports with types, bin and engines", () => {
      assert.equal(packageJson.name, "@x/y");
      assert.equal(packageJson.version, "1.2.3");
      assert.deepEqual(packageJson.repository, { type: "git", url: "git+https://github.com/x/y.git" });
      assert.deepEqual(packageJson.exports["./extra"], { types: "./lib/extra.d.ts", import: "./lib/extra.js" });
      assert.deepEqual(packageJson.bin, { slrs: "./cli.js" });
      assert.equal(packageJson.type, "module");
      assert.ok(files.includes("lib/extra.js.map") && files.includes("src/info_schema.json"));
      const written = JSON.parse(Deno.readTextFileSync(`${out}/package.json`));
      assert.deepEqual(written, packageJson);
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("build_npm refuses an import deno.json does not map, and says how to fix it", async () => {
  const root = await project({
    ...BASE,
    "deno.json": JSON.stringify({ name: "@x/y", version: "1.0.0", license: "MIT", exports: "./mod.ts" }),
    "mod.ts": `import left from "left-pad";\nexport const value: string = left;\n`,
  });
  try {
    assert.throws(() => buildNpm(`${root}/out`, root), /imports "left-pad", which deno.json "imports" does not map/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("build_npm adds the packages the CLI loads at run time", async (t) => {
  const root = await project({
    ...BASE,
    "deno.json": JSON.stringify({ name: "@x/y", version: "1.0.0", license: "MIT", exports: "./mod.ts" }),
    "mod.ts": "/** A value. */\nexport const value: number = 1;\n",
    "cli.ts": 'import { load } from "./cli/npm_import.ts";\n/** The CLI. */\nexport const cli: string = load;\n',
    "cli/npm_import.ts": "/** Loads. */\nexport const load: string = 'computed';\n",
  });
  try {
    await t.step("a package with cli/npm_import.ts depends on its build packages, with their ranges", () => {
      const { packageJson } = buildNpm(`${root}/out`, root);
      const expected = Object.fromEntries(
        Object.values(BUILD_PACKAGES).map((specifier) => {
          const [, name, range] = specifier.match(/^npm:(@?[^@]+)@(.+)$/)!;
          return [name!, range!];
        }),
      );
      assert.deepEqual(packageJson.dependencies, expected);
      assert.ok(packageJson.dependencies?.esbuild !== undefined && packageJson.dependencies.fflate !== undefined);
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
