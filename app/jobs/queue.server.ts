import type Bull from "bull";
import { config } from "~/config.server";
import { logger } from "~/utils/logger.server";
import { UnknownJobError } from "./errors";
import { createInProcessQueueBackend } from "./in-process-queue.server";
import { validateEnqueueOptions, validateJobPayload } from "./payload.server";
import { createRedisQueueBackend } from "./redis-queue.server";
import { isJobDefinition } from "./registry.server";
import {
  QUEUE_NAMES,
  type AnyJobDefinition,
  type EnqueueOptions,
  type EnqueueResult,
  type FailedJob,
  type JobDefinition,
  type JobPayload,
  type JobStatus,
  type QueueBackend,
  type QueueCounts,
  type QueueName,
} from "./types";

// The enqueue side of background jobs (the worker side is server/worker.ts). The webhook intake
// and job handlers call `enqueue` with a job's definition, always awaited: when Redis is down it
// throws and the caller fails loudly (a webhook then gets a 5xx and Shopify retries) instead of
// dropping the work. Services never enqueue: they return what should happen next.

export class JobQueue {
  private warnedNoWorker = false;

  constructor(readonly backend: QueueBackend) {}

  get kind(): QueueBackend["kind"] {
    return this.backend.kind;
  }

  async enqueue<Input, Payload extends JobPayload>(job: JobDefinition<Input, Payload>, payload: Input, options: EnqueueOptions): Promise<EnqueueResult> {
    const definition = resolve(job);
    const data = validateJobPayload(definition, payload);
    const { jobId, delayMs } = validateEnqueueOptions(definition.name, options);
    const result = await this.backend.add(definition.queue, definition.name, data, {
      jobId,
      delayMs,
      reportDuplicate: options.reportDuplicate ?? true,
      attempts: definition.attempts,
      backoff: definition.backoff,
    });
    if (logger.isLevelEnabled("debug")) {
      logger.debug({ jobId: result.jobId, job: definition.name, queue: definition.queue, shop: data.shop, duplicate: result.duplicate, delayMs }, "job enqueued");
    }
    if (this.backend.kind === "in-process" && !this.warnedNoWorker) {
      this.warnedNoWorker = true;
      logger.info("jobs run in this process (no REDIS_URL)");
    }
    return result;
  }

  pingQueue(): Promise<boolean> {
    return this.backend.ping();
  }

  async queueCounts(): Promise<Record<QueueName, QueueCounts>> {
    const counts = await Promise.all(QUEUE_NAMES.map((name) => this.backend.counts(name)));
    return Object.fromEntries(QUEUE_NAMES.map((name, i) => [name, counts[i]])) as Record<QueueName, QueueCounts>;
  }

  /** Newest first; `start`/`end` are inclusive indexes as in Bull (0, 49 = the 50 latest). */
  listFailedJobs(queue: QueueName, start = 0, end = 49): Promise<FailedJob[]> {
    return this.backend.listFailed(assertQueue(queue), start, end);
  }

  /** Put a failed job back in its queue (staff action after fixing the cause). */
  retryFailedJob(queue: QueueName, jobId: string): Promise<void> {
    return this.backend.retryFailed(assertQueue(queue), jobId);
  }

  getJobStatus(queue: QueueName, jobId: string): Promise<JobStatus | null> {
    return this.backend.getJobStatus(assertQueue(queue), jobId);
  }

  close(): Promise<void> {
    return this.backend.close();
  }

}

function resolve(job: unknown): AnyJobDefinition {
  if (!isJobDefinition(job)) throw new UnknownJobError(String((job as { name?: unknown } | null)?.name ?? job));
  return job;
}

function assertQueue(queue: QueueName): QueueName {
  if (!(QUEUE_NAMES as readonly string[]).includes(queue)) throw new Error(`Unknown queue "${queue}"`);
  return queue;
}

let current: JobQueue | undefined;

/** The process's queue, chosen from config once: Bull on REDIS_URL, in-process only in the local demo. */
export function jobQueue(): JobQueue {
  if (!current) {
    const cfg = config();
    if (cfg.REDIS_URL) {
      current = new JobQueue(
        createRedisQueueBackend({
          redisUrl: cfg.REDIS_URL,
          prefix: cfg.BULL_PREFIX,
          lockDurationMs: cfg.BULL_LOCK_DURATION_MS,
          stalledIntervalMs: cfg.BULL_STALLED_INTERVAL_MS,
        }),
      );
    } else if (cfg.DEMO && cfg.NODE_ENV !== "production") {
      current = new JobQueue(createInProcessQueueBackend());
    } else {
      throw new Error("REDIS_URL is not set: background jobs need Redis (only the local demo, DEMO=1, runs them in-process)");
    }
  }
  return current;
}

export function enqueue<Input, Payload extends JobPayload>(job: JobDefinition<Input, Payload>, payload: Input, options: EnqueueOptions): Promise<EnqueueResult> {
  return jobQueue().enqueue(job, payload, options);
}

/** For /healthz: true when Redis answers PING within a second. Never throws. */
export async function pingQueue(): Promise<boolean> {
  try {
    return await jobQueue().pingQueue();
  } catch {
    return false;
  }
}

export function queueCounts(): Promise<Record<QueueName, QueueCounts>> {
  return jobQueue().queueCounts();
}

export function listFailedJobs(queue: QueueName, start?: number, end?: number): Promise<FailedJob[]> {
  return jobQueue().listFailedJobs(queue, start, end);
}

export function retryFailedJob(queue: QueueName, jobId: string): Promise<void> {
  return jobQueue().retryFailedJob(queue, jobId);
}

export function getJobStatus(queue: QueueName, jobId: string): Promise<JobStatus | null> {
  return jobQueue().getJobStatus(queue, jobId);
}

/**
 * The Bull queue itself, for tooling that needs Bull's own API. Only with Redis; the demo's
 * in-process queue has no Bull object.
 */
export function getQueue(name: QueueName): Bull.Queue {
  const { backend } = jobQueue();
  if (!backend.bullQueue) throw new Error("getQueue needs Redis: the in-process demo queue has no Bull queue");
  return backend.bullQueue(assertQueue(name));
}

/** Close the process's queue and its Redis connections (worker shutdown, end of a test file). */
export async function closeQueues(): Promise<void> {
  const closing = current;
  current = undefined;
  await closing?.close();
}

/** Tests only: route the module-level functions to a queue of the test's own (e.g. its own key prefix). */
export function setJobQueueForTests(queue: JobQueue | undefined): void {
  if (config().NODE_ENV !== "test") throw new Error("setJobQueueForTests is for tests only");
  current = queue;
}
