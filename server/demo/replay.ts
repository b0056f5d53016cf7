import { replayWebhooks } from "../simulate/deliver";
import { createShopifyEventGenerator } from "../simulate/shopify-events";

const DAY_MS = 86_400_000;

export interface DemoReplayResult {
  sent: number;
  acknowledged: number;
  failed: { topic: string; status: number | null; error?: string }[];
}

/**
 * Fills the demo shop the way a real one fills up: a month of signed Shopify webhooks (orders from
 * members and guests, signups, partial and full refunds, cancellations) sent over HTTP to the
 * running app, which verifies, queues and processes them like any other. Older orders are past
 * their pending period, recent ones still pending, so every kind of balance shows.
 */
export async function replayDemoStream(options: {
  appUrl: string;
  shop: string;
  secret: string;
  events?: number;
  now?: Date;
  seed?: string;
  /** Called for every customer the stream mentions, before its first delivery is sent. */
  onCustomer?: (customer: { id: string }) => void;
}): Promise<DemoReplayResult> {
  const events = options.events ?? 200;
  const now = options.now ?? new Date();
  const span = 30 * DAY_MS;
  const generator = createShopifyEventGenerator({
    shop: options.shop,
    seed: options.seed ?? "loyalnest-demo",
    customers: 40,
    guestShare: 0.2,
    start: new Date(now.getTime() - span),
    meanGapMs: Math.floor(span / events),
  });
  const deliveries = [...generator.stream(events)];
  // The customers behind the webhooks exist in Shopify too (the Admin API stand-in): codes and
  // lookups for them must work as on a real shop.
  for (const delivery of deliveries) {
    if (delivery.subject.customerId) options.onCustomer?.({ id: delivery.subject.customerId });
  }
  // In order, one at a time: a refund is sent after the order it refunds, as Shopify would.
  const results = await replayWebhooks(options.appUrl, deliveries, { secret: options.secret, concurrency: 1 });
  const failed = results
    .filter((r) => r.error || r.ack?.status !== 200)
    .map((r) => ({ topic: r.delivery.topic, status: r.ack?.status ?? null, error: r.error?.message }));
  return { sent: results.length, acknowledged: results.length - failed.length, failed };
}

