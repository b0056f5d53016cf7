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
      "guestEmailHash", "cancelledAt", "createdAt", "updatedAt")
    VALUES (${shop}, ${orderId}::bigint, ${data.orderName ?? null}::text, ${data.customerId ?? null}::bigint,
      ${data.memberId ?? null}::text, ${data.status}::"OrderEarningStatus", ${data.orderedAt}::timestamp(3),
      ${data.currencyCode}, ${data.eligibleBase ?? "0"}, ${data.points ?? 0}::int, ${jsonText(data.trace) ?? "[]"}::jsonb,
      ${jsonText(data.basis)}::jsonb, ${jsonText(data.guestOrder)}::jsonb, ${data.earnEntryId ?? null}::bigint,
      ${data.availableAt ?? null}::timestamp(3), ${data.guestEmailHash ?? null}::text, ${data.cancelledAt ?? null}::timestamp(3),
      ${now}::timestamp(3), ${now}::timestamp(3))
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
