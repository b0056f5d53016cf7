import { randomBytes } from "node:crypto";
import { Redis, type RedisOptions } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { MemoryRateLimiter, RedisRateLimiter, type RateLimitRule } from "~/utils/rate-limit.server";
import { TEST_REDIS_URL } from "../helpers/env";
import { freePort } from "../helpers/net";

// The counters behind the proxy's 429s: the Redis limiter every web process shares, the in-memory
// one the demo uses without Redis, and what happens when Redis is away (requests go through).

const rule = (limit: number, windowMs: number, name = `test-${randomBytes(4).toString("hex")}`): RateLimitRule => ({ name, limit, windowMs });
const clients: Redis[] = [];
afterAll(() => clients.forEach((c) => c.disconnect()));

function redisLimiter(url = TEST_REDIS_URL, options: RedisOptions = {}) {
  const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 150, ...options });
  client.on("error", () => {});
  clients.push(client);
  return { client, limiter: new RedisRateLimiter(client, `test-${randomBytes(4).toString("hex")}`) };
}

describe("RedisRateLimiter", () => {
  it("allows `limit` hits per window, then refuses with the seconds left in the window", async () => {
    const { limiter } = redisLimiter();
    const perMinute = rule(3, 60_000);
    for (let i = 0; i < 3; i++) expect(await limiter.hit([{ rule: perMinute, id: "c1" }])).toEqual({ allowed: true });
    const refused = await limiter.hit([{ rule: perMinute, id: "c1" }]);
    expect(refused).toMatchObject({ allowed: false, rule: perMinute.name });
    if (refused.allowed) throw new Error("unreachable");
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(59);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
    // Counters are per id.
    expect(await limiter.hit([{ rule: perMinute, id: "c2" }])).toEqual({ allowed: true });
  });

  it("refuses when any subject is over, and opens again when the window ends", async () => {
    const { limiter } = redisLimiter();
    const customer = rule(100, 60_000);
    const ip = rule(2, 300);
    expect(await limiter.hit([{ rule: customer, id: "c" }, { rule: ip, id: "1.2.3.4" }])).toEqual({ allowed: true });
    expect(await limiter.hit([{ rule: customer, id: "c" }, { rule: ip, id: "1.2.3.4" }])).toEqual({ allowed: true });
    expect(await limiter.hit([{ rule: customer, id: "c" }, { rule: ip, id: "1.2.3.4" }])).toMatchObject({ allowed: false, rule: ip.name, retryAfterSeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await limiter.hit([{ rule: customer, id: "c" }, { rule: ip, id: "1.2.3.4" }])).toEqual({ allowed: true });
  });

  it("counts exactly under concurrent hits from many requests", async () => {
    const { limiter } = redisLimiter();
    const tight = rule(25, 60_000);
    const decisions = await Promise.all(Array.from({ length: 60 }, () => limiter.hit([{ rule: tight, id: "burst" }])));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(25);
  });

  it("lets requests through when Redis does not answer", async () => {
    const port = await freePort(); // nothing listens there
    const { limiter } = redisLimiter(`redis://127.0.0.1:${port}`, { retryStrategy: () => null });
    const tight = rule(1, 60_000);
    for (let i = 0; i < 3; i++) expect(await limiter.hit([{ rule: tight, id: "x" }])).toEqual({ allowed: true });
    await limiter.close();
  });
});

describe("MemoryRateLimiter", () => {
  it("keeps fixed windows per subject on an injected clock", async () => {
    let now = 1_000_000;
    const limiter = new MemoryRateLimiter(() => now);
    const perSecond = rule(2, 1000);
    expect(await limiter.hit([{ rule: perSecond, id: "a" }])).toEqual({ allowed: true });
    now += 400;
    expect(await limiter.hit([{ rule: perSecond, id: "a" }])).toEqual({ allowed: true });
    expect(await limiter.hit([{ rule: perSecond, id: "a" }])).toEqual({ allowed: false, retryAfterSeconds: 1, rule: perSecond.name });
    expect(await limiter.hit([{ rule: perSecond, id: "b" }])).toEqual({ allowed: true });
    now += 600;
    expect(await limiter.hit([{ rule: perSecond, id: "a" }])).toEqual({ allowed: true });
  });
});
