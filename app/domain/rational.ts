// Exact fractions on bigint. Points and money never pass through a float: rates such as "0.5"
// points per unit and multipliers such as "1.25" are parsed into fractions, multiplied exactly,
// and rounded once, where the rules say so.

export interface Rational {
  readonly num: bigint;
  /** Always > 0; the fraction is kept reduced so equal values compare equal field by field. */
  readonly den: bigint;
}

export type RoundingMode = "floor" | "half_up" | "ceil";

export const ROUNDING_MODES: readonly RoundingMode[] = ["floor", "half_up", "ceil"];

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

export function rational(num: bigint | number, den: bigint | number = 1n): Rational {
  let n = BigInt(num);
  let d = BigInt(den);
  if (d === 0n) throw new RangeError("A fraction cannot have a zero denominator");
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const g = gcd(n, d);
  return g > 1n ? { num: n / g, den: d / g } : { num: n, den: d };
}

export const ZERO: Rational = { num: 0n, den: 1n };
export const ONE: Rational = { num: 1n, den: 1n };

export function isDecimalString(text: string): boolean {
  return DECIMAL.test(text);
}

/** `"0.125"` → 1/8. Only plain decimal notation: no exponent, no grouping, no leading "+". */
export function parseDecimal(text: string): Rational {
  const match = DECIMAL.exec(text);
  if (!match) throw new SyntaxError(`Not a decimal number: ${JSON.stringify(text)}`);
  const [, sign, whole, fraction = ""] = match;
  const magnitude = BigInt(whole + fraction);
  return rational(sign ? -magnitude : magnitude, 10n ** BigInt(fraction.length));
}

export function add(a: Rational, b: Rational): Rational {
  return rational(a.num * b.den + b.num * a.den, a.den * b.den);
}

export function subtract(a: Rational, b: Rational): Rational {
  return rational(a.num * b.den - b.num * a.den, a.den * b.den);
}

export function multiply(a: Rational, b: Rational): Rational {
  return rational(a.num * b.num, a.den * b.den);
}

export function divide(a: Rational, b: Rational): Rational {
  if (b.num === 0n) throw new RangeError("Division by zero");
  return rational(a.num * b.den, a.den * b.num);
}

export function compare(a: Rational, b: Rational): -1 | 0 | 1 {
  const left = a.num * b.den;
  const right = b.num * a.den;
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Integer division of num/den (den > 0) rounded by `mode`; "half_up" sends ties towards +∞. */
export function divideRounded(num: bigint, den: bigint, mode: RoundingMode): bigint {
  if (den <= 0n) throw new RangeError("The divisor must be positive");
  // bigint division truncates towards zero; derive floor from it, then the other modes from floor.
  const truncated = num / den;
  const floor = num % den !== 0n && num < 0n ? truncated - 1n : truncated;
  const remainder = num - floor * den; // 0 <= remainder < den
  switch (mode) {
    case "floor":
      return floor;
    case "ceil":
      return remainder === 0n ? floor : floor + 1n;
    case "half_up":
      return remainder * 2n >= den ? floor + 1n : floor;
  }
}

export function roundRational(value: Rational, mode: RoundingMode): bigint {
  return divideRounded(value.num, value.den, mode);
}

/**
 * Decimal text for people and traces. Exact when the fraction terminates within `maxDecimals`
 * digits (trailing zeros dropped); otherwise rounded half-up at `maxDecimals`.
 */
export function formatRational(value: Rational, maxDecimals = 4): string {
  const scale = 10n ** BigInt(maxDecimals);
  const scaled = divideRounded(value.num * scale, value.den, "half_up");
  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(maxDecimals + 1, "0");
  const whole = digits.slice(0, digits.length - maxDecimals);
  const fraction = digits.slice(digits.length - maxDecimals).replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
}

/** A bigint that is about to become a JSON/Prisma number: refuse rather than lose digits. */
export function toSafeNumber(value: bigint, what = "value"): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`${what} ${value} is outside the safe integer range`);
  }
  return Number(value);
}
