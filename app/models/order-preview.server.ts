import { Prisma } from "@prisma/client";
import prisma from "~/db.server";

// Past orders the program editor can preview new rules on. Only orders that kept a snapshot of
// what was bought (a member's order since the snapshot column exists, or a guest order still
// waiting for its customer) can be recomputed exactly; the stored earning basis alone cannot (it
// has neither product ids nor discounts and taxes per line), so rows without one are not offered.

export interface PreviewableOrder {
  orderId: bigint;
  orderName: string | null;
  orderedAt: Date;
  status: string;
  points: number;
  currencyCode: string;
}

export async function listPreviewableOrders(shop: string, take = 25): Promise<PreviewableOrder[]> {
  return prisma.orderEarning.findMany({
    where: { shop, OR: [{ orderSnapshot: { not: Prisma.DbNull } }, { guestOrder: { not: Prisma.DbNull } }] },
    // Shopify's order ids grow with time: newest first along the primary key, no sort of the table.
    orderBy: { orderId: "desc" },
    take,
    select: { orderId: true, orderName: true, orderedAt: true, status: true, points: true, currencyCode: true },
  });
}

export interface OrderForPreview {
  orderId: bigint;
  orderName: string | null;
  status: string;
  points: number;
  snapshot: unknown;
  member: { id: string; shopifyCustomerId: bigint; tags: string[] } | null;
}

/** The order's snapshot and its member (for customer tags and the day's earlier points), or null. */
export async function getOrderForPreview(shop: string, orderId: bigint): Promise<OrderForPreview | null> {
  const row = await prisma.orderEarning.findUnique({
    where: { shop_orderId: { shop, orderId } },
    select: { orderId: true, orderName: true, status: true, points: true, orderSnapshot: true, guestOrder: true, memberId: true },
  });
  const snapshot = row?.orderSnapshot ?? row?.guestOrder ?? null;
  if (!row || snapshot === null) return null;
  const member = row.memberId
    ? await prisma.member.findUnique({ where: { shop_id: { shop, id: row.memberId } }, select: { id: true, shopifyCustomerId: true, tags: true } })
    : null;
  return { orderId: row.orderId, orderName: row.orderName, status: row.status, points: row.points, snapshot, member };
}

/** Purchase points the member earned on orders placed in [start, end), other than `exceptOrderId`. */
export async function memberPurchasePointsBetween(shop: string, memberId: string, start: Date, end: Date, exceptOrderId?: bigint) {
  const result = await prisma.orderEarning.aggregate({
    where: {
      shop,
      memberId,
      orderedAt: { gte: start, lt: end },
      status: { in: ["PENDING", "POSTED"] },
      ...(exceptOrderId !== undefined ? { orderId: { not: exceptOrderId } } : {}),
    },
    _sum: { points: true },
  });
  return result._sum.points ?? 0;
}

export async function findMemberForPreview(shop: string, shopifyCustomerId: bigint) {
  return prisma.member.findUnique({
    where: { shop_shopifyCustomerId: { shop, shopifyCustomerId } },
    select: { id: true, shopifyCustomerId: true, tags: true },
  });
}
