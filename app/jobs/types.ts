import type Bull from "bull";
import type { z } from "zod";
import type { AdminGateway } from "~/shopify/gateway.server";
import type { Logger } from "~/utils/logger.server";

/**
 * Separate queues so a backlog in one cannot starve another: Shopify webhooks must keep flowing
 * while a bulk import or an expiry sweep grinds through thousands of members.
 */
export const QUEUE_NAMES = ["webhooks", "default", "bulk"] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export const JOB_DEFAULTS = {
  queue: "default",
  attempts: 8,
  backoffDelayMs: 2000,
} as const satisfies { queue: QueueName; attempts: number; backoffDelayMs: number };

/** Bull's `removeOnComplete`: completed jobs stay visible (and deduplicate their jobId) this long. */
export const COMPLETED_RETENTION = { ageSeconds: 24 * 60 * 60, count: 10_000 } as const;

/** Every payload names its shop; the rest are ids (STYLE §7). */
export type JobPayload = { shop: string };

export interface JobContext {
  /** The queue's id for this job: stable across retries, usable as an idempotency key. */
  jobId: string;
  /** 1 on the first run, 2 on the first retry… */
  attempt: number;
  maxAttempts: number;
  /** Child logger already bound to job id, job name and shop. */
  logger: Logger;
  /**
   * The Admin API gateway of a shop, from its offline session. Given by the runner: the job that
   * runs after OAuth is enqueued by app/shopify.server.ts, so it cannot import what imports that.
   */
  gatewayForShop(shop: string): Promise<AdminGateway>;
}

export interface JobBackoff {
  type: "exponential";
  /** Delay before the first retry; each further retry waits twice as long as the previous one. */
  delayMs: number;
}

export interface JobDefinition<Input = unknown, Payload extends JobPayload = JobPayload> {
  readonly name: string;
  readonly queue: QueueName;
  readonly schema: z.ZodType<Payload, Input>;
  readonly attempts: number;
  readonly backoff: Readonly<JobBackoff>;
  readonly handler: (payload: Payload, ctx: JobContext) => Promise<void>;
}

// The registry holds definitions of every payload type; handler parameters make them invariant.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyJobDefinition = JobDefinition<any, any>;

export interface EnqueueOptions {
  /**
   * Idempotency key, e.g. derived from the webhook id. It is namespaced by the job name, so two
   * jobs fed by the same event never swallow each other.
   */
  jobId: string;
  delayMs?: number;
  /**
   * Find out whether a job with this id already existed (`duplicate`). Default true; false saves
   * a Redis round trip for callers that do not care (the webhook intake, postings): the job is
   * enqueued once either way.
   */
  reportDuplicate?: boolean;
}

export interface EnqueueResult {
  /** The queue's id for the job (`<job name>:<jobId>`), as listed by `listFailedJobs`. */
  jobId: string;
  /** True when a job with this id already existed: nothing new was enqueued. Null when not asked (reportDuplicate: false). */
  duplicate: boolean | null;
}

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
  paused: number;
}

export type JobState = "waiting" | "active" | "delayed" | "completed" | "failed" | "paused";

export interface JobStatus {
  id: string;
  name: string;
  queue: QueueName;
  state: JobState;
  attemptsMade: number;
  maxAttempts: number;
  failedReason: string | null;
}

export interface FailedJob {
  id: string;
  name: string;
  queue: QueueName;
  shop: string | null;
  /** Ids only by construction (enqueue refuses personal data), so safe to show staff. */
  payload: Record<string, unknown>;
  failedReason: string;
  attemptsMade: number;
  maxAttempts: number;
  /** Stopped before using its attempts: a terminal error (or a job that kept stalling a worker). */
  terminal: boolean;
  enqueuedAt: Date;
  failedAt: Date | null;
}

/** What a backend hands the job runner: enough to run the handler and to stop retries. */
export interface RunnableJob {
  id: string;
  name: string;
  queue: QueueName;
  data: unknown;
  /** Attempts finished before this one. */
  attemptsMade: number;
  maxAttempts: number;
  /** Fail this job for good when the current attempt throws, whatever attempts remain. */
  discard(): void;
}

export type JobRunner = (job: RunnableJob) => Promise<void>;

export interface AddJobOptions {
  jobId: string;
  delayMs: number;
  reportDuplicate: boolean;
  attempts: number;
  backoff: JobBackoff;
}

/**
 * Storage and delivery of jobs: Bull on Redis in every real deployment, an in-memory twin for the
 * local demo. Payloads arrive here already validated (see JobQueue in queue.server.ts).
 */
export interface QueueBackend {
  readonly kind: "redis" | "in-process";
  add(queue: QueueName, name: string, data: JobPayload, opts: AddJobOptions): Promise<EnqueueResult>;
  ping(): Promise<boolean>;
  counts(queue: QueueName): Promise<QueueCounts>;
  getJobStatus(queue: QueueName, jobId: string): Promise<JobStatus | null>;
  listFailed(queue: QueueName, start: number, end: number): Promise<FailedJob[]>;
  retryFailed(queue: QueueName, jobId: string): Promise<void>;
  /** Start delivering jobs of these queues to `run`, at most `concurrency` at a time per queue. */
  startProcessing(queues: readonly QueueName[], concurrency: number, run: JobRunner): Promise<void>;
  /**
   * Take no new jobs; wait up to `timeoutMs` for running ones. `drained` is false when some were
   * still running at the deadline (Bull's stalled-job check later hands them to another worker).
   */
  stopProcessing(timeoutMs: number): Promise<{ drained: boolean }>;
  close(): Promise<void>;
  /** Redis backend only: its enqueue-side Bull queue, for tooling that needs Bull's own API. */
  bullQueue?(queue: QueueName): Bull.Queue;
}
