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

/** The command lines of the README's ```sh block, without their trailing comments. */
async function readmeCommands(): Promise<string[][]> {
  const readme = await Deno.readTextFile(`${EXAMPLE}README.md`);
  const block = /```sh\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, "examples/cloudflare/README.md has no ```sh block");
  return block[1]!.split("\n")
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter((line) => line !== "")
    .map((line) => line.split(/\s+/));
}

async function run(command: string, args: string[], env: Record<string, string> = {}) {
  const output = await new Deno.Command(command, { args, cwd: ROOT, env: { ...ENV, ...env }, stdin: "null" }).output();
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
    const commands = await readmeCommands();
    assert.deepEqual(commands.map((words) => words.slice(0, 3).join(" ")), [
      "deno run -A",
      "npx wrangler deploy",
    ]);
    let wrangler: string;
    try {
      wrangler = `${await npmCache("wrangler", { wrangler: "4" })}node_modules/wrangler/bin/wrangler.js`;
    } catch (error) {
      console.warn(`SKIPPED: wrangler 4 could not be installed, so its deploy was not tried:\n${error}`);
      return;
    }
    const home = await Deno.makeTempDir({ prefix: "slrs_wrangler_" });
    try {
      const [build, deploy] = commands as [string[], string[]];
      const built = await run(Deno.execPath(), build.slice(1));
      assert.ok(built.success, built.out);

      const outdir = `${home}/out`;
      const dryRun = await run("node", [wrangler, ...deploy.slice(2), "--dry-run", "--outdir", outdir], {
        HOME: home,
        XDG_CONFIG_HOME: home,
        WRANGLER_LOG_PATH: `${home}/logs`,
        WRANGLER_SEND_METRICS: "false",
        CI: "1",
      });
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
});
