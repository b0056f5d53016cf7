import { Redis } from "ioredis";
import { config } from "~/config.server";
import { logger } from "./logger.server";

// Fixed-window request counters for the storefront app proxy, in Redis so every web process
// shares them; in memory when the app runs without Redis (the local demo). A window allows `limit`
// hits; the key expires with its window, so no sweeper is needed. Fixed windows can let up to
// twice the limit through across a window boundary: fine for abuse control, not for billing.
//
// Redis trouble never takes the storefront down: a failed or slow counter lets the request
// through (fail open) and is logged, at most once a minute.

export interface RateLimitRule {
  /** Names the counter family in keys and logs, e.g. "proxy-read". */
  name: string;
  limit: number;
  windowMs: number;
}

export interface RateLimitSubject {
  rule: RateLimitRule;
  /** What is counted, e.g. `customer:<shop>:<id>` or `ip:<shop>:<address>`. */
  id: string;
}

export type RateLimitDecision =
  | { allowed: true }
  | { allowed: false; retryAfterSeconds: number; rule: string };

export interface RateLimiter {
  /** Counts one hit against every subject; refused when any of them is over its limit. */
  hit(subjects: RateLimitSubject[]): Promise<RateLimitDecision>;
  close(): Promise<void>;
}

const COMMAND_TIMEOUT_MS = 150;
const CONNECT_WAIT_MS = 500;
const FAILURE_LOG_INTERVAL_MS = 60_000;
const MEMORY_MAX_KEYS = 100_000;

// INCR every key, start its window on the first hit, and report the count and time left.
const HIT_SCRIPT = `
local out = {}
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('PEXPIRE', key, ARGV[i]) end
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then
    redis.call('PEXPIRE', key, ARGV[i])
    ttl = tonumber(ARGV[i])
  end
  out[#out + 1] = count
  out[#out + 1] = ttl
end
return out`;

function decide(subjects: RateLimitSubject[], counts: { count: number; ttlMs: number }[]): RateLimitDecision {
  let refused: { retryAfterSeconds: number; rule: string } | null = null;
  subjects.forEach((subject, index) => {
    const { count, ttlMs } = counts[index];
    if (count <= subject.rule.limit) return;
    const retryAfterSeconds = Math.max(1, Math.ceil(ttlMs / 1000));
    if (!refused || retryAfterSeconds > refused.retryAfterSeconds) refused = { retryAfterSeconds, rule: subject.rule.name };
  });
  return refused ? { allowed: false, ...(refused as { retryAfterSeconds: number; rule: string }) } : { allowed: true };
}

function keyOf(prefix: string, subject: RateLimitSubject): string {
  return `${prefix}:ratelimit:${subject.rule.name}:${subject.id}`;
}

export class RedisRateLimiter implements RateLimiter {
  private lastFailureLog = 0;
  private connecting: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    redis.defineCommand("loyalnestRateHit", { lua: HIT_SCRIPT });
  }

  async hit(subjects: RateLimitSubject[]): Promise<RateLimitDecision> {
    if (subjects.length === 0) return { allowed: true };
    try {
      await this.ready();
      const keys = subjects.map((s) => keyOf(this.prefix, s));
      const windows = subjects.map((s) => String(s.rule.windowMs));
      const run = (this.redis as unknown as { loyalnestRateHit(n: number, ...args: string[]): Promise<number[]> }).loyalnestRateHit;
      const raw = await run.call(this.redis, keys.length, ...keys, ...windows);
      const counts = subjects.map((_, i) => ({ count: Number(raw[2 * i]), ttlMs: Number(raw[2 * i + 1]) }));
      return decide(subjects, counts);
    } catch (err) {
      const now = Date.now();
      if (now - this.lastFailureLog > FAILURE_LOG_INTERVAL_MS) {
        this.lastFailureLog = now;
        logger.warn({ err }, "rate limiter unavailable: letting storefront requests through");
      }
      return { allowed: true };
    }
  }

  /** A new process's first hits wait briefly for the connection instead of going uncounted. */
  private ready(): Promise<void> {
    const status = this.redis.status;
    if (status === "ready" || status === "end" || status === "close") return Promise.resolve();
    this.connecting ??= new Promise<void>((resolve) => {
      const redis = this.redis;
      const timer = setTimeout(done, CONNECT_WAIT_MS);
      timer.unref();
      function done() {
        clearTimeout(timer);
        redis.off("ready", done);
        resolve();
      }
      redis.once("ready", done);
    }).finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  async close(): Promise<void> {
    if (this.redis.status === "end") return;
    try {
      await Promise.race([this.redis.quit(), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    } catch {
      // Unreachable Redis: drop the socket below.
    }
    this.redis.disconnect();
  }
}

/** One process's counters, for running without Redis. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { count: number; endsAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async hit(subjects: RateLimitSubject[]): Promise<RateLimitDecision> {
    const now = this.now();
    if (this.windows.size > MEMORY_MAX_KEYS) this.dropExpired(now);
    const counts = subjects.map((subject) => {
      const key = keyOf("memory", subject);
      let window = this.windows.get(key);
      if (!window || window.endsAt <= now) {
        window = { count: 0, endsAt: now + subject.rule.windowMs };
        this.windows.set(key, window);
      }
      window.count += 1;
      return { count: window.count, ttlMs: window.endsAt - now };
    });
    return decide(subjects, counts);
  }

  private dropExpired(now: number) {
    for (const [key, window] of this.windows) if (window.endsAt <= now) this.windows.delete(key);
    // Still full of live windows (an attack from many addresses): start over rather than grow.
    if (this.windows.size > MEMORY_MAX_KEYS) this.windows.clear();
  }

  async close(): Promise<void> {
    this.windows.clear();
  }
}

declare global {
  var __loyalnestRateLimiter: RateLimiter | undefined;
}

/** The process's limiter: Redis when REDIS_URL is set, else in memory. */
export function rateLimiter(): RateLimiter {
  if (!global.__loyalnestRateLimiter) {
    const env = config();
    global.__loyalnestRateLimiter = env.REDIS_URL
      ? new RedisRateLimiter(
          new Redis(env.REDIS_URL, {
            connectionName: "loyalnest:rate-limit",
            // Fail fast instead of queueing hits while Redis is away: the request goes through.
            enableOfflineQueue: false,
            maxRetriesPerRequest: 0,
            commandTimeout: COMMAND_TIMEOUT_MS,
          }).on("error", (err: Error) => logger.debug({ err }, "rate limiter redis error")),
          env.BULL_PREFIX,
        )
      : new MemoryRateLimiter();
  }
  return global.__loyalnestRateLimiter;
}

export async function closeRateLimiter(): Promise<void> {
  const limiter = global.__loyalnestRateLimiter;
  global.__loyalnestRateLimiter = undefined;
  await limiter?.close();
}
