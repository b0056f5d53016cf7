import { describe, expect, it } from "vitest";
import { formatMoneyAmount } from "~/domain/money";
import { assumedPointValue, pointsInMoney, pointValueFromRewards } from "~/domain/point-value";
import type { RewardRecord } from "~/domain/rewards";

function reward(overrides: Partial<RewardRecord>): RewardRecord {
  return {
    id: "r", type: "FIXED_AMOUNT", enabled: true, pointsCost: 500, amount: "5.00", percentage: null, maxAmount: null,
    variantId: null, productTitle: null, sliderPointsPerUnit: null, sliderUnitAmount: null, sliderStep: null, sliderMin: null,
    sliderMax: null, minimumSubtotal: null, startsAt: null, endsAt: null, stockTotal: null, issuedCount: 0, perCustomerLimit: null,
    codeExpiryDays: 30, combinesWithOrder: false, combinesWithProduct: false, combinesWithShipping: true, tierId: null,
    title: { en: "A reward" }, description: {}, ...overrides,
  };
}

const now = new Date("2026-12-03T12:00:00Z");

describe("the value of a point", () => {
  it("is the best money value per point among redeemable fixed-amount and slider rewards", () => {
    const value = pointValueFromRewards([
      reward({ id: "five", pointsCost: 500, amount: "5.00" }), // 0.01 per point
      reward({ id: "slider", type: "POINTS_SLIDER", pointsCost: null, amount: null, sliderPointsPerUnit: 80, sliderUnitAmount: "1.00" }), // 0.0125
      reward({ id: "pct", type: "PERCENTAGE", pointsCost: 10, amount: null, percentage: 50 }), // no money value
      reward({ id: "off", pointsCost: 10, amount: "100.00", enabled: false }),
      reward({ id: "ended", pointsCost: 10, amount: "100.00", endsAt: new Date("2026-12-01T00:00:00Z") }),
      reward({ id: "sold-out", pointsCost: 10, amount: "100.00", stockTotal: 5, issuedCount: 5 }),
    ], "USD", now);
    expect(value).toMatchObject({ source: "reward", rewardId: "slider", points: 80, amount: "1.00" });
    // A reward that starts later counts: members hold the points for it already.
    expect(pointValueFromRewards([reward({ id: "soon", pointsCost: 100, amount: "2.00", startsAt: new Date("2027-01-01T00:00:00Z") })], "USD", now))
      .toMatchObject({ rewardId: "soon" });
  });

  it("falls back to the stated assumption (100 points = 1 unit) without a reward worth money", () => {
    expect(pointValueFromRewards([], "USD", now)).toEqual({ points: 100, amount: "1.00", source: "assumption" });
    expect(pointValueFromRewards([reward({ type: "FREE_SHIPPING", amount: null })], "JPY", now)).toEqual(assumedPointValue("JPY"));
    expect(assumedPointValue("JPY").amount).toBe("1");
    // An amount the shop's currency cannot hold is ignored rather than guessed.
    expect(pointValueFromRewards([reward({ amount: "5.55" })], "JPY", now).source).toBe("assumption");
  });

  it("converts points to money exactly, rounding half up once", () => {
    expect(formatMoneyAmount(pointsInMoney(123_456, { points: 80, amount: "1.00" }, "USD"))).toBe("1543.20");
    expect(formatMoneyAmount(pointsInMoney(1, { points: 200, amount: "1.00" }, "USD"))).toBe("0.01"); // 0.005 → 0.01
    expect(formatMoneyAmount(pointsInMoney(0, { points: 100, amount: "1.00" }, "USD"))).toBe("0.00");
  });
});
