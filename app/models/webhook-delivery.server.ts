import type { ProcessedWebhook } from "@prisma/client";
import { parseExactJson } from "~/utils/json.server";
import { sqlOf, type Db } from "./sql.server";

export interface WebhookDeliveryInput {
  webhookId: string;
  topic: string;
  eventId: string | null;
  /** The body as Shopify sent it (JSON text, already HMAC-verified). */
  body: string;
}

export interface RecordedDelivery {
  /** The stored delivery's webhook id: this one's, or the first delivery's of the same event. */
  webhookId: string;
  /** Its job already finished: nothing to enqueue. */
  processed: boolean;
  receivedAt: Date;
}

// One statement for a first delivery (nearly every one): INSERT … ON CONFLICT DO NOTHING, which
// also settles two racing deliveries (the loser waits for the winner's row, inserts nothing). The
// body is stored as the text Shopify signed, parsed by nobody until its job reads it.
const INSERT_DELIVERY = `
  INSERT INTO "ProcessedWebhook" ("shop", "webhookId", "topic", "eventId", "payload", "receivedAt")
  VALUES ($1, $2, $3, $4, $5, $6::timestamp(3))
  ON CONFLICT DO NOTHING
  RETURNING "webhookId", "receivedAt"`;

// A replay, of either kind: the same webhook id, or the same event under a new one.
const FIND_DELIVERY = `
  SELECT "webhookId", "processedAt", "receivedAt" FROM "ProcessedWebhook"
  WHERE "shop" = $1 AND ("webhookId" = $2 OR ($4::text IS NOT NULL AND "topic" = $3 AND "eventId" = $4))
  ORDER BY "receivedAt" LIMIT 1`;

/**
 * Stores a delivery once per (shop, webhook id) and once per (shop, topic, event id): Shopify
 * retries a delivery under its webhook id and may redeliver the same event under a new one. A
 * replay of either kind returns the stored row, whose `webhookId` names the job that handles it,
 * so the caller knows whether that job already finished (processedAt set) and must not run again.
 */
export async function recordWebhookDelivery(shop: string, input: WebhookDeliveryInput, db?: Db): Promise<RecordedDelivery> {
  const sql = sqlOf(db);
  for (let attempt = 0; attempt < 3; attempt++) {
    const [created] = await sql.rows<{ webhookId: string; receivedAt: Date }>(INSERT_DELIVERY, [
      shop, input.webhookId, input.topic, input.eventId, input.body, new Date(),
    ]);
    if (created) return { webhookId: created.webhookId, processed: false, receivedAt: created.receivedAt };
    const [existing] = await sql.rows<{ webhookId: string; processedAt: Date | null; receivedAt: Date }>(FIND_DELIVERY, [
      shop, input.webhookId, input.topic, input.eventId,
    ]);
    if (existing) return { webhookId: existing.webhookId, processed: existing.processedAt !== null, receivedAt: existing.receivedAt };
    // The row it collided with was deleted in between (shop/redact): store this one.
  }
  throw new Error(`webhook delivery ${input.webhookId} of ${shop} could be neither stored nor found`);
}

/** The stored body is not JSON (Shopify signed it, so it arrived as such): retrying cannot help. */
export class UnreadableDeliveryError extends Error {
  readonly retryable = false;

  constructor(webhookId: string, cause: unknown) {
    super(`webhook delivery ${webhookId} is not valid JSON`, { cause });
    this.name = "UnreadableDeliveryError";
  }
}

export type StoredDelivery = Omit<ProcessedWebhook, "payload"> & { payload: unknown };

/**
 * The delivery with its body parsed exactly (ids beyond 2^53 as their digits). A body that is not
 * JSON cannot be processed, ever: a non-retryable error for the job.
 */
export async function loadWebhookDelivery(shop: string, webhookId: string, db?: Db): Promise<StoredDelivery | null> {
  const [row] = await sqlOf(db).rows<Omit<ProcessedWebhook, "payload"> & { payloadText: string | null }>(
    `SELECT "shop", "webhookId", "topic", "eventId", "payload" AS "payloadText", "processedAt", "receivedAt"
     FROM "ProcessedWebhook" WHERE "shop" = $1 AND "webhookId" = $2`,
    [shop, webhookId],
  );
  if (!row) return null;
  const { payloadText, ...rest } = row;
  if (payloadText === null) return { ...rest, payload: null };
  try {
    return { ...rest, payload: parseExactJson(payloadText) };
  } catch (error) {
    throw new UnreadableDeliveryError(webhookId, error);
  }
}

/**
 * The delivery's work is done (in the caller's transaction, with that work). The body held
 * customer data only for the job's sake; the row stays for deduplication.
 */
export async function markWebhookProcessed(shop: string, webhookId: string, db?: Db): Promise<void> {
  await sqlOf(db).execute(
    `UPDATE "ProcessedWebhook" SET "processedAt" = $3::timestamp(3), "payload" = NULL
     WHERE "shop" = $1 AND "webhookId" = $2 AND "processedAt" IS NULL`,
    [shop, webhookId, new Date()],
  );
}

/** customers/redact: drop the bodies of unprocessed deliveries that name the customer. */
export async function forgetCustomerInDeliveries(shop: string, customerId: bigint, db: Db): Promise<void> {
  const sql = sqlOf(db);
  const id = customerId.toString();
  const candidates = await sql.rows<{ webhookId: string; payload: string }>(
    `SELECT "webhookId", "payload" FROM "ProcessedWebhook" WHERE "shop" = $1 AND "payload" IS NOT NULL AND strpos("payload", $2) > 0`,
    [shop, id],
  );
  const naming = candidates.filter((row) => namesCustomer(row.payload, id)).map((row) => row.webhookId);
  if (naming.length === 0) return;
  await sql.execute(`UPDATE "ProcessedWebhook" SET "payload" = NULL WHERE "shop" = $1 AND "webhookId" = ANY($2::text[])`, [shop, naming]);
}

/** An order's customer, or a customers/* body's own id. A body that is not JSON and holds the id goes too: no job can read it. */
function namesCustomer(text: string, id: string): boolean {
  try {
    const body = parseExactJson(text) as { id?: unknown; customer?: { id?: unknown } | null } | null;
    return String(body?.customer?.id) === id || String(body?.id) === id;
  } catch {
    return true;
  }
}

/**
 * shop/redact: every delivery of the shop goes except the shop/redact ones (ids and dates only;
 * their job clears the body): a replay is then acknowledged as done instead of being stored again
 * with nothing left to run it.
 */
export async function deleteShopDeliveries(shop: string, db: Db): Promise<void> {
  await sqlOf(db).execute(`DELETE FROM "ProcessedWebhook" WHERE "shop" = $1 AND "topic" <> 'shop/redact'`, [shop]);
}

