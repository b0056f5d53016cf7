import prisma from "~/db.server";

// Review points are ledger entries whose idempotency key is `customer:<id>:review:<review key>`
// (see app/services/review-points.server.ts); the ledger is the record of which reviews paid.

export function reviewKeyPrefix(customerId: bigint): string {
  return `customer:${customerId}:review:`;
}

/** Reviews of the member that earned points in [start, end): what the per-day limit counts. */
export async function reviewsRewardedBetween(shop: string, memberId: string, customerId: bigint, start: Date, end: Date): Promise<number> {
  return prisma.ledgerEntry.count({
    where: {
      shop,
      memberId,
      kind: "EARN",
      idempotencyKey: { startsWith: reviewKeyPrefix(customerId) },
      createdAt: { gte: start, lt: end },
    },
  });
}
