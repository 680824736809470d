/**
 * A real Redis server for the binding corpus: Debian's `redis-server` (no npm package ships one that works offline:
 * `redis-memory-server` downloads and builds Redis from the internet), installed with apt-get when it is missing and
 * the test runs as root, started on a free loopback port without persistence, and stopped by the test.
 *
 * @module
 */

/** A running server. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>`. */
  url: string;
  /** Stops it and waits for it to exit. */
  stop(): Promise<void>;
}

async function found(): Promise<boolean> {
  const which = await new Deno.Command("sh", { args: ["-c", "command -v redis-server"], stdout: "null" }).output();
  return which.success;
}

async function ensureRedisServer(): Promise<void> {
  if (await found()) return;
  if (Deno.uid() !== 0) {
    throw new Error("redis-server is not on the PATH; install it (apt-get install -y redis-server) and run again");
  }
  console.error("redis-server is not on the PATH: installing Debian's redis-server with apt-get (once)");
  // A fresh machine may have no package lists yet: then install fails until `apt-get update` has run.
  let install = await aptGet(["install", "-y", "--no-install-recommends", "redis-server"]);
  if (!install.success) {
    await aptGet(["update", "-qq"]);
    install = await aptGet(["install", "-y", "--no-install-recommends", "redis-server"]);
  }
  if (!install.success || !(await found())) {
    throw new Error(
      `apt-get install -y redis-server failed:\n${new TextDecoder().decode(install.stderr).slice(-2000)}`,
    );
  }
}

function aptGet(args: string[]): Promise<Deno.CommandOutput> {
  return new Deno.Command("apt-get", {
    args,
    env: { DEBIAN_FRONTEND: "noninteractive" },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(300_000),
  }).output();
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/**
 * Installs (when missing) and starts `redis-server`; resolves once it accepts connections.
 *
 * @param port The port, to start one again where another was; a free one when absent.
 * @returns The running server.
 */
export async function startRedisServer(port: number = freePort()): Promise<RedisServer> {
  await ensureRedisServer();
  const child = new Deno.Command("redis-server", {
    args: ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning"],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let exited = false;
  const status = child.status.then((s) => (exited = true, s));
  const stderr = new Response(child.stderr).text();
  const stop = async () => {
    if (!exited) child.kill("SIGTERM");
    await status;
    await stderr;
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      break;
    } catch {
      if (exited || Date.now() > deadline) {
        await stop();
        throw new Error(`redis-server did not start on port ${port}:\n${(await stderr).slice(-2000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  return { url: `redis://127.0.0.1:${port}`, stop };
}
