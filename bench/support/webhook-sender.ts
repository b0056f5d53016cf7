import { Pool } from "undici";
import { waitForSlot, webhookHeaders, type ReplayResult, type WebhookDelivery } from "../../server/simulate/deliver";

// The benchmark's load generator: the same signed deliveries as server/simulate's replayWebhooks,
// with every header signed before the clock starts and sent through undici's connection pool.
// The sender shares the machine's two CPUs with what it measures; node:http's client cost about
// 0.6 ms of CPU per 8 KiB delivery, undici with pre-signed headers about a fifth of that, which
// leaves the CPUs to the app, the worker and PostgreSQL (a load generator should cost as little as
// wrk would). Closed loop: `concurrency` senders, each sending its next delivery when the previous
// one is answered. Open loop (`ratePerSecond`): delivery i is due at start + i/R.

export interface SendOptions {
  secret: string;
  concurrency: number;
  ratePerSecond?: number;
  timeoutMs?: number;
}

export async function sendDeliveries<T extends WebhookDelivery>(baseUrl: string, deliveries: readonly T[], options: SendOptions): Promise<ReplayResult<T>[]> {
  const prepared = deliveries.map((delivery) => ({
    delivery,
    path: `/webhooks/${delivery.topic}`,
    headers: webhookHeaders(delivery, options.secret),
    body: Buffer.from(delivery.body, "utf8"),
  }));
  const timeoutMs = options.timeoutMs ?? 30_000;
  const pool = new Pool(baseUrl, { connections: options.concurrency, pipelining: 1, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  const results: ReplayResult<T>[] = [];
  const startedAt = performance.now();
  let index = 0;
  const sender = async () => {
    for (;;) {
      const slot = index++;
      if (slot >= prepared.length) return;
      const { delivery, path, headers, body } = prepared[slot];
      const scheduledAt = await waitForSlot(startedAt, slot, options.ratePerSecond);
      const started = performance.now();
      const result: ReplayResult<T> = { delivery, sentAt: performance.timeOrigin + started, scheduledAt };
      try {
        const response = await pool.request({ method: "POST", path, headers, body });
        const text = await response.body.text();
        result.ack = { status: response.statusCode, ms: performance.now() - started, body: text };
      } catch (error) {
        result.error = error as Error;
      }
      results.push(result);
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, sender));
  } finally {
    await pool.close();
  }
  return results;
}
