import { describe, expect, it } from "vitest";
import {
  addMoney,
  compareMoney,
  compareMoneyToDecimal,
  CurrencyMismatchError,
  currencyExponent,
  formatMoneyAmount,
  money,
  MoneyFormatError,
  multiplyMoney,
  multiplyMoneyByInteger,
  parseMoney,
  subtractMoney,
  sumMoney,
} from "~/domain/money";
import { divideRounded, formatRational, parseDecimal, rational, roundRational, toSafeNumber } from "~/domain/rational";

describe("currency exponents", () => {
  it("uses 0 decimals for JPY and KRW, 3 for the dinars, 2 otherwise", () => {
    expect(currencyExponent("JPY")).toBe(0);
    expect(currencyExponent("KRW")).toBe(0);
    for (const code of ["BHD", "KWD", "JOD", "OMR", "TND"]) expect(currencyExponent(code)).toBe(3);
    expect(currencyExponent("USD")).toBe(2);
    expect(currencyExponent("EUR")).toBe(2);
  });

  it("refuses something that is not a currency code", () => {
    expect(() => currencyExponent("usd")).toThrow(MoneyFormatError);
    expect(() => currencyExponent("EURO")).toThrow(MoneyFormatError);
  });
});

describe("parseMoney", () => {
  it("parses Shopify decimal strings into exact minor units", () => {
    expect(parseMoney("89.99", "USD")).toEqual({ minor: 8999n, currency: "USD" });
    expect(parseMoney("0.10", "USD").minor).toBe(10n);
    expect(parseMoney("89.9", "USD").minor).toBe(8990n);
    expect(parseMoney("89", "USD").minor).toBe(8900n);
    expect(parseMoney("-5.25", "USD").minor).toBe(-525n);
  });

  it("does not suffer float artefacts (0.1 + 0.2 is 0.3 exactly)", () => {
    expect(addMoney(parseMoney("0.1", "USD"), parseMoney("0.2", "USD"))).toEqual(parseMoney("0.30", "USD"));
    // 1.005 × 100 is 100.49999999999999 as a double; parsing digit by digit keeps it exact.
    expect(parseMoney("1.005", "KWD").minor).toBe(1005n);
  });

  it("handles zero- and three-decimal currencies", () => {
    expect(parseMoney("1500", "JPY").minor).toBe(1500n);
    expect(parseMoney("1500.00", "JPY").minor).toBe(1500n);
    expect(parseMoney("12.345", "KWD").minor).toBe(12345n);
    expect(parseMoney("12.3", "BHD").minor).toBe(12300n);
  });

  it("refuses precision the currency does not have instead of rounding it away", () => {
    expect(() => parseMoney("1500.5", "JPY")).toThrow(/more precision than JPY/);
    expect(() => parseMoney("0.125", "USD")).toThrow(MoneyFormatError);
    expect(parseMoney("0.120", "USD").minor).toBe(12n);
  });

  it("refuses anything that is not plain decimal text", () => {
    for (const bad of ["", "abc", "1e3", "1,000.00", "+5", ".5", "5.", "NaN"]) {
      expect(() => parseMoney(bad, "USD"), bad).toThrow(MoneyFormatError);
    }
  });
});

describe("formatMoneyAmount", () => {
  it("prints the amount at the currency's precision", () => {
    expect(formatMoneyAmount(money(8999n, "USD"))).toBe("89.99");
    expect(formatMoneyAmount(money(5n, "USD"))).toBe("0.05");
    expect(formatMoneyAmount(money(-5n, "USD"))).toBe("-0.05");
    expect(formatMoneyAmount(money(1500n, "JPY"))).toBe("1500");
    expect(formatMoneyAmount(money(1250n, "KWD"))).toBe("1.250");
    expect(formatMoneyAmount(money(7n, "KWD"))).toBe("0.007");
  });

  it("round-trips with parseMoney", () => {
    for (const [amount, currency] of [["0.00", "USD"], ["123456789012.34", "USD"], ["7", "KRW"], ["0.001", "OMR"]]) {
      expect(formatMoneyAmount(parseMoney(amount, currency))).toBe(amount);
    }
  });
});

describe("arithmetic", () => {
  const usd = (a: string) => parseMoney(a, "USD");

  it("adds, subtracts, sums and compares in one currency", () => {
    expect(addMoney(usd("10.05"), usd("0.95"))).toEqual(usd("11.00"));
    expect(subtractMoney(usd("10.00"), usd("10.01"))).toEqual(usd("-0.01"));
    expect(sumMoney("USD", [usd("1.11"), usd("2.22"), usd("3.33")])).toEqual(usd("6.66"));
    expect(sumMoney("USD", [])).toEqual(usd("0"));
    expect(compareMoney(usd("1.00"), usd("0.99"))).toBe(1);
    expect(compareMoney(usd("1.00"), usd("1"))).toBe(0);
    expect(compareMoney(usd("0.99"), usd("1.00"))).toBe(-1);
    expect(multiplyMoneyByInteger(usd("19.99"), 3)).toEqual(usd("59.97"));
  });

  it("never mixes currencies", () => {
    expect(() => addMoney(usd("1"), parseMoney("1", "EUR"))).toThrow(CurrencyMismatchError);
    expect(() => compareMoney(usd("1"), parseMoney("1", "EUR"))).toThrow(CurrencyMismatchError);
    expect(() => sumMoney("USD", [parseMoney("1", "EUR")])).toThrow(CurrencyMismatchError);
  });

  it("multiplies by a rational rate with an explicit rounding mode", () => {
    // 10.01 × 0.5 = 5.005
    expect(multiplyMoney(usd("10.01"), "0.5", "floor")).toEqual(usd("5.00"));
    expect(multiplyMoney(usd("10.01"), "0.5", "half_up")).toEqual(usd("5.01"));
    expect(multiplyMoney(usd("10.01"), "0.5", "ceil")).toEqual(usd("5.01"));
    // 10.00 / 3 = 3.333…
    expect(multiplyMoney(usd("10.00"), rational(1, 3), "floor")).toEqual(usd("3.33"));
    expect(multiplyMoney(usd("10.00"), rational(1, 3), "half_up")).toEqual(usd("3.33"));
    expect(multiplyMoney(usd("10.00"), rational(1, 3), "ceil")).toEqual(usd("3.34"));
    expect(multiplyMoney(parseMoney("1001", "JPY"), "0.5", "half_up")).toEqual(parseMoney("501", "JPY"));
    expect(multiplyMoney(parseMoney("1.001", "KWD"), "0.5", "floor")).toEqual(parseMoney("0.500", "KWD"));
  });

  it("compares an amount with a merchant decimal exactly, whatever its precision", () => {
    expect(compareMoneyToDecimal(usd("25.00"), "25")).toBe(0);
    expect(compareMoneyToDecimal(usd("25.00"), "25.005")).toBe(-1);
    expect(compareMoneyToDecimal(parseMoney("2500", "JPY"), "2499.5")).toBe(1);
  });
});

describe("rational helpers", () => {
  it("rounds by each mode, including negatives and exact ties", () => {
    const cases: [bigint, bigint, bigint, bigint, bigint][] = [
      // num, den, floor, half_up, ceil
      [7n, 2n, 3n, 4n, 4n],
      [5n, 3n, 1n, 2n, 2n],
      [4n, 3n, 1n, 1n, 2n],
      [6n, 3n, 2n, 2n, 2n],
      [-7n, 2n, -4n, -3n, -3n],
      [-5n, 3n, -2n, -2n, -1n],
      [0n, 9n, 0n, 0n, 0n],
    ];
    for (const [num, den, floor, halfUp, ceil] of cases) {
      expect(divideRounded(num, den, "floor"), `${num}/${den} floor`).toBe(floor);
      expect(divideRounded(num, den, "half_up"), `${num}/${den} half_up`).toBe(halfUp);
      expect(divideRounded(num, den, "ceil"), `${num}/${den} ceil`).toBe(ceil);
    }
  });

  it("parses decimals exactly and prints them back", () => {
    expect(parseDecimal("0.125")).toEqual({ num: 1n, den: 8n });
    expect(parseDecimal("10")).toEqual({ num: 10n, den: 1n });
    expect(roundRational(parseDecimal("2.5"), "half_up")).toBe(3n);
    expect(formatRational(parseDecimal("1.5"))).toBe("1.5");
    expect(formatRational(rational(1, 3), 6)).toBe("0.333333");
    expect(formatRational(rational(2, 3), 2)).toBe("0.67");
    expect(formatRational(rational(-1, 8), 4)).toBe("-0.125");
    expect(() => parseDecimal("1e3")).toThrow(SyntaxError);
    expect(() => rational(1, 0)).toThrow(RangeError);
  });

  it("refuses to turn an unsafe bigint into a number", () => {
    expect(toSafeNumber(2n ** 53n - 1n)).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => toSafeNumber(2n ** 53n)).toThrow(RangeError);
  });
});
