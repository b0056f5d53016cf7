import { describe, expect, it } from "vitest";
import { calculatePurchasePoints, type EarningBasis } from "~/domain/earning";
import { CurrencyMismatchError, formatMoneyAmount, money, parseMoney, type Money } from "~/domain/money";
import { normalizeOrderForEarning } from "~/domain/order";
import type { EarningProgramInput } from "~/domain/program";
import { clawbackForRefund, REFUND_TRACE_CODES, refundBaseFromRefundPayload, RefundPayloadError } from "~/domain/refunds";
import { codes, orderFixture, orderPayload, program, refundPayload, sharedFixture } from "./support";

function earnFixture(name: string, programInput: EarningProgramInput = {}) {
  return calculatePurchasePoints({
    order: normalizeOrderForEarning(orderFixture(name)),
    program: program(programInput),
    customer: { tags: [] },
    shopTimezone: "Europe/Paris",
    pointsEarnedToday: 0,
    now: new Date("2026-03-14T18:00:00Z"),
  });
}

const usd = (amount: string) => parseMoney(amount, "USD");
const seenRefundCodes = new Set<string>();
function refundBase(refund: unknown, basis: EarningBasis) {
  const result = refundBaseFromRefundPayload(refund, basis);
  for (const step of result.trace) seenRefundCodes.add(step.code);
  return result;
}

describe("refundBaseFromRefundPayload with Shopify's refunds/create example", () => {
  const earned = earnFixture("orders-paid-exact-ids.json");
  const refund = sharedFixture("refunds-create.json") as { refund_line_items: unknown[] };

  it("matches line 487817672276298554 through its gid although line_item_id was rounded", () => {
    const onlySunglasses = { ...refund, refund_line_items: refund.refund_line_items.slice(0, 1) };
    const result = refundBase(onlySunglasses, earned.basis);
    expect(result.refundId).toBe("890088186047892319");
    expect(formatMoneyAmount(result.base)).toBe("89.99");
    expect(result.trace).toEqual([
      {
        code: "refund.line_counted",
        params: { lineId: "487817672276298554", quantity: 1, subtotal: "89.99", tax: "0.00", amount: "89.99" },
      },
      { code: "refund.base_computed", params: { amount: "89.99", currency: "USD" } },
    ]);
    // 414 points on 414.95: refunding 89.99 takes back round(414 × 89.99 / 414.95) = round(89.78) = 90.
    const clawback = clawbackForRefund({
      pointsEarned: earned.points,
      eligibleBase: earned.base,
      refundedBaseSoFar: usd("0"),
      refundBase: result.base,
      clawedBackSoFar: 0,
    });
    expect(clawback).toEqual({ points: 90, clawedBackTotal: 90, refundedBaseTotal: usd("89.99") });
  });

  it("takes back everything when every line is refunded", () => {
    const result = refundBase(refund, earned.basis);
    expect(formatMoneyAmount(result.base)).toBe("414.95");
    expect(codes(result.trace)).toEqual([...Array(5).fill("refund.line_counted"), "refund.base_computed"]);
    const clawback = clawbackForRefund({
      pointsEarned: earned.points,
      eligibleBase: earned.base,
      refundedBaseSoFar: usd("0"),
      refundBase: result.base,
      clawedBackSoFar: 0,
    });
    expect(clawback.points).toBe(414);
  });
});

describe("refundBaseFromRefundPayload on a tax-included EUR order", () => {
  const refund = orderFixture("refunds-create-eur-partial.json");
  const eur = (amount: string) => parseMoney(amount, "EUR");

  it("counts the returned shirt without its VAT, skips the gift card and the shipping", () => {
    const earned = earnFixture("orders-paid-eur-taxes-included.json");
    const result = refundBase(refund, earned.basis);
    expect(result.orderId).toBe("650123456789012345");
    expect(result.base).toEqual(eur("43.67")); // 52.41 − 8.74 VAT
    expect(result.trace).toEqual([
      {
        code: "refund.line_counted",
        params: { lineId: "430912873465019283", quantity: 1, subtotal: "52.41", tax: "8.74", amount: "43.67" },
      },
      { code: "refund.line_not_eligible", params: { lineId: "430912873465019284" } },
      { code: "refund.shipping_ignored", params: { amount: "4.90" } },
      { code: "refund.base_computed", params: { amount: "43.67", currency: "EUR" } },
    ]);
    // 106 points on 106.52 EUR → round(106 × 43.67 / 106.52) = round(43.46) = 43.
    expect(
      clawbackForRefund({ pointsEarned: 106, eligibleBase: earned.base, refundedBaseSoFar: eur("0"), refundBase: result.base, clawedBackSoFar: 0 })
        .points,
    ).toBe(43);
  });

  it("measures the refund the way the base was measured", () => {
    const withShipping = refundBase(refund, earnFixture("orders-paid-eur-taxes-included.json", { purchase: { includeShipping: true } }).basis);
    expect(withShipping.base).toEqual(eur("47.75")); // + 4.90 − 0.82 VAT
    expect(withShipping.trace.find((s) => s.code === "refund.shipping_counted")?.params).toEqual({ amount: "4.08" });

    const withTaxes = refundBase(refund, earnFixture("orders-paid-eur-taxes-included.json", { purchase: { includeTaxes: true } }).basis);
    expect(withTaxes.base).toEqual(eur("52.41"));

    // The base ignored discounts: the shirt counts at its list price, 59.90 − 8.74 VAT.
    const listPrice = refundBase(refund, earnFixture("orders-paid-eur-taxes-included.json", { purchase: { subtractDiscounts: false } }).basis);
    expect(listPrice.base).toEqual(eur("51.16"));

    const giftCardsToo = refundBase(refund, earnFixture("orders-paid-eur-taxes-included.json", { purchase: { includeGiftCards: true } }).basis);
    expect(giftCardsToo.base).toEqual(eur("93.67"));
  });
});

describe("refundBaseFromRefundPayload edge cases", () => {
  const payload = orderPayload({ lines: [{ price: "30.00", quantity: 2, tax: "4.80" }, { price: "10.00" }], shipping: [{ price: "5.00" }] });
  const earned = calculatePurchasePoints({
    order: normalizeOrderForEarning(payload),
    program: program({ purchase: { includeTaxes: true } }),
    customer: { tags: [] },
    shopTimezone: "UTC",
    pointsEarnedToday: 0,
  });

  it("ignores restock-only lines with a zero subtotal and lines the order did not have when it earned", () => {
    const refund = refundPayload(payload, [{ line: 0, quantity: 2, subtotal: "0.00" }]);
    (refund.refund_line_items as Record<string, unknown>[]).push({
      line_item_id: "123456789012345678",
      quantity: 1,
      subtotal_set: { shop_money: { amount: "3.00", currency_code: "USD" } },
      total_tax_set: { shop_money: { amount: "0.00", currency_code: "USD" } },
    });
    const result = refundBase(refund, earned.basis);
    expect(result.base).toEqual(usd("0"));
    expect(result.trace).toEqual([
      { code: "refund.line_zero_subtotal", params: { lineId: earned.basis.lines[0].id, quantity: 2 } },
      { code: "refund.line_unknown", params: { lineId: "123456789012345678" } },
      { code: "refund.base_computed", params: { amount: "0.00", currency: "USD" } },
    ]);
  });

  it("adds tax charged on top when the base included taxes, and never counts more than the line's base", () => {
    expect(refundBase(refundPayload(payload, [{ line: 0, subtotal: "30.00", tax: "2.40" }]), earned.basis).base).toEqual(usd("32.40"));
    expect(refundBase(refundPayload(payload, [{ line: 1, subtotal: "25.00" }]), earned.basis).base).toEqual(usd("10.00"));
  });

  it("rejects a malformed payload or one in another currency, listing the problems", () => {
    const wrongCurrency = refundPayload(payload, [{ line: 0, subtotal: "30.00" }]);
    const item = (wrongCurrency.refund_line_items as { subtotal_set: { shop_money: { currency_code: string } } }[])[0];
    item.subtotal_set.shop_money.currency_code = "EUR";
    expect(() => refundBaseFromRefundPayload(wrongCurrency, earned.basis)).toThrow(RefundPayloadError);
    try {
      refundBaseFromRefundPayload(wrongCurrency, earned.basis);
    } catch (error) {
      expect((error as RefundPayloadError).problems).toEqual([
        "refund_line_items.0.subtotal_set: is in EUR, the order earned in USD",
      ]);
    }
    try {
      refundBaseFromRefundPayload({ id: 1, order_id: 2, refund_line_items: [{ line_item_id: 3, quantity: "x" }] }, earned.basis);
      expect.unreachable();
    } catch (error) {
      expect((error as RefundPayloadError).problems).toEqual([
        "refund_line_items.0.quantity: must be a whole number",
        "refund_line_items.0.subtotal_set: is required",
        "refund_line_items.0.total_tax_set: is required",
      ]);
    }
  });

  it("exercises every refund trace code", () => {
    const withShipping = calculatePurchasePoints({
      order: normalizeOrderForEarning(payload),
      program: program({ purchase: { includeShipping: true } }),
      customer: { tags: [] },
      shopTimezone: "UTC",
      pointsEarnedToday: 0,
    });
    const result = refundBase(refundPayload(payload, [], [{ subtotal: "5.00" }]), withShipping.basis);
    expect(result.base).toEqual(usd("5.00"));
    for (const code of REFUND_TRACE_CODES) expect(seenRefundCodes, code).toContain(code);
  });
});

describe("clawbackForRefund", () => {
  const base = usd("100.00");
  const claw = (refundedBaseSoFar: Money, refund: Money, clawedBackSoFar: number, pointsEarned = 100, eligibleBase = base) =>
    clawbackForRefund({ pointsEarned, eligibleBase, refundedBaseSoFar, refundBase: refund, clawedBackSoFar });

  it("takes back the refunded share, computed on running totals", () => {
    // 10 points on 3.00, refunded 1.00 at a time: targets 3.33→3, 6.67→7, 10 → steps 3, 4, 3.
    const three = usd("3.00");
    const first = claw(usd("0"), usd("1.00"), 0, 10, three);
    const second = claw(first.refundedBaseTotal, usd("1.00"), first.clawedBackTotal, 10, three);
    const third = claw(second.refundedBaseTotal, usd("1.00"), second.clawedBackTotal, 10, three);
    expect([first.points, second.points, third.points]).toEqual([3, 4, 3]);
    expect(third.clawedBackTotal).toBe(10);
    expect(third.refundedBaseTotal).toEqual(three);
  });

  it("never takes back more than was earned", () => {
    expect(claw(usd("0"), usd("250.00"), 0).points).toBe(100);
    expect(claw(usd("90.00"), usd("50.00"), 90).points).toBe(10);
    expect(claw(usd("100.00"), usd("10.00"), 100).points).toBe(0);
    // Points already reversed by other means are not reversed twice, nor given back.
    expect(claw(usd("0"), usd("50.00"), 80).points).toBe(0);
  });

  it("handles zero- and three-decimal currencies", () => {
    const yen = clawbackForRefund({
      pointsEarned: 123,
      eligibleBase: parseMoney("12345", "JPY"),
      refundedBaseSoFar: parseMoney("0", "JPY"),
      refundBase: parseMoney("5000", "JPY"),
      clawedBackSoFar: 0,
    });
    expect(yen.points).toBe(50); // 123 × 5000 / 12345 = 49.82
    const dinars = clawbackForRefund({
      pointsEarned: 123,
      eligibleBase: parseMoney("12.345", "KWD"),
      refundedBaseSoFar: parseMoney("0", "KWD"),
      refundBase: parseMoney("6.172", "KWD"),
      clawedBackSoFar: 0,
    });
    expect(dinars.points).toBe(61); // 61.497
  });

  it("rejects inconsistent input", () => {
    expect(() => claw(usd("0"), usd("-1.00"), 0)).toThrow(RangeError);
    expect(() => claw(usd("0"), usd("1.00"), -1)).toThrow(RangeError);
    expect(() => claw(usd("0"), usd("1.00"), 0, 1.5)).toThrow(RangeError);
    expect(() => claw(usd("0"), parseMoney("1.00", "EUR"), 0)).toThrow(CurrencyMismatchError);
    expect(() => claw(usd("0"), usd("1.00"), 0, 5, usd("0"))).toThrow(RangeError);
    expect(claw(usd("0"), usd("1.00"), 0, 0, usd("0")).points).toBe(0);
  });
});

describe("clawbackForRefund over random refund sequences", () => {
  // Deterministic pseudo-random numbers (mulberry32) so a failure reproduces.
  function random(seed: number) {
    let state = seed >>> 0;
    return () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const next = random(20261122);
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));

  /** Splits `total` minor units into `parts` non-negative amounts that sum to it exactly. */
  function split(total: number, parts: number): number[] {
    const cuts = Array.from({ length: parts - 1 }, () => int(0, total)).sort((a, b) => a - b);
    return [...cuts, total].map((cut, i) => cut - (i === 0 ? 0 : [...cuts, total][i - 1]));
  }

  function run(pointsEarned: number, base: Money, refunds: number[]) {
    let refundedBaseSoFar = money(0n, base.currency);
    let clawedBackSoFar = 0;
    const steps: number[] = [];
    for (const minor of refunds) {
      const result = clawbackForRefund({
        pointsEarned,
        eligibleBase: base,
        refundedBaseSoFar,
        refundBase: money(BigInt(minor), base.currency),
        clawedBackSoFar,
      });
      steps.push(result.points);
      refundedBaseSoFar = result.refundedBaseTotal;
      clawedBackSoFar = result.clawedBackTotal;
    }
    return { steps, total: clawedBackSoFar, refunded: refundedBaseSoFar };
  }

  it("1000 random full refunds, in up to 12 parts, add up to exactly what was earned", () => {
    for (let i = 0; i < 1000; i++) {
      const currency = ["USD", "JPY", "KWD"][i % 3];
      const baseMinor = int(1, 5_000_000);
      const earned = int(0, 200_000);
      const parts = split(baseMinor, int(1, 12));
      const { steps, total } = run(earned, money(BigInt(baseMinor), currency), parts);
      const context = `case ${i}: earned ${earned} on ${baseMinor} ${currency}, refunds ${parts.join(",")}`;
      expect(steps.every((s) => Number.isInteger(s) && s >= 0), context).toBe(true);
      expect(total, context).toBe(earned);
    }
  });

  it("1000 random partial sequences never exceed what was earned and match the proportional share", () => {
    for (let i = 0; i < 1000; i++) {
      const baseMinor = int(1, 1_000_000);
      const earned = int(0, 100_000);
      // Refunds may fall short of the base or overshoot it (amounts outside the base, rounding).
      const refunds = Array.from({ length: int(1, 8) }, () => int(0, Math.ceil(baseMinor / 3)));
      const { steps, total, refunded } = run(earned, money(BigInt(baseMinor), "USD"), refunds);
      const context = `case ${i}: earned ${earned} on ${baseMinor}, refunds ${refunds.join(",")}`;
      let running = 0;
      for (const step of steps) {
        running += step;
        expect(step, context).toBeGreaterThanOrEqual(0);
        expect(running, context).toBeLessThanOrEqual(earned);
      }
      const covered = Math.min(Number(refunded.minor), baseMinor);
      // round-half-up of earned × covered / base, in exact integer arithmetic.
      const expected = Number((2n * BigInt(earned) * BigInt(covered) + BigInt(baseMinor)) / (2n * BigInt(baseMinor)));
      expect(total, context).toBe(expected);
    }
  });

  it("gives the same total whatever order the refunds arrive in", () => {
    for (let i = 0; i < 200; i++) {
      const baseMinor = int(100, 100_000);
      const earned = int(1, 10_000);
      const parts = split(baseMinor, int(2, 6));
      const shuffled = [...parts].sort(() => next() - 0.5);
      const base = money(BigInt(baseMinor), "USD");
      expect(run(earned, base, shuffled).total).toBe(run(earned, base, parts).total);
    }
  });
});
