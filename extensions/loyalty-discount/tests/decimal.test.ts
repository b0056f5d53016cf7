import { describe, expect, it } from "vitest";
import { minorUnitDigits } from "../src/currency.js";
import { compare, formatDecimal, formatTrimmed, multiply, parseDecimal, percentOf, roundTo } from "../src/decimal.js";

const d = (text: string) => {
  const value = parseDecimal(text);
  if (!value) throw new Error(`not a decimal: ${text}`);
  return value;
};

describe("parseDecimal", () => {
  it("reads Shopify's Decimal strings and plain numbers exactly", () => {
    expect(parseDecimal("29.99")).toEqual({ units: 2999n, scale: 2 });
    expect(parseDecimal(" 100.0 ")).toEqual({ units: 1000n, scale: 1 });
    expect(parseDecimal(12.5)).toEqual({ units: 125n, scale: 1 });
    expect(parseDecimal(1e-7)).toEqual({ units: 1n, scale: 7 });
    expect(parseDecimal("1.5E3")).toEqual({ units: 1500n, scale: 0 });
  });

  it("refuses negatives, non-numbers and absurd lengths", () => {
    for (const bad of ["-1", "1,5", "", "1.", ".5", "NaN", "Infinity", "1e999", "9".repeat(41)]) expect(parseDecimal(bad), bad).toBeNull();
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, -1, null, undefined, {}, 10n]) expect(parseDecimal(bad)).toBeNull();
  });
});

describe("arithmetic", () => {
  it("multiplies without float drift", () => {
    expect(formatDecimal(multiply(d("19.99"), d("0.92")))).toBe("18.3908");
    expect(formatDecimal(multiply(d("0.1"), d("3")))).toBe("0.3");
  });

  it("compares across scales", () => {
    expect(compare(d("1.50"), d("1.5"))).toBe(0);
    expect(compare(d("1.499"), d("1.5"))).toBe(-1);
    expect(compare(d("10"), d("9.999"))).toBe(1);
  });

  it("takes a percentage exactly", () => {
    expect(formatDecimal(percentOf(d("123.45"), d("12.5")))).toBe("15.43125");
  });

  it("rounds down and up to a currency's digits", () => {
    expect(formatDecimal(roundTo(d("4.617"), 2, "down"))).toBe("4.61");
    expect(formatDecimal(roundTo(d("4.611"), 2, "up"))).toBe("4.62");
    expect(formatDecimal(roundTo(d("4.61"), 2, "up"))).toBe("4.61");
    expect(formatDecimal(roundTo(d("749.35"), 0, "down"))).toBe("749");
    expect(formatDecimal(roundTo(d("7493.5"), 0, "up"))).toBe("7494");
    expect(formatDecimal(roundTo(d("5"), 2, "down"))).toBe("5.00");
    expect(formatDecimal(roundTo(d("0.004"), 2, "down"))).toBe("0.00");
  });

  it("formats trimmed values for percentages", () => {
    expect(formatTrimmed(d("12.50"))).toBe("12.5");
    expect(formatTrimmed(d("100.00"))).toBe("100");
    expect(formatTrimmed(d("0.0500"))).toBe("0.05");
  });
});

describe("minorUnitDigits", () => {
  it("follows ISO 4217 for the currencies that are not 2-decimal", () => {
    expect(minorUnitDigits("USD")).toBe(2);
    expect(minorUnitDigits("EUR")).toBe(2);
    expect(minorUnitDigits("JPY")).toBe(0);
    expect(minorUnitDigits("KRW")).toBe(0);
    expect(minorUnitDigits("KWD")).toBe(3);
    expect(minorUnitDigits("XXX")).toBe(2);
  });
});
