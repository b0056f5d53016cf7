// Shopify meters Admin GraphQL by query cost with a leaky bucket per shop and app. Remembering the
// last throttle status each shop reported lets a busy worker wait for points to restore instead
// of spending a request on a THROTTLED answer.

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

interface Observation {
  status: ThrottleStatus;
  observedAt: number;
}

export class CostBuckets {
  private readonly byShop = new Map<string, Observation>();

  record(shop: string, status: ThrottleStatus, observedAt: number): void {
    this.byShop.set(shop, { status, observedAt });
  }

  /** Points the shop has now, assuming nothing else spent any since the last observation. */
  estimateAvailable(shop: string, now: number): number | null {
    const seen = this.byShop.get(shop);
    if (!seen) return null;
    const { maximumAvailable, currentlyAvailable, restoreRate } = seen.status;
    const restored = (restoreRate * Math.max(0, now - seen.observedAt)) / 1000;
    return Math.min(maximumAvailable, currentlyAvailable + restored);
  }

  /** Milliseconds to wait before an operation of `cost` is affordable; 0 when it is, or when nothing is known. */
  waitBeforeMs(shop: string, cost: number | undefined, now: number): number {
    const seen = this.byShop.get(shop);
    if (!seen || !cost || cost <= 0) return 0;
    const { maximumAvailable, restoreRate } = seen.status;
    // An op costing more than the whole bucket can never be afforded; let Shopify say so.
    if (cost > maximumAvailable || restoreRate <= 0) return 0;
    const available = this.estimateAvailable(shop, now) ?? maximumAvailable;
    if (available >= cost) return 0;
    return Math.ceil((cost - available) / restoreRate) * 1000;
  }

  forget(shop: string): void {
    this.byShop.delete(shop);
  }
}

/** Process-wide: every gateway for a shop in this process shares what Shopify last said. */
export const sharedCostBuckets = new CostBuckets();

/** Shopify's own guidance for a THROTTLED answer: wait until the bucket has restored the requested cost. */
export function throttledWaitMs(requestedQueryCost: number, status: ThrottleStatus): number {
  if (status.restoreRate <= 0) return 1000;
  const seconds = Math.ceil((requestedQueryCost - status.currentlyAvailable) / status.restoreRate);
  return Math.max(1, seconds) * 1000;
}
