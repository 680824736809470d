import assert from "node:assert/strict";
import { bundleModule, ESBUILD_VERSION } from "../cli/bundle.ts";
import { ROOT } from "./support/process.ts";
import { testedRange } from "./support/npm_specifiers.ts";

Deno.test("bundles are made by one pinned esbuild and ship a source map of the user's modules", async (t) => {
  await t.step("the bundler loads the esbuild version the repository pins, on every runtime", async () => {
    assert.equal(await testedRange("esbuild"), ESBUILD_VERSION);
  });

  await t.step("the map names the entry's modules and the code names the map", async () => {
    const dir = await Deno.makeTempDir({ prefix: "slrs_bundle_" });
    try {
      const entry = `${dir}/hello.entry.ts`;
      await Deno.writeTextFile(
        entry,
        `import { handle } from "${ROOT}adapters/deno.ts";\nimport fn from "${ROOT}examples/hello/main.ts";\n` +
          "export default handle(fn);\n",
      );
      const { code, map } = await bundleModule({ entry, out: `${dir}/hello.js`, platform: "deno" });
      assert.match(new TextDecoder().decode(code), /\n\/\/# sourceMappingURL=hello\.js\.map\n$/);
      const sources: string[] = JSON.parse(new TextDecoder().decode(map)).sources;
      assert.ok(sources.some((s) => s.endsWith("examples/hello/main.ts")), sources.join("\n"));
      assert.ok(sources.some((s) => s.endsWith("src/_definition_unchecked.ts")), "the checks were not left out");
      assert.ok(!sources.some((s) => s.endsWith("src/validate_definition.ts")), "the checks are in the bundle");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});
