/**
 * The conformance suite: every request of the corpus goes through the echo function on every platform that has a
 * driver in `drivers/`, and each answer is compared with what plain `Deno.serve(fn.fetch)` answers. It prints a
 * platform × case matrix and fails on any difference that no documented limit of that platform covers.
 *
 * Add a platform by adding `drivers/<platform>.ts` (default export: a `Driver`, see driver.ts); files starting with
 * `_` are helpers and are not loaded. Run only some drivers with `SLRS_CONFORMANCE=node,deno deno test -A tests/conformance/`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { CORPUS } from "./corpus.ts";
import { type Driver, type EchoApp, judge, type Limit, type Observed, sendOverHttp, type Verdict } from "./driver.ts";
import echo from "./echo.ts";
import { createContext } from "../../mod.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
const APP: EchoApp = { fn: echo, module: "tests/conformance/echo.ts" };

type Cell = Verdict | { kind: "skip" };

async function loadDrivers(): Promise<Driver[]> {
  const only = Deno.env.get("SLRS_CONFORMANCE")?.split(",").map((s) => s.trim()).filter(Boolean);
  const files = [...Deno.readDirSync(`${HERE}/drivers`)]
    .filter((e) => e.isFile && e.name.endsWith(".ts") && !e.name.startsWith("_"))
    .map((e) => e.name)
    .sort();
  const drivers: Driver[] = [];
  for (const file of files) {
    const driver: Driver = (await import(`./drivers/${file}`)).default;
    assert.ok(driver && typeof driver.start === "function", `drivers/${file} must default-export a Driver`);
    if (!only || only.includes(driver.name)) drivers.push(driver);
  }
  return drivers;
}

async function reference(): Promise<Map<string, Observed>> {
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (request) =>
    // The same context `fn.fetch` makes, with the thrown-error case's stack kept out of the test output.
    echo.dispatch(request, createContext({ platform: "fetch", logSink: () => {} })));
  try {
    const answers = new Map<string, Observed>();
    for (const c of CORPUS) {
      // Where Deno.serve itself is unsafe, the safe answer is the reference.
      const sent = c.safeReferenceHeaders ? { ...c, headers: c.safeReferenceHeaders } : c;
      answers.set(c.name, await sendOverHttp(`http://127.0.0.1:${server.addr.port}`, sent));
    }
    return answers;
  } finally {
    await server.shutdown();
  }
}

/**
 * Prints the platform × case matrix: `ok` for an answer equal to Deno.serve's, `L<n>` for one that differs only
 * where documented limit n allows (legend below), `FAIL`, or `-` for a platform that could not run here.
 */
function printMatrix(columns: string[], cells: Map<string, Map<string, Cell>>, limits: Map<string, Limit>): void {
  const numbers = new Map<string, number>();
  const uses = new Map<string, { platforms: Set<string>; cases: number }>();
  for (const c of CORPUS) {
    for (const p of columns) {
      const cell = cells.get(p)?.get(c.name);
      if (cell?.kind !== "limit") continue;
      for (const id of cell.ids) {
        if (!numbers.has(id)) numbers.set(id, numbers.size + 1);
        const use = uses.get(id) ?? { platforms: new Set(), cases: 0 };
        use.platforms.add(p);
        use.cases++;
        uses.set(id, use);
      }
    }
  }
  const mark = (cell: Cell | undefined) =>
    !cell
      ? ""
      : cell.kind === "ok"
      ? "ok"
      : cell.kind === "skip"
      ? "-"
      : cell.kind === "fail"
      ? "FAIL"
      : cell.ids.map((id) => `L${numbers.get(id)}`).join("+");
  const first = Math.max(...CORPUS.map((c) => c.name.length)) + 2;
  const widths = columns.map((p) => Math.max(4, p.length) + 2);
  const row = (head: string, values: string[]) =>
    (head.padEnd(first) + values.map((v, i) => v.padEnd(widths[i]!)).join("")).trimEnd();
  const lines = [
    row("case", columns),
    ...CORPUS.map((c) => row(c.name, columns.map((p) => mark(cells.get(p)?.get(c.name))))),
  ];
  const count = (p: string, kind: Cell["kind"]) =>
    [...cells.get(p)?.values() ?? []].filter((x) => x.kind === kind).length;
  lines.push(row("exactly as Deno.serve", columns.map((p) => String(count(p, "ok")))));
  const total = (kind: Cell["kind"]) => columns.reduce((sum, p) => sum + count(p, kind), 0);
  lines.push(
    "",
    `${CORPUS.length} cases × ${columns.length} platforms: ${total("ok")} answers exactly as Deno.serve, ` +
      `${total("limit")} within documented limits, ${total("fail")} failing, ${total("skip")} skipped.`,
  );
  if (numbers.size > 0) {
    lines.push("", "limits (docs/platforms.md):");
    for (const [id, n] of numbers) {
      const use = uses.get(id)!;
      lines.push(
        `  L${n} ${id} (${[...use.platforms].join(", ")}; ${use.cases} answer${use.cases === 1 ? "" : "s"}): ${
          limits.get(id)?.reason
        }`,
      );
    }
  }
  console.log(`\n${lines.join("\n")}\n`);
}

Deno.test("conformance: every platform answers the corpus like Deno.serve", async (t) => {
  const drivers = await loadDrivers();
  const docs = await Deno.readTextFile(`${HERE}/../../docs/platforms.md`);
  const allLimits = new Map<string, Limit>();
  const cells = new Map<string, Map<string, Cell>>();
  let expected = new Map<string, Observed>();

  await t.step(`the corpus has ≥ 50 cases and Deno.serve answers each with its expected status`, async () => {
    assert.ok(CORPUS.length >= 50, `only ${CORPUS.length} cases`);
    expected = await reference();
    for (const c of CORPUS) {
      assert.equal(expected.get(c.name)?.status, c.expectStatus, `reference status for ${c.name}`);
    }
    const stream = new TextDecoder().decode(expected.get("streamed-response")?.body);
    assert.equal(stream.split("\n").length, 21, "the streamed response has its 20 chunks");
  });

  for (const driver of drivers) {
    await t.step(`${driver.name}: every limit is documented in docs/platforms.md`, () => {
      for (const limit of driver.limits) {
        assert.ok(docs.includes(`\`${limit.id}\``), `limit ${limit.id} of ${driver.name} is not in docs/platforms.md`);
        allLimits.set(limit.id, limit);
      }
    });
    await t.step(`${driver.name}: answers like Deno.serve, but for documented limits`, async () => {
      const column = new Map<string, Cell>();
      cells.set(driver.name, column);
      const reason = await driver.unavailable?.();
      if (reason) {
        for (const c of CORPUS) column.set(c.name, { kind: "skip" });
        console.warn(`conformance: ${driver.name} SKIPPED: ${reason}`);
        return;
      }
      const target = await driver.start(APP);
      try {
        for (const c of CORPUS) {
          try {
            column.set(c.name, judge(c, expected.get(c.name)!, await target.send(c), driver.limits));
          } catch (error) {
            column.set(c.name, { kind: "fail", detail: `threw ${error instanceof Error ? error.message : error}` });
          }
        }
      } finally {
        await target.close();
      }
      const failures = [...column].filter(([, cell]) => cell.kind === "fail");
      assert.deepEqual(
        failures.map(([name, cell]) => `${name}: ${(cell as { detail: string }).detail}`),
        [],
        `${driver.name} differs from Deno.serve`,
      );
    });
  }

  printMatrix(drivers.map((d) => d.name), cells, allLimits);
});
