import { spawn, type ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

// `npm run demo` as a child process for browser tests: started in its own process group with a
// data directory and port of its own, stopped with SIGTERM through the demo's lock file.

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export class DemoProcess {
  output = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private running = true;

  constructor(
    readonly child: ChildProcess,
    readonly demoDir: string,
    readonly port: number,
  ) {
    child.stdout?.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) =>
      child.once("exit", (code, signal) => {
        this.running = false;
        resolve({ code, signal });
      }),
    );
  }

  get isRunning() {
    return this.running;
  }

  get baseUrl() {
    return `http://localhost:${this.port}`;
  }

  /** The demo's generated credentials (SHOPIFY_API_KEY, SHOPIFY_API_SECRET, …). */
  async credentials(): Promise<Record<string, string>> {
    const text = await readFile(path.join(this.demoDir, "env"), "utf8");
    return Object.fromEntries(text.split("\n").filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
  }

  /** Waits for the summary the demo prints once its webhook replay has been delivered. */
  async ready(timeoutMs = 240_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.output.includes("LoyalNest demo is running")) {
      if (!this.running) throw new Error(`npm run demo exited:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`the demo was not ready within ${timeoutMs / 1000} s:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** SIGTERM to the demo (it stops the app and its database), SIGKILL to the group if it hangs. */
  async stop(): Promise<void> {
    if (!this.running) return;
    const pid = Number((await readFile(path.join(this.demoDir, "demo.pid"), "utf8").catch(() => "0")).trim());
    if (pid) process.kill(pid, "SIGTERM");
    const stopped = await Promise.race([this.exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 20_000))]);
    if (!stopped && this.child.pid) process.kill(-this.child.pid, "SIGKILL");
  }
}

/** Starts `npm run demo` with nothing of the test run's environment but what `env` adds. */
export function startDemo(demoDir: string, port: number, env: Record<string, string> = {}, root = ROOT): DemoProcess {
  const base: Record<string, string | undefined> = { ...process.env, DEMO_DIR: demoDir, DEMO_PORT: String(port), NO_COLOR: "1" };
  for (const key of Object.keys(base)) {
    if (/^(DATABASE_|REDIS_|TEST_|VITEST|SHOPIFY_|SCOPES$|NODE_ENV$|LOG_LEVEL$)/.test(key)) delete base[key];
  }
  const child = spawn("npm", ["run", "demo"], { cwd: root, env: { ...base, ...env } as NodeJS.ProcessEnv, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  return new DemoProcess(child, demoDir, port);
}

const BUILD_LOCK = path.join(ROOT, ".cache/remix-build.lock");
// What the demo reads at run time; node_modules is linked, not copied.
const SNAPSHOT_ENTRIES = ["app", "build", "public", "server", "prisma", "extensions", "package.json", "package-lock.json", "prisma.config.ts", "remix.config.js", "shopify.app.toml", "tsconfig.json", "env.d.ts"];

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A private copy of the repository for the demo to run from, taken under the build lock so the
 * server build and its browser assets match. Other work in the shared tree (edits, rebuilds of
 * build/ and public/build/) then cannot swap the assets of the running demo mid-test, which
 * turns every page's scripts into 404s.
 */
export async function snapshotRepository(into: string): Promise<string> {
  const { closeSync, openSync, writeFileSync, readFileSync, unlinkSync, mkdirSync } = await import("node:fs");
  const { cp, symlink } = await import("node:fs/promises");
  mkdirSync(path.dirname(BUILD_LOCK), { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      closeSync(openSync(BUILD_LOCK, "wx"));
      writeFileSync(BUILD_LOCK, String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number(readFileSync(BUILD_LOCK, "utf8"));
      if (Number.isInteger(holder) && holder > 0 && !processAlive(holder)) unlinkSync(BUILD_LOCK);
      if (Date.now() > deadline) throw new Error("the remix build lock was not released within 180 s");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    for (const entry of SNAPSHOT_ENTRIES) {
      await cp(path.join(ROOT, entry), path.join(into, entry), {
        recursive: true,
        preserveTimestamps: true,
        filter: (source) => !/[/\\]node_modules([/\\]|$)/.test(path.relative(ROOT, source)) && path.basename(source) !== "node_modules",
      });
    }
    await symlink(path.join(ROOT, "node_modules"), path.join(into, "node_modules"), "dir");
  } finally {
    unlinkSync(BUILD_LOCK);
  }
  return into;
}
