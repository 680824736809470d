/**
 * Runs a server in a child process (Deno, or Node 20 after compiling with scripts/compile_for_node.ts), waits for
 * the `{"port":N}` line it prints when listening, and keeps its output for assertions.
 *
 * @module
 */

import { compileForNode, REPO_ROOT } from "../../scripts/compile_for_node.ts";

/** A server running in a child process. */
export interface ChildServer {
  /** `http://127.0.0.1:<port>/`. */
  readonly url: string;
  /** The port it printed. */
  readonly port: number;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Sends a signal to the process. */
  kill(signal: Deno.Signal): void;
  /** Resolves with the exit status. */
  readonly status: Promise<Deno.CommandStatus>;
  /** Kills it if still running and removes temporary files. */
  close(): Promise<void>;
}

/**
 * Runs `entry` (a path relative to the repository root) with `deno run -A`.
 *
 * @param entry The entry module; it must print `{"port":N}` once listening.
 * @returns The running child.
 */
export function startOnDeno(entry: string): Promise<ChildServer> {
  return startChild(Deno.execPath(), ["run", "-A", "--no-lock", `${REPO_ROOT}/${entry}`], undefined);
}

/**
 * Compiles `entry` and what it imports into a temporary directory and runs it with `node` (Node 20 on PATH).
 *
 * @param entry The entry module, relative to the repository root; it must print `{"port":N}` once listening.
 * @returns The running child.
 */
export async function startOnNode(entry: string): Promise<ChildServer> {
  const outDir = await Deno.makeTempDir({ prefix: "slrs-node-" });
  try {
    const compiled = compileForNode({ entries: [entry], outDir });
    return await startChild("node", [compiled.outputOf(entry)], outDir);
  } catch (error) {
    await Deno.remove(outDir, { recursive: true });
    throw error;
  }
}

/**
 * Runs `command` and waits for the `{"port":N}` line it prints once listening.
 *
 * @param command The executable.
 * @param args Its arguments.
 * @param tempDir A directory to remove when the child is closed.
 * @returns The running child.
 */
export async function startChild(command: string, args: string[], tempDir: string | undefined): Promise<ChildServer> {
  const child = new Deno.Command(command, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { RUST_BACKTRACE: "0", NO_COLOR: "1" },
  }).spawn();
  let text = "";
  let portSeen: (port: number) => void;
  const portLine = new Promise<number>((resolve) => portSeen = resolve);
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      const match = text.match(/^\{"port":(\d+)\}$/m);
      if (match) portSeen(Number(match[1]));
    }
  };
  const reading = Promise.all([collect(child.stdout), collect(child.stderr)]);
  const status = child.status.then(async (s) => {
    await reading;
    return s;
  });
  const exitedEarly = status.then((s) => {
    throw new Error(`${command} ${args.join(" ")} exited with ${s.code} before listening:\n${text}`);
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tooSlow = new Promise<never>((_, reject) =>
    timer = setTimeout(() => reject(new Error(`${command} did not print its port within 20 s:\n${text}`)), 20_000)
  );
  let port: number;
  try {
    port = await Promise.race([portLine, exitedEarly, tooSlow]);
  } catch (error) {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await status;
    if (tempDir) await Deno.remove(tempDir, { recursive: true });
    throw error;
  } finally {
    clearTimeout(timer);
  }
  exitedEarly.catch(() => {});
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    output: () => text,
    kill: (signal) => child.kill(signal),
    status,
    async close() {
      try {
        child.kill("SIGKILL");
      } catch { /* already exited */ }
      await status;
      if (tempDir) await Deno.remove(tempDir, { recursive: true });
    },
  };
}
