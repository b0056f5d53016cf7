import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll } from "vitest";
import { createInProcessQueueBackend } from "~/jobs/in-process-queue.server";
import { JobQueue, setJobQueueForTests } from "~/jobs/queue.server";
import { createRedisQueueBackend } from "~/jobs/redis-queue.server";
import { TEST_REDIS_URL } from "./env";

// Test files run in parallel against one Redis database: each queue gets its own key prefix, and
// job names carry a random suffix because the registry is shared within a test file.

export function uniqueQueuePrefix(label = "t"): string {
  return `lntest-${label}-${randomBytes(5).toString("hex")}`;
}

export function uniqueJobName(base: string): string {
  return `${base}-${randomBytes(4).toString("hex")}`;
}

export function testShopDomain(): string {
  return `jobs-${randomBytes(5).toString("hex")}.myshopify.com`;
}

export function createRedisTestQueue(prefix = uniqueQueuePrefix()): { queue: JobQueue; prefix: string } {
  return { queue: new JobQueue(createRedisQueueBackend({ redisUrl: TEST_REDIS_URL, prefix })), prefix };
}

export function createInProcessTestQueue(): JobQueue {
  return new JobQueue(createInProcessQueueBackend());
}

async function withRedis<T>(fn: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    return await fn(redis);
  } finally {
    redis.disconnect();
  }
}

/** Every Redis key under a Bull prefix. */
export function redisKeys(prefix: string): Promise<string[]> {
  return withRedis(async (redis) => {
    const keys: string[] = [];
    let cursor = "0";
    do {
      const [next, batch] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== "0");
    return keys;
  });
}

export async function deleteRedisKeys(prefix: string): Promise<void> {
  const keys = await redisKeys(prefix);
  if (keys.length > 0) await withRedis((redis) => redis.del(...keys));
}

/** Polls until `probe` returns something other than undefined/false, or fails with `what`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 10_000, intervalMs = 20 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * For tests of code that calls the module-level `enqueue` (webhook routes, services): points it at
 * a Redis queue with this file's own prefix, and removes the keys afterwards.
 */
export function useIsolatedJobQueue(): () => JobQueue {
  let isolated: { queue: JobQueue; prefix: string } | undefined;
  beforeAll(() => {
    isolated = createRedisTestQueue(uniqueQueuePrefix("iso"));
    setJobQueueForTests(isolated.queue);
  });
  afterAll(async () => {
    setJobQueueForTests(undefined);
    if (!isolated) return;
    await isolated.queue.close();
    await deleteRedisKeys(isolated.prefix);
  });
  return () => {
    if (!isolated) throw new Error("useIsolatedJobQueue: the queue exists once beforeAll has run");
    return isolated.queue;
  };
}
