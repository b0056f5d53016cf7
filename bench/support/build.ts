import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { buildStaleness } from "../../server/demo/build";

// `remix build` when build/ is older than its sources, under the lock file the test harness
// (tests/helpers/app-server.ts) and bench/ingest take: two builds writing build/ at once break both.

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Builds if stale; returns what it did, for the report. */
export async function ensureFreshBuild(root: string): Promise<string> {
  if ((await buildStaleness(root)) === null) return "existing build";
  const lock = path.join(root, ".cache", "remix-build.lock");
  mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      closeSync(openSync(lock, "wx"));
      writeFileSync(lock, String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number(readFileSync(lock, "utf8"));
      if (Number.isInteger(holder) && holder > 0 && !processAlive(holder)) unlinkSync(lock);
      else if (Date.now() > deadline) throw new Error(`${lock} is held by pid ${holder} for more than 5 minutes`);
      else await sleep(250);
    }
  }
  try {
    const reason = await buildStaleness(root);
    if (reason === null) return "built by another process meanwhile";
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(root, "node_modules/@remix-run/dev/dist/cli.js"), "build"], {
        cwd: root, env: { ...process.env, NODE_ENV: "production" }, stdio: ["ignore", "ignore", "inherit"],
      });
      child.once("error", reject);
      child.once("exit", resolve);
    });
    if (code !== 0) throw new Error(`remix build failed (exit ${code})`);
    return `built now (${reason})`;
  } finally {
    unlinkSync(lock);
  }
}
