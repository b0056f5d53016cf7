import { config } from "~/config.server";
import { gatewayForShop } from "~/services/shop-gateway.server";
import { appJobs } from "./index.server";
import { jobQueue, type JobQueue } from "./queue.server";
import { registeredQueues, registerJob } from "./registry.server";
import { createJobRunner } from "./run-job.server";
import type { QueueName } from "./types";
import { logger as rootLogger, type Logger } from "~/utils/logger.server";

// Consumes every queue that has registered jobs, with the same registry the app enqueues from.
// `npm run worker` (server/worker.ts) runs it on Bull; in the local demo without Redis the web
// process runs it on the in-process queue (app/jobs/in-app-worker.server.ts).

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
  // Registered here as well as by index.server's own import: a used import survives the app
  // bundle's tree shaking (package.json sideEffects: false), a bare one would not.
  for (const job of appJobs) registerJob(job);
  const queue = options.queue ?? jobQueue();
  const queues = options.queues ?? registeredQueues();
  const concurrency = options.concurrency ?? cfg.WORKER_CONCURRENCY;
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? cfg.WORKER_SHUTDOWN_TIMEOUT_MS;
  const log = (options.logger ?? rootLogger).child({ component: "worker" });
  if (queues.length === 0) throw new Error("No jobs are registered: nothing for the worker to run (see app/jobs/index.server.ts)");
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error("concurrency must be a positive integer");

  await queue.backend.startProcessing(queues, concurrency, createJobRunner(log, { gatewayForShop }));
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

