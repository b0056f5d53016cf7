import { describe, expect, it } from "vitest";
import { calculatePurchasePoints } from "~/domain/earning";
import { money } from "~/domain/money";
import type { EarningOrder } from "~/domain/order";
import { parseEarningProgram, type EarningProgramInput } from "~/domain/program";
import { storefrontPurchaseRule } from "~/services/storefront.server";
import { estimatePoints, shopMinorUnits, type ProductFacts } from "../../extensions/loyalty-widget/src/estimate";

// The product block's "earn N points" must be what the earning engine would give for an order of
// that product alone. Both run here on the same programs and prices: the engine on a one-line
// order, the widget on the rule the proxy publishes (storefrontPurchaseRule).

const NOW = new Date("2026-11-20T15:00:00Z");
const ZONE = "America/New_York";

function oneLineOrder(product: ProductFacts, priceMinor: bigint, currency: string): EarningOrder {
  const zero = money(0n, currency);
  return {
    id: "9001",
    name: "#9001",
    customer: { id: "77", tags: [] },
    currency,
    createdAt: NOW,
    processedAt: NOW,
    taxesIncluded: false,
    test: false,
    financialStatus: "paid",
    cancelled: false,
    cancelledAt: null,
    lines: [
      {
        id: "1",
        productId: product.id,
        variantId: "2",
        title: "Thing",
        quantity: 1,
        unitPrice: money(priceMinor, currency),
        lineDiscount: zero,
        tax: zero,
        giftCard: product.giftCard,
        productTags: product.tags,
        collectionIds: product.collections,
      },
    ],
    shipping: { price: zero, discount: zero, tax: zero },
    totals: { subtotal: money(priceMinor, currency), discounts: zero, tax: zero, shipping: zero, total: money(priceMinor, currency) },
    discountCodes: [],
  } as EarningOrder;
}

function engine(input: EarningProgramInput, product: ProductFacts, priceMinor: bigint, currency = "USD") {
  const program = parseEarningProgram(input);
  return calculatePurchasePoints({ order: oneLineOrder(product, priceMinor, currency), program, customer: { tags: [] }, shopTimezone: ZONE, pointsEarnedToday: 0, now: NOW });
}

function widget(input: EarningProgramInput, product: ProductFacts, priceMinor: bigint, currency = "USD") {
  const rule = storefrontPurchaseRule(parseEarningProgram(input), currency, ZONE, NOW);
  return rule ? estimatePoints(rule, product, priceMinor) : null;
}

const plain: ProductFacts = { id: "100", tags: ["Cotton", "sale"], collections: ["500"], giftCard: false };

// A small deterministic generator, so a failure names a reproducible case.
function* cases(count: number) {
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pick = <T,>(items: T[]) => items[Math.floor(next() * items.length)];
  for (let i = 0; i < count; i++) {
    const program: EarningProgramInput = {
      purchase: { pointsPerUnit: pick(["1", "0.5", "2.75", "10", "0.01", "3.3333"]), rounding: pick(["floor", "half_up", "ceil"] as const), minimumOrder: pick([undefined, "20", "99.99"]) },
      conditions: {
        products: pick([{}, { exclude: ["100"] }, { include: ["100"] }, { include: ["999"] }]),
        collections: pick([{}, { include: ["500"] }, { exclude: ["500"] }]),
        productTags: pick([{}, { include: ["COTTON"] }, { exclude: ["sale"] }]),
      },
      multipliers: {
        campaigns: pick([
          [],
          [{ id: "a", name: "All", multiplier: "1.5" }],
          [
            { id: "a", name: "Sale", multiplier: "2", scope: { productTags: ["sale"] } },
            { id: "b", name: "Cotton", multiplier: "3.25", scope: { collectionIds: ["500"] } },
          ],
          [{ id: "c", name: "Other", multiplier: "4", scope: { productIds: ["1"] } }],
          [{ id: "d", name: "Over", multiplier: "5", endsAt: "2026-01-01" }],
        ]),
      },
      caps: pick([{}, { perOrderCap: 150 }]),
    };
    const product = pick([plain, { ...plain, giftCard: true }, { ...plain, tags: [] }, { id: "1", tags: [], collections: [], giftCard: false }]);
    const priceMinor = BigInt(pick([1, 99, 1999, 2000, 4550, 9999, 12345, 250000]));
    yield { program, product, priceMinor };
  }
}

describe("product points estimate", () => {
  it("agrees with the earning engine on 400 programs, products and prices", () => {
    for (const { program, product, priceMinor } of cases(400)) {
      const expected = engine(program, product, priceMinor);
      const belowMinimum = expected.trace.some((step) => step.code === "order.below_minimum");
      const estimate = widget(program, product, priceMinor);
      const label = JSON.stringify({ program, product, price: String(priceMinor) });
      if (belowMinimum) expect(estimate, label).toEqual({ belowMinimum: program.purchase?.minimumOrder });
      else if (expected.points === 0) expect(estimate, label).toBeNull();
      else expect(estimate, label).toEqual({ points: expected.points });
    }
  });

  it("counts zero-decimal and three-decimal currencies in their own minor units", () => {
    for (const [currency, minor] of [["JPY", 4500n], ["KWD", 12_345n]] as const) {
      const program = { purchase: { pointsPerUnit: "0.1" } };
      expect(widget(program, plain, minor, currency)).toEqual({ points: engine(program, plain, minor, currency).points });
    }
  });

  it("shows nothing when the program is off, outside its dates or restricted to tagged customers", () => {
    expect(widget({ purchase: { enabled: false } }, plain, 5000n)).toBeNull();
    expect(widget({ conditions: { dateRange: { start: "2027-01-01" } } }, plain, 5000n)).toBeNull();
    expect(widget({ conditions: { timeWindows: [{ days: ["mon"], start: "09:00", end: "10:00" }] } }, plain, 5000n)).toBeNull();
    expect(widget({ conditions: { customerTags: { include: ["vip"] } } }, plain, 5000n)).toBeNull();
    // Inside the window (Friday 10:00 in New York) it shows.
    expect(widget({ conditions: { timeWindows: [{ days: ["fri"], start: "09:00", end: "11:00" }] } }, plain, 5000n)).toEqual({ points: 50 });
  });

  it("converts a Liquid price in another presentment currency to shop minor units", () => {
    // 27.00 EUR shown, 1 USD = 0.9 EUR → 30.00 USD = 3000 cents.
    expect(shopMinorUnits(2700, 0.9, 2)).toBe(3000n);
    // Liquid prices are hundredths even for yen: ¥4,500 is 450000.
    expect(shopMinorUnits(450000, 1, 0)).toBe(4500n);
  });
});
