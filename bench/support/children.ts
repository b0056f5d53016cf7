import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";

// The app and the worker under test. Each runs in its own process group, so stopping one also
// stops anything it spawned, and a benchmark that fails half-way still leaves nothing behind.

export interface BenchChild {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL to the group if it is still running after `graceMs`. */
  stop(graceMs: number): Promise<void>;
}

const running = new Set<BenchChild>();

function signalGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

export function startChild(name: string, command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string }): BenchChild {
  const log = createWriteStream(options.logFile, { flags: "a" });
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  if (child.pid === undefined) throw new Error(`${name} could not be started (${command})`);
  const pid = child.pid;
  // Always drained: a child blocked on a full pipe would look like a slow app.
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => {
      done = true;
      running.delete(handle);
      resolve({ code, signal });
    });
    child.once("error", () => {
      done = true;
      running.delete(handle);
      resolve({ code: null, signal: null });
    });
  });
  void exited.then(() => setTimeout(() => log.end(), 50));
  const handle: BenchChild = {
    name,
    pid,
    logFile: options.logFile,
    exited,
    hasExited: () => done,
    signal(signal) {
      if (!done) process.kill(pid, signal);
    },
    async stop(graceMs) {
      if (done) return;
      signalGroup(pid, "SIGTERM");
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), graceMs);
      });
      const first = await Promise.race([exited, timeout]);
      clearTimeout(timer);
      if (first === "timeout") {
        signalGroup(pid, "SIGKILL");
        await exited;
      }
    },
  };
  running.add(handle);
  return handle;
}

/** For exit paths that cannot wait: SIGKILL every child still running. */
export function killAllChildren() {
  for (const child of running) signalGroup(child.pid, "SIGKILL");
}
