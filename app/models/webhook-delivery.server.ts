import { Prisma, type ProcessedWebhook } from "@prisma/client";
import prisma from "~/db.server";
import { parseExactJson } from "~/utils/json.server";

export interface WebhookDeliveryInput {
  webhookId: string;
  topic: string;
  eventId: string | null;
  /** The body as Shopify sent it (JSON text, already HMAC-verified). */
  body: string;
}

/**
 * Stores a delivery once per (shop, webhook id) and once per (shop, topic, event id): Shopify
 * retries a delivery under its webhook id and may redeliver the same event under a new one. A
 * replay of either kind returns the stored row, whose `webhookId` names the job that handles it,
 * so the caller knows whether that job already finished (processedAt set) and must not run again.
 */
export async function recordWebhookDelivery(shop: string, input: WebhookDeliveryInput) {
  // Raw SQL on purpose: this runs for every webhook, and Prisma's query compiler spends ~3 ms of
  // CPU walking an 8 KB Json value (measured by bench/ingest), where the body's own text cast by
  // PostgreSQL costs a fraction of that and needs no parse here: jsonb stores numbers as numeric,
  // so 18-digit ids keep every digit. The timestamp comes from the app's clock, as Prisma's now()
  // would.
  const payload = input.body;
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
  // Raw for the same reason as the insert: the 8 KB body is read once per job, as text, because
  // the driver's JSON.parse would round ids above 2^53.
  const rows = await prisma.$queryRaw<(Omit<ProcessedWebhook, "payload"> & { payloadText: string | null })[]>`
    SELECT "shop", "webhookId", "topic", "eventId", "payload"::text AS "payloadText", "processedAt", "receivedAt"
    FROM "ProcessedWebhook" WHERE "shop" = ${shop} AND "webhookId" = ${webhookId}`;
  const row = rows[0];
  if (!row) return null;
  const { payloadText, ...rest } = row;
  return { ...rest, payload: payloadText === null ? null : (parseExactJson(payloadText) as Prisma.JsonValue) };
}

export async function markWebhookProcessed(shop: string, webhookId: string, tx: Prisma.TransactionClient = prisma) {
  // The body held customer data only for the job's sake; the row stays for deduplication.
  await tx.$executeRaw`
    UPDATE "ProcessedWebhook" SET "processedAt" = ${new Date()}, "payload" = NULL
    WHERE "shop" = ${shop} AND "webhookId" = ${webhookId} AND "processedAt" IS NULL`;
}
