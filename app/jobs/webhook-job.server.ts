import { z } from "zod";
import type { Shop } from "@prisma/client";
import { getShop } from "~/models/shop.server";
import { withConnection, type SqlTransaction } from "~/models/sql.server";
import { loadWebhookDelivery, markWebhookProcessed } from "~/models/webhook-delivery.server";
import { TerminalJobError } from "./errors";
import { defineJob } from "./registry.server";
import type { JobContext, JobDefinition } from "./types";

export const webhookJobPayload = z.object({
  shop: z.string(),
  webhookId: z.string().min(1).max(255),
});

export type WebhookJobPayload = z.infer<typeof webhookJobPayload>;

/** What a webhook route enqueues: a job fed by one stored delivery. */
export type WebhookJob = JobDefinition<WebhookJobPayload, WebhookJobPayload>;

export interface WebhookDelivery {
  shop: string;
  webhookId: string;
  topic: string;
  receivedAt: Date;
  /** The body, parsed exactly (ids beyond 2^53 as their digits). */
  payload: unknown;
  /**
   * The installed shop's row, read with the delivery so handlers need not read it again; null
   * for jobs that run for uninstalled shops (they may find no row at all).
   */
  shopRow: Shop | null;
  /**
   * Marks the delivery processed in the transaction that does its work, so that both commit
   * together. A handler that does not call it gets its delivery marked once it returns.
   */
  completeIn(tx: SqlTransaction): Promise<void>;
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
 * delivery: the delivery is marked processed (and its payload cleared) with the handler's work, or
 * right after it, and handlers are idempotent, so a crash in between only repeats harmless work.
 */
export function defineWebhookJob(input: WebhookJobInput): WebhookJob {
  return defineJob({
    name: input.name,
    queue: "webhooks",
    schema: webhookJobPayload,
    attempts: input.attempts ?? 10,
    handler: async ({ shop, webhookId }, ctx) => {
      // Independent reads every run needs, sent together on one connection.
      const [row, shopRow] = await withConnection((sql) => Promise.all([
        loadWebhookDelivery(shop, webhookId, sql),
        input.runsForUninstalledShops ? null : getShop(shop, sql),
      ]));
      if (!row) throw new TerminalJobError(`webhook delivery ${webhookId} of ${shop} is not stored`);
      if (row.processedAt) return;
      if (!input.runsForUninstalledShops && shopRow?.installState !== "INSTALLED") {
        ctx.logger.info({ topic: row.topic }, "shop not installed: webhook ignored");
        await markWebhookProcessed(shop, webhookId);
        return;
      }
      if (row.payload === null) throw new TerminalJobError(`webhook delivery ${webhookId} has no payload`);
      let completed = false;
      await input.handler({
        shop,
        webhookId,
        topic: row.topic,
        receivedAt: row.receivedAt,
        payload: row.payload,
        shopRow,
        completeIn: async (tx) => {
          await markWebhookProcessed(shop, webhookId, tx);
          completed = true;
        },
      }, ctx);
      if (!completed) await markWebhookProcessed(shop, webhookId);
    },
  });
}
