/**
 * What a developer downloads: deno.json maps no npm package and the repository commits no root lock (both make
 * `deno task` install every npm package named there before it runs any task), the CLI's module graph reaches no npm
 * package (the ones some commands need load through cli/npm_import.ts), so a cold `deno task dev` downloads nothing,
 * and the inline `npm:` specifiers that replace the import map agree on each package's range.
 *
 * @module
 */

import assert from "node:assert/strict";
import { npmSpecifiers } from "./support/npm_specifiers.ts";
import { freePort } from "./support/npm_cache.ts";
import { ROOT } from "./support/process.ts";
import { pollUntil } from "./support/poll.ts";

const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));

/** One module of `deno info --json`, with the dependencies its code (not only its types) loads. */
interface InfoModule {
  specifier: string;
  dependencies?: { specifier: string; code?: { specifier: string } }[];
}

/** Every module `entry` reaches through imports that run (type-only imports are not fetched by `deno run`). */
async function codeGraph(entry: string): Promise<Set<string>> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  const info = JSON.parse(new TextDecoder().decode(output.stdout));
  const modules = new Map<string, InfoModule>(info.modules.map((m: InfoModule) => [m.specifier, m]));
  const seen = new Set<string>(info.roots);
  const queue: string[] = [...info.roots];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    for (const dependency of modules.get(next)?.dependencies ?? []) {
      const target = dependency.code?.specifier;
      if (target !== undefined && !seen.has(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  return seen;
}

/** The repository's files as a fresh clone has them (plus new files not ignored), copied into `dir`. */
async function copyRepository(dir: string): Promise<void> {
  const { stdout } = await new Deno.Command("git", {
    args: ["ls-files", "--cached", "--others", "--exclude-standard", "-z"],
    cwd: ROOT,
  }).output();
  for (const path of new TextDecoder().decode(stdout).split("\0").filter((p) => p !== "")) {
    const target = `${dir}/${path}`;
    await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
    await Deno.copyFile(`${ROOT}${path}`, target).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error; // deleted in the working tree
    });
  }
}

Deno.test("the repository downloads only what a command needs", async (t) => {
  await t.step("deno.json maps no npm package and no root lock is committed", async () => {
    const mapped = Object.entries<string>(config.imports ?? {}).filter(([, target]) => target.startsWith("npm:"));
    assert.deepEqual(mapped, [], "deno task installs every npm package of deno.json imports: use npm: specifiers");
    assert.equal(config.lock, false, "deno task installs every package of the lock");
    const { stdout } = await new Deno.Command("git", { args: ["ls-files", "deno.lock"], cwd: ROOT }).output();
    assert.equal(new TextDecoder().decode(stdout).trim(), "");
  });

  await t.step("every inline npm: specifier of a package uses the same range", async () => {
    const ranges = new Map<string, Map<string, string[]>>();
    for (const { name, range, at } of await npmSpecifiers()) {
      const byRange = ranges.get(name) ?? new Map<string, string[]>();
      ranges.set(name, byRange.set(range, [...(byRange.get(range) ?? []), at]));
    }
    const mixed = [...ranges].filter(([, byRange]) => byRange.size > 1)
      .map(([name, byRange]) =>
        `${name}: ${[...byRange].map(([range, at]) => `${range} (${at.join(", ")})`).join("; ")}`
      );
    assert.deepEqual(mixed, []);
    assert.ok(ranges.has("esbuild") && ranges.has("miniflare"), "the scan finds the CLI's packages");
  });

  await t.step("the CLI's module graph reaches no npm package", async () => {
    const graph = await codeGraph("cli.ts");
    assert.ok([...graph].some((s) => s.endsWith("/cli/dev_command.ts")), "the graph holds dev");
    assert.deepEqual([...graph].filter((s) => s.startsWith("npm:")), []);
  });
});

Deno.test("a cold deno task dev downloads nothing and serves the example", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "slrs_cold_dev_" });
  try {
    // A copy, so the example's KV state under .slrs/ starts empty and the checkout's stays as it was.
    const repo = `${dir}/repo`;
    await copyRepository(repo);
    const port = freePort();
    const task = new Deno.Command(Deno.execPath(), {
      args: ["task", "dev", "--port", String(port)],
      cwd: repo,
      env: { DENO_DIR: `${dir}/deno_dir`, NO_COLOR: "1", RUST_BACKTRACE: "0" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let output = "";
    const reading = Promise.all([task.stdout, task.stderr].map(async (stream) => {
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) output += chunk;
    }));
    try {
      await pollUntil("deno task dev to serve hello", () => output, (text) => /serving "hello"/.test(text), 60_000);
      await t.step("POST /counter counts from 1", async () => {
        for (const count of [1, 2]) {
          const res = await fetch(`http://127.0.0.1:${port}/counter`, { method: "POST" });
          assert.deepEqual(await res.json(), { count });
        }
      });
      await t.step("nothing was downloaded to start it", () => {
        const downloads = output.split("\n").filter((line) => /\bDownload\b/.test(line));
        assert.deepEqual(downloads, []);
      });
    } finally {
      // SIGTERM: deno task passes it on to dev and dev's server process; a SIGKILL would leave them running.
      task.kill("SIGTERM");
      await task.status;
      await reading;
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
