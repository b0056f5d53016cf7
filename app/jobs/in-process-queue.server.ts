import { JobNotFoundError } from "./errors";
import {
  COMPLETED_RETENTION,
  QUEUE_NAMES,
  type AddJobOptions,
  type EnqueueResult,
  type FailedJob,
  type JobBackoff,
  type JobPayload,
  type JobRunner,
  type JobStatus,
  type QueueBackend,
  type QueueCounts,
  type QueueName,
} from "./types";

// The local demo's queue (no Redis): Bull's semantics kept in memory so the app behaves the same.
// jobId deduplication, attempts with exponential backoff, terminal failures, failed jobs kept and
// retryable. Jobs do not survive a restart, which is why production refuses to run without Redis.

type EntryState = "waiting" | "active" | "delayed" | "completed" | "failed";

interface Entry {
  id: string;
  name: string;
  queue: QueueName;
  data: JobPayload;
  attempts: number;
  backoff: JobBackoff;
  attemptsMade: number;
  state: EntryState;
  failedReason: string | null;
  stacktrace: string[];
  terminal: boolean;
  discarded: boolean;
  timestamp: number;
  finishedOn: number | null;
}

/** Bull's built-in exponential backoff: delay × (2^attemptsMade − 1). */
export function exponentialBackoffMs(delayMs: number, attemptsMade: number): number {
  return Math.round((2 ** attemptsMade - 1) * delayMs);
}

class InProcessQueue {
  readonly entries = new Map<string, Entry>();
  readonly waiting: string[] = [];
  readonly completed: string[] = [];
  readonly running = new Set<Promise<void>>();
}

export function createInProcessQueueBackend(): QueueBackend {
  const queues = new Map<QueueName, InProcessQueue>(QUEUE_NAMES.map((name) => [name, new InProcessQueue()]));
  const timers = new Set<NodeJS.Timeout>();
  let processing: { queues: Set<QueueName>; concurrency: number; run: JobRunner } | undefined;

  function queueOf(name: QueueName): InProcessQueue {
    const queue = queues.get(name);
    if (!queue) throw new Error(`Unknown queue "${name}"`);
    return queue;
  }

  function later(ms: number, fn: () => void) {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    // A pending retry must not keep a finished process alive; the demo server keeps it alive.
    timer.unref();
    timers.add(timer);
  }

  function makeWaiting(entry: Entry) {
    entry.state = "waiting";
    queueOf(entry.queue).waiting.push(entry.id);
    pump(entry.queue);
  }

  function pump(name: QueueName) {
    if (!processing?.queues.has(name)) return;
    const queue = queueOf(name);
    while (queue.running.size < processing.concurrency && queue.waiting.length > 0) {
      const id = queue.waiting.shift() as string;
      const entry = queue.entries.get(id);
      if (entry?.state !== "waiting") continue;
      const running: Promise<void> = execute(entry, processing.run).finally(() => {
        queue.running.delete(running);
        pump(name);
      });
      queue.running.add(running);
    }
  }

  async function execute(entry: Entry, run: JobRunner): Promise<void> {
    entry.state = "active";
    entry.discarded = false;
    try {
      await run({
        id: entry.id,
        name: entry.name,
        queue: entry.queue,
        data: structuredClone(entry.data),
        attemptsMade: entry.attemptsMade,
        maxAttempts: entry.attempts,
        discard: () => {
          entry.discarded = true;
        },
      });
      entry.state = "completed";
      entry.finishedOn = Date.now();
      recordCompleted(entry);
    } catch (thrown) {
      const error = thrown instanceof Error ? thrown : new Error(String(thrown));
      entry.attemptsMade += 1;
      entry.stacktrace = [...entry.stacktrace, error.stack ?? error.message].slice(-10);
      entry.failedReason = error.message;
      if (!entry.discarded && entry.attemptsMade < entry.attempts) {
        entry.state = "delayed";
        later(exponentialBackoffMs(entry.backoff.delayMs, entry.attemptsMade), () => makeWaiting(entry));
      } else {
        entry.state = "failed";
        entry.terminal = entry.discarded;
        entry.finishedOn = Date.now();
      }
    }
  }

  function recordCompleted(entry: Entry) {
    const queue = queueOf(entry.queue);
    queue.completed.push(entry.id);
    const oldestKept = Date.now() - COMPLETED_RETENTION.ageSeconds * 1000;
    while (
      queue.completed.length > COMPLETED_RETENTION.count ||
      (queue.completed.length > 0 && (queue.entries.get(queue.completed[0])?.finishedOn ?? 0) < oldestKept)
    ) {
      queue.entries.delete(queue.completed.shift() as string);
    }
  }

  return {
    kind: "in-process",

    async add(queueName: QueueName, name: string, data: JobPayload, opts: AddJobOptions): Promise<EnqueueResult> {
      const queue = queueOf(queueName);
      // Check and insert happen in one synchronous step: concurrent enqueues cannot both win.
      if (queue.entries.has(opts.jobId)) return { jobId: opts.jobId, duplicate: true };
      const entry: Entry = {
        id: opts.jobId,
        name,
        queue: queueName,
        // A copy, as Redis would store: later changes to the caller's object do not leak in.
        data: structuredClone(data),
        attempts: opts.attempts,
        backoff: { ...opts.backoff },
        attemptsMade: 0,
        state: "delayed",
        failedReason: null,
        stacktrace: [],
        terminal: false,
        discarded: false,
        timestamp: Date.now(),
        finishedOn: null,
      };
      queue.entries.set(entry.id, entry);
      if (opts.delayMs > 0) later(opts.delayMs, () => makeWaiting(entry));
      else makeWaiting(entry);
      return { jobId: opts.jobId, duplicate: false };
    },

    async ping(): Promise<boolean> {
      return true;
    },

    async counts(queueName: QueueName): Promise<QueueCounts> {
      const counts: QueueCounts = { waiting: 0, active: 0, delayed: 0, failed: 0, completed: 0, paused: 0 };
      for (const entry of queueOf(queueName).entries.values()) counts[entry.state] += 1;
      return counts;
    },

    async getJobStatus(queueName: QueueName, jobId: string): Promise<JobStatus | null> {
      const entry = queueOf(queueName).entries.get(jobId);
      if (!entry) return null;
      return {
        id: entry.id,
        name: entry.name,
        queue: queueName,
        state: entry.state,
        attemptsMade: entry.attemptsMade,
        maxAttempts: entry.attempts,
        failedReason: entry.failedReason,
      };
    },

    async listFailed(queueName: QueueName, start: number, end: number): Promise<FailedJob[]> {
      const failed = [...queueOf(queueName).entries.values()]
        .filter((e) => e.state === "failed")
        .sort((a, b) => (b.finishedOn ?? 0) - (a.finishedOn ?? 0));
      // Same range convention as Bull: inclusive end, -1 for "to the last one".
      return failed.slice(start, end < 0 ? failed.length + end + 1 : end + 1).map((e) => ({
        id: e.id,
        name: e.name,
        queue: queueName,
        shop: e.data.shop,
        payload: structuredClone(e.data) as Record<string, unknown>,
        failedReason: e.failedReason ?? "unknown reason",
        attemptsMade: e.attemptsMade,
        maxAttempts: e.attempts,
        terminal: e.terminal,
        enqueuedAt: new Date(e.timestamp),
        failedAt: e.finishedOn === null ? null : new Date(e.finishedOn),
      }));
    },

    async retryFailed(queueName: QueueName, jobId: string): Promise<void> {
      const entry = queueOf(queueName).entries.get(jobId);
      if (!entry) throw new JobNotFoundError(queueName, jobId);
      if (entry.state !== "failed") throw new Error(`Job "${jobId}" in queue "${queueName}" has not failed`);
      entry.failedReason = null;
      entry.finishedOn = null;
      entry.terminal = false;
      makeWaiting(entry);
    },

    async startProcessing(names: readonly QueueName[], concurrency: number, run: JobRunner): Promise<void> {
      if (processing) throw new Error("This queue backend is already processing jobs");
      processing = { queues: new Set(names), concurrency, run };
      for (const name of names) pump(name);
    },

    async stopProcessing(timeoutMs: number): Promise<{ drained: boolean }> {
      if (!processing) return { drained: true };
      const names = [...processing.queues];
      processing = undefined;
      const running = names.flatMap((name) => [...queueOf(name).running]);
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      const drained = await Promise.race([Promise.allSettled(running).then(() => true as const), deadline]);
      clearTimeout(timer);
      return { drained };
    },

    async close(): Promise<void> {
      await this.stopProcessing(0);
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
