import { config } from "~/config.server";
import { recordWebhookDelivery } from "~/models/webhook-delivery.server";
import { verifyShopifyWebhook } from "~/utils/shopify-webhook.server";
import { enqueue } from "./queue.server";
import type { WebhookJob } from "./webhook-job.server";

/**
 * Every webhook route: verify the HMAC, store the delivery (deduplicated by its webhook id and by
 * its event id), await the enqueue of the job that does the work, answer 200. If the database or
 * Redis is down this throws, Shopify gets a 5xx and retries: an event is never acknowledged and
 * then lost. The job carries only {shop, webhookId}; the payload stays in PostgreSQL, not in Redis.
 */
export async function acceptWebhook(request: Request, job: WebhookJob): Promise<Response> {
  const webhook = await verifyShopifyWebhook(request, config().SHOPIFY_API_SECRET);
  const { shop, webhookId } = webhook;
  // The body is stored as signed: PostgreSQL's jsonb keeps 18-digit ids exact, the job parses it.
  const delivery = await recordWebhookDelivery(shop, { webhookId, topic: webhook.topic, eventId: webhook.eventId, body: webhook.body });
  if (delivery.processed) return new Response(null, { status: 200 });
  // A redelivery of a stored event feeds the job of the first delivery (same job id: Bull keeps one).
  await enqueue(job, { shop, webhookId: delivery.webhookId }, { jobId: `webhook:${shop}:${delivery.webhookId}`, reportDuplicate: false });
  return new Response(null, { status: 200 });
}
