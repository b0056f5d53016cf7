import path from "node:path";
import { pathToFileURL } from "node:url";
import { config } from "~/config.server";
import prisma from "~/db.server";
import "~/jobs/index.server";
import { closeQueues, jobQueue, type JobQueue } from "~/jobs/queue.server";
import { registeredQueues } from "~/jobs/registry.server";
import { createJobRunner } from "~/jobs/run-job.server";
import type { QueueName } from "~/jobs/types";
import { logger as rootLogger, type Logger } from "~/utils/logger.server";

// The background worker (`npm run worker`): consumes every queue that has registered jobs, with
// the same registry the app enqueues from. On SIGTERM/SIGINT it takes no new jobs, lets running
// ones finish (bounded by WORKER_SHUTDOWN_TIMEOUT_MS), closes Redis and PostgreSQL and exits 0.
// A job still running at the deadline keeps its Redis lock until it expires; Bull's stalled-job
// check then hands it to another worker, so nothing is lost (handlers are idempotent).

export interface StartWorkerOptions {
  /** Default: the process's queue (jobQueue()). */
  queue?: JobQueue;
  /** Default: every queue with at least one registered job. */
  queues?: QueueName[];
  /** Jobs run at once per queue. Default: WORKER_CONCURRENCY. */
  concurrency?: number;
  /** How long stop() waits for running jobs. Default: WORKER_SHUTDOWN_TIMEOUT_MS. */
  shutdownTimeoutMs?: number;
  logger?: Logger;
}

export interface RunningWorker {
  readonly queues: readonly QueueName[];
  /** Take no new jobs and wait (bounded) for running ones. Does not close Redis or PostgreSQL. */
  stop(): Promise<void>;
}

export async function startWorker(options: StartWorkerOptions = {}): Promise<RunningWorker> {
  const cfg = config();
  const queue = options.queue ?? jobQueue();
  const queues = options.queues ?? registeredQueues();
  const concurrency = options.concurrency ?? cfg.WORKER_CONCURRENCY;
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? cfg.WORKER_SHUTDOWN_TIMEOUT_MS;
  const log = (options.logger ?? rootLogger).child({ component: "worker" });
  if (queues.length === 0) throw new Error("No jobs are registered: nothing for the worker to run (see app/jobs/index.server.ts)");
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error("concurrency must be a positive integer");

  await queue.backend.startProcessing(queues, concurrency, createJobRunner(log));
  log.info({ queues, concurrency, backend: queue.kind }, "worker started");

  let stopping: Promise<void> | undefined;
  return {
    queues,
    stop() {
      stopping ??= (async () => {
        log.info({ shutdownTimeoutMs }, "worker stopping: taking no new jobs, waiting for running ones");
        const { drained } = await queue.backend.stopProcessing(shutdownTimeoutMs);
        if (drained) log.info("worker stopped: every running job finished");
        else log.warn({ shutdownTimeoutMs }, "worker stopped with jobs still running: their locks expire and another worker reruns them");
      })();
      return stopping;
    },
  };
}

async function main(): Promise<void> {
  const cfg = config();
  if (!cfg.REDIS_URL) {
    console.error("The worker needs REDIS_URL. In the local demo (no Redis) jobs run inside the app process instead.");
    process.exit(1);
  }
  const log = rootLogger.child({ pid: process.pid });
  let shuttingDown = false;

  const shutdown = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      log.warn({ signal }, "second signal during shutdown: exiting now");
      process.exit(1);
    }
    shuttingDown = true;
    log.info({ signal }, "shutdown requested");
    void (async () => {
      let exitCode = 0;
      try {
        // A signal during startup still waits for the worker to exist, so it can be stopped cleanly.
        await (await starting).stop();
      } catch (err) {
        log.error({ err }, "error while stopping the worker");
        exitCode = 1;
      }
      await Promise.allSettled([closeQueues(), prisma.$disconnect()]);
      log.info({ exitCode }, "worker exited");
      process.exit(exitCode);
    })();
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);

  // Handlers run on a later tick, by which time `starting` exists.
  const starting = startWorker({ logger: log });
  await starting;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (invokedDirectly) {
  main().catch((err: unknown) => {
    console.error("worker failed to start:", err);
    process.exit(1);
  });
}
