import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { resetConfigForTests } from "~/config.server";
import { InvalidJobPayloadError, TerminalJobError, classifyJobError } from "~/jobs/errors";
import { validateJobPayload } from "~/jobs/payload.server";
import {
  JobQueue,
  closeQueues,
  enqueue,
  getJobStatus,
  getQueue,
  jobQueue,
  listFailedJobs,
  pingQueue,
  queueCounts,
  setJobQueueForTests,
} from "~/jobs/queue.server";
import { createRedisQueueBackend } from "~/jobs/redis-queue.server";
import { defineJob, getJob, jobRegistry, registerJob, registeredQueues } from "~/jobs/registry.server";
import { testShopDomain, uniqueJobName, useIsolatedJobQueue } from "../helpers/jobs";

const noop = async () => {};

describe("job definitions and the registry", () => {
  it("fills in the defaults: default queue, 8 attempts, exponential backoff from 2 s", () => {
    const job = defineJob({ name: uniqueJobName("test.defaults"), schema: z.object({ shop: z.string() }), handler: noop });
    expect(job).toMatchObject({ queue: "default", attempts: 8, backoff: { type: "exponential", delayMs: 2000 } });
  });

  it("rejects a malformed definition when it is written, not when it first runs", () => {
    const schema = z.object({ shop: z.string() });
    expect(() => defineJob({ name: "Orders Paid", schema, handler: noop })).toThrow(/lowercase words/);
    expect(() => defineJob({ name: "orders.paid", schema, attempts: 0, handler: noop })).toThrow(/attempts/);
    expect(() => defineJob({ name: "orders.paid", schema, backoff: { type: "exponential", delayMs: 1.5 }, handler: noop })).toThrow(/delayMs/);
    expect(() => defineJob({ name: "orders.paid", schema, queue: "urgent" as never, handler: noop })).toThrow(/unknown queue/);
  });

  it("registers each name once: the same definition again is a no-op, another one is refused", () => {
    const name = uniqueJobName("test.once");
    const job = defineJob({ name, queue: "bulk", schema: z.object({ shop: z.string() }), handler: noop });
    registerJob(job);
    registerJob(job);
    expect(getJob(name)).toBe(job);
    expect(jobRegistry.get(name)).toBe(job);
    expect(registeredQueues()).toContain("bulk");
    expect(() => registerJob(defineJob({ name, schema: z.object({ shop: z.string() }), handler: noop }))).toThrow(/Two different jobs/);
  });

  it("keeps the worker's test-only job out of the registry unless LOYALNEST_WORKER_TEST_JOBS=1", async () => {
    expect(process.env.LOYALNEST_WORKER_TEST_JOBS).toBeUndefined();
    await import("~/jobs/index.server");
    expect(getJob("worker-test.slow-marker")).toBeUndefined();
  });
});

describe("error classification", () => {
  it("stops on TerminalJobError and on any error whose retryable is false", () => {
    const terminal = new TerminalJobError("order not found");
    expect(classifyJobError(terminal)).toEqual({ terminal: true, error: terminal });

    class AdminApiHttpError extends Error {
      readonly retryable = false;
      constructor() {
        super("Admin API answered 404");
        this.name = "AdminApiHttpError";
      }
    }
    const gateway = new AdminApiHttpError();
    const classified = classifyJobError(gateway);
    expect(classified.terminal).toBe(true);
    expect(classified.error).toBeInstanceOf(TerminalJobError);
    expect(classified.error.message).toBe("AdminApiHttpError: Admin API answered 404");
    expect(classified.error.cause).toBe(gateway);
  });

  it("retries everything else, including errors marked retryable and things that are not Errors", () => {
    const plain = new Error("ECONNRESET");
    expect(classifyJobError(plain)).toEqual({ terminal: false, error: plain });
    expect(classifyJobError(Object.assign(new Error("429"), { retryable: true })).terminal).toBe(false);
    // Only a boolean false counts: a truthy-looking string does not stop retries by accident.
    expect(classifyJobError(Object.assign(new Error("odd"), { retryable: "false" })).terminal).toBe(false);
    const fromString = classifyJobError("timeout");
    expect(fromString.terminal).toBe(false);
    expect(fromString.error).toBeInstanceOf(Error);
    expect(fromString.error.message).toBe("non-Error thrown: timeout");
    expect(classifyJobError({ email: "ann@example.com" }).error.message).not.toContain("ann@example.com");
  });
});

describe("payload checks (jobs carry ids, not data)", () => {
  const job = defineJob({
    name: uniqueJobName("test.payload"),
    schema: z.object({ shop: z.string(), customerId: z.string(), orderIds: z.array(z.string()).optional() }),
    handler: noop,
  });
  const shop = testShopDomain();

  function problemsOf(payload: unknown): string[] {
    try {
      validateJobPayload(job, payload);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidJobPayloadError);
      return (error as InvalidJobPayloadError).problems;
    }
    return [];
  }

  it("accepts {shop, ...ids}", () => {
    expect(validateJobPayload(job, { shop, customerId: "7", orderIds: ["1", "2"] })).toEqual({ shop, customerId: "7", orderIds: ["1", "2"] });
  });

  it.each([
    ["customerEmail"],
    ["phone_number"],
    ["refresh_token"],
    ["Authorization"],
    ["address1"],
    ["lastName"],
    ["password"],
    ["apiKey"],
  ])("refuses the key %s", (key) => {
    expect(problemsOf({ shop, customerId: "7", [key]: "x" })).toEqual([expect.stringContaining(`payload.${key} looks like personal data or a secret`)]);
  });

  it("refuses values JSON cannot carry faithfully and payloads that are data, not ids", () => {
    expect(problemsOf({ shop, customerId: 7n })).toEqual([expect.stringContaining("pass 64-bit ids as strings")]);
    expect(problemsOf({ shop, customerId: "7", at: new Date() })).toEqual([expect.stringContaining("payload.at is a Date")]);
    expect(problemsOf({ shop, customerId: "7", a: { b: { c: { d: 1 } } } })).toEqual([expect.stringContaining("nested too deeply")]);
    expect(problemsOf({ shop, customerId: "7", orderIds: Array.from({ length: 500 }, (_, i) => `gid://shopify/Order/${i}`) })).toEqual([
      expect.stringMatching(/payload is \d+ bytes; the limit is 4096/),
    ]);
  });

  it("refuses a schema that would move the job to another shop", () => {
    const moving = defineJob({
      name: uniqueJobName("test.moving"),
      schema: z.object({ shop: z.string().transform(() => "other.myshopify.com") }),
      handler: noop,
    });
    expect(() => validateJobPayload(moving, { shop })).toThrow(/must keep payload\.shop unchanged/);
  });
});

describe("the module-level API", () => {
  const isolated = useIsolatedJobQueue();

  it("enqueues a job definition through the process's queue and reports counts and status", async () => {
    const job = registerJob(
      defineJob({ name: uniqueJobName("test.module"), queue: "webhooks", schema: z.object({ shop: z.string(), webhookId: z.string() }), handler: noop }),
    );
    const shop = testShopDomain();
    expect(jobQueue()).toBe(isolated());

    const first = await enqueue(job, { shop, webhookId: "w-1" }, { jobId: `webhook:${shop}:w-1` });
    const again = await enqueue(job, { shop, webhookId: "w-1" }, { jobId: `webhook:${shop}:w-1` });
    expect(first).toEqual({ jobId: `${job.name}:webhook:${shop}:w-1`, duplicate: false });
    expect(again.duplicate).toBe(true);

    expect((await queueCounts()).webhooks.waiting).toBe(1);
    expect(await getJobStatus("webhooks", first.jobId)).toMatchObject({ name: job.name, state: "waiting", attemptsMade: 0, maxAttempts: 8 });
    expect(await listFailedJobs("webhooks")).toEqual([]);
    // The Bull queue is reachable for tooling, and stored the job with the definition's retry policy.
    const stored = await getQueue("webhooks").getJob(first.jobId);
    expect(stored?.opts).toMatchObject({ attempts: 8, backoff: { type: "exponential", delay: 2000 }, removeOnFail: false });
    expect(await pingQueue()).toBe(true);
  });

  it("pingQueue answers false, quickly and without throwing, when Redis is unreachable", async () => {
    const unreachable = new JobQueue(createRedisQueueBackend({ redisUrl: "redis://127.0.0.1:1/0", prefix: "unreachable" }));
    const previous = jobQueue();
    setJobQueueForTests(unreachable);
    try {
      await expect(pingQueue()).resolves.toBe(false);
      // An enqueue fails rather than hangs, so a webhook answers 5xx and Shopify retries it.
      const job = registerJob(defineJob({ name: uniqueJobName("test.no-redis"), schema: z.object({ shop: z.string() }), handler: noop }));
      const failure = await enqueue(job, { shop: testShopDomain() }, { jobId: "x" }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(Error);
      expect(failure).not.toBeInstanceOf(InvalidJobPayloadError);
    } finally {
      setJobQueueForTests(previous);
      await unreachable.close();
    }
  });
});

describe("choosing the backend from config", () => {
  const saved = { REDIS_URL: process.env.REDIS_URL, DEMO: process.env.DEMO, HOST: process.env.HOST };

  afterEach(async () => {
    await closeQueues();
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    resetConfigForTests();
  });

  it("uses Bull when REDIS_URL is set", async () => {
    setJobQueueForTests(undefined);
    expect(jobQueue().kind).toBe("redis");
  });

  it("runs jobs in-process in the local demo without Redis, where pingQueue is always true", async () => {
    setJobQueueForTests(undefined);
    process.env.REDIS_URL = "";
    process.env.DEMO = "1";
    process.env.HOST = "127.0.0.1";
    resetConfigForTests();
    expect(jobQueue().kind).toBe("in-process");
    expect(await pingQueue()).toBe(true);
  });

  it("refuses to run without Redis outside the demo", async () => {
    setJobQueueForTests(undefined);
    process.env.REDIS_URL = "";
    delete process.env.DEMO;
    resetConfigForTests();
    expect(() => jobQueue()).toThrow(/REDIS_URL is not set/);
    expect(await pingQueue()).toBe(false);
  });
});
