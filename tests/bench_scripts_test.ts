/**
 * The benchmark scripts still run: each with a single tiny round, checking that it prints its tables with every
 * contender and the ratios BENCHMARKS.md quotes. The figures themselves are not checked (one round on a shared machine
 * says nothing); what this catches is a script that no longer builds, bundles or answers.
 */

import assert from "node:assert/strict";
import { withoutWords } from "../scripts/dynamodb/_without_words.ts";

const ROOT = new URL("..", import.meta.url).pathname;

/** Runs `deno run -A <script> …args` from the repository root and returns its stdout. */
async function runScript(script: string, args: string[]): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...args],
    cwd: ROOT,
    env: { RUST_BACKTRACE: "0", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const output = new TextDecoder().decode(stdout);
  assert.equal(code, 0, `${script} failed:\n${new TextDecoder().decode(stderr)}\n${output}`);
  return output;
}

/** The `## ` sections of a report, each with the first cell of its table rows (header and rule left out). */
function sections(output: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  let rows: string[] = [];
  for (const line of output.split("\n")) {
    if (line.startsWith("## ")) found.set(line.slice(3), rows = []);
    else if (line.startsWith("| ") && !line.startsWith("| ---")) rows.push(line.split("|")[1]!.trim());
  }
  for (const list of found.values()) list.shift(); // the header row
  return found;
}

Deno.test("the benchmark scripts print every contender", async (t) => {
  await t.step(
    "bench_cold_start.ts reports size, import and first invoke for slrs (with and without the init-phase Fetch " +
      "warm-up), Hono with its counter in memory and in DynamoDB, raw and the Fetch touch on Node 20 and 22",
    async () => {
      const output = await runScript("scripts/bench_cold_start.ts", ["--rounds", "1"]);
      const report = sections(output);
      const contenders = ["slrs", "slrs warm init", "hono", "hono + aws4fetch", "raw", "fetch touch"];
      const size = [...report].find(([heading]) => heading.startsWith("Bundle size"));
      const sizeOnly = ["slrs HTTP part (without the KV backend)", "slrs HTTP-only function"];
      assert.deepEqual(size?.[1], [...contenders, ...sizeOnly], output);
      const modules = [...report].find(([heading]) => heading.startsWith("Where the HTTP-only function's bytes go"));
      assert.ok(modules?.[1].includes("adapters/aws_lambda/_http_v2.ts"), output);
      assert.ok(!modules?.[1].some((name) => name.includes("router")), output);
      const nodes = [...report].filter(([heading]) => heading.startsWith("Node "));
      assert.deepEqual(nodes.map(([heading]) => heading.slice(0, 8)), ["Node v20", "Node v22"], output);
      for (const [, rows] of nodes) assert.deepEqual(rows, contenders, output);
      for (
        const ratio of [
          "size, slrs/Hono \\+ aws4fetch",
          "size, slrs HTTP part/Hono",
          "size, slrs/Hono",
          "HTTP-only function",
          "total, slrs/Hono \\+ aws4fetch",
          "import, slrs minus raw",
          "total, slrs/Hono",
          "total, slrs \\(Fetch warmed at init\\)/slrs",
          "total, slrs/raw",
          "the framework's own share",
        ]
      ) {
        assert.match(output, new RegExp(`${ratio}.*\\d`), `no "${ratio}" figure in:\n${output}`);
      }
    },
  );

  const contenders = [
    "slrs",
    "hono",
    "raw",
    "fetch floor",
    "slrs (reads a header)",
    "hono (reads a header)",
    "fetch floor (reads a header)",
  ];
  for (const [runtime, extra] of [["Deno", []], ["Node", ["--node"]]] as const) {
    await t.step(
      `bench_lambda.ts on ${runtime} reports every contender beside the Fetch floor, for both events`,
      async () => {
        const output = await runScript("scripts/bench_lambda.ts", [...extra, "--rounds", "1", "--ms", "5"]);
        const report = sections(output);
        assert.deepEqual([...report.keys()], ["2.0 (HTTP API) event", "1.0 (REST API) event"], output);
        for (const rows of report.values()) assert.deepEqual(rows, contenders, output);
        assert.match(output, /\| vs hono \| vs fetch floor \|/);
        for (const line of ["hello", "handler reads a header"]) {
          const ratios = new RegExp(`- ${line}: slrs/Hono [\\d.]+×, slrs/floor [\\d.]+×, Hono/floor [\\d.]+×`, "g");
          assert.equal(output.match(ratios)?.length, 2, `no "${line}" ratios for each event in:\n${output}`);
        }
      },
    );
  }
});

Deno.test("the DynamoDB benchmark prints every contender", async (t) => {
  await t.step(
    "bench_dynamodb.ts reports sizes, cold start and warm get for slrs, the AWS SDK and direct signed requests",
    async () => {
      const output = await runScript("scripts/bench_dynamodb.ts", [
        "--rounds",
        "1",
        "--warm-rounds",
        "1",
        "--reads",
        "3",
      ]);
      const report = sections(output);
      const size = [...report].find(([heading]) => heading.startsWith("Bundle size"));
      assert.deepEqual(size?.[1], [
        "baseline (no client)",
        "slrs (dynamodb_kv.ts with the node:http transport)",
        "slrs over fetch (Deno, Workers)",
        "slrs, every string with a space emptied (its code without its messages)",
        "SigV4 signer alone (_sigv4.ts)",
        "aws4fetch alone",
        "direct signed node:http GetItem",
        "direct aws4fetch GetItem",
        "@aws-sdk/client-dynamodb",
      ], output);
      const contenders = ["slrs", "@aws-sdk/client-dynamodb", "direct node:http", "direct aws4fetch"];
      const cold = [...report].find(([heading]) => heading.startsWith("Cold start on Node"));
      assert.deepEqual(cold?.[1], contenders, output);
      const warm = [...report].find(([heading]) => heading.startsWith("Warm get"));
      assert.deepEqual(warm?.[1], contenders, output);
      for (
        const figure of [
          "added, slrs/SDK",
          "of which words",
          "total, slrs/SDK",
          "total, slrs/direct node:http",
          "total, slrs/direct aws4fetch",
          "slrs/direct node:http, per round",
          "slrs/direct aws4fetch, per round",
        ]
      ) {
        assert.match(output, new RegExp(`${figure}.*\\d`), `no "${figure}" figure in:\n${output}`);
      }
    },
  );
});

Deno.test("the DynamoDB size benchmark's copy without words empties each string with a space, and only those", () => {
  const source = [
    'import { a } from "./a b.ts";',
    'const key = "SLRS_KEY";',
    "const spaced = `the key ${key} is ${`too ${1} long`}`;",
    'throw new Error("the value is too large");',
  ].join("\n");
  assert.equal(
    withoutWords(source, "x.ts"),
    [
      'import { a } from "./a b.ts";',
      'const key = "SLRS_KEY";',
      'const spaced = "";',
      'throw new Error("");',
    ].join("\n"),
  );
});
