/**
 * Compiles Deno sources (relative `.ts` imports, web standards, `node:` built-ins) into ES modules Node 20 runs,
 * with the TypeScript compiler from npm: `.ts` import specifiers are rewritten to `.js`, the layout under the
 * repository root is kept, and a `package.json` with `"type": "module"` marks the output as ESM.
 *
 * Types are not checked here (`deno check` does that); this only transforms, so it is quick enough for tests that
 * run the Node adapter under real Node. The npm build can reuse {@linkcode compileForNode} with `declaration: true`.
 *
 * Usage: `deno run -A scripts/compile_for_node.ts <outDir> <entry.ts>...`
 *
 * @module
 */

import ts from "npm:typescript@^5.9.3";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: the parent of `scripts/`. */
export const REPO_ROOT: string = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Options for {@linkcode compileForNode}. */
export interface CompileOptions {
  /** The modules to compile; everything they import relatively comes along. Paths relative to `root` or absolute. */
  entries: string[];
  /** Where the `.js` files go, mirroring their place under `root`. */
  outDir: string;
  /** The directory the output layout is relative to. Default: the repository root. */
  root?: string;
  /** Also write `.d.ts` files (slower: it needs the type information). Default `false`. */
  declaration?: boolean;
  /** Write source maps that carry the sources, so the `.ts` files need not ship. Default `false`. */
  sourceMap?: boolean;
  /** Write `{"type":"module"}` in `outDir` so Node loads the `.js` files as ES modules. Default `true`. */
  packageJson?: boolean;
}

/** What {@linkcode compileForNode} wrote. */
export interface CompileResult {
  /** Every file written, absolute. */
  files: string[];
  /** Maps an input path (relative to `root`, with `.ts`) to its output file (absolute, `.js`). */
  outputOf(input: string): string;
}

/**
 * Compiles `entries` and their relative imports for Node.
 *
 * @param options Entries, output directory, root and whether to write declarations.
 * @returns The files written and a way to find an entry's output.
 *
 * @example Compile the Node adapter
 * ```ts ignore
 * import { compileForNode } from "./compile_for_node.ts";
 * const out = await Deno.makeTempDir();
 * const result = compileForNode({ entries: ["adapters/node.ts"], outDir: out });
 * console.log(result.outputOf("adapters/node.ts")); // …/adapters/node.js
 * ```
 */
export function compileForNode(options: CompileOptions): CompileResult {
  const root = resolve(options.root ?? REPO_ROOT);
  const outDir = resolve(options.outDir);
  const declaration = options.declaration ?? false;
  const sourceMap = options.sourceMap ?? false;
  const compilerOptions: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    allowImportingTsExtensions: true,
    rewriteRelativeImportExtensions: true,
    verbatimModuleSyntax: true,
    rootDir: root,
    outDir,
    declaration,
    // Type errors are `deno check`'s job (it has Deno's types). The sources pass JSR's "no slow types", so public
    // declarations come from annotations; the default libraries are needed only to infer a few internal constants.
    noCheck: true,
    ...(declaration ? { lib: ["lib.es2022.d.ts", "lib.dom.d.ts", "lib.dom.iterable.d.ts"] } : { noLib: true }),
    skipLibCheck: true,
    types: [],
    sourceMap,
    inlineSources: sourceMap,
    newLine: ts.NewLineKind.LineFeed,
  };
  const entries = options.entries.map((entry) => resolve(root, entry));
  const program = ts.createProgram(entries, compilerOptions);
  const files: string[] = [];
  const emitted = program.emit(undefined, (fileName, text) => {
    Deno.mkdirSync(dirname(fileName), { recursive: true });
    Deno.writeTextFileSync(fileName, text);
    files.push(fileName);
  });
  const problems = [...program.getSyntacticDiagnostics(), ...emitted.diagnostics]
    .filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (emitted.emitSkipped || problems.length > 0) {
    const text = ts.formatDiagnostics(problems, {
      getCanonicalFileName: (name) => name,
      getCurrentDirectory: () => root,
      getNewLine: () => "\n",
    });
    throw new Error(`TypeScript could not compile ${options.entries.join(", ")} for Node:\n${text}`);
  }
  const outside = files.filter((file) => relative(outDir, file).startsWith(".."));
  if (outside.length > 0) throw new Error(`Modules outside ${root} were compiled: ${outside.join(", ")}`);
  if (options.packageJson ?? true) {
    const packageJson = join(outDir, "package.json");
    Deno.writeTextFileSync(packageJson, JSON.stringify({ type: "module", private: true }) + "\n");
    files.push(packageJson);
  }
  return {
    files,
    outputOf(input: string): string {
      const path = relative(root, resolve(root, input)).replace(/\.(m|c)?tsx?$/, ".js");
      return join(outDir, path);
    },
  };
}

if (import.meta.main) {
  const [outDir, ...entries] = Deno.args;
  if (outDir === undefined || entries.length === 0) {
    console.error("Usage: deno run -A scripts/compile_for_node.ts <outDir> <entry.ts>...");
    Deno.exit(2);
  }
  const { files } = compileForNode({ entries, outDir });
  console.log(`Wrote ${files.length} files to ${outDir}.`);
}
