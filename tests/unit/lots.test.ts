import { describe, expect, it } from "vitest";
import { allocateLots, consumptionOrder, releaseAllocations, type Lot } from "~/domain/lots";

const lot = (id: number, remaining: number, expiresAt: string | null = null): Lot => ({
  id: BigInt(id),
  remaining,
  expiresAt: expiresAt ? new Date(expiresAt) : null,
});

describe("consumptionOrder", () => {
  it("orders lots by creation (id), skipping empty ones, whatever their expiry", () => {
    const lots = [lot(30, 5, "2026-01-01"), lot(10, 5, null), lot(20, 0, "2025-01-01"), lot(25, 7, "2025-06-01")];
    expect(consumptionOrder(lots).map((l) => l.id)).toEqual([10n, 25n, 30n]);
  });

  it("does not reorder the caller's array", () => {
    const lots = [lot(2, 1), lot(1, 1)];
    consumptionOrder(lots);
    expect(lots.map((l) => l.id)).toEqual([2n, 1n]);
  });
});

describe("allocateLots", () => {
  it("takes from the oldest lot first and spills into the next", () => {
    const plan = allocateLots([lot(3, 100), lot(1, 40), lot(2, 50)], 70);
    expect(plan).toEqual({
      allocations: [{ lotId: 1n, points: 40 }, { lotId: 2n, points: 30 }],
      allocated: 70,
      shortfall: 0,
    });
  });

  it("does not let a sooner expiry jump an older lot", () => {
    const plan = allocateLots([lot(1, 10, null), lot(2, 10, "2020-01-01")], 10);
    expect(plan.allocations).toEqual([{ lotId: 1n, points: 10 }]);
  });

  it("reports what the lots cannot cover instead of over-drawing them", () => {
    const plan = allocateLots([lot(1, 10), lot(2, 5)], 20);
    expect(plan.allocations).toEqual([{ lotId: 1n, points: 10 }, { lotId: 2n, points: 5 }]);
    expect(plan.allocated).toBe(15);
    expect(plan.shortfall).toBe(5);
  });

  it("starts with the requested lot, then continues oldest-first", () => {
    const plan = allocateLots([lot(1, 10), lot(2, 10), lot(3, 10)], 25, { firstLotId: 3n });
    expect(plan.allocations).toEqual([
      { lotId: 3n, points: 10 },
      { lotId: 1n, points: 10 },
      { lotId: 2n, points: 5 },
    ]);
  });

  it("falls back to FIFO when the requested lot is empty or unknown", () => {
    expect(allocateLots([lot(1, 10), lot(2, 0)], 4, { firstLotId: 2n }).allocations).toEqual([{ lotId: 1n, points: 4 }]);
    expect(allocateLots([lot(1, 10)], 4, { firstLotId: 99n }).allocations).toEqual([{ lotId: 1n, points: 4 }]);
  });

  it("allocates nothing for zero points", () => {
    expect(allocateLots([lot(1, 10)], 0)).toEqual({ allocations: [], allocated: 0, shortfall: 0 });
  });

  it("refuses fractional or negative amounts", () => {
    expect(() => allocateLots([lot(1, 10)], 1.5)).toThrow(RangeError);
    expect(() => allocateLots([lot(1, 10)], -1)).toThrow(RangeError);
    expect(() => allocateLots([lot(1, 2.5)], 1)).toThrow(RangeError);
  });
});

describe("releaseAllocations", () => {
  it("negates what was taken, one row per lot", () => {
    expect(releaseAllocations([{ lotId: 2n, points: 30 }, { lotId: 1n, points: 40 }])).toEqual([
      { lotId: 1n, points: -40 },
      { lotId: 2n, points: -30 },
    ]);
  });

  it("nets earlier give-backs and skips lots already restored", () => {
    expect(
      releaseAllocations([
        { lotId: 1n, points: 40 },
        { lotId: 1n, points: -40 },
        { lotId: 2n, points: 30 },
        { lotId: 2n, points: -10 },
      ]),
    ).toEqual([{ lotId: 2n, points: -20 }]);
  });

  it("refuses a history that gave back more than it took", () => {
    expect(() => releaseAllocations([{ lotId: 1n, points: 5 }, { lotId: 1n, points: -6 }])).toThrow(RangeError);
  });
});
