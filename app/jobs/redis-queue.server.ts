import { randomUUID } from "node:crypto";
import Bull from "bull";
import { Redis, type RedisOptions } from "ioredis";
import { logger as rootLogger } from "~/utils/logger.server";
import { JobNotFoundError } from "./errors";
import {
  COMPLETED_RETENTION,
  QUEUE_NAMES,
  type AddJobOptions,
  type EnqueueResult,
  type FailedJob,
  type JobPayload,
  type JobRunner,
  type JobState,
  type JobStatus,
  type QueueBackend,
  type QueueCounts,
  type QueueName,
} from "./types";

export interface RedisQueueBackendOptions {
  redisUrl: string;
  /** Bull key prefix: separates deployments (or parallel test runs) that share one Redis. */
  prefix: string;
  /** How long a running job's lock lasts; the worker renews it every half of that. Default 30 s. */
  lockDurationMs?: number;
  /** How often the worker looks for jobs whose lock expired (their worker died). Default 30 s. */
  stalledIntervalMs?: number;
}

const PING_TIMEOUT_MS = 1000;
const STACK_TRACE_LIMIT = 10;

/**
 * Bull's own fields this module relies on, absent from its type declarations: the worker's lock
 * token and the queue's key names.
 */
type BullInternals = { token: string; keys: Record<"active" | "wait" | "paused" | "meta-paused", string>; toKey(name: string): string };

// A job that completes while its queue is closing may already have fetched its successor
// (moveToFinished moves the next job to `active` and locks it with the worker's token in the same
// call); the closing queue then drops that job unstarted. Left there it would sit until its lock
// expired and then count as stalled — and a second stall fails a job for good. Once every running
// job of the stopped worker has finished, the jobs still locked with its token are exactly those
// dropped ones: put them back at the head of the queue (or of the paused list) and release the lock.
const RELEASE_UNSTARTED_JOBS = `
local target = KEYS[2]
if redis.call("EXISTS", KEYS[4]) == 1 then target = KEYS[3] end
local released = 0
for _, jobId in ipairs(redis.call("LRANGE", KEYS[1], 0, -1)) do
  local lockKey = ARGV[1] .. jobId .. ":lock"
  if redis.call("GET", lockKey) == ARGV[2] then
    redis.call("LREM", KEYS[1], 1, jobId)
    redis.call("RPUSH", target, jobId)
    redis.call("DEL", lockKey)
    released = released + 1
  end
end
return released`;

// Stored in the job's options so an enqueue can tell whether it created the job or met an
// existing one, even when several enqueues of one jobId race (Bull keeps the first, atomically).
type LoyalnestJobOptions = Bull.JobOptions & { enqueueToken?: string };

/**
 * Bull's connection reuse pattern: one command connection and one subscriber shared by every
 * queue of this backend, and a blocking connection per consuming queue (BRPOPLPUSH holds its
 * connection). The web process therefore uses a single connection however many queues it feeds.
 */
class RedisConnections {
  private client: Redis | undefined;
  private subscriber: Redis | undefined;
  private readonly blocking = new Set<Redis>();

  constructor(
    private readonly url: string,
    private readonly log: typeof rootLogger,
  ) {}

  shared(type: "client" | "subscriber"): Redis {
    if (type === "client") {
      // A few retries, then the command fails: an enqueue from a webhook must error quickly when
      // Redis is down (Shopify retries the delivery) rather than hang in the offline queue.
      // Auto-pipelining: the commands issued in one turn of the event loop (concurrent webhooks'
      // enqueues, concurrent jobs' completions) leave in one socket write, which on a small VM
      // costs more CPU than Redis spends on the commands.
      this.client ??= this.open("client", { maxRetriesPerRequest: 3, enableAutoPipelining: true });
      return this.client;
    }
    // Bull refuses subscriber/blocking connections that give up on commands or wait for INFO.
    this.subscriber ??= this.open("subscriber", { maxRetriesPerRequest: null, enableReadyCheck: false });
    return this.subscriber;
  }

  newBlocking(): Redis {
    const connection = this.open("bclient", { maxRetriesPerRequest: null, enableReadyCheck: false });
    this.blocking.add(connection);
    return connection;
  }

  closeBlocking(connection: Redis): void {
    this.blocking.delete(connection);
    connection.disconnect();
  }

  async closeAll(): Promise<void> {
    const all = [this.client, this.subscriber, ...this.blocking].filter((c): c is Redis => c !== undefined);
    this.client = undefined;
    this.subscriber = undefined;
    this.blocking.clear();
    await Promise.all(all.map((c) => quit(c)));
  }

  private open(role: string, options: RedisOptions): Redis {
    const connection = new Redis(this.url, { connectionName: `loyalnest:${role}`, ...options });
    // Each queue using a shared connection adds its own listeners.
    connection.setMaxListeners(4 * QUEUE_NAMES.length + 10);
    connection.on("error", (err: Error) => this.log.warn({ err, role }, "redis connection error"));
    return connection;
  }
}

async function quit(connection: Redis): Promise<void> {
  if (connection.status === "end") return;
  try {
    await withTimeout(connection.quit(), 1000);
  } catch {
    // Unreachable or slow Redis: drop the socket instead of waiting on it.
  } finally {
    connection.disconnect();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function toFailedJob(queue: QueueName, job: Bull.Job): FailedJob {
  const payload = (job.data ?? {}) as Record<string, unknown>;
  const maxAttempts = job.opts.attempts ?? 1;
  return {
    id: String(job.id),
    name: job.name,
    queue,
    shop: typeof payload.shop === "string" ? payload.shop : null,
    payload,
    failedReason: job.failedReason ?? "unknown reason",
    attemptsMade: job.attemptsMade,
    maxAttempts,
    terminal: job.attemptsMade < maxAttempts,
    enqueuedAt: new Date(job.timestamp),
    failedAt: job.finishedOn ? new Date(job.finishedOn) : null,
  };
}

export function createRedisQueueBackend(options: RedisQueueBackendOptions): QueueBackend {
  const log = rootLogger.child({ component: "queue", prefix: options.prefix });
  const connections = new RedisConnections(options.redisUrl, log);
  // Enqueue side and worker side use separate Queue objects: stopping the worker must not stop
  // a process (the demo, a test) from enqueuing.
  const producers = new Map<QueueName, Bull.Queue>();
  let consumers: { queue: Bull.Queue; blocking: Redis[] }[] = [];

  function newQueue(name: QueueName, blocking: Redis[]): Bull.Queue {
    return new Bull(name, {
      prefix: options.prefix,
      settings: { lockDuration: options.lockDurationMs ?? 30_000, stalledInterval: options.stalledIntervalMs ?? 30_000 },
      createClient: (type) => {
        if (type === "bclient") {
          const connection = connections.newBlocking();
          blocking.push(connection);
          return connection;
        }
        return connections.shared(type);
      },
    });
  }

  function producer(name: QueueName): Bull.Queue {
    let queue = producers.get(name);
    if (!queue) {
      queue = newQueue(name, []);
      queue.on("error", (err: Error) => log.error({ err, queue: name }, "queue error"));
      producers.set(name, queue);
    }
    return queue;
  }

  return {
    kind: "redis",

    async add(queueName: QueueName, name: string, data: JobPayload, opts: AddJobOptions): Promise<EnqueueResult> {
      const queue = producer(queueName);
      const enqueueToken = randomUUID();
      const jobOptions: LoyalnestJobOptions = {
        jobId: opts.jobId,
        delay: opts.delayMs > 0 ? opts.delayMs : undefined,
        attempts: opts.attempts,
        backoff: { type: "exponential", delay: opts.backoff.delayMs },
        removeOnComplete: { age: COMPLETED_RETENTION.ageSeconds, count: COMPLETED_RETENTION.count },
        removeOnFail: false,
        stackTraceLimit: STACK_TRACE_LIMIT,
        enqueueToken,
      };
      await queue.add(name, data, jobOptions);
      if (!opts.reportDuplicate) return { jobId: opts.jobId, duplicate: null };
      const stored = await queue.getJob(opts.jobId);
      // null only if the job already ran and was pruned in between; it was accepted either way.
      const duplicate = stored !== null && (stored.opts as LoyalnestJobOptions).enqueueToken !== enqueueToken;
      return { jobId: opts.jobId, duplicate };
    },

    async ping(): Promise<boolean> {
      const client = connections.shared("client");
      try {
        return (await withTimeout(client.ping(), PING_TIMEOUT_MS)) === "PONG";
      } catch {
        return false;
      }
    },

    async counts(queueName: QueueName): Promise<QueueCounts> {
      const counts = (await producer(queueName).getJobCounts()) as Bull.JobCounts & { paused?: number };
      return {
        waiting: counts.waiting,
        active: counts.active,
        delayed: counts.delayed,
        failed: counts.failed,
        completed: counts.completed,
        paused: counts.paused ?? 0,
      };
    },

    async getJobStatus(queueName: QueueName, jobId: string): Promise<JobStatus | null> {
      const job = await producer(queueName).getJob(jobId);
      if (!job) return null;
      const state = await job.getState();
      return {
        id: String(job.id),
        name: job.name,
        queue: queueName,
        // "stuck" means in no list at all: only seen mid-transition, closest to waiting.
        state: state === "stuck" ? "waiting" : (state as JobState),
        attemptsMade: job.attemptsMade,
        maxAttempts: job.opts.attempts ?? 1,
        failedReason: job.failedReason ?? null,
      };
    },

    async listFailed(queueName: QueueName, start: number, end: number): Promise<FailedJob[]> {
      const jobs = await producer(queueName).getFailed(start, end);
      return jobs.filter((job): job is Bull.Job => job !== null).map((job) => toFailedJob(queueName, job));
    },

    async retryFailed(queueName: QueueName, jobId: string): Promise<void> {
      const job = await producer(queueName).getJob(jobId);
      if (!job) throw new JobNotFoundError(queueName, jobId);
      if (!(await job.isFailed())) throw new Error(`Job "${jobId}" in queue "${queueName}" has not failed`);
      // Bull keeps attemptsMade: a job that exhausted its attempts gets exactly one more run.
      await job.retry();
    },

    async startProcessing(queues: readonly QueueName[], concurrency: number, run: JobRunner): Promise<void> {
      if (consumers.length > 0) throw new Error("This queue backend is already processing jobs");
      for (const name of queues) {
        const blocking: Redis[] = [];
        const queue = newQueue(name, blocking);
        queue.on("error", (err: Error) => log.error({ err, queue: name }, "worker queue error"));
        queue.on("stalled", (job: Bull.Job) => log.warn({ jobId: job.id, job: job.name, queue: name }, "job stalled: its worker died or blocked; rerunning it"));
        queue.on("failed", (job: Bull.Job, err: Error) => {
          // Handler failures are logged by the job runner; this one is Bull's own verdict.
          if (err?.message === "job stalled more than allowable limit") log.error({ jobId: job?.id, job: job?.name, queue: name }, "job failed: it stalled its worker too many times");
        });
        queue.on("lock-extension-failed", (job: Bull.Job, err: Error) => log.warn({ err, jobId: job.id, job: job.name, queue: name }, "could not extend job lock"));
        consumers.push({ queue, blocking });
        // The returned promise settles only when processing stops; failures arrive as "error" events.
        queue
          .process("*", concurrency, (job: Bull.Job) =>
            run({
              id: String(job.id),
              name: job.name,
              queue: name,
              data: job.data,
              attemptsMade: job.attemptsMade,
              maxAttempts: job.opts.attempts ?? 1,
              discard: () => job.discard(),
            }),
          )
          .catch((err: Error) => log.error({ err, queue: name }, "worker stopped processing"));
        await queue.isReady();
      }
    },

    async stopProcessing(timeoutMs: number): Promise<{ drained: boolean }> {
      const stopping = consumers;
      consumers = [];
      // Queue#close pauses locally (no new job is taken, the blocking read is aborted), waits for
      // running jobs, then stops timers.
      const closed = Promise.all(stopping.map(({ queue }) => queue.close()));
      const closeBlocking = () => {
        for (const connection of stopping.flatMap(({ blocking }) => blocking)) connections.closeBlocking(connection);
      };
      // Bull reconnects the blocking connection while closing; once it is done, close it for good.
      void closed.then(closeBlocking, closeBlocking);
      let drained = true;
      try {
        await withTimeout(closed, timeoutMs);
      } catch {
        drained = false;
      }
      closeBlocking();
      // Only when nothing of ours still runs: a running job's lock must stay with it.
      if (drained) {
        for (const { queue } of stopping) {
          const bull = queue as unknown as BullInternals;
          const { keys } = bull;
          try {
            const released = Number(await connections.shared("client").eval(
              RELEASE_UNSTARTED_JOBS, 4, keys.active, keys.wait, keys.paused, keys["meta-paused"], bull.toKey(""), bull.token,
            ));
            if (released > 0) log.info({ queue: queue.name, released }, "returned jobs fetched during shutdown to the queue");
          } catch (err) {
            // They are not lost: their lock expires and Bull's stalled check reruns them.
            log.warn({ err, queue: queue.name }, "could not return jobs fetched during shutdown; they rerun once their lock expires");
          }
        }
      }
      return { drained };
    },

    bullQueue(queueName: QueueName): Bull.Queue {
      return producer(queueName);
    },

    async close(): Promise<void> {
      if (consumers.length > 0) await this.stopProcessing(0);
      const queues = [...producers.values()];
      producers.clear();
      await Promise.all(queues.map((q) => q.close().catch(() => undefined)));
      await connections.closeAll();
    },
  };
}
