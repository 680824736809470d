/**
 * The inline `npm:` specifiers of the repository's code (library, CLI, scripts, examples, tests): with no npm package
 * in deno.json `imports`, each module names its packages with their ranges, and these say which range of a package
 * the repository is tested with.
 *
 * @module
 */

import { ROOT } from "./process.ts";

/** One `npm:` specifier where it is written. */
export interface NpmSpecifier {
  /** The package, e.g. `@azure/functions`. */
  name: string;
  /** The range after `@`, e.g. `^4.16.5`. */
  range: string;
  /** `path:line` of the file that writes it. */
  at: string;
}

// `npm:name@range`, the name scoped or not, the range (a version after its operators, so `npm:${name}@${range}` in a
// template is not one) up to a subpath, a quote or a space.
const SPECIFIER = /npm:(@[a-z0-9][\w.-]*\/[\w.-]+|[a-z0-9][\w.-]*)@([\^~=<>]*\d[^/"'`\s)]*)/g;
// Output and recorded text (the npm build, fixtures, the API reference), and build_npm_test.ts's made-up project,
// whose ranges are its own.
const SKIPPED = /^(npm\/|tests\/fixtures\/|tests\/golden\/|docs\/api\/|tests\/build_npm_test\.ts$)/;

/** The repository's TypeScript and JavaScript files, as git lists them. */
async function sourceFiles(): Promise<string[]> {
  const { stdout } = await new Deno.Command("git", {
    args: ["ls-files", "--cached", "--others", "--exclude-standard", "*.ts", "*.tsx", "*.js", "*.mjs", "*.json"],
    cwd: ROOT,
  }).output();
  return new TextDecoder().decode(stdout).split("\n").filter((path) => path !== "" && !SKIPPED.test(path));
}

/** Every inline `npm:` specifier of the repository's code and configuration. */
export async function npmSpecifiers(): Promise<NpmSpecifier[]> {
  const found: NpmSpecifier[] = [];
  for (const path of await sourceFiles()) {
    let text: string;
    try {
      text = await Deno.readTextFile(`${ROOT}${path}`);
    } catch {
      continue; // listed by git but deleted in the working tree
    }
    text.split("\n").forEach((line, i) => {
      for (const match of line.matchAll(SPECIFIER)) {
        found.push({ name: match[1]!, range: match[2]!, at: `${path}:${i + 1}` });
      }
    });
  }
  return found;
}

/**
 * The range the repository uses for a package.
 *
 * @throws When no module names the package, or two name it with different ranges.
 */
export async function testedRange(name: string): Promise<string> {
  const ranges = new Set((await npmSpecifiers()).filter((s) => s.name === name).map((s) => s.range));
  if (ranges.size !== 1) throw new Error(`${name} is used with ${ranges.size} ranges: ${[...ranges].join(", ")}`);
  return [...ranges][0]!;
}
