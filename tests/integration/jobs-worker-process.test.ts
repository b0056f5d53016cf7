import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerJob } from "~/jobs/registry.server";
import type { JobQueue } from "~/jobs/queue.server";
import { WORKER_TEST_MARKER_ACTION, workerTestSlowJob } from "~/jobs/worker-test-jobs.server";
import { prisma } from "../helpers/db";
import { createRedisTestQueue, deleteRedisKeys, testShopDomain, uniqueQueuePrefix, waitFor } from "../helpers/jobs";

// `npm run worker` for real: server/worker.ts in a child process on the test Redis and database,
// stopped with SIGTERM while jobs are running.

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const JOB_MS = 2000;

interface RunningChild {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function spawnWorker(prefix: string): RunningChild {
  const child = spawn(process.execPath, ["--import", "tsx", "server/worker.ts"], {
    cwd: repoRoot,
    env: {
      ...process.env,
      LOYALNEST_WORKER_TEST_JOBS: "1",
      BULL_PREFIX: prefix,
      WORKER_CONCURRENCY: "2",
      WORKER_SHUTDOWN_TIMEOUT_MS: "20000",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal, stderr }));
  });
  return { child, exited };
}

describe("the worker process (server/worker.ts)", () => {
  const prefix = uniqueQueuePrefix("sigterm");
  const shop = testShopDomain();
  let queue: JobQueue;
  const children: RunningChild[] = [];

  beforeAll(() => {
    // The test enqueues the same job the child registers under LOYALNEST_WORKER_TEST_JOBS=1.
    registerJob(workerTestSlowJob);
    queue = createRedisTestQueue(prefix).queue;
  });

  afterAll(async () => {
    for (const { child } of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await queue.close();
    await deleteRedisKeys(prefix);
    await prisma.auditLog.deleteMany({ where: { shop } });
  });

  async function markers() {
    const rows = await prisma.auditLog.findMany({ where: { shop, action: WORKER_TEST_MARKER_ACTION }, select: { subjectId: true } });
    return rows.map((r) => r.subjectId ?? "").sort();
  }

  it("on SIGTERM finishes running jobs, leaves the rest waiting, exits 0; a second worker finishes them, each exactly once", async () => {
    const markerIds = Array.from({ length: 6 }, (_, i) => `marker-${i}`);
    for (const markerId of markerIds) {
      await queue.enqueue(workerTestSlowJob, { shop, markerId, sleepMs: JOB_MS }, { jobId: markerId });
    }

    const first = spawnWorker(prefix);
    children.push(first);
    await waitFor(
      "the first worker to take two jobs",
      async () => {
        const { active, completed } = (await queue.queueCounts()).default;
        if (completed > 0) throw new Error("a job completed before SIGTERM: the test's timing assumption broke");
        return active === 2;
      },
      { timeoutMs: 20_000 },
    );
    first.child.kill("SIGTERM");
    const firstExit = await first.exited;
    expect(firstExit, firstExit.stderr).toMatchObject({ code: 0, signal: null });

    // The two running jobs completed (their effect happened once); the other four were not taken.
    expect((await queue.queueCounts()).default).toMatchObject({ completed: 2, active: 0, waiting: 4, failed: 0, delayed: 0 });
    const doneByFirst = await markers();
    expect(doneByFirst).toHaveLength(2);

    const second = spawnWorker(prefix);
    children.push(second);
    await waitFor("the second worker to finish the rest", async () => (await queue.queueCounts()).default.completed === 6, { timeoutMs: 30_000 });
    second.child.kill("SIGTERM");
    const secondExit = await second.exited;
    expect(secondExit, secondExit.stderr).toMatchObject({ code: 0, signal: null });

    expect(await markers()).toEqual(markerIds);
    expect((await queue.queueCounts()).default).toMatchObject({ completed: 6, active: 0, waiting: 0, failed: 0, delayed: 0 });
  }, 90_000);

  it("refuses to start without REDIS_URL (the demo runs jobs in the app process instead)", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "server/worker.ts"], {
      cwd: repoRoot,
      env: { ...process.env, REDIS_URL: "", DEMO: "1", HOST: "127.0.0.1" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(/The worker needs REDIS_URL/);
  }, 30_000);
});
