// Exact decimal arithmetic on BigInt for money and rates. Shopify serialises Decimal as a string
// ("29.99"); going through a float would turn 19.99 × 0.92 into 18.390799999999999 and a
// "never more than the reward is worth" rule could then be broken by a rounding step.

/**
 * A non-negative decimal: `units / 10^scale`.
 * @typedef {{ units: bigint, scale: number }} Decimal
 */

const DECIMAL_TEXT = /^(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;
// Far beyond any amount or rate; bounds the BigInt work a hostile input could ask for.
const MAX_DIGITS = 40;

/**
 * Parses a non-negative decimal given as a string ("12.50") or a finite number (12.5).
 * Anything else (negative, NaN, "1,5", absurdly long) gives null.
 * @param {unknown} value
 * @returns {Decimal | null}
 */
export function parseDecimal(value) {
  let text;
  if (typeof value === "string") text = value.trim();
  else if (typeof value === "number" && Number.isFinite(value) && value >= 0) text = String(value);
  else return null;
  const match = DECIMAL_TEXT.exec(text);
  if (!match) return null;
  const [, whole, fraction = "", exponentText = "0"] = match;
  const exponent = Number(exponentText);
  const digits = whole + fraction;
  if (digits.length > MAX_DIGITS || Math.abs(exponent) > MAX_DIGITS) return null;
  const scale = fraction.length - exponent;
  if (scale >= 0) return { units: BigInt(digits), scale };
  return { units: BigInt(digits) * 10n ** BigInt(-scale), scale: 0 };
}

/**
 * @param {Decimal} value
 * @param {number} scale
 * @returns {bigint} the value's units at a scale at least as fine as its own
 */
function unitsAt(value, scale) {
  return value.units * 10n ** BigInt(scale - value.scale);
}

/**
 * @param {Decimal} a
 * @param {Decimal} b
 * @returns {-1 | 0 | 1}
 */
export function compare(a, b) {
  const scale = Math.max(a.scale, b.scale);
  const left = unitsAt(a, scale);
  const right = unitsAt(b, scale);
  return left < right ? -1 : left > right ? 1 : 0;
}

/**
 * @param {Decimal} a
 * @param {Decimal} b
 * @returns {Decimal}
 */
export function multiply(a, b) {
  return { units: a.units * b.units, scale: a.scale + b.scale };
}

/**
 * `percentage` % of `amount`, exactly (dividing by 100 only moves the decimal point).
 * @param {Decimal} amount
 * @param {Decimal} percentage
 * @returns {Decimal}
 */
export function percentOf(amount, percentage) {
  const product = multiply(amount, percentage);
  return { units: product.units, scale: product.scale + 2 };
}

/**
 * @param {Decimal} a
 * @param {Decimal} b
 * @returns {Decimal}
 */
export function minimum(a, b) {
  return compare(a, b) <= 0 ? a : b;
}

/**
 * @param {Decimal} value
 * @returns {boolean}
 */
export function isZero(value) {
  return value.units === 0n;
}

/**
 * Rounds to `digits` decimal places: "down" towards zero, "up" away from it. Values are never
 * negative here, so down is floor and up is ceiling.
 * @param {Decimal} value
 * @param {number} digits
 * @param {"down" | "up"} direction
 * @returns {Decimal}
 */
export function roundTo(value, digits, direction) {
  if (value.scale <= digits) return { units: unitsAt(value, digits), scale: digits };
  const divisor = 10n ** BigInt(value.scale - digits);
  const quotient = value.units / divisor;
  const remainder = value.units % divisor;
  return { units: direction === "up" && remainder !== 0n ? quotient + 1n : quotient, scale: digits };
}

/**
 * The value with exactly its scale's digits after the point ("5.00", "1200").
 * @param {Decimal} value
 * @returns {string}
 */
export function formatDecimal(value) {
  const text = value.units.toString().padStart(value.scale + 1, "0");
  if (value.scale === 0) return text;
  return `${text.slice(0, text.length - value.scale)}.${text.slice(text.length - value.scale)}`;
}

/**
 * The shortest text for the value ("12.50" → "12.5", "100.00" → "100").
 * @param {Decimal} value
 * @returns {string}
 */
export function formatTrimmed(value) {
  let { units, scale } = value;
  while (scale > 0 && units % 10n === 0n) {
    units /= 10n;
    scale -= 1;
  }
  return formatDecimal({ units, scale });
}
