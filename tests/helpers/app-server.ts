import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { JobQueue } from "~/jobs/queue.server";
import { buildStaleness } from "../../server/demo/build";
import type { FailedJob, QueueCounts } from "~/jobs/types";
import { TEST_DATABASE_URL, TEST_REDIS_URL, testEnv } from "./env";
import { createRedisTestQueue, deleteRedisKeys, uniqueQueuePrefix, waitFor } from "./jobs";
import { signedWebhookRequest } from "./webhooks";
import { freePort } from "./net";

// The whole pipeline as it runs in production, in child processes: the BUILT app served by
// server/serve.ts (HTTP → HMAC check → ProcessedWebhook → Bull) and `server/worker.ts` consuming the
// queue, both on the test database and the test Redis under a Bull prefix of their own.

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const BUILD_ENTRY = path.join(repoRoot, "build/index.js");
const BUILD_LOCK = path.join(repoRoot, ".cache/remix-build.lock");
const REMIX_CLI = path.join(repoRoot, "node_modules/@remix-run/dev/dist/cli.js");
const APP_SERVER = path.join(repoRoot, "server/serve.ts");

// The library answers 410 to curl-like agents; the admin checks need a browser. Webhooks carry
// the agent Shopify's webhook sender uses.
export const BROWSER_USER_AGENT =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The end of the process's output, for failure messages. */
  output: string;
}

interface Child {
  name: string;
  process: ChildProcess;
  exited: Promise<ChildExit>;
  hasExited(): boolean;
  output(): string;
}

const OUTPUT_LINES_KEPT = 60;

function startChild(name: string, args: string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split("\n").filter((l) => l.trim() !== ""));
    if (lines.length > OUTPUT_LINES_KEPT) lines.splice(0, lines.length - OUTPUT_LINES_KEPT);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let done = false;
  const exited = new Promise<ChildExit>((resolve) => {
    child.once("exit", (code, signal) => {
      done = true;
      resolve({ code, signal, output: lines.join("\n") });
    });
  });
  return { name, process: child, exited, hasExited: () => done, output: () => lines.join("\n") };
}

/** Signals the child and waits for it; SIGKILL after `graceMs` if it is still running. */
async function stopChild(child: Child, signal: NodeJS.Signals, graceMs: number): Promise<ChildExit> {
  if (child.hasExited()) return child.exited;
  child.process.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), graceMs);
  });
  const first = await Promise.race([child.exited, late]);
  clearTimeout(timer);
  if (first !== "late") return first;
  child.process.kill("SIGKILL");
  return child.exited;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * `remix build` when build/index.js is missing or older than its sources (the served app must be
 * the code under test). Test files run in parallel processes, so the build is serialised with a
 * lock file; a lock left by a dead process is taken over.
 */
export async function ensureAppBuilt(): Promise<void> {
  if ((await buildStaleness(repoRoot)) === null) return;
  mkdirSync(path.dirname(BUILD_LOCK), { recursive: true });
  await waitFor(
    "the remix build lock",
    () => {
      try {
        closeSync(openSync(BUILD_LOCK, "wx"));
        writeFileSync(BUILD_LOCK, String(process.pid));
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        const holder = Number(readFileSync(BUILD_LOCK, "utf8"));
        if (Number.isInteger(holder) && holder > 0 && !processAlive(holder)) unlinkSync(BUILD_LOCK);
        return false;
      }
    },
    { timeoutMs: 180_000, intervalMs: 200 },
  );
  try {
    // Another test process may have built it while this one waited for the lock.
    if ((await buildStaleness(repoRoot)) === null) return;
    const build = startChild("remix build", [REMIX_CLI, "build"], { ...process.env, NODE_ENV: "production" });
    const result = await build.exited;
    if (result.code !== 0 || !existsSync(BUILD_ENTRY)) {
      throw new Error(`remix build failed (code ${result.code}, signal ${result.signal}):\n${result.output}`);
    }
  } finally {
    unlinkSync(BUILD_LOCK);
  }
}


export interface PipelineOptions {
  /** Jobs the worker runs at once per queue (WORKER_CONCURRENCY). Default 5. */
  workerConcurrency?: number;
  /** Bull job lock (BULL_LOCK_DURATION_MS). Short in tests so a killed worker's jobs come back fast. */
  lockDurationMs?: number;
  /** Bull stalled-job check (BULL_STALLED_INTERVAL_MS). */
  stalledIntervalMs?: number;
  /** How long a SIGTERMed worker waits for running jobs (WORKER_SHUTDOWN_TIMEOUT_MS). */
  shutdownTimeoutMs?: number;
}

export interface WebhookPostOptions {
  /** X-Shopify-Webhook-Id: the same id again is a replay of the same delivery. Default: new. */
  webhookId?: string;
  /** X-Shopify-Event-Id: the same event redelivered under a new webhook id keeps it. Default: new. */
  eventId?: string;
  /** Sign with another secret: a forged request. */
  secret?: string;
}

export interface WebhookPostResult {
  status: number;
  webhookId: string;
  eventId: string;
}

export interface WaitOptions {
  /** What is awaited, for the timeout message. */
  what?: string;
  /** Default 20 s. */
  timeoutMs?: number;
  /** Default 25 ms. */
  intervalMs?: number;
}

export interface PipelineHarness {
  /** http://127.0.0.1:<port> of the built app. */
  readonly baseUrl: string;
  /** The Bull key prefix of this run (BULL_PREFIX). */
  readonly prefix: string;
  /** POSTs a webhook signed as Shopify signs it to /webhooks/<topic>. */
  postWebhook(topic: string, shop: string, body: string, options?: WebhookPostOptions): Promise<WebhookPostResult>;
  /** A request to the app with a browser User-Agent. */
  request(pathAndQuery: string, init?: RequestInit): Promise<Response>;
  /** Starts the worker process if it is not running, and waits until it consumes the queue. */
  startWorker(): Promise<void>;
  /** Signals the worker and waits for it to exit (SIGKILL after the grace period for SIGTERM). */
  stopWorker(signal: "SIGTERM" | "SIGKILL" | "SIGINT"): Promise<ChildExit>;
  workerRunning(): boolean;
  /**
   * Polls `probe` until it returns a value other than false/undefined and returns that value;
   * fails fast, with the child's output, if the app or the worker died unexpectedly meanwhile.
   */
  waitUntil<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, options?: WaitOptions): Promise<T>;
  /** Bull's counts for the webhooks queue of this run. */
  webhookQueueCounts(): Promise<QueueCounts>;
  /** The webhooks queue's failed jobs (newest first), for assertions and failure messages. */
  failedWebhookJobs(): Promise<FailedJob[]>;
  /** Stops both processes and deletes this run's Redis keys. */
  stop(): Promise<void>;
}

/** Builds the app if needed, starts it and the worker, and waits for /healthz to answer 200. */
export async function startPipeline(options: PipelineOptions = {}): Promise<PipelineHarness> {
  await ensureAppBuilt();
  const prefix = uniqueQueuePrefix("http");
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...testEnv,
    NODE_ENV: "test",
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    BULL_PREFIX: prefix,
    LOG_LEVEL: "silent",
    HOST: "127.0.0.1",
    PORT: String(port),
    DEMO: "",
    WORKER_CONCURRENCY: String(options.workerConcurrency ?? 5),
    BULL_LOCK_DURATION_MS: String(options.lockDurationMs ?? 30_000),
    BULL_STALLED_INTERVAL_MS: String(options.stalledIntervalMs ?? 30_000),
    WORKER_SHUTDOWN_TIMEOUT_MS: String(options.shutdownTimeoutMs ?? 20_000),
  };
  const app = startChild("app", [APP_SERVER, BUILD_ENTRY], env);
  let worker: Child | undefined;
  // If the test process ends without stop() (a crash, a killed run), take the children with it.
  const killOnExit = () => {
    for (const child of [app, worker]) if (child && !child.hasExited()) child.process.kill("SIGKILL");
  };
  process.once("exit", killOnExit);
  // Children stopped on purpose; any other exit fails the next wait with the child's output.
  const stopping = new Set<Child>();
  let queue: { queue: JobQueue; prefix: string } | undefined;

  const assertChildrenAlive = () => {
    for (const child of [app, worker]) {
      if (child?.hasExited() && !stopping.has(child)) {
        throw new Error(`the ${child.name} process exited unexpectedly:\n${child.output()}`);
      }
    }
  };

  const waitUntil: PipelineHarness["waitUntil"] = (probe, { what = "the condition", timeoutMs = 20_000, intervalMs = 25 } = {}) =>
    waitFor(
      what,
      async () => {
        assertChildrenAlive();
        return probe();
      },
      { timeoutMs, intervalMs },
    );

  const testQueue = () => {
    queue ??= createRedisTestQueue(prefix);
    return queue.queue;
  };

  // Bull names a consuming connection after its prefix and queue: the worker is consuming once
  // Redis lists one for this run's webhooks queue (its signal handlers are installed by then).
  const consumers = async () => {
    const bull = testQueue().backend.bullQueue?.("webhooks");
    if (!bull) throw new Error("the test queue is not a Bull queue");
    return ((await bull.getWorkers()) ?? []).length;
  };

  const request = (pathAndQuery: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (!headers.has("User-Agent")) headers.set("User-Agent", BROWSER_USER_AGENT);
    return fetch(`${baseUrl}${pathAndQuery}`, { redirect: "manual", ...init, headers });
  };

  const harness: PipelineHarness = {
    baseUrl,
    prefix,

    async postWebhook(topic, shop, body, postOptions = {}) {
      const webhookId = postOptions.webhookId ?? randomUUID();
      const eventId = postOptions.eventId ?? randomUUID();
      const signed = signedWebhookRequest({ shop, topic, body, webhookId, secret: postOptions.secret, appUrl: baseUrl });
      signed.headers.set("X-Shopify-Event-Id", eventId);
      const response = await fetch(signed);
      // Drain the body so the connection goes back to the pool.
      await response.arrayBuffer();
      return { status: response.status, webhookId, eventId };
    },

    request,

    async startWorker() {
      if (worker && !worker.hasExited()) return;
      // A previous worker's connections must be gone, or they would pass for the new one's.
      await waitUntil(async () => (await consumers()) === 0, { what: "the previous worker's Redis connections to close" });
      // `node --import tsx` rather than the tsx CLI: one process, so a signal reaches the worker
      // itself and SIGKILL leaves no orphan behind.
      worker = startChild("worker", ["--import", "tsx", "server/worker.ts"], env);
      await waitUntil(async () => (await consumers()) > 0, { what: "the worker to consume the webhooks queue", timeoutMs: 60_000, intervalMs: 50 });
    },

    async stopWorker(signal) {
      if (!worker) throw new Error("the worker was never started");
      stopping.add(worker);
      return stopChild(worker, signal, 30_000);
    },

    workerRunning: () => worker !== undefined && !worker.hasExited(),

    waitUntil,

    async webhookQueueCounts() {
      return (await testQueue().queueCounts()).webhooks;
    },

    async failedWebhookJobs() {
      return testQueue().listFailedJobs("webhooks", 0, -1);
    },

    async stop() {
      const children = [worker, app].filter((c): c is Child => c !== undefined);
      for (const child of children) stopping.add(child);
      // The server only closes its listener on SIGTERM; the open PostgreSQL and Redis
      // connections keep the app process alive, so it gets a short grace before SIGKILL.
      await Promise.all(children.map((child) => stopChild(child, "SIGTERM", child === app ? 2_000 : 10_000)));
      process.removeListener("exit", killOnExit);
      await queue?.queue.close();
      await deleteRedisKeys(prefix);
    },
  };

  try {
    await harness.startWorker();
    await waitUntil(
      async () => {
        try {
          const response = await request("/healthz");
          await response.arrayBuffer();
          return response.status === 200;
        } catch {
          return false;
        }
      },
      { what: "the app's /healthz to answer 200", timeoutMs: 60_000, intervalMs: 100 },
    );
  } catch (error) {
    await harness.stop();
    throw error;
  }
  return harness;
}
