import {
  divideRounded,
  isDecimalString,
  parseDecimal,
  type Rational,
  type RoundingMode,
} from "./rational";

// Money is an integer count of the currency's minor unit (cents, fils, yen) as a bigint, so sums
// of any number of lines are exact. Shopify sends amounts as decimal strings ("89.99"); they are
// parsed digit by digit, never through a float.

export interface Money {
  readonly minor: bigint;
  readonly currency: string;
}

export class CurrencyMismatchError extends Error {
  constructor(
    public readonly left: string,
    public readonly right: string,
  ) {
    super(`Cannot combine ${left} and ${right} amounts`);
    this.name = "CurrencyMismatchError";
  }
}

export class MoneyFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MoneyFormatError";
  }
}

const ZERO_DECIMAL_CURRENCIES = new Set(["JPY", "KRW"]);
const THREE_DECIMAL_CURRENCIES = new Set(["BHD", "KWD", "JOD", "OMR", "TND"]);
const CURRENCY_CODE = /^[A-Z]{3}$/;

export function isCurrencyCode(code: string): boolean {
  return CURRENCY_CODE.test(code);
}

/** Digits after the decimal point in the currency's minor unit. */
export function currencyExponent(currency: string): number {
  assertCurrency(currency);
  if (ZERO_DECIMAL_CURRENCIES.has(currency)) return 0;
  if (THREE_DECIMAL_CURRENCIES.has(currency)) return 3;
  return 2;
}

function assertCurrency(currency: string): void {
  if (!isCurrencyCode(currency)) throw new MoneyFormatError(`Not an ISO 4217 currency code: ${JSON.stringify(currency)}`);
}

export function money(minor: bigint | number, currency: string): Money {
  assertCurrency(currency);
  if (typeof minor === "number" && !Number.isSafeInteger(minor)) {
    throw new MoneyFormatError(`Minor units must be an integer, got ${minor}`);
  }
  return { minor: BigInt(minor), currency };
}

export function zeroMoney(currency: string): Money {
  return money(0n, currency);
}

/**
 * `parseMoney("89.99", "USD")` → 8999 cents. Extra fraction digits are accepted only when they
 * are zeros ("1000.00" JPY is 1000 yen); "0.125" USD is refused instead of being rounded away.
 */
export function parseMoney(amount: string, currency: string): Money {
  const exponent = currencyExponent(currency);
  const text = amount.trim();
  if (!isDecimalString(text)) {
    throw new MoneyFormatError(`Not a decimal amount: ${JSON.stringify(amount)}`);
  }
  const negative = text.startsWith("-");
  const [whole, fraction = ""] = (negative ? text.slice(1) : text).split(".");
  const significant = fraction.slice(exponent);
  if (/[^0]/.test(significant)) {
    throw new MoneyFormatError(`${amount} has more precision than ${currency} allows (${exponent} decimals)`);
  }
  const minor = BigInt(whole + fraction.slice(0, exponent).padEnd(exponent, "0"));
  return { minor: negative ? -minor : minor, currency };
}

/** Plain decimal text at the currency's precision: `"89.99"`, `"1000"` (JPY), `"1.250"` (KWD). */
export function formatMoneyAmount(value: Money): string {
  const exponent = currencyExponent(value.currency);
  const negative = value.minor < 0n;
  const digits = (negative ? -value.minor : value.minor).toString();
  if (exponent === 0) return `${negative ? "-" : ""}${digits}`;
  const padded = digits.padStart(exponent + 1, "0");
  const whole = padded.slice(0, padded.length - exponent);
  return `${negative ? "-" : ""}${whole}.${padded.slice(padded.length - exponent)}`;
}

function sameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) throw new CurrencyMismatchError(a.currency, b.currency);
}

export function addMoney(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return { minor: a.minor + b.minor, currency: a.currency };
}

export function subtractMoney(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return { minor: a.minor - b.minor, currency: a.currency };
}

export function sumMoney(currency: string, values: Iterable<Money>): Money {
  let total = zeroMoney(currency);
  for (const value of values) total = addMoney(total, value);
  return total;
}

export function compareMoney(a: Money, b: Money): -1 | 0 | 1 {
  sameCurrency(a, b);
  return a.minor < b.minor ? -1 : a.minor > b.minor ? 1 : 0;
}

export function isZeroMoney(value: Money): boolean {
  return value.minor === 0n;
}

export function maxMoney(a: Money, b: Money): Money {
  return compareMoney(a, b) >= 0 ? a : b;
}

export function minMoney(a: Money, b: Money): Money {
  return compareMoney(a, b) <= 0 ? a : b;
}

export function multiplyMoneyByInteger(value: Money, factor: number | bigint): Money {
  if (typeof factor === "number" && !Number.isSafeInteger(factor)) {
    throw new RangeError(`Factor must be an integer, got ${factor}`);
  }
  return { minor: value.minor * BigInt(factor), currency: value.currency };
}

/** value × rate, rounded to the currency's minor unit by `mode`. */
export function multiplyMoney(value: Money, rate: Rational | string, mode: RoundingMode): Money {
  const r = typeof rate === "string" ? parseDecimal(rate) : rate;
  return { minor: divideRounded(value.minor * r.num, r.den, mode), currency: value.currency };
}

/** The amount as an exact fraction of whole currency units (8999 cents → 8999/100 dollars). */
export function moneyInUnits(value: Money): Rational {
  return { num: value.minor, den: 10n ** BigInt(currencyExponent(value.currency)) };
}

/**
 * A merchant-entered decimal ("25", "25.5") compared with an amount, exactly, whatever the
 * currency's precision: "25.005" in USD is simply more than 25.00.
 */
export function compareMoneyToDecimal(value: Money, decimal: string): -1 | 0 | 1 {
  const units = moneyInUnits(value);
  const other = parseDecimal(decimal);
  const left = units.num * other.den;
  const right = other.num * units.den;
  return left < right ? -1 : left > right ? 1 : 0;
}
