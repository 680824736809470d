/**
 * Real local servers for the binding corpus (dynalite, s3rver, sqslite, azurite): each npm package is installed on first use
 * into `.slrs/cache/<tool>/` (gitignored) and reused, then started under Node on a free loopback port and stopped by
 * the test that started it.
 *
 * @module
 */

const ROOT = new URL("../../", import.meta.url);
const INSTALL_TIMEOUT_MS = 180_000;
const START_TIMEOUT_MS = 20_000;

/** The servers the corpus runs against, pinned by major version, and how each one's command line starts. */
export const TOOLS = {
  dynalite: {
    version: "4",
    bin: "dynalite/cli.js",
    args: (
      port: number,
    ) => ["--port", String(port), "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"],
  },
  s3rver: {
    version: "3",
    // s3rver's continuation tokens are DES-encrypted, which OpenSSL 3 (Node 17+) keeps in its legacy provider.
    node: ["--openssl-legacy-provider"],
    bin: "s3rver/bin/s3rver.js",
    args: (port: number, dir: string) => ["-d", dir, "-a", "127.0.0.1", "-p", String(port), "--silent"],
  },
  sqslite: {
    version: "2",
    bin: "sqslite/bin/cli.js",
    args: (port: number) => ["--host", "127.0.0.1", "--port", String(port)],
  },
  // Azurite, Microsoft's storage emulator: one service per process, each on its own port. The SDKs ask for newer API
  // versions than an emulator release knows, which is what --skipApiVersionCheck is for.
  "azurite-table": {
    package: "azurite",
    version: "3",
    bin: "azurite/dist/src/table/main.js",
    args: (port: number, dir: string) => [
      "--tableHost",
      "127.0.0.1",
      "--tablePort",
      String(port),
      "--location",
      dir,
      "--skipApiVersionCheck",
      "--silent",
    ],
  },
  "azurite-blob": {
    package: "azurite",
    version: "3",
    bin: "azurite/dist/src/blob/main.js",
    args: (port: number, dir: string) => [
      "--blobHost",
      "127.0.0.1",
      "--blobPort",
      String(port),
      "--location",
      dir,
      "--skipApiVersionCheck",
      "--silent",
    ],
  },
  "azurite-queue": {
    package: "azurite",
    version: "3",
    bin: "azurite/dist/src/queue/main.js",
    args: (port: number, dir: string) => [
      "--queueHost",
      "127.0.0.1",
      "--queuePort",
      String(port),
      "--location",
      dir,
      "--skipApiVersionCheck",
      "--silent",
    ],
  },
} as const;

/** A tool's name. */
export type Tool = keyof typeof TOOLS;

/** A running server. */
export interface LocalServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Stops it and waits for it to exit. */
  stop(): Promise<void>;
  /** What it printed, for failure messages. */
  log(): string;
}

/** The npm package a tool comes from: its own name, unless several tools share one package (azurite). */
function packageOf(tool: Tool): string {
  const spec = TOOLS[tool];
  return "package" in spec ? spec.package : tool;
}

function cacheOf(tool: Tool): URL {
  return new URL(`.slrs/cache/${packageOf(tool)}/`, ROOT);
}

async function installed(tool: Tool): Promise<boolean> {
  try {
    const manifest = JSON.parse(
      await Deno.readTextFile(new URL(`node_modules/${packageOf(tool)}/package.json`, cacheOf(tool))),
    );
    return String(manifest.version).startsWith(`${TOOLS[tool].version}.`);
  } catch {
    return false;
  }
}

/**
 * Installs `tool` into its cache folder unless the pinned major is already there.
 *
 * @param tool The tool.
 */
export function ensureInstalled(tool: Tool): Promise<void> {
  // Tools that share a package (the three azurite services) start side by side: one npm install per package.
  const name = packageOf(tool);
  let install = installing.get(name);
  if (!install) {
    install = installOnce(tool);
    installing.set(name, install);
    install.catch(() => installing.delete(name));
  }
  return install;
}

const installing = new Map<string, Promise<void>>();

async function installOnce(tool: Tool): Promise<void> {
  if (await installed(tool)) return;
  const cache = cacheOf(tool);
  await Deno.mkdir(cache, { recursive: true });
  await Deno.writeTextFile(
    new URL("package.json", cache),
    JSON.stringify({ name: `slrs-${packageOf(tool)}-cache`, private: true }),
  );
  const spec = `${packageOf(tool)}@${TOOLS[tool].version}`;
  const install = await new Deno.Command("npm", {
    args: ["install", "--no-audit", "--no-fund", "--loglevel=error", spec],
    cwd: cache,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(INSTALL_TIMEOUT_MS),
  }).output();
  if (!install.success || !(await installed(tool))) {
    throw new Error(`npm install ${spec} failed:\n${new TextDecoder().decode(install.stderr).slice(-2000)}`);
  }
}

function nodeFlags(tool: Tool): readonly string[] {
  const spec = TOOLS[tool];
  return "node" in spec ? spec.node : [];
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function accepting(port: number): Promise<boolean> {
  try {
    const connection = await Deno.connect({ hostname: "127.0.0.1", port });
    connection.close();
    return true;
  } catch {
    return false;
  }
}

/**
 * Installs (on first use) and starts `tool` on a free loopback port; resolves once it accepts connections.
 *
 * @param tool The tool.
 * @returns The running server.
 */
export async function startLocalServer(tool: Tool): Promise<LocalServer> {
  await ensureInstalled(tool);
  const port = freePort();
  const dir = await Deno.makeTempDir({ prefix: `slrs-${tool}-` });
  const child = new Deno.Command("node", {
    args: [
      ...nodeFlags(tool),
      new URL(`node_modules/${TOOLS[tool].bin}`, cacheOf(tool)).pathname,
      ...TOOLS[tool].args(port, dir),
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let output = "";
  const decoder = new TextDecoder();
  const drain = (stream: ReadableStream<Uint8Array>) =>
    stream.pipeTo(new WritableStream({ write: (chunk) => void (output += decoder.decode(chunk, { stream: true })) }))
      .catch(() => {});
  const drained = Promise.all([drain(child.stdout), drain(child.stderr)]);
  let exited = false;
  const status = child.status.then((s) => (exited = true, s));

  const stop = async () => {
    if (!exited) {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
    }
    await status;
    await drained;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await accepting(port))) {
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`${tool} did not start on port ${port}:\n${output.slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url: `http://127.0.0.1:${port}`, stop, log: () => output };
}
