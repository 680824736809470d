// The house rule of DESIGN §8: imports only go down (cli/ → adapters/, bindings/ → src/), the core imports nothing but
// itself, and no two files of the core import each other in a circle. Imports are read with TypeScript's own scanner,
// so the `import` lines inside JSDoc examples do not count and type-only imports do.

import assert from "node:assert/strict";
import { dirname, join, relative } from "node:path";
import ts from "npm:typescript@^5.9.3";
import { ROOT } from "./support/process.ts";

/** What each top-level folder may import, besides itself. */
const MAY_IMPORT = {
  src: [],
  bindings: ["src"],
  adapters: ["src"],
  cli: ["src", "adapters", "bindings"],
} as const satisfies Record<string, readonly string[]>;
type Floor = keyof typeof MAY_IMPORT;

async function* sources(dir: string): AsyncGenerator<string> {
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(join(ROOT, dir)));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw error;
  }
  for (const entry of entries) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* sources(path);
    else if (/\.(ts|js|mjs)$/.test(entry.name) && !/_test\.ts$/.test(entry.name)) yield path;
  }
}

/** The modules a file imports (static, dynamic and type-only), as they are written. */
async function importsOf(path: string): Promise<string[]> {
  const text = await Deno.readTextFile(join(ROOT, path));
  return ts.preProcessFile(text, true, true).importedFiles.map((file) => file.fileName);
}

/** The floor a file stands on; mod.ts is the face of the core and cli.ts the face of cli/. */
const floorOf = (path: string): string => path === "mod.ts" ? "src" : path === "cli.ts" ? "cli" : path.split("/")[0]!;

/** Every file of the given floors with its imports: relative ones resolved to repository paths. */
async function graph(floors: readonly Floor[]): Promise<Map<string, { local: string[]; external: string[] }>> {
  const edges = new Map<string, { local: string[]; external: string[] }>();
  const faces = ["mod.ts", "cli.ts"].filter((face) => floors.includes(floorOf(face) as Floor));
  for (const floor of [...faces, ...floors]) {
    for await (const path of floor.endsWith(".ts") ? [floor] : sources(floor)) {
      const specifiers = await importsOf(path);
      const local = specifiers.filter((s) => s.startsWith(".")).map((s) =>
        relative(ROOT, join(ROOT, dirname(path), s))
      );
      edges.set(path, { local, external: specifiers.filter((s) => !s.startsWith(".")) });
    }
  }
  return edges;
}

/** Circles in a directed graph, each as the path that closes it (Tarjan's strongly connected components). */
function circles(edges: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next++);
    stack.push(node);
    onStack.add(node);
    for (const to of edges.get(node) ?? []) {
      if (!edges.has(to)) continue;
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(node, Math.min(low.get(node)!, index.get(to)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (edges.get(node) ?? []).includes(node)) found.push(component.sort());
  };
  for (const node of edges.keys()) if (!index.has(node)) visit(node);
  return found;
}

Deno.test("The layout keeps every import going down the house", async (t) => {
  const files = await graph(Object.keys(MAY_IMPORT) as Floor[]);

  await t.step("the CLI lives in cli/, and src/ holds only the core", () => {
    assert.ok([...files.keys()].some((path) => path === "cli/main.ts"), "cli/main.ts is missing");
    assert.deepEqual([...files.keys()].filter((path) => /^src\/(cli|iac)\//.test(path)), []);
  });

  await t.step("each folder imports only itself and the folders below it", () => {
    const upward: string[] = [];
    for (const [path, { local }] of files) {
      const allowed: readonly string[] = MAY_IMPORT[floorOf(path) as Floor];
      for (const target of local) {
        const floor = floorOf(target);
        if (floor !== floorOf(path) && !allowed.includes(floor)) upward.push(`${path} imports ${target}`);
      }
    }
    assert.deepEqual(upward, []);
  });

  await t.step("the core imports no package and no platform module", () => {
    const external = [...files].filter(([path]) => floorOf(path) === "src")
      .flatMap(([path, { external }]) => external.map((specifier) => `${path} imports ${specifier}`));
    assert.deepEqual(external, []);
  });

  await t.step("no files of the core import each other in a circle", () => {
    const core = new Map(
      [...files].filter(([path]) => floorOf(path) === "src").map(([path, { local }]) => [path, local]),
    );
    assert.ok(core.size >= 10, `only ${core.size} core files found`);
    assert.deepEqual(circles(core), []);
  });

  await t.step("the circle check finds a circle (so the step above can fail)", () => {
    const sample = new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["a"]]]);
    assert.deepEqual(circles(sample), [["a", "b", "c"]]);
  });
});
