/** A server a test runs as a child process (a platform's own runtime or framework), with its output kept. */

/** A running child server. */
export interface SpawnedServer {
  /** Everything it printed so far, stdout and stderr together. */
  output(): string;
  /** Waits until its output matches, or fails after `ms`. */
  waitFor(pattern: RegExp, ms?: number): Promise<void>;
  /** Kills it and waits for it to end. */
  stop(): Promise<void>;
}

/**
 * Starts `command args…` in `cwd`, writes `stdin` to it if given, and resolves once its output matches `ready`.
 *
 * @throws {Error} With its output, when it exits or stays silent for 20 s first.
 */
export async function spawnServer(
  command: string,
  args: string[],
  options: { cwd: string; ready: RegExp; stdin?: string; env?: Record<string, string> },
): Promise<SpawnedServer> {
  const child = new Deno.Command(command, {
    args,
    cwd: options.cwd,
    env: { NO_COLOR: "1", ...options.env },
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  let text = "";
  let exited = false;
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) text += chunk;
  };
  const reading = Promise.all([collect(child.stdout), collect(child.stderr)]);
  const status = child.status.then(async (s) => {
    exited = true;
    await reading;
    return s;
  });
  const waitFor = async (pattern: RegExp, ms = 20_000) => {
    const deadline = Date.now() + ms;
    while (!pattern.test(text)) {
      if (exited || Date.now() > deadline) {
        throw new Error(
          `${command} ${args.join(" ")}: no ${pattern} in its output${exited ? " (it exited)" : ""}:\n${text}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  const stop = async () => {
    if (!exited) {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
    }
    await status;
  };
  try {
    await waitFor(options.ready);
  } catch (error) {
    await stop();
    throw error;
  }
  return { output: () => text, waitFor, stop };
}
