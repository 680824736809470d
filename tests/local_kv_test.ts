/** The local KV store of `cli.ts dev`: writes that fail alone, files it cannot read, and expiring keys. */

import assert from "node:assert/strict";
import { CliError } from "../cli/errors.ts";
import { LocalKv } from "../cli/local_kv.ts";
import { currentRuntime } from "../cli/runtime.ts";

const runtime = currentRuntime();
const now = () => Math.floor(Date.now() / 1000);

async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "slrs_local_kv_" });
  try {
    await run(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("LocalKv writes: one failure is that write's alone", async (t) => {
  await t.step("a failed write rejects its own put, and the next put is written", () =>
    withDir(async (dir) => {
      const kv = await LocalKv.open(runtime, `${dir}/kv/STORE.json`);
      // A file where the namespace's folder should be: mkdir fails, as a full disk or a permission error would.
      await Deno.writeTextFile(`${dir}/kv`, "in the way");
      await assert.rejects(kv.put("a", "1"));
      await Deno.remove(`${dir}/kv`);
      await kv.put("b", "2");
      assert.deepEqual(JSON.parse(await Deno.readTextFile(`${dir}/kv/STORE.json`)), { a: "1", b: "2" });
    }));

  await t.step("quick puts in a row end with the last value on disk", () =>
    withDir(async (dir) => {
      const kv = await LocalKv.open(runtime, `${dir}/STORE.json`);
      await Promise.all(Array.from({ length: 20 }, (_, i) => kv.put("n", String(i))));
      assert.equal(JSON.parse(await Deno.readTextFile(`${dir}/STORE.json`)).n, "19");
    }));
});

Deno.test("LocalKv files it cannot read name the file and how to fix it", async (t) => {
  for (
    const [what, text, message] of [
      ["not JSON", "{ not json", /is not valid JSON/],
      ["not an object", "[1, 2]", /must hold a JSON object of keys to values/],
      ["a value that is neither a string nor an entry", '{ "a": 1 }', /key "a" holds 1, not a string/],
    ] as const
  ) {
    await t.step(`a file that is ${what} fails open with a CliError`, () =>
      withDir(async (dir) => {
        const file = `${dir}/STORE.json`;
        await Deno.writeTextFile(file, text);
        const error = await LocalKv.open(runtime, file).then(() => undefined, (e) => e);
        assert.ok(error instanceof CliError, String(error));
        assert.match(error.message, message);
        assert.ok(error.message.includes("STORE.json"), error.message);
        assert.match(error.message, /delete it to start with an empty namespace/);
      }));
  }

  await t.step("a file of plain strings, as older versions wrote, still opens", () =>
    withDir(async (dir) => {
      await Deno.writeTextFile(`${dir}/STORE.json`, '{ "count": "2" }');
      const kv = await LocalKv.open(runtime, `${dir}/STORE.json`);
      assert.equal(await kv.get("count"), "2");
    }));
});

Deno.test("LocalKv honours expirationTtl and expiration like Workers KV", async (t) => {
  await t.step("expirationTtl stores when the key expires, and the key reads until then", () =>
    withDir(async (dir) => {
      const kv = await LocalKv.open(runtime, `${dir}/STORE.json`);
      const before = now();
      await kv.put("session", "s1", { expirationTtl: 120 });
      assert.equal(await kv.get("session"), "s1");
      const stored = JSON.parse(await Deno.readTextFile(`${dir}/STORE.json`)).session;
      assert.equal(stored.value, "s1");
      assert.ok(stored.expiration >= before + 120 && stored.expiration <= now() + 120, JSON.stringify(stored));
      assert.deepEqual((await kv.list()).keys, [{ name: "session", expiration: stored.expiration }]);
    }));

  await t.step("expiration (seconds since the epoch) is kept as given", () =>
    withDir(async (dir) => {
      const kv = await LocalKv.open(runtime, `${dir}/STORE.json`);
      const at = now() + 3600;
      await kv.put("k", "v", { expiration: at });
      assert.equal(JSON.parse(await Deno.readTextFile(`${dir}/STORE.json`)).k.expiration, at);
    }));

  await t.step("a key past its expiration reads as null, leaves list() and the file", () =>
    withDir(async (dir) => {
      const past = now() - 5;
      await Deno.writeTextFile(
        `${dir}/STORE.json`,
        JSON.stringify({ old: { value: "gone", expiration: past }, kept: "here" }),
      );
      const kv = await LocalKv.open(runtime, `${dir}/STORE.json`);
      assert.equal(await kv.get("old"), null);
      assert.deepEqual((await kv.list()).keys, [{ name: "kept" }]);
      await kv.put("new", "1");
      assert.deepEqual(Object.keys(JSON.parse(await Deno.readTextFile(`${dir}/STORE.json`))).sort(), ["kept", "new"]);
    }));

  await t.step(
    "an expiration under 60 seconds away is refused, as Workers KV refuses it",
    () =>
      withDir(async (dir) => {
        const kv = await LocalKv.open(runtime, `${dir}/STORE.json`);
        await assert.rejects(kv.put("k", "v", { expirationTtl: 10 }), /under 60 seconds/);
        await assert.rejects(kv.put("k", "v", { expiration: now() + 5 }), /less than 60 seconds from now/);
        await assert.rejects(kv.put("k", "v", { expirationTtl: "120" as unknown as number }), /must be a number/);
        assert.equal(await kv.get("k"), null);
      }),
  );
});
