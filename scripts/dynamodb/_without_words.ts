/**
 * A copy of the library's runtime code with every string that holds a space emptied: what a backend's code costs
 * without the text of its error messages. The size benchmark bundles the slrs contender from this copy too, to show
 * how much of the backend's size is words and how much is code. Also emptied, so the figure is a lower bound: the few
 * protocol strings with a space in them (a DynamoDB key condition, the SigV4 authorization header).
 *
 * @module
 */

import ts from "npm:typescript@^5.9.3";

/** The folders a bundle of `scripts/dynamodb/` reaches. */
const FOLDERS = ["src", "bindings", "scripts/dynamodb"];

/**
 * Copies {@linkcode FOLDERS} of `root` into `dir`, with the strings of their TypeScript emptied.
 *
 * @param root The repository, ending in `/`.
 * @param dir An empty directory.
 * @returns `dir`, holding the copy at the same relative paths.
 *
 * @example
 * ```ts ignore
 * const copy = await copyWithoutWords("/repo/", await Deno.makeTempDir());
 * ```
 */
export async function copyWithoutWords(root: string, dir: string): Promise<string> {
  for (const folder of FOLDERS) {
    for await (const path of typeScriptFiles(`${root}${folder}`)) {
      const target = `${dir}/${path.slice(root.length)}`;
      await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
      await Deno.writeTextFile(target, withoutWords(await Deno.readTextFile(path), path));
    }
  }
  return dir;
}

async function* typeScriptFiles(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* typeScriptFiles(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

/** The source with each string literal or template that holds a space, outermost first, replaced by `""`. */
export function withoutWords(source: string, name: string): string {
  const file = ts.createSourceFile(name, source, ts.ScriptTarget.Latest, true);
  const spans: [number, number][] = [];
  const visit = (node: ts.Node) => {
    const worded = (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isTemplateExpression(node)) &&
      !ts.isImportDeclaration(node.parent) &&
      !ts.isExportDeclaration(node.parent) && node.getText(file).includes(" ");
    if (worded) spans.push([node.getStart(file), node.getEnd()]);
    else ts.forEachChild(node, visit);
  };
  visit(file);
  let result = source;
  for (const [start, end] of spans.reverse()) result = `${result.slice(0, start)}""${result.slice(end)}`;
  return result;
}
