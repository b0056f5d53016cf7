import { Prisma, type OrderEarning, type OrderEarningStatus } from "@prisma/client";
import prisma from "~/db.server";

// What each order earned and the refunds received for it. A projection kept beside the ledger
// (which alone holds points); every function is scoped by shop.

// getOrderEarning and createOrderEarning run for every order webhook: they are SQL rather than
// Prisma model calls because the query compiler spent 1–2 ms of CPU on each (bench/RESULTS.md),
// more than PostgreSQL spends on the statement.

export async function getOrderEarning(shop: string, orderId: bigint): Promise<OrderEarning | null> {
  const rows = await prisma.$queryRaw<OrderEarning[]>`
    SELECT * FROM "OrderEarning" WHERE "shop" = ${shop} AND "orderId" = ${orderId}::bigint`;
  return rows[0] ?? null;
}

/**
 * The order's earning (or null) and whether any refund is recorded for it, in one statement: the
 * earn path needs both, and nearly every order has no refund to apply.
 */
export async function getOrderEarningState(shop: string, orderId: bigint): Promise<{ earning: OrderEarning | null; hasRefunds: boolean }> {
  const [row] = await prisma.$queryRaw<(OrderEarning & { hasRefunds: boolean; found: boolean })[]>`
    SELECT oe.*, oe."shop" IS NOT NULL AS "found",
      EXISTS (SELECT 1 FROM "OrderRefund" r WHERE r."shop" = ${shop} AND r."orderId" = ${orderId}::bigint) AS "hasRefunds"
    FROM (VALUES (1)) AS one
    LEFT JOIN "OrderEarning" oe ON oe."shop" = ${shop} AND oe."orderId" = ${orderId}::bigint`;
  const { hasRefunds, found, ...earning } = row;
  return { earning: found ? earning : null, hasRefunds };
}

export interface OrderEarningCreate {
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

export async function createOrderEarning(shop: string, orderId: bigint, data: OrderEarningCreate): Promise<OrderEarning> {
  const now = new Date();
  const rows = await prisma.$queryRaw<OrderEarning[]>`
    INSERT INTO "OrderEarning" ("shop", "orderId", "orderName", "customerId", "memberId", "status", "orderedAt",
      "currencyCode", "eligibleBase", "points", "trace", "basis", "guestOrder", "earnEntryId", "availableAt",
      "guestEmailHash", "cancelledAt", "orderSnapshot", "orderTotal", "createdAt", "updatedAt")
    VALUES (${shop}, ${orderId}::bigint, ${data.orderName ?? null}::text, ${data.customerId ?? null}::bigint,
      ${data.memberId ?? null}::text, ${data.status}::"OrderEarningStatus", ${data.orderedAt}::timestamp(3),
      ${data.currencyCode}, ${data.eligibleBase ?? "0"}, ${data.points ?? 0}::int, ${jsonText(data.trace) ?? "[]"}::jsonb,
      ${jsonText(data.basis)}::jsonb, ${jsonText(data.guestOrder)}::jsonb, ${data.earnEntryId ?? null}::bigint,
      ${data.availableAt ?? null}::timestamp(3), ${data.guestEmailHash ?? null}::text, ${data.cancelledAt ?? null}::timestamp(3),
      ${jsonText(data.orderSnapshot)}::jsonb, ${data.orderTotal ?? null}::numeric, ${now}::timestamp(3), ${now}::timestamp(3))
    RETURNING *`;
  return rows[0];
}

export async function updateOrderEarning(shop: string, orderId: bigint, data: Prisma.OrderEarningUncheckedUpdateInput) {
  return prisma.orderEarning.update({ where: { shop_orderId: { shop, orderId } }, data });
}

/** Purchase points of this member's orders placed within [start, end) — the per-day cap's count. */
export async function purchasePointsBetween(shop: string, memberId: string, start: Date, end: Date) {
  const result = await prisma.orderEarning.aggregate({
    where: { shop, memberId, orderedAt: { gte: start, lt: end }, status: { in: ["PENDING", "POSTED"] } },
    _sum: { points: true },
  });
  return result._sum.points ?? 0;
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

/** Stores a refund once (replays keep the first copy). */
export async function recordRefund(shop: string, refundId: bigint, orderId: bigint, document: Prisma.InputJsonValue) {
  await prisma.orderRefund.createMany({ data: [{ shop, refundId, orderId, document }], skipDuplicates: true });
}

export async function refundsForOrder(shop: string, orderId: bigint) {
  return prisma.orderRefund.findMany({ where: { shop, orderId }, orderBy: [{ createdAt: "asc" }, { refundId: "asc" }] });
}

/** Marks the refund applied and, when the pending credit was reissued, points the order at it. */
export async function markRefundApplied(
  shop: string,
  refundId: bigint,
  orderId: bigint,
  applied: { base: string; pointsReversed: number; clawbackEntryId: bigint | null; earnEntryId?: bigint | null },
) {
  const { earnEntryId, ...refund } = applied;
  const [, earning] = await prisma.$transaction([
    prisma.orderRefund.update({ where: { shop_refundId: { shop, refundId } }, data: { ...refund, appliedAt: new Date() } }),
    prisma.orderEarning.update({
      where: { shop_orderId: { shop, orderId } },
      data: earnEntryId === undefined ? {} : { earnEntryId },
    }),
  ]);
  return earning;
}

export async function setOrderEarningStatus(shop: string, orderId: bigint, status: OrderEarningStatus) {
  return updateOrderEarning(shop, orderId, { status });
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
