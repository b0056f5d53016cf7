// Points lots: every posted credit (earning, adjustment, import, referral, campaign) is a lot
// with its own expiry. Debits, redemption holds, reversals and expiry take points out of lots,
// and the ledger records which lots they took them from, so expiry can later remove exactly what
// is left of each lot and a voided hold can give back the very points it took.
//
// Consumption order is FIFO by creation: a lot's id grows with its creation, and the oldest lot is
// used first whether or not it expires. An expiry date never moves a lot ahead of an older one.
// With the usual program rule (every lot expires N days after it was earned) creation order is
// also expiry order; a short-lived promotional lot created later simply waits its turn. A lot that
// is past its expiresAt but not yet expired by the expiry job is still consumable: the balance
// the customer sees includes it, and expiry only takes what is left.
//
// Pure: no I/O. Points are integers.

export interface Lot {
  /** Id of the crediting ledger entry; ids grow with creation, so they order lots oldest-first. */
  id: bigint;
  /** Points still in the lot. */
  remaining: number;
  expiresAt: Date | null;
}

/** Points taken from (positive) or given back to (negative) one lot. */
export interface LotAllocation {
  lotId: bigint;
  points: number;
}

export interface AllocationPlan {
  allocations: LotAllocation[];
  allocated: number;
  /** Points asked for that the lots could not cover. */
  shortfall: number;
}

export interface AllocateOptions {
  /**
   * Take from this lot before any other (a reversal takes back its own credit first); the rest,
   * if any, follows FIFO order.
   */
  firstLotId?: bigint;
}

function assertPointCount(value: number, what: string) {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative integer, got ${value}`);
  }
}

/** Lots that still hold points, oldest first. */
export function consumptionOrder(lots: readonly Lot[]): Lot[] {
  return lots
    .filter((lot) => lot.remaining > 0)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Plans which lots `points` come out of. Never takes more from a lot than it holds; what the lots
 * cannot cover is reported as `shortfall` (the caller decides whether that is an error).
 */
export function allocateLots(lots: readonly Lot[], points: number, options: AllocateOptions = {}): AllocationPlan {
  assertPointCount(points, "points");
  for (const lot of lots) assertPointCount(lot.remaining, `remaining points of lot ${lot.id}`);

  const ordered = consumptionOrder(lots);
  const first = options.firstLotId === undefined ? undefined : ordered.find((lot) => lot.id === options.firstLotId);
  const queue = first ? [first, ...ordered.filter((lot) => lot !== first)] : ordered;

  const allocations: LotAllocation[] = [];
  let left = points;
  for (const lot of queue) {
    if (left === 0) break;
    const take = Math.min(lot.remaining, left);
    allocations.push({ lotId: lot.id, points: take });
    left -= take;
  }
  return { allocations, allocated: points - left, shortfall: left };
}

/**
 * The allocations that give back what `taken` consumed: one negative row per lot, netting any
 * earlier give-backs, so a voided hold restores exactly the lots it emptied.
 */
export function releaseAllocations(taken: readonly LotAllocation[]): LotAllocation[] {
  const net = new Map<bigint, number>();
  for (const { lotId, points } of taken) {
    if (!Number.isSafeInteger(points)) throw new RangeError(`allocation points must be an integer, got ${points}`);
    net.set(lotId, (net.get(lotId) ?? 0) + points);
  }
  const released: LotAllocation[] = [];
  for (const [lotId, points] of net) {
    if (points < 0) throw new RangeError(`lot ${lotId} was given back more than was taken from it`);
    if (points > 0) released.push({ lotId, points: -points });
  }
  return released.sort((a, b) => (a.lotId < b.lotId ? -1 : a.lotId > b.lotId ? 1 : 0));
}
