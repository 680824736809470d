/**
 * examples/cloudflare deploys the way its README says: the README's commands, run as written from the repository
 * root, with wrangler's own `deploy --dry-run` (offline: it resolves the configuration and the bundle and stops
 * before uploading). wrangler 4 is installed on first run into .slrs/cache/wrangler (gitignored), then reused.
 */

import assert from "node:assert/strict";
import { describeFunction } from "../../src/info.ts";
import { wranglerConfig } from "../../cli/iac/wrangler.ts";
import example from "../../examples/cloudflare/main.ts";
import { npmCache } from "../support/npm_cache.ts";
import { ROOT } from "../support/process.ts";

const EXAMPLE = `${ROOT}examples/cloudflare/`;
const ENV = { RUST_BACKTRACE: "0", NO_COLOR: "1" };

/** The command lines of the file's ```sh block that deploys with wrangler, without their trailing comments. */
async function deployCommands(file: string): Promise<string[][]> {
  const text = await Deno.readTextFile(file);
  const block = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].find((match) => match[1]!.includes("wrangler deploy"));
  assert.ok(block, `${file} has no \`\`\`sh block with wrangler deploy`);
  return block[1]!.split("\n")
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter((line) => line !== "")
    .map((line) => line.split(/\s+/));
}

/** wrangler 4's bin from the cache, or undefined (with a visible message) when it cannot be installed here. */
async function wranglerBin(): Promise<string | undefined> {
  try {
    return `${await npmCache("wrangler", { wrangler: "4" })}node_modules/wrangler/bin/wrangler.js`;
  } catch (error) {
    console.warn(`SKIPPED: wrangler 4 could not be installed, so its deploy was not tried:\n${error}`);
    return undefined;
  }
}

/** `wrangler deploy --dry-run` with the given arguments, in `cwd`, with wrangler's state kept in `home`. */
function dryRunIn(wrangler: string, args: string[], cwd: string, home: string) {
  return run("node", [wrangler, ...args, "--dry-run", "--outdir", `${home}/out`], cwd, {
    HOME: home,
    XDG_CONFIG_HOME: home,
    WRANGLER_LOG_PATH: `${home}/logs`,
    WRANGLER_SEND_METRICS: "false",
    CI: "1",
  });
}

async function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const output = await new Deno.Command(command, { args, cwd, env: { ...ENV, ...env }, stdin: "null" }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { success: output.success, out: `${decode(output.stdout)}\n${decode(output.stderr)}` };
}

Deno.test("examples/cloudflare deploys as its README says", async (t) => {
  await t.step("its wrangler.jsonc is what slrs iac wrangler writes for main.ts, bundle path included", async () => {
    const info = describeFunction({ fn: example, entry: "examples/cloudflare/main.ts", exportName: "default" });
    const expected = wranglerConfig(info, { main: `../../dist/cloudflare/${info.name}.js` });
    assert.equal(await Deno.readTextFile(`${EXAMPLE}wrangler.jsonc`), expected);
  });

  await t.step("the README's build and wrangler deploy commands work (wrangler deploy --dry-run)", async () => {
    const commands = await deployCommands(`${EXAMPLE}README.md`);
    assert.deepEqual(commands.map((words) => words.slice(0, 3).join(" ")), [
      "deno run -A",
      "npx wrangler deploy",
    ]);
    const wrangler = await wranglerBin();
    if (wrangler === undefined) return;
    const home = await Deno.makeTempDir({ prefix: "slrs_wrangler_" });
    try {
      const [build, deploy] = commands as [string[], string[]];
      const built = await run(Deno.execPath(), build.slice(1), ROOT);
      assert.ok(built.success, built.out);

      const outdir = `${home}/out`;
      const dryRun = await dryRunIn(wrangler, deploy.slice(2), ROOT, home);
      assert.ok(dryRun.success, dryRun.out);
      assert.match(dryRun.out, /--dry-run: exiting now/);
      assert.match(dryRun.out, /env\.CACHE .*KV Namespace/);
      assert.match(dryRun.out, /env\.DB \(cloudflare-example-db\) .*D1 Database/);
      // no_bundle: wrangler uploads the file the build wrote, byte for byte.
      assert.equal(
        await Deno.readTextFile(`${outdir}/cloudflare-example.js`),
        await Deno.readTextFile(`${ROOT}dist/cloudflare/cloudflare-example.js`),
      );
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  });
  await t.step(
    "docs/cloudflare.md's build, iac wrangler and wrangler deploy work in a project of one's own",
    async () => {
      const commands = await deployCommands(`${ROOT}docs/cloudflare.md`);
      assert.deepEqual(commands.map((words) => words.slice(0, 4).join(" ")), [
        "deno task slrs build",
        "deno task slrs iac",
        "npx wrangler deploy -c",
      ]);
      const wrangler = await wranglerBin();
      if (wrangler === undefined) return;
      const project = await Deno.makeTempDir({ prefix: "slrs_cloudflare_project_" });
      try {
        // The README's task, with this checkout standing in for the JSR package (JSR is not reachable from tests).
        const task = /"slrs": "(deno run -A jsr:@slrs\/core\/cli)"/.exec(await Deno.readTextFile(`${ROOT}README.md`));
        assert.ok(task, "the README shows no slrs task");
        const slrs = task[1]!.replace("jsr:@slrs/core/cli", `${ROOT}cli.ts`);
        await Deno.writeTextFile(`${project}/deno.json`, JSON.stringify({ tasks: { slrs } }));
        await Deno.mkdir(`${project}/functions`);
        await Deno.writeTextFile(
          `${project}/functions/shop.ts`,
          [
            `import { Router, serverless } from ${JSON.stringify(new URL("../../mod.ts", import.meta.url).href)};`,
            "export default serverless({",
            '  name: "shop",',
            '  requirements: { bindings: { kv: ["CACHE"] } },',
            '  fetch: new Router().get("/", () => new Response("shop")),',
            "});",
            "",
          ].join("\n"),
        );
        for (const command of commands.slice(0, 2)) {
          const done = await run(Deno.execPath(), command.slice(1), project);
          assert.ok(done.success, done.out);
        }
        const deploy = await dryRunIn(wrangler, commands[2]!.slice(2), project, `${project}/.home`);
        assert.ok(deploy.success, deploy.out);
        assert.match(deploy.out, /env\.CACHE .*KV Namespace/);
        assert.equal(
          await Deno.readTextFile(`${project}/.home/out/shop.js`),
          await Deno.readTextFile(`${project}/dist/cloudflare/shop.js`),
        );
      } finally {
        await Deno.remove(project, { recursive: true });
      }
    },
  );
});
