import { Prisma } from "@prisma/client";
import prisma from "~/db.server";

export interface WebhookDeliveryInput {
  webhookId: string;
  topic: string;
  eventId: string | null;
  payload: unknown;
}

/**
 * Stores a delivery once per (shop, webhook id). A replay returns the stored row, so the caller
 * knows whether its job already finished (processedAt set) and must not run again.
 */
export async function recordWebhookDelivery(shop: string, input: WebhookDeliveryInput) {
  const data = {
    shop,
    webhookId: input.webhookId,
    topic: input.topic,
    eventId: input.eventId,
    payload: input.payload as Prisma.InputJsonValue,
  };
  for (let attempt = 0; ; attempt++) {
    try {
      const row = await prisma.processedWebhook.upsert({
        where: { shop_webhookId: { shop, webhookId: input.webhookId } },
        create: data,
        update: {},
        select: { processedAt: true, receivedAt: true },
      });
      return { processed: row.processedAt !== null, receivedAt: row.receivedAt };
    } catch (error) {
      // Two deliveries of the same webhook racing: the loser reads the winner's row.
      if (attempt === 0 && error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") continue;
      throw error;
    }
  }
}

export async function loadWebhookDelivery(shop: string, webhookId: string) {
  return prisma.processedWebhook.findUnique({ where: { shop_webhookId: { shop, webhookId } } });
}

export async function markWebhookProcessed(shop: string, webhookId: string, tx: Prisma.TransactionClient = prisma) {
  await tx.processedWebhook.updateMany({
    where: { shop, webhookId, processedAt: null },
    // The body held customer data only for the job's sake; the row stays for deduplication.
    data: { processedAt: new Date(), payload: Prisma.DbNull },
  });
}
