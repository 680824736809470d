/**
 * npm packages a test needs at run time (a real runtime or framework), installed on first run into
 * `.slrs/cache/<tool>/` (gitignored) and reused: CI starts from a clean clone and installs them itself.
 */

const ROOT = new URL("../../", import.meta.url);
const INSTALL_TIMEOUT_MS = 300_000;

async function installedVersion(dir: URL, name: string): Promise<string | undefined> {
  try {
    const manifest = JSON.parse(await Deno.readTextFile(new URL(`node_modules/${name}/package.json`, dir)));
    return String(manifest.version);
  } catch {
    return undefined;
  }
}

/**
 * Makes sure `.slrs/cache/<tool>/node_modules` holds each package at the given major version (or exact version,
 * such as `0.25.12`).
 *
 * @returns The cache folder, as a path ending in `/`.
 */
export async function npmCache(tool: string, packages: Record<string, string>): Promise<string> {
  const dir = new URL(`.slrs/cache/${tool}/`, ROOT);
  const missing: string[] = [];
  for (const [name, major] of Object.entries(packages)) {
    const version = await installedVersion(dir, name);
    if (version === undefined || (version !== major && !version.startsWith(`${major}.`))) {
      missing.push(`${name}@${major}`);
    }
  }
  if (missing.length > 0) {
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(
      new URL("package.json", dir),
      JSON.stringify({ name: `slrs-${tool}-cache`, private: true }),
    );
    const install = await new Deno.Command("npm", {
      args: ["install", "--no-audit", "--no-fund", "--loglevel=error", ...missing],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(INSTALL_TIMEOUT_MS),
    }).output();
    if (!install.success) {
      throw new Error(
        `npm install ${missing.join(" ")} failed:\n${new TextDecoder().decode(install.stderr).slice(-2000)}`,
      );
    }
  }
  return dir.pathname;
}

/** A free TCP port on loopback. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}
