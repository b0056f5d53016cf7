/**
 * Parses a Shopify webhook body without losing precision: Shopify sends ids as JSON numbers and
 * many exceed 2^53 (JSON.parse alone would turn 820982911946154508 into ...500). Numbers that
 * survive a round trip through a double stay numbers; the others are kept as their exact decimal
 * string (the same rule lossless-json's isSafeNumber applies).
 *
 * One pass over the text puts quotes around the number tokens a double cannot hold, then the
 * native JSON.parse does the rest. Every order webhook is parsed once by the job that processes
 * it: this is about five times faster than a reviver called for each value (itself ten times
 * faster than a JSON parser written in JavaScript).
 */
export function parseExactJson(raw: string): unknown {
  return JSON.parse(quoteInexactNumbers(raw));
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const SMALL_E = 0x65;
const CAPITAL_E = 0x45;
// Up to 15 characters without an exponent, a number token is a double exactly: at most 15 digits.
const ALWAYS_EXACT_LENGTH = 15;

function quoteInexactNumbers(raw: string): string {
  let out = "";
  let copied = 0;
  let i = 0;
  const n = raw.length;
  while (i < n) {
    const c = raw.charCodeAt(i);
    if (c === QUOTE) {
      // Skip the string (keys included): digits inside it are text.
      for (i++; i < n; i++) {
        const d = raw.charCodeAt(i);
        if (d === BACKSLASH) i++;
        else if (d === QUOTE) break;
      }
      i++;
      continue;
    }
    if (c !== MINUS && (c < ZERO || c > NINE)) {
      i++;
      continue;
    }
    let j = i + 1;
    let exponent = false;
    for (; j < n; j++) {
      const d = raw.charCodeAt(j);
      if (d === SMALL_E || d === CAPITAL_E) exponent = true;
      else if ((d < ZERO || d > NINE) && d !== DOT && d !== MINUS && d !== PLUS) break;
    }
    if (exponent || j - i > ALWAYS_EXACT_LENGTH) {
      const token = raw.slice(i, j);
      if (!isExact(token)) {
        out += `${raw.slice(copied, i)}"${token}"`;
        copied = j;
      }
    }
    i = j;
  }
  return copied === 0 ? raw : out + raw.slice(copied);
}

/** Whether the double nearest to the number token is the number itself (lossless-json's isSafeNumber). */
function isExact(token: string): boolean {
  const value = Number(token);
  if (Number.isSafeInteger(value)) return true;
  if (Number.isInteger(value) && !/[.eE]/.test(token)) return false;
  return significantDigits(token) === significantDigits(String(value));
}

/** The digits that carry the value: no sign, point or exponent, no leading or trailing zeros. */
function significantDigits(text: string): string {
  const mantissa = text.replace(/[eE].*$/, "").replace(/^-/, "").replace(".", "");
  return mantissa.replace(/^0+/, "").replace(/0+$/, "");
}
