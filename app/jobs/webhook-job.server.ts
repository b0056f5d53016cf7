import { z } from "zod";
import type { Prisma, Shop } from "@prisma/client";
import { getShop } from "~/models/shop.server";
import { loadWebhookDelivery, markWebhookProcessed } from "~/models/webhook-delivery.server";
import { TerminalJobError } from "./errors";
import { defineJob } from "./registry.server";
import type { JobContext } from "./types";

export const webhookJobPayload = z.object({
  shop: z.string(),
  webhookId: z.string().min(1).max(255),
});

export interface WebhookDelivery {
  shop: string;
  webhookId: string;
  topic: string;
  receivedAt: Date;
  payload: Prisma.JsonValue;
  /**
   * The installed shop's row, read with the delivery so handlers need not read it again; null
   * for jobs that run for uninstalled shops (they may find no row at all).
   */
  shopRow: Shop | null;
}

interface WebhookJobInput {
  name: string;
  /** Compliance and uninstall work must run for shops that are no longer installed. */
  runsForUninstalledShops?: boolean;
  attempts?: number;
  handler: (delivery: WebhookDelivery, ctx: JobContext) => Promise<void>;
}

/**
 * A job fed by one stored webhook delivery. It runs the handler at most once to completion per
 * delivery: the delivery is marked processed (and its payload cleared) only after the handler
 * succeeds, and handlers are idempotent, so a crash in between only repeats harmless work.
 */
export function defineWebhookJob(input: WebhookJobInput) {
  return defineJob({
    name: input.name,
    queue: "webhooks",
    schema: webhookJobPayload,
    attempts: input.attempts ?? 10,
    handler: async ({ shop, webhookId }, ctx) => {
      // Independent reads every run needs: one round trip of waiting instead of two.
      const [row, shopRow] = await Promise.all([
        loadWebhookDelivery(shop, webhookId),
        input.runsForUninstalledShops ? null : getShop(shop),
      ]);
      if (!row) throw new TerminalJobError(`webhook delivery ${webhookId} of ${shop} is not stored`);
      if (row.processedAt) return;
      if (!input.runsForUninstalledShops && shopRow?.installState !== "INSTALLED") {
        ctx.logger.info({ topic: row.topic }, "shop not installed: webhook ignored");
        await markWebhookProcessed(shop, webhookId);
        return;
      }
      if (row.payload === null) throw new TerminalJobError(`webhook delivery ${webhookId} has no payload`);
      await input.handler(
        { shop, webhookId, topic: row.topic, receivedAt: row.receivedAt, payload: row.payload, shopRow },
        ctx,
      );
      await markWebhookProcessed(shop, webhookId);
    },
  });
}
