import { Prisma, type OrderEarningStatus } from "@prisma/client";
import prisma from "~/db.server";

// What each order earned and the refunds received for it. A projection kept beside the ledger
// (which alone holds points); every function is scoped by shop.

export async function getOrderEarning(shop: string, orderId: bigint) {
  return prisma.orderEarning.findUnique({ where: { shop_orderId: { shop, orderId } } });
}

export type OrderEarningCreate = Omit<Prisma.OrderEarningUncheckedCreateInput, "shop" | "orderId">;

export async function createOrderEarning(shop: string, orderId: bigint, data: OrderEarningCreate) {
  return prisma.orderEarning.create({ data: { ...data, shop, orderId } });
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
