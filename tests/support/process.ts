/** Helpers for tests that run the CLI as a child process. */

/** The repository root, as a path. */
export const ROOT: string = new URL("../../", import.meta.url).pathname;
/** cli.ts, as a path. */
export const CLI: string = `${ROOT}cli.ts`;
/** mod.ts, as a file URL for generated entries. */
export const MOD_URL: string = new URL("../../mod.ts", import.meta.url).href;

const ENV = { RUST_BACKTRACE: "0", NO_COLOR: "1" };

/** The result of a finished CLI run. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `deno run -A cli.ts …args` in `cwd` and waits for it. */
export async function runCli(args: string[], cwd: string = ROOT): Promise<Run> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    cwd,
    env: ENV,
    stdin: "null",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

/** A long-running `deno …` process (or `command …`, such as `node`) whose output lines are collected as they come. */
export class DenoProcess {
  readonly child: Deno.ChildProcess;
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly #done: Promise<unknown>;

  constructor(args: string[], cwd: string, command: string = Deno.execPath()) {
    this.child = new Deno.Command(command, {
      args,
      cwd,
      env: ENV,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#done = Promise.all([collect(this.child.stdout, this.stdout), collect(this.child.stderr, this.stderr)]);
  }

  /** Waits until `count` lines of stdout (or stderr) match, failing after `timeoutMs`. */
  async waitFor(pattern: RegExp, options: { stream?: "stdout" | "stderr"; count?: number; timeoutMs?: number } = {}) {
    const lines = options.stream === "stderr" ? this.stderr : this.stdout;
    const count = options.count ?? 1;
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    while (Date.now() < deadline) {
      const matches = lines.map((line) => line.match(pattern)).filter((m) => m !== null);
      if (matches.length >= count) return matches[count - 1]!;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(
      `Timed out waiting for ${pattern}\n--- stdout\n${this.stdout.join("\n")}\n--- stderr\n${this.stderr.join("\n")}`,
    );
  }

  /** Stops the process with SIGTERM and waits for it and its output. */
  async stop(): Promise<Deno.CommandStatus> {
    try {
      this.child.kill("SIGTERM");
    } catch {
      // Already gone.
    }
    const status = await this.child.status;
    await this.#done;
    return status;
  }
}

/** Starts `deno run -A cli.ts …args` in `cwd`. */
export function startCli(args: string[], cwd: string): DenoProcess {
  return new DenoProcess(["run", "-A", CLI, ...args], cwd);
}

async function collect(stream: ReadableStream<Uint8Array>, lines: string[]): Promise<void> {
  let pending = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    pending += chunk;
    const parts = pending.split("\n");
    pending = parts.pop()!;
    lines.push(...parts);
  }
  if (pending) lines.push(pending);
}
