import { Prisma, type ProcessedWebhook } from "@prisma/client";
import prisma from "~/db.server";

export interface WebhookDeliveryInput {
  webhookId: string;
  topic: string;
  eventId: string | null;
  payload: unknown;
}

/**
 * Stores a delivery once per (shop, webhook id) and once per (shop, topic, event id): Shopify
 * retries a delivery under its webhook id and may redeliver the same event under a new one. A
 * replay of either kind returns the stored row, whose `webhookId` names the job that handles it,
 * so the caller knows whether that job already finished (processedAt set) and must not run again.
 */
export async function recordWebhookDelivery(shop: string, input: WebhookDeliveryInput) {
  // Raw SQL on purpose: this runs for every webhook, and Prisma's query compiler spends ~3 ms of
  // CPU walking an 8 KB Json value (measured by bench/ingest), where JSON text cast by PostgreSQL
  // costs a fraction of that. The timestamp comes from the app's clock, as Prisma's now() would.
  const payload = JSON.stringify(input.payload ?? null);
  const sameDelivery: Prisma.ProcessedWebhookWhereInput[] = [{ webhookId: input.webhookId }];
  if (input.eventId) sameDelivery.push({ topic: input.topic, eventId: input.eventId });
  for (let attempt = 0; attempt < 3; attempt++) {
    // A first delivery (nearly every one) costs one statement: INSERT … ON CONFLICT DO NOTHING,
    // which also settles two racing deliveries (the loser waits for the winner's row, inserts
    // nothing). Only a replay, of either kind, reads the stored row.
    const [created] = await prisma.$queryRaw<{ webhookId: string; receivedAt: Date }[]>`
      INSERT INTO "ProcessedWebhook" ("shop", "webhookId", "topic", "eventId", "payload", "receivedAt")
      VALUES (${shop}, ${input.webhookId}, ${input.topic}, ${input.eventId}, ${payload}::jsonb, ${new Date()})
      ON CONFLICT DO NOTHING
      RETURNING "webhookId", "receivedAt"`;
    if (created) return { webhookId: created.webhookId, processed: false, receivedAt: created.receivedAt };
    const existing = await prisma.processedWebhook.findFirst({
      where: { shop, OR: sameDelivery },
      orderBy: { receivedAt: "asc" },
      select: { webhookId: true, processedAt: true, receivedAt: true },
    });
    if (existing) return { webhookId: existing.webhookId, processed: existing.processedAt !== null, receivedAt: existing.receivedAt };
    // The row it collided with was deleted in between (shop/redact): store this one.
  }
  throw new Error(`webhook delivery ${input.webhookId} of ${shop} could be neither stored nor found`);
}

export async function loadWebhookDelivery(shop: string, webhookId: string): Promise<ProcessedWebhook | null> {
  // Raw for the same reason as the insert: the 8 KB body is read once per job.
  const rows = await prisma.$queryRaw<ProcessedWebhook[]>`
    SELECT "shop", "webhookId", "topic", "eventId", "payload", "processedAt", "receivedAt"
    FROM "ProcessedWebhook" WHERE "shop" = ${shop} AND "webhookId" = ${webhookId}`;
  return rows[0] ?? null;
}

export async function markWebhookProcessed(shop: string, webhookId: string, tx: Prisma.TransactionClient = prisma) {
  await tx.processedWebhook.updateMany({
    where: { shop, webhookId, processedAt: null },
    // The body held customer data only for the job's sake; the row stays for deduplication.
    data: { processedAt: new Date(), payload: Prisma.DbNull },
  });
}
