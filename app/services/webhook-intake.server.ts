import { enqueue } from "~/jobs/queue.server";
import { recordWebhookDelivery } from "~/models/webhook-delivery.server";
import { authenticate } from "~/shopify.server";
import { logger } from "~/utils/logger.server";

/**
 * Every webhook route: verify the HMAC, store the delivery (deduplicated by its webhook id and by
 * its event id), await the enqueue of the job that does the work, answer 200. If the database or
 * Redis is down this throws, Shopify gets a 5xx and retries: an event is never acknowledged and
 * then lost.
 * The job carries only {shop, webhookId}; the payload stays in PostgreSQL, not in Redis.
 */
export async function acceptWebhook(request: Request, jobName: string): Promise<Response> {
  // authenticate.webhook parses the body with JSON.parse, which rounds 18-digit ids; the raw
  // text is what gets stored (PostgreSQL's jsonb keeps every digit) and the job parses it exactly.
  const raw = await request.clone().text();
  const { shop, topic, webhookId, eventId } = await authenticate.webhook(request);
  // Keep Shopify's own spelling ("orders/paid"); the library reports it as ORDERS_PAID.
  const header = request.headers.get("x-shopify-topic") ?? "";
  const topicName = header.toUpperCase().replace(/[/.]/g, "_") === String(topic) ? header : String(topic);
  const delivery = await recordWebhookDelivery(shop, {
    webhookId,
    topic: topicName,
    eventId: eventId ?? null,
    body: raw,
  });
  if (delivery.processed) {
    logger.debug({ shop, topic, webhookId, storedAs: delivery.webhookId }, "webhook replay of a processed delivery: acknowledged");
    return new Response(null, { status: 200 });
  }
  // A redelivery of a stored event feeds the job of the first delivery (same job id: Bull keeps one).
  await enqueue(jobName, { shop, webhookId: delivery.webhookId }, { jobId: `webhook:${shop}:${delivery.webhookId}` });
  return new Response(null, { status: 200 });
}
