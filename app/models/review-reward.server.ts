import { creditsRecordedBetween } from "./ledger.server";

// Review points are ledger credits recorded with the reason "review", under the idempotency key
// `customer:<id>:review:<review key>` (see app/services/review-points.server.ts); the ledger is
// the record of which reviews paid, and is read through its own module.

export function reviewKeyPrefix(customerId: bigint): string {
  return `customer:${customerId}:review:`;
}

/** Reviews of the member that earned points in [start, end): what the per-day limit counts. */
export async function reviewsRewardedBetween(shop: string, memberId: string, start: Date, end: Date): Promise<number> {
  return creditsRecordedBetween(shop, memberId, { reason: "review", start, end });
}
