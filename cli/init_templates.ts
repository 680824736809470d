/**
 * The files of a project `init` writes, as text: a function with two routes, its test, deno.json or package.json with
 * the tasks that run the CLI, `.gitignore`, a README, and the workflows from `init_workflows.ts`.
 *
 * @module
 */

import { type DeployTarget, type InitRuntime, workflowFiles } from "./init_workflows.ts";

/** How the project reaches the library: the published package, or a local copy. */
export type LibrarySource =
  | { kind: "published"; version: string }
  | {
    kind: "local";
    /** Deno: import map entries for `@slrs/core` and each of its subpaths. */
    imports: Record<string, string>;
    /** Deno: the CLI module to run (`<copy>/cli.ts`). */
    cli: string;
    /** Node: the `@slrs/core` dependency (`file:<copy>/npm`). */
    dependency: string;
  };

/** Everything the templates are filled with. */
export interface ProjectTemplate {
  /** The function's name: the project directory's name, made valid. */
  name: string;
  /** Deno or Node. */
  runtime: InitRuntime;
  /** Platforms that get a deploy workflow. */
  targets: readonly DeployTarget[];
  /** Where `@slrs/core` comes from. */
  library: LibrarySource;
}

function functionSource(name: string, runtime: InitRuntime): string {
  const typed = runtime === "deno" ? "" : "// @ts-check\n";
  return `${typed}import { Router, serverless } from "@slrs/core";

const router = new Router()
  .get("/", () => new Response("Hello! Try /hello/your-name\\n"))
  .get("/hello/:name", (_req, ctx) => {
    return Response.json({ hello: ctx.params.name });
  });

export default serverless({
  name: "${name}",
  description: "Greets people.",
  requirements: { memory: 128, timeout: 10 },
  fetch: router,
});
`;
}

function denoTest(): string {
  return `import assert from "node:assert/strict";
import hello from "../functions/hello.ts";

Deno.test("hello", async (t) => {
  await t.step("greets by name on GET /hello/:name", async () => {
    const res = await hello.fetch(new Request("http://localhost/hello/ada"));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { hello: "ada" });
  });
  await t.step("answers 404 for a path it has no route for", async () => {
    const res = await hello.fetch(new Request("http://localhost/nope"));
    assert.equal(res.status, 404);
    await res.body?.cancel();
  });
});
`;
}

function nodeTest(): string {
  return `import assert from "node:assert/strict";
import { test } from "node:test";
import hello from "../functions/hello.js";

test("greets by name on GET /hello/:name", async () => {
  const res = await hello.fetch(new Request("http://localhost/hello/ada"));
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { hello: "ada" });
});

test("answers 404 for a path it has no route for", async () => {
  const res = await hello.fetch(new Request("http://localhost/nope"));
  assert.equal(res.status, 404);
  await res.body?.cancel();
});
`;
}

// npm links a `file:` folder without installing its dependencies; as a package it gets them, like the published one.
const NPMRC =
  "# Install the local copy of slrs as a package, with its dependencies, not as a link.\ninstall-links=true\n";

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

function denoConfig({ library }: ProjectTemplate): string {
  const published = library.kind === "published";
  const cli = published ? `jsr:@slrs/core@^${library.version}/cli` : library.cli;
  const run = `deno run -A ${cli}`;
  return json({
    imports: published ? { "@slrs/core": `jsr:@slrs/core@^${library.version}` } : library.imports,
    tasks: {
      dev: { description: "Serve the function locally, reloading on change.", command: `${run} dev` },
      test: { description: "Run the tests.", command: "deno test -A" },
      build: { description: "Bundle for a platform: deno task build --target aws-lambda", command: `${run} build` },
      iac: { description: "Write Terraform or wrangler files: deno task iac terraform", command: `${run} iac` },
      info: { description: "Describe the functions as JSON.", command: `${run} --info` },
      slrs: { description: "Any CLI command: deno task slrs iac wrangler", command: run },
    },
    exclude: [".slrs/", "dist/", "infra/"],
    slrs: { functions: ["functions/*.ts"] },
  });
}

function packageJson({ name, library }: ProjectTemplate): string {
  return json({
    name,
    private: true,
    type: "module",
    engines: { node: ">=20" },
    scripts: {
      dev: "slrs dev",
      test: "node --test",
      build: "slrs build",
      iac: "slrs iac",
      info: "slrs --info",
    },
    dependencies: { "@slrs/core": library.kind === "published" ? `^${library.version}` : library.dependency },
    slrs: { functions: ["functions/*.js"] },
  });
}

function gitignore({ runtime, targets }: ProjectTemplate): string {
  const lines = [".slrs/", "dist/", "infra/", ".env"];
  if (runtime === "node") lines.push("node_modules/");
  if (targets.includes("vercel")) lines.push(".vercel/");
  if (targets.includes("gcp")) lines.push("gha-creds-*.json");
  return `${lines.join("\n")}\n`;
}

function readme(project: ProjectTemplate): string {
  const deno = project.runtime === "deno";
  const run = (args: string) => deno ? `deno task ${args}` : `npx slrs ${args}`;
  const file = deno ? "functions/hello.ts" : "functions/hello.js";
  const commands = [
    ...(deno ? [] : ["npm install"]),
    `${run("dev").padEnd(40)} # http://localhost:8000/hello/ada, reloading on change`,
    `${(deno ? "deno task test" : "npm test").padEnd(40)} # the tests in tests/`,
    `${run("build --target aws-lambda").padEnd(40)} # dist/aws-lambda/${project.name}.zip (or cloudflare, vercel, …)`,
    `${run("iac terraform").padEnd(40)} # infra/*.tf.json for Terraform`,
  ];
  const local = project.library.kind === "local"
    ? [
      `This project uses a local copy of slrs (\`${
        deno ? project.library.cli.replace(/\/cli\.ts$/, "") : project.library.dependency
      }\`) instead of the published package${deno ? "" : "; build it there first with `deno task build:npm`"}. ` +
      "The workflows need the published package: put its version back before pushing.",
    ]
    : [];
  const workflows = project.targets.map((t) => `- \`.github/workflows/deploy-${t}.yml\`: deploys to ${t}`);
  const blocks = [
    `# ${project.name}`,
    wrap("A serverless function written once with [slrs](https://jsr.io/@slrs/core), for every platform it supports."),
    ...local.map(wrap),
    ["```sh", ...commands, "```"].join("\n"),
    wrap(
      `The function is \`${file}\`; every file matching \`slrs.functions\` in ${
        deno ? "deno.json" : "package.json"
      } is one.`,
    ),
    "## Continuous integration",
    ["- `.github/workflows/test.yml`: the tests on every push and pull request", ...workflows].join("\n"),
    ...(project.targets.length > 0
      ? [wrap(
        "Each deploy workflow builds on pull requests and deploys from the main branch; its first lines name the " +
          "secrets to set in the repository settings.",
      )]
      : []),
  ];
  return `${blocks.join("\n\n")}\n`;
}

/** Wraps a paragraph at 80 columns, word by word, as `deno fmt` does, so the project starts formatted. */
function wrap(paragraph: string): string {
  const lines: string[] = [];
  let line = "";
  for (const word of paragraph.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > 80) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  return [...lines, line].join("\n");
}

/**
 * Every file of a new project, by path relative to its directory.
 *
 * @param project The name, runtime, targets and library source.
 * @returns Path → contents.
 *
 * @example A Deno project that deploys to Cloudflare
 * ```ts
 * import { projectFiles } from "./init_templates.ts";
 * const files = projectFiles({
 *   name: "shop",
 *   runtime: "deno",
 *   targets: ["cloudflare"],
 *   library: { kind: "published", version: "0.1.0" },
 * });
 * console.assert(JSON.parse(files["deno.json"]!).imports["@slrs/core"] === "jsr:@slrs/core@^0.1.0");
 * console.assert(".github/workflows/deploy-cloudflare.yml" in files);
 * ```
 */
export function projectFiles(project: ProjectTemplate): Record<string, string> {
  const deno = project.runtime === "deno";
  return {
    [deno ? "functions/hello.ts" : "functions/hello.js"]: functionSource(project.name, project.runtime),
    [deno ? "tests/hello_test.ts" : "tests/hello.test.js"]: deno ? denoTest() : nodeTest(),
    [deno ? "deno.json" : "package.json"]: deno ? denoConfig(project) : packageJson(project),
    ...(!deno && project.library.kind === "local" ? { ".npmrc": NPMRC } : {}),
    ".gitignore": gitignore(project),
    "README.md": readme(project),
    ...workflowFiles(project, project.targets),
  };
}
