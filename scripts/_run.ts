/**
 * Runs a command for the benchmark scripts and returns its stdout, throwing with its output when it fails.
 *
 * @module
 */

const ROOT = new URL("..", import.meta.url).pathname;

/** Where a command runs (the repository root unless told) and what it adds to the environment. */
export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
}

/**
 * Runs `command` and waits for it.
 *
 * @param command The program.
 * @param args Its arguments.
 * @param options Its working directory and extra environment.
 * @returns Its stdout.
 *
 * @example Usage
 * ```ts ignore
 * import { run } from "./_run.ts";
 * const version = (await run("node", ["--version"])).trim();
 * ```
 */
export async function run(command: string, args: string[], options: RunOptions = {}): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(command, {
    args,
    cwd: options.cwd ?? ROOT,
    env: { RUST_BACKTRACE: "0", NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", ...options.env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  if (code !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} exited with ${code}:\n${decoder.decode(stderr)}${decoder.decode(stdout)}`,
    );
  }
  return decoder.decode(stdout);
}
