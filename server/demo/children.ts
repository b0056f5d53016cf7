import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

// Child processes of the demo. Each runs in its own process group (detached) so that Ctrl-C in
// the terminal reaches only the demo, which then stops them in order (app before database), and
// so that stopping one reaches whatever it spawned itself (npm → sh → tsx → node).

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningChild {
  readonly name: string;
  readonly pid: number;
  /** Settles when the process has exited. */
  readonly exited: Promise<ChildExit>;
  readonly hasExited: boolean;
  /** The stop signal to the process group; SIGKILL if it is still running after `graceMs`. */
  stop(graceMs: number): Promise<ChildExit & { forced: boolean }>;
  /** SIGKILL to the process group, synchronously (for process exit handlers). */
  kill(): void;
}

export interface StartChildOptions {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  onLine: (line: string, stream: "stdout" | "stderr") => void;
  /**
   * Default SIGTERM. An `npm run …` child needs SIGINT, the terminal's Ctrl-C: on SIGTERM npm exits
   * at once without waiting for its script, which would then look stopped while still running.
   */
  stopSignal?: NodeJS.Signals;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

export function startChild(options: StartChildOptions): RunningChild {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (child.pid === undefined) throw new Error(`${options.name} could not be started (${options.command})`);
  const pid = child.pid;
  let hasExited = false;
  const exited = new Promise<ChildExit>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      hasExited = true;
      resolve({ code, signal });
    });
  });
  createInterface({ input: child.stdout }).on("line", (line) => options.onLine(line, "stdout"));
  createInterface({ input: child.stderr }).on("line", (line) => options.onLine(line, "stderr"));

  return {
    name: options.name,
    pid,
    exited,
    get hasExited() {
      return hasExited;
    },
    async stop(graceMs) {
      if (hasExited) return { ...(await exited), forced: false };
      signalGroup(pid, options.stopSignal ?? "SIGTERM");
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), graceMs);
      });
      const first = await Promise.race([exited, timedOut]);
      clearTimeout(timer);
      if (first !== "timeout") return { ...first, forced: false };
      signalGroup(pid, "SIGKILL");
      return { ...(await exited), forced: true };
    },
    kill() {
      if (!hasExited) signalGroup(pid, "SIGKILL");
    },
  };
}

/** Runs a command to completion; on failure the error carries the end of its output. */
export async function runToCompletion(options: Omit<StartChildOptions, "onLine">): Promise<void> {
  const output: string[] = [];
  const child = startChild({
    ...options,
    onLine: (line) => {
      output.push(line);
      if (output.length > 40) output.shift();
    },
  });
  const { code, signal } = await child.exited;
  if (code !== 0) {
    const how = signal ? `was stopped by ${signal}` : `exited with code ${code}`;
    throw new Error(`${options.name} ${how}:\n${output.join("\n")}`);
  }
}
