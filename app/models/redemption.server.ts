import { Prisma, type Redemption } from "@prisma/client";
import prisma from "~/db.server";
import * as ledger from "./ledger.server";
import { sqlState } from "./sql.server";
import { sqlOf, transaction, type Db, type Sql, type Tx } from "./sql.server";

// Redemptions: a hold in the ledger plus a code in Shopify. Each step of a redemption's life is
// one transaction with its ledger entry: reserved (hold + stock + row), issued, used (capture),
// expired / failed (void + stock back), returned (the order was cancelled).

export type { Redemption, RedemptionStatus } from "@prisma/client";

export type RedemptionRefusalCode = "insufficient_points" | "out_of_stock" | "customer_limit" | "reward_unavailable";

/** A redemption that cannot be made; nothing was written. */
export class RedemptionRefusedError extends Error {
  constructor(readonly code: RedemptionRefusalCode, message: string) {
    super(message);
    this.name = "RedemptionRefusedError";
  }
}

// Many shoppers redeeming one reward queue on its row (stock): allow for it, as the ledger does.
const TX = { maxWait: 10_000, timeout: 15_000 } as const;

export interface ReserveInput {
  id: string;
  memberId: string;
  rewardId: string;
  requestKey: string;
  channel: string;
  points: number;
  perCustomerLimit: number | null;
  discountConfig: Prisma.InputJsonValue;
  title: string;
  codeHash: string;
  codeCipher: string;
  expiresAt: Date;
  actor: string;
  now: Date;
}

const holdKey = (redemptionId: string) => `redemption:${redemptionId}:hold`;

export async function findRedemptionByRequestKey(shop: string, requestKey: string): Promise<Redemption | null> {
  return prisma.redemption.findUnique({ where: { shop_requestKey: { shop, requestKey } } });
}

export async function getRedemption(shop: string, id: string): Promise<Redemption | null> {
  return prisma.redemption.findUnique({ where: { shop_id: { shop, id } } });
}

/**
 * Holds the points, takes one unit of stock and records the redemption, all or nothing. The hold
 * locks the member first, so the per-customer count below is exact. A reward with stock is taken
 * by a guarded UPDATE of its row (stock is a counter: those redemptions queue on it, briefly); one
 * without stock is only share-locked, so its redemptions run side by side while a merchant's edit
 * (which locks the row for update) waits for them. Locks: member, then reward, never the reverse.
 */
export async function reserveRedemption(shop: string, input: ReserveInput): Promise<Redemption> {
  try {
    return await reserveInTransaction(shop, input);
  } catch (error) {
    // The same request raced itself (a double click): the loser's transaction rolled back whole.
    if (sqlState(error) === "23505" && (await findRedemptionByRequestKey(shop, input.requestKey))) throw new DuplicateRedemptionRequestError(input.requestKey);
    throw error;
  }
}

/** Another request with the same key committed first; answer from its redemption. */
export class DuplicateRedemptionRequestError extends Error {
  constructor(readonly requestKey: string) {
    super(`redemption request ${requestKey} is already recorded`);
    this.name = "DuplicateRedemptionRequestError";
  }
}

async function reserveInTransaction(shop: string, input: ReserveInput): Promise<Redemption> {
  return prisma.$transaction(async (tx) => {
    const { entry } = await ledger.hold(shop, input.memberId, {
      points: input.points,
      redemptionId: input.id,
      idempotencyKey: holdKey(input.id),
      reason: "redemption",
      actor: input.actor,
    }, { tx });
    if (input.perCustomerLimit !== null) {
      const [{ used }] = await tx.$queryRaw<{ used: number }[]>`
        SELECT count(*)::int AS "used" FROM "Redemption"
        WHERE "shop" = ${shop} AND "memberId" = ${input.memberId} AND "rewardId" = ${input.rewardId}
          AND "status" IN ('ISSUING', 'ISSUED', 'USED')`;
      if (used >= input.perCustomerLimit) {
        throw new RedemptionRefusedError("customer_limit", `This reward can be redeemed ${input.perCustomerLimit} time(s) per customer`);
      }
    }
    await takeReward(tx, shop, input.rewardId, input.now);
    const [row] = await tx.$queryRaw<Redemption[]>`
      INSERT INTO "Redemption" ("id", "shop", "memberId", "rewardId", "requestKey", "channel", "points", "status",
        "discountConfig", "title", "codeHash", "codeCipher", "holdEntryId", "expiresAt", "updatedAt")
      VALUES (${input.id}, ${shop}, ${input.memberId}, ${input.rewardId}, ${input.requestKey}, ${input.channel}, ${input.points}::int,
        'ISSUING'::"RedemptionStatus", ${JSON.stringify(input.discountConfig)}::jsonb, ${input.title}, ${input.codeHash}, ${input.codeCipher},
        ${entry.id}::bigint, ${input.expiresAt}::timestamp(3), CURRENT_TIMESTAMP)
      RETURNING *`;
    return row;
  }, TX);
}

const available = (now: Date) => Prisma.sql`"enabled" AND ("startsAt" IS NULL OR "startsAt" <= ${now}) AND ("endsAt" IS NULL OR "endsAt" > ${now})`;

async function takeReward(tx: Prisma.TransactionClient, shop: string, rewardId: string, now: Date) {
  const [current] = await tx.$queryRaw<{ stockTotal: number | null }[]>`
    SELECT "stockTotal" FROM "Reward" WHERE "shop" = ${shop} AND "id" = ${rewardId}`;
  if (current && current.stockTotal === null) {
    const [shared] = await tx.$queryRaw<{ stockTotal: number | null; ok: boolean }[]>`
      SELECT "stockTotal", (${available(now)}) AS "ok" FROM "Reward" WHERE "shop" = ${shop} AND "id" = ${rewardId} FOR SHARE`;
    if (!shared?.ok) throw new RedemptionRefusedError("reward_unavailable", "This reward is not available");
    // Still unlimited under the lock (a merchant may have just set a stock): nothing to count.
    if (shared.stockTotal === null) return;
  }
  const taken = await tx.$executeRaw`
    UPDATE "Reward" SET "issuedCount" = "issuedCount" + 1, "updatedAt" = CURRENT_TIMESTAMP
    WHERE "shop" = ${shop} AND "id" = ${rewardId} AND ${available(now)}
      AND ("stockTotal" IS NULL OR "issuedCount" < "stockTotal")`;
  if (taken === 1) return;
  const reward = await tx.reward.findUnique({ where: { shop_id: { shop, id: rewardId } } });
  const soldOut = reward && reward.stockTotal !== null && reward.issuedCount >= reward.stockTotal;
  throw soldOut
    ? new RedemptionRefusedError("out_of_stock", "This reward is out of stock")
    : new RedemptionRefusedError("reward_unavailable", "This reward is not available");
}

/** Codes held or spent per reward (what a reward's stock counts), for the catalog pages. */
export async function activeRedemptionCounts(shop: string): Promise<Map<string, number>> {
  const rows = await prisma.$queryRaw<{ rewardId: string; n: number }[]>`
    SELECT "rewardId", count(*)::int AS "n" FROM "Redemption"
    WHERE "shop" = ${shop} AND "status" IN ('ISSUING', 'ISSUED', 'USED') GROUP BY "rewardId"`;
  return new Map(rows.map((r) => [r.rewardId, r.n]));
}

/** Shopify has the code. Idempotent: a concurrent retry that also finished issuing changes nothing. */
export async function markIssued(shop: string, id: string, discountId: string): Promise<Redemption> {
  const [row] = await prisma.$queryRaw<Redemption[]>`
    UPDATE "Redemption" SET "status" = CASE WHEN "status" = 'ISSUING' THEN 'ISSUED'::"RedemptionStatus" ELSE "status" END,
      "discountId" = CASE WHEN "status" = 'ISSUING' THEN ${discountId} ELSE "discountId" END, "updatedAt" = CURRENT_TIMESTAMP
    WHERE "shop" = ${shop} AND "id" = ${id}
    RETURNING *`;
  if (!row) throw new Error(`redemption ${id} vanished while being issued`);
  return row;
}

/**
 * Ends a redemption whose points come back (FAILED: no code was made; EXPIRED: the code was never
 * used): the hold is voided, the stock unit returned. A FAILED one frees its request key, so the
 * shopper's retry of the same request starts afresh.
 */
export async function releaseRedemption(
  shop: string,
  id: string,
  outcome: { status: "FAILED" | "EXPIRED"; failure?: string; actor: string; now: Date },
): Promise<Redemption | null> {
  return prisma.$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<Redemption[]>`
      SELECT * FROM "Redemption" WHERE "shop" = ${shop} AND "id" = ${id} FOR UPDATE`;
    if (!row || row.status !== (outcome.status === "FAILED" ? "ISSUING" : "ISSUED")) return null;
    await ledger.voidHold(shop, row.holdEntryId, {
      idempotencyKey: `redemption:${id}:void`, reason: outcome.status === "FAILED" ? "redemption_failed" : "redemption_expired", actor: outcome.actor,
    }, { tx });
    await returnStock(tx, shop, row.rewardId);
    return tx.redemption.update({
      where: { shop_id: { shop, id } },
      data: {
        status: outcome.status,
        closedAt: outcome.now,
        failure: outcome.failure?.slice(0, 500) ?? null,
        ...(outcome.status === "FAILED" ? { requestKey: `${row.requestKey}#failed:${id}` } : {}),
      },
    });
  }, TX);
}

async function returnStock(db: Db, shop: string, rewardId: string) {
  await sqlOf(db).execute(
    `UPDATE "Reward" SET "issuedCount" = GREATEST("issuedCount" - 1, 0), "updatedAt" = CURRENT_TIMESTAMP
     WHERE "shop" = $1 AND "id" = $2`,
    [shop, rewardId],
  );
}

/** The redemptions whose codes an order used (by code hash), still waiting to be captured. */
export async function redemptionsForCodes(shop: string, codeHashes: string[], db?: Db): Promise<Redemption[]> {
  if (codeHashes.length === 0) return [];
  return sqlOf(db).rows<Redemption>(`SELECT * FROM "Redemption" WHERE "shop" = $1 AND "codeHash" = ANY($2::text[])`, [shop, codeHashes]);
}

/** The redemption's row, locked for the rest of the transaction. */
async function lockRedemption(sql: Sql, shop: string, id: string): Promise<Redemption | null> {
  const [row] = await sql.rows<Redemption>(`SELECT * FROM "Redemption" WHERE "shop" = $1 AND "id" = $2 FOR UPDATE`, [shop, id]);
  return row ?? null;
}

/** In the caller's transaction when there is one (an order's event), else in one of its own. */
function inTransaction<T>(tx: Tx | undefined, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return tx ? fn(tx) : transaction(fn);
}

/** The order used the code: the points are spent for good, on that order. */
export async function captureRedemption(shop: string, id: string, orderId: bigint, now: Date, tx?: Tx): Promise<Redemption | null> {
  return inTransaction(tx, async (tx) => {
    const sql = sqlOf(tx);
    const row = await lockRedemption(sql, shop, id);
    if (!row || (row.status !== "ISSUED" && row.status !== "ISSUING")) return null;
    await ledger.capture(shop, row.holdEntryId, {
      orderId, idempotencyKey: `redemption:${id}:capture`, reason: "redemption_used", actor: "system:redemption",
    }, { tx });
    const [used] = await sql.rows<Redemption>(
      `UPDATE "Redemption" SET "status" = 'USED', "orderId" = $3::bigint, "usedAt" = $4::timestamp(3), "updatedAt" = CURRENT_TIMESTAMP
       WHERE "shop" = $1 AND "id" = $2 RETURNING *`,
      [shop, id, orderId, now],
    );
    return used;
  });
}

/** The order that used these codes was cancelled: their points come back (REDEEM_RETURN). */
export async function returnRedemptionsOfOrder(shop: string, orderId: bigint, now: Date, tx?: Tx): Promise<Redemption[]> {
  const used = await sqlOf(tx).rows<{ id: string }>(
    `SELECT "id" FROM "Redemption" WHERE "shop" = $1 AND "orderId" = $2::bigint AND "status" = 'USED'`,
    [shop, orderId],
  );
  const returned: Redemption[] = [];
  for (const { id } of used) {
    const row = await inTransaction(tx, async (tx) => {
      const sql = sqlOf(tx);
      const current = await lockRedemption(sql, shop, id);
      if (!current || current.status !== "USED") return null;
      await ledger.returnRedemption(shop, current.holdEntryId, {
        idempotencyKey: `redemption:${id}:return`, reason: "order_cancelled", actor: "system:redemption",
      }, { tx });
      await returnStock(tx, shop, current.rewardId);
      const [closed] = await sql.rows<Redemption>(
        `UPDATE "Redemption" SET "status" = 'RETURNED', "closedAt" = $3::timestamp(3), "updatedAt" = CURRENT_TIMESTAMP
         WHERE "shop" = $1 AND "id" = $2 RETURNING *`,
        [shop, id, now],
      );
      return closed;
    });
    if (row) returned.push(row);
  }
  return returned;
}

/** Issued codes past their expiry, and reservations stuck in ISSUING (a crash mid-issue). */
export async function redemptionsToSettle(shop: string, now: Date, stuckBefore: Date, take = 200): Promise<Redemption[]> {
  return prisma.redemption.findMany({
    where: {
      shop,
      OR: [
        { status: "ISSUED", expiresAt: { lte: now } },
        { status: "ISSUING", createdAt: { lte: stuckBefore } },
      ],
    },
    orderBy: { createdAt: "asc" },
    take,
  });
}

/** Shops that have something to settle: what the hourly sweep enqueues work for. */
export async function shopsWithRedemptionsToSettle(now: Date, stuckBefore: Date): Promise<string[]> {
  const rows = await prisma.$queryRaw<{ shop: string }[]>`
    SELECT DISTINCT "shop" FROM "Redemption"
    WHERE ("status" = 'ISSUED' AND "expiresAt" <= ${now}) OR ("status" = 'ISSUING' AND "createdAt" <= ${stuckBefore})`;
  return rows.map((r) => r.shop);
}

export async function listMemberRedemptionRows(shop: string, memberId: string, take = 50): Promise<Redemption[]> {
  return prisma.redemption.findMany({
    where: { shop, memberId, status: { not: "FAILED" } },
    orderBy: { createdAt: "desc" },
    take,
  });
}

/**
 * Codes an active member of this customer holds and can still use (issued, not expired), soonest to
 * expire first: keyed by the customer, so it can travel with the member read in one round trip.
 */
export async function usableRedemptionsOfCustomer(shop: string, customerId: bigint, now: Date, db?: Db): Promise<Redemption[]> {
  return sqlOf(db).rows<Redemption>(
    `SELECT r.* FROM "Redemption" r JOIN "Member" m ON m."shop" = r."shop" AND m."id" = r."memberId"
     WHERE m."shop" = $1 AND m."shopifyCustomerId" = $2::bigint AND m."state" = 'ACTIVE'
       AND r."status" = 'ISSUED' AND r."expiresAt" > $3::timestamp(3)
     ORDER BY r."expiresAt", r."id" LIMIT 50`,
    [shop, customerId, now],
  );
}

/** Issued codes that still look to an order for the per-order capture, by order id (for the member page). */
export async function redemptionsOfOrder(shop: string, orderId: bigint): Promise<Redemption[]> {
  return prisma.redemption.findMany({ where: { shop, orderId }, orderBy: { createdAt: "asc" } });
}
