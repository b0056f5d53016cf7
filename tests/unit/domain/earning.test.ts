import { afterAll, describe, expect, it } from "vitest";
import {
  calculatePurchasePoints,
  EARNING_TRACE_CODES,
  MAX_POINTS_PER_ORDER,
  MissingEnrichmentError,
  type PurchasePointsInput,
} from "~/domain/earning";
import { formatMoneyAmount } from "~/domain/money";
import { enrichOrderLines, normalizeOrderForEarning, type EarningOrder } from "~/domain/order";
import type { EarningProgramInput } from "~/domain/program";
import { InvalidTimeZoneError } from "~/domain/time";
import { codes, earningOrder, orderFixture, program, sharedFixture, type OrderSpec } from "./support";

const NY = "America/New_York";
const seen = new Set<string>();

/** Runs the engine with sensible defaults and records which trace codes the suite exercised. */
function earn(order: EarningOrder, programInput: EarningProgramInput = {}, extra: Partial<PurchasePointsInput> = {}) {
  const result = calculatePurchasePoints({
    order,
    program: program(programInput),
    customer: { tags: [] },
    shopTimezone: NY,
    pointsEarnedToday: 0,
    now: new Date("2026-06-10T20:00:00Z"),
    ...extra,
  });
  for (const step of result.trace) seen.add(step.code);
  // The trace is stored and sent to the admin: it must survive JSON unchanged.
  expect(JSON.parse(JSON.stringify(result.trace))).toEqual(result.trace);
  return result;
}

const simple = (spec: Partial<OrderSpec> = {}) => earningOrder({ lines: [{ price: "100.00" }], ...spec });

afterAll(() => {
  // Every documented trace code is produced by at least one test above.
  expect([...seen].sort()).toEqual([...EARNING_TRACE_CODES].sort());
});

describe("the documented order, paid", () => {
  const order = normalizeOrderForEarning(orderFixture("orders-paid-exact-ids.json"));

  it("earns 1 point per dollar on the goods by default: 414.95 → 414", () => {
    const result = earn(order);
    expect(result.points).toBe(414);
    expect(formatMoneyAmount(result.base)).toBe("414.95");
    expect(codes(result.trace)).toEqual([
      "line.eligible",
      "line.eligible",
      "line.eligible",
      "line.eligible",
      "line.eligible",
      "base.computed",
      "rate.applied",
    ]);
    expect(result.trace[0]).toEqual({
      code: "line.eligible",
      params: {
        lineId: "487817672276298554",
        title: "Aviator sunglasses",
        quantity: 1,
        gross: "89.99",
        discount: "0.00",
        tax: "0.00",
        amount: "89.99",
      },
    });
    expect(result.trace.at(-1)).toEqual({
      code: "rate.applied",
      params: { pointsPerUnit: "1", base: "414.95", currency: "USD", rounding: "floor" },
      pointsAfter: 414,
    });
  });

  it("adds shipping only when the program includes it", () => {
    const result = earn(order, { purchase: { includeShipping: true } });
    expect(formatMoneyAmount(result.base)).toBe("424.95");
    expect(result.points).toBe(424);
    expect(result.trace.find((s) => s.code === "shipping.included")?.params).toEqual({ amount: "10.00" });
  });

  it("records the basis a refund will be measured against", () => {
    const { basis } = earn(order, { purchase: { includeShipping: true } });
    expect(basis).toMatchObject({
      orderId: "820982911946154508",
      currency: "USD",
      eligibleBase: "424.95",
      shippingBase: "10.00",
      includeShipping: true,
      subtractDiscounts: true,
      taxesIncluded: false,
    });
    expect(basis.lines[0]).toEqual({ id: "487817672276298554", eligible: true, quantity: 1, unitPrice: "89.99", base: "89.99" });
    expect(JSON.parse(JSON.stringify(basis))).toEqual(basis);
  });
});

describe("order gates", () => {
  it("stops at the first reason, in the documented order", () => {
    // Shopify's example is a voided, cancelled test order: "test" is reported first.
    const example = normalizeOrderForEarning(sharedFixture("orders-paid.json"));
    const test = earn(example);
    expect(test.points).toBe(0);
    expect(test.trace).toEqual([{ code: "order.test", params: { orderId: "820982911946154508" }, pointsAfter: 0 }]);

    const cancelled = earn({ ...example, test: false });
    expect(cancelled.trace).toEqual([{ code: "order.cancelled", params: { cancelledAt: "2022-01-01T00:00:00.000Z" }, pointsAfter: 0 }]);

    const voided = earn({ ...example, test: false, cancelled: false, cancelledAt: null });
    expect(voided.trace).toEqual([{ code: "order.not_paid", params: { financialStatus: "voided" }, pointsAfter: 0 }]);
  });

  it("earns on paid and partially refunded orders only", () => {
    expect(earn(simple({ financialStatus: "partially_refunded" })).points).toBe(100);
    for (const status of ["pending", "authorized", "partially_paid", "refunded", "voided", null]) {
      expect(codes(earn(simple({ financialStatus: status })).trace), String(status)).toEqual(["order.not_paid"]);
    }
  });

  it("gives nothing when the purchase rule is off, or for a guest checkout", () => {
    expect(earn(simple(), { purchase: { enabled: false } }).trace).toEqual([{ code: "program.disabled", params: {}, pointsAfter: 0 }]);
    expect(codes(earn(simple({ customer: null })).trace)).toEqual(["order.no_customer"]);
  });

  it("applies customer tag exclusions and inclusions case-insensitively", () => {
    const excluded = earn(simple(), { conditions: { customerTags: { exclude: ["Staff"] } } }, { customer: { tags: ["staff", "vip"] } });
    expect(excluded.trace).toEqual([{ code: "customer.tag_excluded", params: { tag: "Staff" }, pointsAfter: 0 }]);

    const members = { conditions: { customerTags: { include: ["Member", "VIP"] } } };
    expect(earn(simple(), members, { customer: { tags: ["vip"] } }).points).toBe(100);
    expect(earn(simple(), members, { customer: { tags: ["wholesale"] } }).trace).toEqual([
      { code: "customer.tag_not_included", params: { requiredTags: ["Member", "VIP"] }, pointsAfter: 0 },
    ]);
  });

  it("reads the program's date range in the shop's time zone, dates inclusive", () => {
    // 23:30 on June 30 in New York is already July 1 in UTC.
    const lateJune = simple({ processedAt: "2026-06-30T23:30:00-04:00" });
    expect(earn(lateJune, { conditions: { dateRange: { start: "2026-06-01", end: "2026-06-30" } } }).points).toBe(100);
    const julyOnly = earn(lateJune, { conditions: { dateRange: { start: "2026-07-01" } } });
    expect(julyOnly.trace).toEqual([
      {
        code: "date.outside_range",
        params: { orderTime: "2026-07-01T03:30:00.000Z", start: "2026-07-01", end: null },
        pointsAfter: 0,
      },
    ]);
    // A date-time end is exclusive.
    const endsAtMidnight = { conditions: { dateRange: { end: "2026-07-01T00:00:00-04:00" } } };
    expect(earn(simple({ processedAt: "2026-06-30T23:59:59-04:00" }), endsAtMidnight).points).toBe(100);
    expect(codes(earn(simple({ processedAt: "2026-07-01T00:00:00-04:00" }), endsAtMidnight).trace)).toEqual(["date.outside_range"]);
  });

  it("gates earning on time windows using the order's processedAt, not the time it is computed", () => {
    const nights: EarningProgramInput = { conditions: { timeWindows: [{ days: ["fri"], start: "22:00", end: "02:00" }] } };
    // Saturday 01:30 EST: inside Friday's late window.
    const inside = earn(simple({ processedAt: "2026-01-17T06:30:00Z" }), nights, { now: new Date("2026-03-01T12:00:00Z") });
    expect(inside.points).toBe(100);
    expect(inside.trace[0]).toEqual({
      code: "window.matched",
      params: { localTime: "01:30", weekday: "sat", timezone: NY, window: 0 },
    });
    const outside = earn(simple({ processedAt: "2026-01-17T07:00:00Z" }), nights);
    expect(outside.trace).toEqual([
      { code: "window.outside", params: { localTime: "02:00", weekday: "sat", timezone: NY }, pointsAfter: 0 },
    ]);
  });
});

describe("line eligibility", () => {
  const mixed = () =>
    enrichOrderLines(
      earningOrder({
        lines: [
          { productId: "1", price: "10.00", title: "Hat" },
          { productId: "2", price: "20.00", title: "Gift card", giftCard: true },
          { productId: "3", price: "30.00", title: "Sale scarf" },
          { productId: "4", price: "40.00", title: "Outlet boots" },
          { productId: null, price: "5.00", title: "Engraving" },
        ],
      }),
      new Map([
        ["1", { productTags: ["New"], collectionIds: ["100"] }],
        ["2", { productTags: [], collectionIds: [] }],
        ["3", { productTags: ["sale"], collectionIds: ["100"] }],
        ["4", { productTags: [], collectionIds: ["999"] }],
      ]),
    );

  it("skips gift cards unless the program includes them", () => {
    const result = earn(mixed());
    expect(result.trace[1]).toEqual({ code: "line.gift_card", params: { lineId: result.basis.lines[1].id, title: "Gift card" } });
    expect(result.points).toBe(85);
    expect(earn(mixed(), { purchase: { includeGiftCards: true } }).points).toBe(105);
  });

  it("applies product, collection and tag exclusions, exclusions winning", () => {
    const result = earn(mixed(), {
      conditions: {
        products: { exclude: ["1"] },
        collections: { exclude: ["999"] },
        productTags: { exclude: ["SALE"] },
      },
    });
    expect(result.trace.slice(0, 5)).toEqual([
      { code: "line.excluded.product", params: { lineId: result.basis.lines[0].id, title: "Hat", productId: "1" } },
      { code: "line.gift_card", params: { lineId: result.basis.lines[1].id, title: "Gift card" } },
      { code: "line.excluded.tag", params: { lineId: result.basis.lines[2].id, title: "Sale scarf", tag: "SALE" } },
      { code: "line.excluded.collection", params: { lineId: result.basis.lines[3].id, title: "Outlet boots", collectionId: "999" } },
      expect.objectContaining({ code: "line.eligible", params: expect.objectContaining({ title: "Engraving", amount: "5.00" }) }),
    ]);
    expect(result.points).toBe(5);
  });

  it("treats include lists as a union: a line matching any of them counts", () => {
    const result = earn(mixed(), {
      conditions: { products: { include: ["4"] }, productTags: { include: ["new"] } },
    });
    expect(result.points).toBe(50); // hat (tag "New") + boots (product 4)
    const notIncluded = result.trace.filter((s) => s.code === "line.not_included");
    expect(notIncluded.map((s) => s.params.title)).toEqual(["Sale scarf", "Engraving"]);
    expect(earn(mixed(), { conditions: { collections: { include: ["100"] } } }).points).toBe(40);
  });

  it("names the include that let each line earn: product first, then collection, then tag", () => {
    const result = earn(mixed(), {
      conditions: { products: { include: ["4"] }, collections: { include: ["100"] }, productTags: { include: ["NEW"] } },
    });
    expect(result.points).toBe(80); // hat 10 + scarf 30 + boots 40
    const lines = result.basis.lines;
    expect(result.trace.filter((s) => s.code.startsWith("line.included") || s.code === "line.not_included")).toEqual([
      // The hat is in collection 100 and tagged "New": the collection is named, as it is checked first.
      { code: "line.included.collection", params: { lineId: lines[0].id, title: "Hat", collectionId: "100" } },
      { code: "line.included.collection", params: { lineId: lines[2].id, title: "Sale scarf", collectionId: "100" } },
      { code: "line.included.product", params: { lineId: lines[3].id, title: "Outlet boots", productId: "4" } },
      { code: "line.not_included", params: { lineId: lines[4].id, title: "Engraving", productId: null } },
    ]);
    const tagged = earn(mixed(), { conditions: { productTags: { include: ["NEW"] } } });
    expect(tagged.points).toBe(10);
    expect(tagged.trace[0]).toEqual({ code: "line.included.tag", params: { lineId: tagged.basis.lines[0].id, title: "Hat", tag: "NEW" } });
    expect(tagged.trace[1]).toEqual(expect.objectContaining({ code: "line.eligible", params: expect.objectContaining({ title: "Hat" }) }));
  });

  it("refuses to guess when the program needs tags or collections the order was not enriched with", () => {
    const bare = earningOrder({ lines: [{ productId: "1", price: "10.00" }, { productId: null, price: "5.00" }] });
    let caught: unknown;
    try {
      earn(bare, { conditions: { collections: { exclude: ["100"] } } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MissingEnrichmentError);
    expect((caught as MissingEnrichmentError).lineIds).toEqual([bare.lines[0].id]);
    expect((caught as MissingEnrichmentError).fields).toEqual(["collectionIds"]);
    // Gated orders never reach the lines, so they need no enrichment.
    expect(earn({ ...bare, test: true }, { conditions: { collections: { exclude: ["100"] } } }).points).toBe(0);
  });

  it("earns nothing when no line is eligible, even with shipping included", () => {
    const order = earningOrder({ lines: [{ price: "50.00", giftCard: true }], shipping: [{ price: "10.00" }] });
    const result = earn(order, { purchase: { includeShipping: true } });
    expect(result.points).toBe(0);
    expect(codes(result.trace)).toEqual(["line.gift_card", "order.no_eligible_lines"]);
  });
});

describe("the base: discounts, taxes and shipping", () => {
  const order = normalizeOrderForEarning(orderFixture("orders-paid-eur-taxes-included.json"));
  const baseOf = (input: EarningProgramInput) => formatMoneyAmount(earn(order, input).base);

  it("removes included VAT and every discount by default: 87.35 + 19.17", () => {
    const result = earn(order);
    expect(formatMoneyAmount(result.base)).toBe("106.52");
    expect(result.points).toBe(106);
    expect(result.trace[0].params).toMatchObject({ gross: "119.80", discount: "14.98", tax: "17.47", amount: "87.35" });
    expect(result.trace.find((s) => s.code === "base.computed")?.params).toEqual({
      amount: "106.52",
      currency: "EUR",
      eligibleLines: 2,
      lines: 3,
      subtractDiscounts: true,
      taxesIncluded: true,
      includeTaxes: false,
      includeShipping: false,
    });
  });

  it("follows each base option", () => {
    expect(baseOf({ purchase: { includeTaxes: true } })).toBe("127.82");
    expect(baseOf({ purchase: { subtractDiscounts: false } })).toBe("123.50");
    expect(baseOf({ purchase: { includeGiftCards: true } })).toBe("156.52");
    expect(baseOf({ purchase: { includeShipping: true } })).toBe("110.60"); // 4.90 − 0.82 VAT
    expect(baseOf({ purchase: { includeShipping: true, includeTaxes: true } })).toBe("132.72");
  });

  it("adds tax charged on top only when taxes are included in the base", () => {
    const onTop = earningOrder({
      lines: [{ price: "40.00", quantity: 2, discounts: ["8.00"], tax: "5.76" }],
      shipping: [{ price: "6.00", discount: "6.00", tax: "0" }],
    });
    expect(formatMoneyAmount(earn(onTop).base)).toBe("72.00");
    expect(formatMoneyAmount(earn(onTop, { purchase: { includeTaxes: true } }).base)).toBe("77.76");
    expect(formatMoneyAmount(earn(onTop, { purchase: { includeShipping: true } }).base)).toBe("72.00"); // free shipping
    expect(formatMoneyAmount(earn(onTop, { purchase: { includeShipping: true, subtractDiscounts: false } }).base)).toBe("86.00");
  });

  it("never lets a line go below zero", () => {
    const overDiscounted = earningOrder({ lines: [{ price: "10.00", discounts: ["12.00"] }, { price: "5.00" }] });
    expect(formatMoneyAmount(earn(overDiscounted).base)).toBe("5.00");
  });
});

describe("minimum order", () => {
  it("compares the eligible amount with the minimum", () => {
    const minimum = { purchase: { minimumOrder: "50" } };
    const below = earn(simple({ lines: [{ price: "49.99" }] }), minimum);
    expect(below.points).toBe(0);
    expect(below.trace.at(-1)).toEqual({
      code: "order.below_minimum",
      params: { minimum: "50", base: "49.99", currency: "USD" },
      pointsAfter: 0,
    });
    expect(earn(simple({ lines: [{ price: "50.00" }] }), minimum).points).toBe(50);
    // A gift card does not help reach the minimum.
    expect(earn(simple({ lines: [{ price: "30.00" }, { price: "30.00", giftCard: true }] }), minimum).points).toBe(0);
  });
});

describe("rate and rounding", () => {
  it("rounds the base points by the program's mode", () => {
    const order = simple({ lines: [{ price: "10.50" }] });
    expect(earn(order, { purchase: { rounding: "floor" } }).points).toBe(10);
    expect(earn(order, { purchase: { rounding: "half_up" } }).points).toBe(11);
    expect(earn(order, { purchase: { rounding: "ceil" } }).points).toBe(11);
    const justBelow = simple({ lines: [{ price: "10.49" }] });
    expect(earn(justBelow, { purchase: { rounding: "half_up" } }).points).toBe(10);
    expect(earn(justBelow, { purchase: { rounding: "ceil" } }).points).toBe(11);
  });

  it("uses decimal rates exactly", () => {
    expect(earn(simple({ lines: [{ price: "99.99" }] }), { purchase: { pointsPerUnit: "0.5" } }).points).toBe(49);
    expect(earn(simple({ lines: [{ price: "99.99" }] }), { purchase: { pointsPerUnit: "10" } }).points).toBe(999);
    // 0.1 × 30 is 3 exactly here, where floats give 3.0000000000000004.
    expect(earn(simple({ lines: [{ price: "30.00" }] }), { purchase: { pointsPerUnit: "0.1", rounding: "ceil" } }).points).toBe(3);
  });

  it("handles a zero-decimal currency (JPY): 1 point per 100 yen", () => {
    const yen = earningOrder({ currency: "JPY", lines: [{ price: "12345" }], shipping: [{ price: "800" }] });
    const result = earn(yen, { purchase: { pointsPerUnit: "0.01" } });
    expect(formatMoneyAmount(result.base)).toBe("12345");
    expect(result.points).toBe(123);
    expect(earn(yen, { purchase: { pointsPerUnit: "0.01", rounding: "ceil" } }).points).toBe(124);
    expect(earn(yen, { purchase: { pointsPerUnit: "0.01", includeShipping: true } }).points).toBe(131);
  });

  it("handles a three-decimal currency (KWD): 10 points per dinar", () => {
    const dinars = earningOrder({ currency: "KWD", lines: [{ price: "12.345" }] });
    expect(formatMoneyAmount(earn(dinars).base)).toBe("12.345");
    expect(earn(dinars, { purchase: { pointsPerUnit: "10" } }).points).toBe(123);
    expect(earn(dinars, { purchase: { pointsPerUnit: "10", rounding: "half_up" } }).points).toBe(123);
    expect(earn(dinars, { purchase: { pointsPerUnit: "10", rounding: "ceil" } }).points).toBe(124);
    const half = earningOrder({ currency: "BHD", lines: [{ price: "0.150" }] });
    expect(earn(half, { purchase: { pointsPerUnit: "10", rounding: "half_up" } }).points).toBe(2); // 1.5 → 2
  });
});

describe("multipliers", () => {
  const full = {
    multipliers: {
      campaigns: [{ id: "double", name: "Double points", multiplier: "2" }],
      tiers: { gold: "1.5" },
      segments: [{ customerTag: "vip", multiplier: "1.25" }],
    },
  };

  it("composes campaign × tier × segment and traces each part", () => {
    const result = earn(simple({ lines: [{ price: "101.00" }] }), full, { customer: { tags: ["VIP"], tierId: "gold" } });
    // 101 × 2 × 1.5 × 1.25 = 378.75 → 378
    expect(result.points).toBe(378);
    expect(result.trace.slice(-4)).toEqual([
      { code: "multiplier.campaign", params: { campaignId: "double", name: "Double points", multiplier: "2", appliesTo: "101.00" } },
      { code: "multiplier.tier", params: { tierId: "gold", multiplier: "1.5" } },
      { code: "multiplier.segment", params: { tag: "vip", multiplier: "1.25" } },
      { code: "multiplier.applied", params: { multiplier: "3.75", rounding: "floor" }, pointsAfter: 378 },
    ]);
  });

  it("rounds the base points first, then the multiplied total once", () => {
    // Base 10.50 → 10 base points (floor), × 2 → 20, not 21.
    expect(earn(simple({ lines: [{ price: "10.50" }] }), { multipliers: { tiers: { gold: "2" } } }, { customer: { tags: [], tierId: "gold" } }).points).toBe(20);
    // 5 × 1.5 × 1.5 = 11.25 → 11. Rounding after each step would give floor(floor(7.5) × 1.5) = 10.
    const twice = { multipliers: { tiers: { gold: "1.5" }, segments: [{ customerTag: "vip", multiplier: "1.5" }] } };
    expect(earn(simple({ lines: [{ price: "5.00" }] }), twice, { customer: { tags: ["vip"], tierId: "gold" } }).points).toBe(11);
  });

  it("ignores an unknown tier and takes the best matching segment", () => {
    const result = earn(
      simple(),
      { multipliers: { tiers: { gold: "3" }, segments: [{ customerTag: "vip", multiplier: "1.5" }, { customerTag: "ambassador", multiplier: "2" }] } },
      { customer: { tags: ["VIP", "Ambassador"], tierId: "bronze" } },
    );
    expect(result.points).toBe(200);
    expect(codes(result.trace).slice(-2)).toEqual(["multiplier.segment", "multiplier.applied"]);
    expect(result.trace.at(-2)?.params).toEqual({ tag: "ambassador", multiplier: "2" });
  });

  describe("campaigns", () => {
    const order = () =>
      enrichOrderLines(
        earningOrder({
          processedAt: "2026-11-27T18:30:00-05:00", // Black Friday, 18:30 EST
          lines: [
            { productId: "1", price: "60.00", title: "Summer dress" },
            { productId: "2", price: "40.00", title: "Boots" },
          ],
          shipping: [{ price: "10.00" }],
        }),
        new Map([
          ["1", { productTags: ["summer"], collectionIds: ["77"] }],
          ["2", { productTags: [], collectionIds: [] }],
        ]),
      );

    it("applies a scoped campaign only to the amount it covers", () => {
      const result = earn(order(), {
        multipliers: { campaigns: [{ id: "summer", name: "Summer x3", multiplier: "3", scope: { collectionIds: ["77"] } }] },
      });
      // 100 base points; 60% of the base at ×3, 40% at ×1 → 220.
      expect(result.points).toBe(220);
      expect(result.trace.find((s) => s.code === "multiplier.campaign")?.params).toMatchObject({ appliesTo: "60.00" });
      expect(result.trace.at(-1)).toEqual({ code: "multiplier.applied", params: { multiplier: "2.2", rounding: "floor" }, pointsAfter: 220 });
    });

    it("does not stack campaigns: each part of the base takes the best one, shipping only unscoped ones", () => {
      const result = earn(order(), {
        purchase: { includeShipping: true },
        multipliers: {
          campaigns: [
            { id: "bf", name: "Black Friday", multiplier: "2" },
            { id: "summer", name: "Summer x3", multiplier: "3", scope: { productTags: ["SUMMER"] } },
            { id: "weak", name: "Weekend", multiplier: "1.5" },
          ],
        },
      });
      // Base 110: dress 60 × 3, boots 40 × 2, shipping 10 × 2 → 280 / 110; 110 × 280/110 = 280.
      expect(result.points).toBe(280);
      const campaignSteps = result.trace.filter((s) => s.code.startsWith("multiplier.campaign") || s.code === "campaign.skipped");
      expect(campaignSteps).toEqual([
        { code: "multiplier.campaign", params: { campaignId: "bf", name: "Black Friday", multiplier: "2", appliesTo: "50.00" } },
        { code: "multiplier.campaign", params: { campaignId: "summer", name: "Summer x3", multiplier: "3", appliesTo: "60.00" } },
        { code: "campaign.skipped", params: { campaignId: "weak", name: "Weekend", reason: "superseded" } },
      ]);
    });

    it("explains why a campaign did not apply", () => {
      const result = earn(order(), {
        multipliers: {
          campaigns: [
            { id: "off", name: "Paused", multiplier: "2", enabled: false },
            { id: "xmas", name: "Christmas", multiplier: "2", startsAt: "2026-12-01" },
            { id: "oct", name: "October", multiplier: "2", endsAt: "2026-10-31" },
            { id: "lunch", name: "Lunch hour", multiplier: "2", timeWindows: [{ days: ["fri"], start: "12:00", end: "13:00" }] },
            { id: "shoes", name: "Shoes", multiplier: "2", scope: { productIds: ["999"] } },
            { id: "evening", name: "Happy hour", multiplier: "1.5", timeWindows: [{ days: ["fri"], start: "18:00", end: "20:00" }] },
          ],
        },
      });
      const skipped = result.trace.filter((s) => s.code === "campaign.skipped").map((s) => [s.params.campaignId, s.params.reason]);
      expect(skipped).toEqual([
        ["off", "disabled"],
        ["xmas", "not_started"],
        ["oct", "ended"],
        ["lunch", "outside_window"],
        ["shoes", "out_of_scope"],
      ]);
      // The happy-hour campaign is a multiplier, not a gate: 100 × 1.5.
      expect(result.points).toBe(150);
    });
  });
});

describe("caps", () => {
  it("caps per order", () => {
    const result = earn(simple({ lines: [{ price: "800.00" }] }), { caps: { perOrderCap: 500 } });
    expect(result.points).toBe(500);
    expect(result.trace.at(-1)).toEqual({ code: "cap.per_order", params: { cap: 500, before: 800 }, pointsAfter: 500 });
  });

  it("caps per day with what is left after today's earnings, in the shop's day of `now`", () => {
    const program = { caps: { perOrderCap: 500, perDayCap: 600 } };
    const big = simple({ lines: [{ price: "800.00" }] });
    // 02:30 UTC on June 11 is still June 10 in New York.
    const result = earn(big, program, { pointsEarnedToday: 350, now: new Date("2026-06-11T02:30:00Z") });
    expect(result.points).toBe(250);
    expect(result.day).toBe("2026-06-10");
    expect(codes(result.trace).slice(-2)).toEqual(["cap.per_order", "cap.per_day"]);
    expect(result.trace.at(-1)).toEqual({
      code: "cap.per_day",
      params: { cap: 600, earnedToday: 350, remaining: 250, day: "2026-06-10", before: 500 },
      pointsAfter: 250,
    });
    expect(earn(big, program, { pointsEarnedToday: 700 }).points).toBe(0);
    expect(codes(earn(simple(), program, { pointsEarnedToday: 100 }).trace)).not.toContain("cap.per_day");
  });

  it("keeps a single order inside the ledger's integer range", () => {
    const huge = earningOrder({ currency: "KRW", lines: [{ price: "900000000", quantity: 10 }] });
    const result = earn(huge, { purchase: { pointsPerUnit: "100" } });
    expect(result.points).toBe(MAX_POINTS_PER_ORDER);
    expect(result.trace.at(-1)).toEqual({ code: "cap.system", params: { cap: MAX_POINTS_PER_ORDER }, pointsAfter: MAX_POINTS_PER_ORDER });
  });
});

describe("input checks", () => {
  it("refuses an unknown time zone and a bad pointsEarnedToday", () => {
    expect(() => earn(simple(), {}, { shopTimezone: "Nowhere/City" })).toThrow(InvalidTimeZoneError);
    expect(() => earn(simple(), {}, { pointsEarnedToday: -1 })).toThrow(RangeError);
    expect(() => earn(simple(), {}, { pointsEarnedToday: 1.5 })).toThrow(RangeError);
  });
});
