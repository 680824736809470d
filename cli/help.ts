/**
 * Per-command help: `help <command>` and `<command> --help`. One entry per command in {@linkcode COMMAND_HELP}; a
 * new command adds its entry and is listed, helped and suggested ("did you mean") with no other change.
 *
 * @module
 */

import { closest } from "../src/definition_error.ts";
import { DEPLOY_TARGETS } from "./init_workflows.ts";

/** What `help <command>` prints for one command. */
export interface CommandHelp {
  /** The command line's shape, after the program name: `dev [entry] [--port N]`. */
  usage: string;
  /** One sentence on what the command does. */
  summary: string;
  /** Each option with what it does. */
  options: readonly (readonly [flag: string, text: string])[];
  /** Two or more examples: what it does, and the arguments after the program name (with `.ts` entries). */
  examples: readonly (readonly [what: string, args: string])[];
}

/** How users run the CLI on each runtime; every example is shown with both. */
export const RUN_ON_DENO = "deno run -A jsr:@slrs/core/cli";
/** The npm package's command. */
export const RUN_ON_NODE = "npx slrs";

/**
 * The help of every command, keyed by the command as typed.
 *
 * @example Usage
 * ```ts
 * import { COMMAND_HELP } from "./help.ts";
 * console.assert(COMMAND_HELP.dev!.examples.length >= 2);
 * ```
 */
export const COMMAND_HELP: Readonly<Record<string, CommandHelp>> = Object.assign(Object.create(null), {
  "--info": {
    usage: "--info [entry…] [--overrides file.json]",
    summary: "Prints one JSON document describing each function: routes, triggers, requirements and, per platform, " +
      "the settings, limits and warnings (valid against src/info_schema.json).",
    options: [
      [
        "entry…",
        'The function modules; default: the globs under "slrs": { "functions": [...] } in deno.json or ' +
        "package.json.",
      ],
      ["--overrides file.json", 'Per-platform settings; wins over "slrs": { "overrides": {...} }.'],
    ],
    examples: [
      ["Describe every function the project names", "--info"],
      ["Describe one function with overrides", "--info functions/orders.ts --overrides overrides.json"],
    ],
  },
  dev: {
    usage: "dev [entry] [--port N] [--hostname H] [--target T]",
    summary: "Serves the functions locally, reloading on change; reads .env into ctx.env and keeps bindings under " +
      ".slrs/ (see docs/dev.md).",
    options: [
      ["entry", "One function module; default: every one the project names, each under its routes."],
      ["--port N", "The port (default 8000; 0 picks a free one)."],
      ["--hostname H", "The interface to listen on (default 127.0.0.1)."],
      ["--target T", "Run each request through a platform's adapter: aws-lambda, cloudflare, azure, vercel or gcp."],
    ],
    examples: [
      ["Serve the project's functions on http://localhost:8000", "dev"],
      [
        "Serve one function as AWS Lambda would see it, on port 3000",
        "dev functions/orders.ts --target aws-lambda --port 3000",
      ],
    ],
  },
  build: {
    usage: "build --target T [entry…] [--out dist] [--overrides file.json]",
    summary: "Bundles each function for a platform into <out>/<target>/ (one minified module with its source map; " +
      "a zip for Lambda).",
    options: [
      ["--target T", "The platform to build for (required); see the list below."],
      ["entry…", "The function modules; default: the ones the project names."],
      ["--out dir", "The output directory (default dist)."],
      ["--overrides file.json", "Per-platform settings, checked against the target's limits."],
    ],
    examples: [
      ["Build every function for AWS Lambda (Node.js runtime)", "build --target aws-lambda"],
      [
        "Build one function for Cloudflare Workers into out/",
        "build --target cloudflare functions/orders.ts --out out",
      ],
    ],
  },
  iac: {
    usage: "iac terraform|wrangler [entry…] [--out dir] [--platform list] [--dist dist] [--build]",
    summary: "Writes deployment descriptions from the --info document: Terraform JSON (*.tf.json) for AWS Lambda, " +
      "Cloudflare, Azure and Google Cloud, or a wrangler.jsonc per function.",
    options: [
      ["terraform|wrangler", "What to write."],
      ["entry…", "The function modules; default: the ones the project names."],
      ["--out dir", "Where to write (default infra, or infra/wrangler)."],
      [
        "--platform list",
        "terraform only: aws-lambda, cloudflare, azure, gcp, comma-separated (default: every platform built in --dist).",
      ],
      ["--dist dir", "Where build put the bundles (default dist)."],
      ["--build", "Build what the Terraform references first, instead of failing when it is missing."],
      ["--overrides file.json", "Per-platform settings."],
    ],
    examples: [
      ["Write Terraform for AWS Lambda only", "iac terraform --platform aws-lambda"],
      ["Write a wrangler.jsonc per function", "iac wrangler --out infra/wrangler"],
    ],
  },
  init: {
    usage: "init [dir] [--runtime deno|node] [--targets T,…] [--library path] [--force]",
    summary:
      "Writes a new project into dir (default: the current directory), which must be empty or new: a function, " +
      "its test, deno.json or package.json with dev, test, build, iac and info tasks, .gitignore, README.md, " +
      ".github/workflows/test.yml, and a deploy workflow per target.",
    options: [
      ["dir", "Where to write the project (default: the current directory)."],
      ["--runtime deno|node", "The project's runtime (default deno)."],
      ["--targets T,…", `Platforms to write a deploy workflow for: ${DEPLOY_TARGETS.join(", ")}.`],
      ["--library path", "Use a local copy of slrs (a checkout) instead of the published package."],
      ["--force", "Write into a directory that is not empty (files of the same name are replaced)."],
    ],
    examples: [
      ["Start a Deno project deployed to AWS Lambda and Cloudflare", "init shop --targets aws-lambda,cloudflare"],
      ["Start a Node project deployed to Vercel", "init shop --runtime node --targets vercel"],
    ],
  },
});

/**
 * The commands, in the order help lists them.
 *
 * @returns `--info`, `dev`, … as typed.
 *
 * @example Usage
 * ```ts
 * import { commandNames } from "./help.ts";
 * console.assert(commandNames().includes("build"));
 * ```
 */
export function commandNames(): string[] {
  return Object.keys(COMMAND_HELP);
}

/**
 * A command's help text: usage, options, and each example on both runtimes.
 *
 * @param command A key of {@linkcode COMMAND_HELP}.
 * @param extra Lines to add at the end (such as the build targets).
 * @returns The text, or `undefined` for an unknown command.
 *
 * @example Usage
 * ```ts
 * import { commandHelp } from "./help.ts";
 * console.assert(commandHelp("dev")!.includes("npx slrs dev"));
 * ```
 */
export function commandHelp(command: string, extra: string[] = []): string | undefined {
  const help = COMMAND_HELP[command];
  if (help === undefined) return undefined;
  const width = Math.max(...help.options.map(([flag]) => flag.length));
  const lines = [
    `Usage: ${RUN_ON_DENO} ${help.usage}`,
    `       ${RUN_ON_NODE} ${help.usage}`,
    "",
    help.summary,
    "",
    "Options:",
    ...help.options.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`),
    "",
    "Examples:",
    ...help.examples.flatMap(([what, args]) => [
      `  ${what}:`,
      `    ${RUN_ON_DENO} ${args}`,
      `    ${RUN_ON_NODE} ${args.replace(/\.ts\b/g, ".js")}`,
    ]),
    ...(extra.length > 0 ? ["", ...extra] : []),
  ];
  return lines.join("\n");
}

/**
 * " (did you mean "x"?)" for a value close to one of `known`, else "".
 *
 * @param value What was typed.
 * @param known The accepted values.
 * @returns The hint, with a leading space, or an empty string.
 *
 * @example Usage
 * ```ts
 * import { didYouMean } from "./help.ts";
 * console.assert(didYouMean("biuld", ["build", "dev"]) === ' (did you mean "build"?)');
 * ```
 */
export function didYouMean(value: string, known: readonly string[]): string {
  const near = closest(value, known);
  return near === undefined ? "" : ` (did you mean "${near}"?)`;
}
