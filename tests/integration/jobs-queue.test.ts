import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { InvalidJobPayloadError, JobNotFoundError, RetryableJobError, TerminalJobError, UnknownJobError } from "~/jobs/errors";
import type { JobQueue } from "~/jobs/queue.server";
import { defineJob, registerJob } from "~/jobs/registry.server";
import type { JobContext, JobDefinition, JobState, QueueName } from "~/jobs/types";
import { startWorker, type RunningWorker, type StartWorkerOptions } from "../../server/worker";
import {
  createInProcessTestQueue,
  createRedisTestQueue,
  deleteRedisKeys,
  redisKeys,
  testShopDomain,
  uniqueJobName,
  uniqueQueuePrefix,
  waitFor,
} from "../helpers/jobs";

// The same behaviour is required of both backends: Bull on a real Redis, and the in-process queue
// the local demo uses when REDIS_URL is unset.

interface Harness {
  queue: JobQueue;
  prefix: string | null;
}

const backends: { kind: string; create: () => Harness }[] = [
  { kind: "Bull on Redis", create: () => createRedisTestQueue(uniqueQueuePrefix("queue")) },
  { kind: "the in-process queue", create: () => ({ queue: createInProcessTestQueue(), prefix: null }) },
];

/** Stands in for the Admin API gateway's typed errors, which carry a boolean `retryable`. */
class GatewayStyleError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "GatewayStyleError";
  }
}

interface Call {
  attempt: number;
  at: number;
  payload: { shop: string; orderId: string };
  ctx: Omit<JobContext, "logger">;
}

function recordingJob(options: {
  attempts?: number;
  delayMs?: number;
  queue?: QueueName;
  behaviour?: (attempt: number) => Promise<void> | void;
}) {
  const calls: Call[] = [];
  const job = registerJob(
    defineJob({
      name: uniqueJobName("test.recording"),
      queue: options.queue,
      schema: z.object({ shop: z.string(), orderId: z.string().regex(/^\d+$/) }),
      attempts: options.attempts,
      backoff: { type: "exponential", delayMs: options.delayMs ?? 20 },
      handler: async (payload, { logger: _logger, ...ctx }) => {
        calls.push({ attempt: ctx.attempt, at: Date.now(), payload, ctx });
        await options.behaviour?.(ctx.attempt);
      },
    }),
  );
  return { job, calls };
}

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe.each(backends)("background jobs on $kind", ({ create }) => {
  let harness: Harness;
  let workers: RunningWorker[];

  beforeEach(() => {
    harness = create();
    workers = [];
  });

  afterEach(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await harness.queue.close();
    if (harness.prefix) await deleteRedisKeys(harness.prefix);
  });

  async function runWorker(options: StartWorkerOptions = {}) {
    const worker = await startWorker({ queue: harness.queue, queues: ["webhooks", "default"], concurrency: 4, shutdownTimeoutMs: 5000, ...options });
    workers.push(worker);
    return worker;
  }

  function stateOf(queue: QueueName, jobId: string): Promise<JobState | undefined> {
    return harness.queue.getJobStatus(queue, jobId).then((s) => s?.state);
  }

  function until(queue: QueueName, jobId: string, state: JobState) {
    return waitFor(`job ${jobId} to be ${state}`, async () => (await stateOf(queue, jobId)) === state);
  }

  it("runs an enqueued job in the worker with its payload, job id and attempt number", async () => {
    const { job, calls } = recordingJob({ queue: "webhooks" });
    const shop = testShopDomain();

    const result = await harness.queue.enqueue(job, { shop, orderId: "1001" }, { jobId: "webhook-abc" });
    expect(result).toEqual({ jobId: `${job.name}:webhook-abc`, duplicate: false });
    expect(await stateOf("webhooks", result.jobId)).toBe("waiting");

    await runWorker();
    await until("webhooks", result.jobId, "completed");

    expect(calls).toHaveLength(1);
    expect(calls[0].payload).toEqual({ shop, orderId: "1001" });
    expect(calls[0].ctx).toEqual({ jobId: result.jobId, attempt: 1, maxAttempts: 8, gatewayForShop: expect.any(Function) });
    const counts = await harness.queue.queueCounts();
    expect(counts.webhooks).toMatchObject({ completed: 1, waiting: 0, active: 0, failed: 0, delayed: 0 });
    expect(counts.default.completed).toBe(0);
  });

  it("runs a job once however many times, and however concurrently, its jobId is enqueued", async () => {
    const { job, calls } = recordingJob({});
    const shop = testShopDomain();
    const payload = { shop, orderId: "2002" };

    const sequential = [];
    for (let i = 0; i < 5; i += 1) sequential.push(await harness.queue.enqueue(job, payload, { jobId: "order-2002" }));
    expect(sequential.map((r) => r.duplicate)).toEqual([false, true, true, true, true]);

    const concurrent = await Promise.all(Array.from({ length: 5 }, () => harness.queue.enqueue(job, payload, { jobId: "order-2003" })));
    expect(concurrent.filter((r) => !r.duplicate)).toHaveLength(1);

    await runWorker();
    await until("default", `${job.name}:order-2002`, "completed");
    await until("default", `${job.name}:order-2003`, "completed");
    // Replays after completion are still recognised while the completed job is retained.
    const replays = await Promise.all(Array.from({ length: 5 }, () => harness.queue.enqueue(job, payload, { jobId: "order-2002" })));
    expect(replays.every((r) => r.duplicate)).toBe(true);

    expect(calls.map((c) => c.ctx.jobId).sort()).toEqual([`${job.name}:order-2002`, `${job.name}:order-2003`]);
    expect((await harness.queue.queueCounts()).default).toMatchObject({ completed: 2, waiting: 0, delayed: 0, active: 0, failed: 0 });
  });

  it("does not treat the same jobId for a different job as a duplicate", async () => {
    const first = recordingJob({});
    const second = recordingJob({});
    const payload = { shop: testShopDomain(), orderId: "3003" };

    const a = await harness.queue.enqueue(first.job, payload, { jobId: "webhook-same" });
    const b = await harness.queue.enqueue(second.job, payload, { jobId: "webhook-same" });
    expect([a.duplicate, b.duplicate]).toEqual([false, false]);

    await runWorker();
    await until("default", a.jobId, "completed");
    await until("default", b.jobId, "completed");
    expect([first.calls.length, second.calls.length]).toEqual([1, 1]);
  });

  it("retries retryable failures with exponential backoff, then succeeds", async () => {
    const { job, calls } = recordingJob({
      attempts: 5,
      delayMs: 100,
      behaviour: (attempt) => {
        if (attempt === 1) throw new RetryableJobError("Admin API answered 503");
        if (attempt === 2) throw new Error("socket hang up");
      },
    });
    const { jobId } = await harness.queue.enqueue(job, { shop: testShopDomain(), orderId: "4004" }, { jobId: "retry-me" });
    await runWorker();
    await until("default", jobId, "completed");

    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    // Bull's exponential backoff: delay × (2^attemptsMade − 1), i.e. 100 ms then 300 ms.
    const firstWait = calls[1].at - calls[0].at;
    const secondWait = calls[2].at - calls[1].at;
    expect(firstWait).toBeGreaterThanOrEqual(90);
    expect(secondWait).toBeGreaterThanOrEqual(290);
    expect(await harness.queue.getJobStatus("default", jobId)).toMatchObject({ state: "completed", attemptsMade: 2, maxAttempts: 5 });
  });

  it("stops a terminal failure after one attempt and keeps it failed with its reason", async () => {
    const { job, calls } = recordingJob({
      attempts: 5,
      behaviour: () => {
        throw new TerminalJobError("shop is uninstalled");
      },
    });
    const shop = testShopDomain();
    const { jobId } = await harness.queue.enqueue(job, { shop, orderId: "5005" }, { jobId: "terminal" });
    await runWorker();
    await until("default", jobId, "failed");

    expect(calls).toHaveLength(1);
    const failed = await harness.queue.listFailedJobs("default");
    expect(failed).toEqual([
      expect.objectContaining({
        id: jobId,
        name: job.name,
        queue: "default",
        shop,
        payload: { shop, orderId: "5005" },
        failedReason: "shop is uninstalled",
        attemptsMade: 1,
        maxAttempts: 5,
        terminal: true,
      }),
    ]);
    expect(failed[0].failedAt).toBeInstanceOf(Date);
  });

  it("treats any error with retryable === false as terminal, and retryable === true as retryable", async () => {
    const refused = recordingJob({
      attempts: 4,
      behaviour: () => {
        throw new GatewayStyleError("customerUpdate returned user errors: tags: too long", false);
      },
    });
    const throttled = recordingJob({
      attempts: 2,
      behaviour: () => {
        throw new GatewayStyleError("throttled by Shopify", true);
      },
    });
    const a = await harness.queue.enqueue(refused.job, { shop: testShopDomain(), orderId: "6006" }, { jobId: "gateway-refused" });
    const b = await harness.queue.enqueue(throttled.job, { shop: testShopDomain(), orderId: "6007" }, { jobId: "gateway-throttled" });
    await runWorker();
    await until("default", a.jobId, "failed");
    await until("default", b.jobId, "failed");

    expect(refused.calls).toHaveLength(1);
    expect(throttled.calls).toHaveLength(2);
    const failed = new Map((await harness.queue.listFailedJobs("default")).map((f) => [f.id, f]));
    expect(failed.get(a.jobId)).toMatchObject({ terminal: true, attemptsMade: 1, failedReason: "GatewayStyleError: customerUpdate returned user errors: tags: too long" });
    expect(failed.get(b.jobId)).toMatchObject({ terminal: false, attemptsMade: 2, failedReason: "throttled by Shopify" });
  });

  it("keeps a job whose retries ran out failed and listed, and retryFailedJob runs it again", async () => {
    let upstreamDown = true;
    const { job, calls } = recordingJob({
      attempts: 3,
      delayMs: 10,
      behaviour: () => {
        if (upstreamDown) throw new RetryableJobError("Klaviyo answered 503");
      },
    });
    const shop = testShopDomain();
    const { jobId } = await harness.queue.enqueue(job, { shop, orderId: "7007" }, { jobId: "exhausted" });
    await runWorker();
    await until("default", jobId, "failed");

    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    const [failed] = await harness.queue.listFailedJobs("default", 0, 10);
    expect(failed).toMatchObject({ id: jobId, shop, failedReason: "Klaviyo answered 503", attemptsMade: 3, maxAttempts: 3, terminal: false });
    expect((await harness.queue.queueCounts()).default.failed).toBe(1);

    upstreamDown = false;
    await harness.queue.retryFailedJob("default", jobId);
    await until("default", jobId, "completed");
    expect(calls).toHaveLength(4);
    expect(await harness.queue.listFailedJobs("default")).toEqual([]);

    await expect(harness.queue.retryFailedJob("default", jobId)).rejects.toThrow(/has not failed/);
    await expect(harness.queue.retryFailedJob("default", `${job.name}:no-such-job`)).rejects.toBeInstanceOf(JobNotFoundError);
  });

  it("holds a delayed job back until its delay has passed", async () => {
    const { job, calls } = recordingJob({});
    await runWorker();
    const { jobId } = await harness.queue.enqueue(job, { shop: testShopDomain(), orderId: "8008" }, { jobId: "later", delayMs: 300 });
    expect(await stateOf("default", jobId)).toBe("delayed");
    await until("default", jobId, "completed");
    expect(calls).toHaveLength(1);
  });

  it("refuses a payload that is not {shop, ...ids} and stores nothing", async () => {
    const { job, calls } = recordingJob({});
    const shop = testShopDomain();
    const bad: [string, unknown, RegExp][] = [
      ["no shop", { orderId: "1" }, /payload\.shop must be the shop's myshopify domain/],
      ["a shop that is not a myshopify domain", { shop: "example.com", orderId: "1" }, /payload\.shop/],
      ["an email key", { shop, orderId: "1", email: "ann@example.com" }, /payload\.email looks like personal data/],
      ["a token nested in the payload", { shop, orderId: "1", auth: { accessToken: "shpat_x" } }, /payload\.auth\.accessToken looks like personal data or a secret/],
      ["a customer's name", { shop, orderId: "1", first_name: "Ann" }, /payload\.first_name/],
      ["an email under an innocent key", { shop, orderId: "1", ref: "ann@example.com" }, /payload\.ref looks like an email address/],
      ["a payload the schema refuses", { shop, orderId: 42 }, /orderId/],
      ["not an object", "shop", /plain object/],
    ];
    for (const [label, payload, message] of bad) {
      // Payloads the types would refuse, as an untyped caller could send them.
      const untyped = job as unknown as JobDefinition<unknown>;
      const attempt = harness.queue.enqueue(untyped, payload, { jobId: "bad" });
      await expect(attempt, label).rejects.toBeInstanceOf(InvalidJobPayloadError);
      await expect(harness.queue.enqueue(untyped, payload, { jobId: "bad" }), label).rejects.toThrow(message);
    }
    await expect(harness.queue.enqueue(job, { shop, orderId: "1" }, { jobId: "" })).rejects.toThrow(/jobId must be/);
    await expect(harness.queue.enqueue(job, { shop, orderId: "1" }, { jobId: "has space" })).rejects.toThrow(/jobId must be/);
    // Only what defineJob made can be enqueued: a look-alike object is refused.
    const lookAlike = { ...job, name: "test.never-defined" };
    await expect(harness.queue.enqueue(lookAlike, { shop, orderId: "1" }, { jobId: "x" })).rejects.toBeInstanceOf(UnknownJobError);

    if (harness.prefix) expect(await redisKeys(harness.prefix)).toEqual([]);
    const counts = await harness.queue.queueCounts();
    for (const perQueue of Object.values(counts)) expect(Object.values(perQueue).every((n) => n === 0)).toBe(true);
    expect(calls).toHaveLength(0);
  });

  it("stop() lets the running job finish, takes no new one, and a later worker runs the rest", async () => {
    const release = gate();
    const started: string[] = [];
    const events: string[] = [];
    const job = registerJob(
      defineJob({
        name: uniqueJobName("test.slow"),
        schema: z.object({ shop: z.string(), orderId: z.string() }),
        handler: async ({ orderId }) => {
          started.push(orderId);
          await release.opened;
          events.push(`job ${orderId} done`);
        },
      }),
    );
    const shop = testShopDomain();
    const first = await harness.queue.enqueue(job, { shop, orderId: "1" }, { jobId: "slow-1" });
    const second = await harness.queue.enqueue(job, { shop, orderId: "2" }, { jobId: "slow-2" });

    const worker = await runWorker({ concurrency: 1 });
    await waitFor("the first job to start", () => started.length === 1);
    const stopped = worker.stop().then(() => events.push("worker stopped"));
    // Give a stop() that does not wait for running jobs the chance to return early.
    await new Promise((resolve) => setTimeout(resolve, 150));
    events.push("job released");
    release.open();
    await stopped;

    expect(events).toEqual(["job released", "job 1 done", "worker stopped"]);
    expect(await stateOf("default", first.jobId)).toBe("completed");
    expect(await stateOf("default", second.jobId)).toBe("waiting");
    expect(started).toEqual(["1"]);

    await runWorker({ concurrency: 1 });
    await until("default", second.jobId, "completed");
    expect(started).toEqual(["1", "2"]);
  });

  it("stop() gives up waiting after the shutdown timeout and leaves the unfinished job in the queue", async () => {
    const release = gate();
    let finished = false;
    const job = registerJob(
      defineJob({
        name: uniqueJobName("test.stuck"),
        schema: z.object({ shop: z.string() }),
        handler: async () => {
          await release.opened;
          finished = true;
        },
      }),
    );
    const { jobId } = await harness.queue.enqueue(job, { shop: testShopDomain() }, { jobId: "stuck" });
    const worker = await runWorker({ shutdownTimeoutMs: 100 });
    await until("default", jobId, "active");

    await worker.stop();
    expect(finished).toBe(false);
    // Still recorded as active: with Redis its lock expires and another worker's stalled check reruns it.
    expect(await stateOf("default", jobId)).toBe("active");

    release.open();
    await waitFor("the abandoned handler to return", () => finished);
  });
});
