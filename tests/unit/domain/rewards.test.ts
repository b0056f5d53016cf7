import { describe, expect, it } from "vitest";
import {
  codeExpiresAt,
  currencyIssues,
  discountValueFor,
  isWorthless,
  localizedText,
  normalizeRewardInput,
  pointsForRedemption,
  rewardInputSchema,
  rewardOffer,
  rewardUnavailability,
  type RewardRecord,
} from "~/domain/rewards";

function reward(overrides: Partial<RewardRecord> = {}): RewardRecord {
  return {
    id: "r1", type: "FIXED_AMOUNT", enabled: true, pointsCost: 500, amount: "5.00", percentage: null, maxAmount: null,
    variantId: null, productTitle: null, sliderPointsPerUnit: null, sliderUnitAmount: null, sliderStep: null, sliderMin: null,
    sliderMax: null, minimumSubtotal: null, startsAt: null, endsAt: null, stockTotal: null, issuedCount: 0, perCustomerLimit: null,
    codeExpiryDays: 30, combinesWithOrder: false, combinesWithProduct: false, combinesWithShipping: true, tierId: null,
    title: { en: "$5 off", fr: "5 $ de réduction" }, description: {}, ...overrides,
  };
}

const slider = reward({
  type: "POINTS_SLIDER", pointsCost: null, amount: null, sliderPointsPerUnit: 100, sliderUnitAmount: "1.00", sliderStep: 50, sliderMin: 100, sliderMax: 1000,
});

describe("the reward form", () => {
  const form = (fields: Record<string, unknown>) => rewardInputSchema.safeParse({ title: { en: "Reward" }, ...fields });
  const valid = (fields: Record<string, unknown>) => {
    const parsed = form(fields);
    if (!parsed.success) throw new Error(`expected a valid form: ${parsed.error.message}`);
    return parsed.data;
  };
  const errors = (fields: Record<string, unknown>) => {
    const parsed = form(fields);
    if (parsed.success) return {};
    return Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), i.message]));
  };

  it("accepts each type with its own fields and clears the others", () => {
    const stored = normalizeRewardInput(valid({ type: "PERCENTAGE", pointsCost: "1500", percentage: "10", maxAmount: "50", amount: "3", stockTotal: "" }));
    expect(stored).toMatchObject({ type: "PERCENTAGE", pointsCost: 1500, percentage: 10, maxAmount: "50", amount: null, stockTotal: null, codeExpiryDays: 30 });
    const product = normalizeRewardInput(valid({ type: "FREE_PRODUCT", pointsCost: "800", variantId: "gid://shopify/ProductVariant/123456789012345678" }));
    expect(product.variantId).toBe(123456789012345678n);
  });

  it("names each wrong field with a translatable code", () => {
    expect(errors({ type: "FIXED_AMOUNT" })).toEqual({ pointsCost: "required", amount: "required" });
    expect(errors({ type: "FIXED_AMOUNT", pointsCost: "1.5", amount: "five" })).toEqual({ pointsCost: "wholeNumber", amount: "amount" });
    expect(errors({ type: "FIXED_AMOUNT", pointsCost: "0", amount: "0" })).toEqual({ pointsCost: "tooSmall", amount: "positive" });
    expect(errors({ type: "POINTS_SLIDER", sliderPointsPerUnit: "100", sliderUnitAmount: "1", sliderMin: "500", sliderMax: "100", sliderStep: "50" }))
      .toEqual({ sliderMax: "sliderMaxBelowMin" });
    expect(errors({ type: "POINTS_SLIDER", sliderPointsPerUnit: "100", sliderUnitAmount: "1", sliderMin: "100", sliderMax: "1000", sliderStep: "250" }))
      .toEqual({ sliderStep: "sliderStep" });
    expect(errors({ type: "FREE_SHIPPING", pointsCost: "10", startsAt: "2026-12-10", endsAt: "2026-12-01" })).toEqual({ endsAt: "endBeforeStart" });
    expect(errors({ type: "FREE_SHIPPING", pointsCost: "10", title: { en: "" } })).toEqual({ title: "titleRequired" });
    expect(errors({ type: "FREE_PRODUCT", pointsCost: "10", variantId: "gid://shopify/Product/1" })).toEqual({ variantId: "variantId" });
    expect(errors({ type: "GIFT" })).toEqual({ type: "type" });
  });

  it("refuses amounts finer than the shop's currency", () => {
    const parsed = valid({ type: "FIXED_AMOUNT", pointsCost: "100", amount: "4.99" });
    expect(currencyIssues(parsed, "USD")).toEqual({});
    expect(currencyIssues(parsed, "JPY")).toEqual({ amount: "currencyDecimals" });
  });
});

describe("redeeming", () => {
  const now = new Date("2026-12-03T12:00:00Z");

  it("says why a reward cannot be redeemed now", () => {
    expect(rewardUnavailability(reward(), now)).toBeNull();
    expect(rewardUnavailability(reward({ enabled: false }), now)).toBe("disabled");
    expect(rewardUnavailability(reward({ startsAt: new Date("2026-12-04T00:00:00Z") }), now)).toBe("not_started");
    expect(rewardUnavailability(reward({ endsAt: now }), now)).toBe("ended");
    expect(rewardUnavailability(reward({ stockTotal: 3, issuedCount: 3 }), now)).toBe("out_of_stock");
    expect(rewardUnavailability(reward({ stockTotal: 3, issuedCount: 2 }), now)).toBeNull();
  });

  it("charges the fixed cost, or a slider choice on one of its steps", () => {
    expect(pointsForRedemption(reward(), undefined)).toEqual({ ok: true, points: 500 });
    expect(pointsForRedemption(reward(), 400).ok).toBe(false);
    expect(pointsForRedemption(slider, 250)).toEqual({ ok: true, points: 250 });
    for (const wrong of [undefined, 50, 125, 1050, 1.5]) expect(pointsForRedemption(slider, wrong).ok).toBe(false);
  });

  it("values a slider exactly, rounding down to the currency's minor unit", () => {
    const odd = { ...slider, sliderPointsPerUnit: 300, sliderUnitAmount: "1.00", sliderStep: 1, sliderMin: 1, sliderMax: 1000 };
    expect(discountValueFor(odd, 100, "USD", "t")).toMatchObject({ kind: "fixed_amount", amount: "0.33" });
    expect(discountValueFor(slider, 250, "USD", "t")).toMatchObject({ amount: "2.50" });
    const yen = { ...slider, sliderUnitAmount: "100" };
    expect(discountValueFor(yen, 150, "JPY", "t")).toMatchObject({ amount: "150" });
    expect(isWorthless(discountValueFor(odd, 1, "USD", "t"), "USD")).toBe(true);
    expect(isWorthless(discountValueFor(odd, 3, "USD", "t"), "USD")).toBe(false);
  });

  it("builds the Function's configuration for every type", () => {
    expect(discountValueFor(reward({ minimumSubtotal: "50" }), 500, "USD", "Reward")).toEqual({ v: 1, kind: "fixed_amount", amount: "5.00", minimumSubtotal: "50", message: "Reward" });
    expect(discountValueFor(reward({ type: "PERCENTAGE", percentage: 10, maxAmount: "20" }), 500, "USD", "R")).toEqual({ v: 1, kind: "percentage", percentage: "10", cap: "20", message: "R" });
    expect(discountValueFor(reward({ type: "FREE_SHIPPING" }), 500, "USD", "R")).toEqual({ v: 1, kind: "free_shipping", message: "R" });
    expect(discountValueFor(reward({ type: "FREE_PRODUCT", variantId: 42n }), 500, "USD", "R")).toEqual({ v: 1, kind: "free_product", variantId: "gid://shopify/ProductVariant/42", message: "R" });
  });

  it("shows texts in the shopper's language, else the shop's, else any", () => {
    const texts = { en: "Free shipping", fr: "Livraison offerte", "pt-BR": "Frete grátis" };
    expect(localizedText(texts, "fr-CA", "en")).toBe("Livraison offerte");
    expect(localizedText(texts, "pt-BR", "en")).toBe("Frete grátis");
    expect(localizedText(texts, "ja", "fr")).toBe("Livraison offerte");
    expect(localizedText({ de: "Versand" }, "ja", "fr")).toBe("Versand");
    expect(localizedText(null, "en", "en")).toBe("");
  });

  it("offers affordability for members and leaves it unknown for guests", () => {
    expect(rewardOffer(reward(), "en", "en", "USD", 499).affordable).toBe(false);
    expect(rewardOffer(reward(), "en", "en", "USD", 500).affordable).toBe(true);
    expect(rewardOffer(reward(), "en", "en", "USD", null).affordable).toBeNull();
    expect(rewardOffer(slider, "en", "en", "USD", 100)).toMatchObject({ pointsCost: 100, affordable: true, slider: { min: 100, max: 1000, step: 50 } });
  });

  it("gives a code its own lifetime", () => {
    expect(codeExpiresAt(now, 30).toISOString()).toBe("2027-01-02T12:00:00.000Z");
  });
});
