/**
 * The CLI's commands and argument parsing.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { VERSION } from "../src/version.ts";
import { build, BUILD_TARGETS } from "./build_command.ts";
import { dev } from "./dev_command.ts";
import { CliError } from "./errors.ts";
import { commandHelp, commandNames, didYouMean, RUN_ON_DENO, RUN_ON_NODE } from "./help.ts";
import { iac } from "./iac_command.ts";
import { init } from "./init_command.ts";
import { infoDocument } from "./info_command.ts";
import type { Runtime } from "./runtime.ts";

/** What `--help` prints, and what a bad command line is shown. */
export const USAGE: string = `slrs ${VERSION}: write a serverless function once, run it everywhere.

Usage: ${RUN_ON_DENO} <command> …   (Deno)
       ${RUN_ON_NODE} <command> …                         (Node 20 or later, from the npm package)

Commands:
  --info [entry…] [--overrides file.json]   print one JSON document describing each function
  dev [entry] [--port N] [--hostname H] [--target T]
                                            serve the entries locally, reloading on change; --target runs each
                                            request through aws-lambda, cloudflare, azure, vercel or gcp
  build --target T [entry…] [--out dist]    bundle each function for a platform, as it deploys it
  iac terraform [entry…] [--out infra] [--platform aws-lambda,cloudflare,azure,gcp] [--dist dist] [--build]
                                            write Terraform JSON (*.tf.json) for the platforms asked for, or for
                                            every platform built in --dist; --build builds first
  iac wrangler [entry…] [--out infra/wrangler] [--dist dist]
                                            write a wrangler.jsonc per function
  init [dir] [--runtime deno|node] [--targets aws-lambda,cloudflare,…] [--library path] [--force]
                                            write a new project with tests and GitHub Actions workflows
  help <command> | <command> --help         a command's options and examples
  --help | --version

Build targets: ${BUILD_TARGETS.join(", ")}.
Entries default to the globs under "slrs": { "functions": [...] } in deno.json (package.json on Node).
--overrides file.json works with --info, build and iac, and wins over "slrs": { "overrides": {...} }.
The --info document is valid against src/info_schema.json.`;

const OPTIONS = {
  info: { type: "boolean" },
  overrides: { type: "string" },
  port: { type: "string" },
  hostname: { type: "string" },
  target: { type: "string" },
  out: { type: "string" },
  dist: { type: "string" },
  platform: { type: "string" },
  build: { type: "boolean" },
  runtime: { type: "string" },
  targets: { type: "string" },
  library: { type: "string" },
  force: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
} as const;

/**
 * Runs the CLI with the given arguments and returns the exit code: 0 on success, 1 when a command fails, 2 for a
 * bad command line. Errors a user can fix are printed without a stack.
 *
 * @param args The arguments after the script name.
 * @param runtime The runtime layer (Deno or Node).
 * @returns The exit code.
 *
 * @example Print the version
 * ```ts
 * import { main } from "./main.ts";
 * import { currentRuntime } from "./runtime.ts";
 * console.assert(await main(["--version"], currentRuntime()) === 0);
 * ```
 */
export async function main(args: string[], runtime: Runtime): Promise<number> {
  try {
    return await run(args, runtime);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    console.error(`slrs: ${error.message}`);
    if (error.exitCode === 2) console.error(`\n${USAGE}`);
    return error.exitCode;
  }
}

async function run(args: string[], runtime: Runtime): Promise<number> {
  const { values, positionals } = parse(args);
  const [command, ...rest] = positionals;
  if (command === "help") return help(rest[0] ?? (values.info ? "--info" : undefined));
  if (values.help) return help(values.info ? "--info" : command);
  if (values.version) return print(VERSION);
  const given = (names: (keyof typeof values)[]) => names.filter((name) => values[name] !== undefined);
  const refuse = (names: (keyof typeof values)[], where: string) => {
    const wrong = given(names);
    if (wrong.length > 0) throw new CliError(`${wrong.map((n) => `--${n}`).join(" and ")} not used by ${where}.`, 2);
  };
  if (command !== "init" && (values.info || ["dev", "build", "iac"].includes(command ?? ""))) {
    refuse(["runtime", "targets", "library", "force"], values.info ? "--info" : command!);
  }
  if (values.info) {
    if (values.port !== undefined || values.hostname !== undefined) {
      throw new CliError("--port and --hostname belong to dev, not --info.", 2);
    }
    refuse(["target", "out", "dist", "platform", "build"], "--info");
    const doc = await infoDocument(runtime, { entries: positionals, overridesFile: values.overrides });
    return print(JSON.stringify(doc, null, 2));
  }
  if (command === "dev") {
    if (rest.length > 1) throw new CliError(`dev takes one entry; got ${rest.join(" ")}.`, 2);
    if (values.overrides !== undefined) throw new CliError("--overrides belongs to --info, not dev.", 2);
    refuse(["out", "dist", "platform", "build"], "dev");
    const options = {
      entry: rest[0],
      port: port(values.port),
      hostname: values.hostname ?? "127.0.0.1",
      target: values.target,
    };
    return await dev(runtime, options, args);
  }
  if (command === "build") {
    refuse(["port", "hostname", "dist", "platform", "build"], "build");
    if (values.target !== undefined && !BUILD_TARGETS.includes(values.target)) {
      const hint = didYouMean(values.target, BUILD_TARGETS);
      throw new CliError(`build needs --target, one of ${BUILD_TARGETS.join(", ")}; got "${values.target}"${hint}.`, 2);
    }
    const options = { target: values.target, entries: rest, out: values.out, overridesFile: values.overrides };
    await build(runtime, options);
    return 0;
  }
  if (command === "iac") {
    refuse(["port", "hostname", "target"], "iac");
    const [kind, ...entries] = rest;
    const { out, dist, platform, build, overrides: overridesFile } = values;
    return await iac(runtime, { kind, entries, out, dist, platform, build, overridesFile });
  }
  if (command === "init") {
    refuse(["overrides", "port", "hostname", "target", "out", "dist", "platform", "build"], "init");
    if (rest.length > 1) throw new CliError(`init takes one directory; got ${rest.join(" ")}.`, 2);
    const { runtime: projectRuntime, targets, library, force } = values;
    return await init(runtime, { dir: rest[0], runtime: projectRuntime, targets, library, force });
  }
  if (command === undefined) throw new CliError("no command given.", 2);
  throw new CliError(`unknown command "${command}"${didYouMean(command, commandNames())}; ${theCommands()}.`, 2);
}

function theCommands(): string {
  const names = commandNames();
  return `the commands are ${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

/** `help`, `help <command>`, `<command> --help`. */
function help(command: string | undefined): number {
  if (command === undefined) return print(USAGE);
  const targets = command === "build" ? [`Targets: ${BUILD_TARGETS.join(", ")}.`] : [];
  const text = commandHelp(command, targets);
  if (text === undefined) {
    throw new CliError(`no help for "${command}"${didYouMean(command, commandNames())}; ${theCommands()}.`, 2);
  }
  return print(text);
}

function parse(args: string[]) {
  try {
    return parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError((error as Error).message, 2);
  }
}

function port(text: string | undefined): number {
  if (text === undefined) return 8000;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new CliError(`--port must be a whole number from 0 to 65535; got "${text}".`, 2);
  }
  return value;
}

function print(text: string): number {
  console.log(text);
  return 0;
}
