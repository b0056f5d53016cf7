import { Prisma, type OrderEarning, type OrderEarningStatus, type OrderRefund } from "@prisma/client";
import prisma from "~/db.server";
import { sqlOf, type Db } from "./sql.server";

// What each order earned and the refunds received for it. A projection kept beside the ledger
// (which alone holds points); every function is scoped by shop. The functions an order event runs
// take the event's transaction (`db`), so that the ledger entries, this row and the webhook's
// processed mark commit together; they are SQL rather than Prisma model calls because the query
// compiler spent more CPU on each than PostgreSQL spends on the statement (bench/RESULTS.md).

export async function getOrderEarning(shop: string, orderId: bigint, db?: Db): Promise<OrderEarning | null> {
  const [row] = await sqlOf(db).rows<OrderEarning>(`SELECT * FROM "OrderEarning" WHERE "shop" = $1 AND "orderId" = $2::bigint`, [shop, orderId]);
  return row ?? null;
}

/**
 * The order's earning (or null) and whether any refund is recorded for it, in one statement: the
 * earn path needs both, and nearly every order has no refund to apply.
 */
export async function orderEarningState(shop: string, orderId: bigint, db?: Db): Promise<{ earning: OrderEarning | null; hasRefunds: boolean }> {
  const [row] = await sqlOf(db).rows<OrderEarning & { hasRefunds: boolean; found: boolean }>(
    `SELECT oe.*, oe."shop" IS NOT NULL AS "found",
       EXISTS (SELECT 1 FROM "OrderRefund" r WHERE r."shop" = $1 AND r."orderId" = $2::bigint) AS "hasRefunds"
     FROM (VALUES (1)) AS one
     LEFT JOIN "OrderEarning" oe ON oe."shop" = $1 AND oe."orderId" = $2::bigint`,
    [shop, orderId],
  );
  const { hasRefunds, found, ...earning } = row;
  return { earning: found ? earning : null, hasRefunds };
}

/** Everything an order's row records; what is left out keeps its column default. */
export interface OrderEarningWrite {
  orderName?: string | null;
  customerId?: bigint | null;
  memberId?: string | null;
  status: OrderEarningStatus;
  orderedAt: Date;
  currencyCode: string;
  eligibleBase?: string;
  points?: number;
  trace?: Prisma.InputJsonValue;
  basis?: Prisma.InputJsonValue | null;
  guestOrder?: Prisma.InputJsonValue | null;
  orderSnapshot?: Prisma.InputJsonValue | null;
  /** The order's total in shop money as charged (decimal text); null for test orders. */
  orderTotal?: string | null;
  earnEntryId?: bigint | null;
  availableAt?: Date | null;
  guestEmailHash?: string | null;
  cancelledAt?: Date | null;
}

const jsonText = (value: Prisma.InputJsonValue | null | undefined) => (value === undefined || value === null ? null : JSON.stringify(value));

const WRITE_COLUMNS = [
  "orderName", "customerId", "memberId", "status", "orderedAt", "currencyCode", "eligibleBase", "points", "trace", "basis",
  "guestOrder", "orderSnapshot", "orderTotal", "earnEntryId", "availableAt", "guestEmailHash", "cancelledAt",
] as const;

// One statement for a new order and for a guest order credited at signup (the row exists, waiting
// for its member): the row then says what the order earned, whatever it said before. createdAt is
// when the order was first recorded.
const SAVE_ORDER_EARNING = `
  INSERT INTO "OrderEarning" ("shop", "orderId", ${WRITE_COLUMNS.map((c) => `"${c}"`).join(", ")}, "createdAt", "updatedAt")
  VALUES ($1, $2::bigint, $3::text, $4::bigint, $5::text, $6::"OrderEarningStatus", $7::timestamp(3), $8, $9, $10::int, $11::jsonb,
    $12::jsonb, $13::jsonb, $14::jsonb, $15::numeric, $16::bigint, $17::timestamp(3), $18::text, $19::timestamp(3), $20::timestamp(3), $20::timestamp(3))
  ON CONFLICT ("shop", "orderId") DO UPDATE SET
    ${WRITE_COLUMNS.map((c) => `"${c}" = EXCLUDED."${c}"`).join(", ")}, "updatedAt" = EXCLUDED."updatedAt"`;

/**
 * Records what the order earned (or why it earned nothing): a new row, or the guest order's row
 * replaced. Nothing is read back (getOrderEarning reads it): this runs for every order.
 */
export async function saveOrderEarning(shop: string, orderId: bigint, data: OrderEarningWrite, db?: Db): Promise<void> {
  await sqlOf(db).execute(SAVE_ORDER_EARNING, [
    shop, orderId, data.orderName ?? null, data.customerId ?? null, data.memberId ?? null, data.status, data.orderedAt,
    data.currencyCode, data.eligibleBase ?? "0", data.points ?? 0, jsonText(data.trace) ?? "[]", jsonText(data.basis),
    jsonText(data.guestOrder), jsonText(data.orderSnapshot), data.orderTotal ?? null, data.earnEntryId ?? null,
    data.availableAt ?? null, data.guestEmailHash ?? null, data.cancelledAt ?? null, new Date(),
  ]);
}

/** The order was cancelled after it was recorded: it will never earn, and a guest's copy is dropped. */
export async function markOrderCancelled(shop: string, orderId: bigint, cancelledAt: Date, db?: Db): Promise<void> {
  await sqlOf(db).execute(
    `UPDATE "OrderEarning" SET "status" = 'CANCELLED', "cancelledAt" = $3::timestamp(3), "guestOrder" = NULL, "guestEmailHash" = NULL,
       "updatedAt" = $4::timestamp(3)
     WHERE "shop" = $1 AND "orderId" = $2::bigint`,
    [shop, orderId, cancelledAt, new Date()],
  );
}

/** The pending period is over; `earnEntryId` is the entry that posted the points (null when none were earned). */
export async function markOrderPosted(shop: string, orderId: bigint, earnEntryId: bigint | null, db?: Db): Promise<OrderEarning> {
  const [row] = await sqlOf(db).rows<OrderEarning>(
    `UPDATE "OrderEarning" SET "status" = 'POSTED', "earnEntryId" = COALESCE($3::bigint, "earnEntryId"), "updatedAt" = $4::timestamp(3)
     WHERE "shop" = $1 AND "orderId" = $2::bigint RETURNING *`,
    [shop, orderId, earnEntryId, new Date()],
  );
  return row;
}

/** Purchase points of this member's orders placed within [start, end) — the per-day cap's count. */
export async function purchasePointsBetween(shop: string, memberId: string, start: Date, end: Date, db?: Db): Promise<number> {
  const [row] = await sqlOf(db).rows<{ points: number }>(
    `SELECT COALESCE(SUM("points"), 0)::int AS "points" FROM "OrderEarning"
     WHERE "shop" = $1 AND "memberId" = $2 AND "orderedAt" >= $3::timestamp(3) AND "orderedAt" < $4::timestamp(3)
       AND "status" IN ('PENDING', 'POSTED')`,
    [shop, memberId, start, end],
  );
  return row.points;
}

export async function guestOrdersForEmail(shop: string, guestEmailHash: string) {
  return prisma.orderEarning.findMany({
    where: { shop, guestEmailHash, status: "GUEST" },
    orderBy: { orderedAt: "asc" },
  });
}

export async function orderEarningsForMember(shop: string, memberId: string, { take = 50 }: { take?: number } = {}) {
  return prisma.orderEarning.findMany({ where: { shop, memberId }, orderBy: { orderedAt: "desc" }, take });
}

/** A customer's data export: the orders of the member, of the customer id, of a guest email, or named by the request. */
export async function orderEarningsForCustomer(
  shop: string,
  { memberId, customerId, guestEmailHash, orderIds }: { memberId: string | null; customerId: bigint; guestEmailHash: string | null; orderIds: bigint[] },
) {
  return prisma.orderEarning.findMany({
    where: { shop, OR: customerOrders({ memberId, customerId, guestEmailHash, orderIds }) },
    orderBy: { orderedAt: "asc" },
  });
}

function customerOrders({ memberId, customerId, guestEmailHash, orderIds }: { memberId?: string | null; customerId: bigint; guestEmailHash: string | null; orderIds: bigint[] }) {
  return [
    ...(memberId ? [{ memberId }] : []),
    { customerId },
    ...(guestEmailHash ? [{ guestEmailHash }] : []),
    ...(orderIds.length ? [{ orderId: { in: orderIds } }] : []),
  ];
}

/** customers/redact: the customer's orders keep their amounts and lose what named or described the customer. */
export async function redactCustomerOrders(
  shop: string,
  { customerId, guestEmailHash, orderIds }: { customerId: bigint; guestEmailHash: string | null; orderIds: bigint[] },
  db?: Db,
): Promise<void> {
  await sqlOf(db).execute(
    `UPDATE "OrderEarning" SET "guestEmailHash" = NULL, "guestOrder" = NULL, "orderName" = NULL, "updatedAt" = CURRENT_TIMESTAMP
     WHERE "shop" = $1 AND ("customerId" = $2::bigint OR ($3::text IS NOT NULL AND "guestEmailHash" = $3) OR "orderId" = ANY($4::bigint[]))`,
    [shop, customerId, guestEmailHash, orderIds.map(String)],
  );
}

/** Stores a refund once (replays keep the first copy). */
export async function recordRefund(shop: string, refundId: bigint, orderId: bigint, document: Prisma.InputJsonValue, db?: Db): Promise<void> {
  await sqlOf(db).execute(
    `INSERT INTO "OrderRefund" ("shop", "refundId", "orderId", "document") VALUES ($1, $2::bigint, $3::bigint, $4::jsonb)
     ON CONFLICT DO NOTHING`,
    [shop, refundId, orderId, JSON.stringify(document)],
  );
}

/** The order's refunds in the order they were received. */
export async function refundsForOrder(shop: string, orderId: bigint, db?: Db): Promise<OrderRefund[]> {
  return sqlOf(db).rows<OrderRefund>(
    `SELECT * FROM "OrderRefund" WHERE "shop" = $1 AND "orderId" = $2::bigint ORDER BY "createdAt", "refundId"`,
    [shop, orderId],
  );
}

/** The refunds recorded for these orders (a customer's data export). */
export async function refundsForOrders(shop: string, orderIds: bigint[]): Promise<OrderRefund[]> {
  if (orderIds.length === 0) return [];
  return prisma.orderRefund.findMany({ where: { shop, orderId: { in: orderIds } } });
}

/** Marks the refund applied and, when the pending credit was reissued, points the order at it. */
export async function markRefundApplied(
  shop: string,
  refundId: bigint,
  orderId: bigint,
  applied: { base: string; pointsReversed: number; clawbackEntryId: bigint | null; earnEntryId?: bigint | null },
  db?: Db,
): Promise<OrderEarning> {
  const sql = sqlOf(db);
  const now = new Date();
  const [, [earning]] = await Promise.all([
    sql.execute(
      `UPDATE "OrderRefund" SET "base" = $3, "pointsReversed" = $4::int, "clawbackEntryId" = $5::bigint, "appliedAt" = $6::timestamp(3)
       WHERE "shop" = $1 AND "refundId" = $2::bigint`,
      [shop, refundId, applied.base, applied.pointsReversed, applied.clawbackEntryId, now],
    ),
    sql.rows<OrderEarning>(
      `UPDATE "OrderEarning" SET "earnEntryId" = CASE WHEN $3::boolean THEN $4::bigint ELSE "earnEntryId" END, "updatedAt" = $5::timestamp(3)
       WHERE "shop" = $1 AND "orderId" = $2::bigint RETURNING *`,
      [shop, orderId, applied.earnEntryId !== undefined, applied.earnEntryId ?? null, now],
    ),
  ]);
  return earning;
}

/** Orders whose pending points are due, oldest first (the sweep behind the delayed jobs). */
export async function duePendingEarnings(now: Date, take = 500) {
  return prisma.orderEarning.findMany({
    where: { status: "PENDING", availableAt: { lte: now } },
    orderBy: { availableAt: "asc" },
    take,
    select: { shop: true, orderId: true },
  });
}

// ---------------------------------------------------------------------------------------------
// Analytics reads (the overview).

export interface OrderRevenueDay {
  memberOrders: number;
  otherOrders: number;
  /** Sums of orderTotal, exact decimal text in the shop's currency. */
  memberRevenue: string;
  otherRevenue: string;
}

export interface OrderRevenue {
  /** One element per bucket between the boundaries. */
  days: OrderRevenueDay[];
  /** Orders of the range left out of the sums: no recorded total (test orders, or recorded before totals were kept). */
  withoutTotal: number;
  /** Orders of the range in another currency than the shop's (the shop changed currency): left out. */
  otherCurrency: number;
}

/**
 * Revenue of the orders placed between the first and last boundary, by the day they were placed
 * (business time: orderedAt), split between members' orders (the order is credited to a member,
 * including a guest order credited when its guest signed up) and everyone else's. Revenue is the
 * order's total as charged; cancelled orders are left out, refunds are not deducted. Only orders
 * LoyalNest received count (the shop's earning trigger: paid, or fulfilled).
 */
export async function orderRevenueByDay(shop: string, boundaries: readonly Date[], currency: string): Promise<OrderRevenue> {
  if (boundaries.length < 2) throw new RangeError("at least two boundaries are needed");
  const start = boundaries[0];
  const end = boundaries[boundaries.length - 1];
  const edges = boundaries.map((b) => b.toISOString());
  const rows = await prisma.$queryRaw<{
    bucket: number; memberOrders: bigint; otherOrders: bigint; memberRevenue: string; otherRevenue: string; withoutTotal: bigint; otherCurrency: bigint;
  }[]>`
    SELECT width_bucket("orderedAt", ${edges}::timestamp(3)[]) AS "bucket",
      count(*) FILTER (WHERE "memberId" IS NOT NULL AND "orderTotal" IS NOT NULL AND "currencyCode" = ${currency}) AS "memberOrders",
      count(*) FILTER (WHERE "memberId" IS NULL AND "orderTotal" IS NOT NULL AND "currencyCode" = ${currency}) AS "otherOrders",
      COALESCE(sum("orderTotal") FILTER (WHERE "memberId" IS NOT NULL AND "currencyCode" = ${currency}), 0)::text AS "memberRevenue",
      COALESCE(sum("orderTotal") FILTER (WHERE "memberId" IS NULL AND "currencyCode" = ${currency}), 0)::text AS "otherRevenue",
      count(*) FILTER (WHERE "orderTotal" IS NULL) AS "withoutTotal",
      count(*) FILTER (WHERE "orderTotal" IS NOT NULL AND "currencyCode" <> ${currency}) AS "otherCurrency"
    FROM "OrderEarning"
    WHERE "shop" = ${shop} AND "orderedAt" >= ${start}::timestamp(3) AND "orderedAt" < ${end}::timestamp(3) AND "status" <> 'CANCELLED'
    GROUP BY 1`;
  const days: OrderRevenueDay[] = Array.from({ length: boundaries.length - 1 }, () => ({ memberOrders: 0, otherOrders: 0, memberRevenue: "0", otherRevenue: "0" }));
  let withoutTotal = 0;
  let otherCurrency = 0;
  for (const row of rows) {
    withoutTotal += Number(row.withoutTotal);
    otherCurrency += Number(row.otherCurrency);
    const day = days[Number(row.bucket) - 1];
    if (!day) continue;
    Object.assign(day, {
      memberOrders: Number(row.memberOrders),
      otherOrders: Number(row.otherOrders),
      memberRevenue: row.memberRevenue,
      otherRevenue: row.otherRevenue,
    });
  }
  return { days, withoutTotal, otherCurrency };
}
