import { afterEach, describe, expect, it } from "vitest";
import { createRedisQueueBackend } from "~/jobs/redis-queue.server";
import { JobQueue, setJobQueueForTests } from "~/jobs/queue.server";
import { loader } from "~/routes/healthz";
import { TEST_REDIS_URL } from "../helpers/env";
import { uniqueQueuePrefix } from "../helpers/jobs";

let queue: JobQueue | undefined;
afterEach(async () => {
  setJobQueueForTests(undefined);
  await queue?.close();
  queue = undefined;
});

describe("GET /healthz", () => {
  it("answers 200 {db: ok, queue: ok} when PostgreSQL and Redis answer", async () => {
    queue = new JobQueue(createRedisQueueBackend({ redisUrl: TEST_REDIS_URL, prefix: uniqueQueuePrefix("health") }));
    setJobQueueForTests(queue);
    const response = await loader();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ db: "ok", queue: "ok" });
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("answers 503 naming the queue when Redis is unreachable", async () => {
    queue = new JobQueue(createRedisQueueBackend({ redisUrl: "redis://127.0.0.1:1/0", prefix: uniqueQueuePrefix("health") }));
    setJobQueueForTests(queue);
    const started = Date.now();
    const response = await loader();
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ db: "ok", queue: "error" });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
