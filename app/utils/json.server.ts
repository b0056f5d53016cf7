import { isSafeNumber, parse } from "lossless-json";

/**
 * Parses a Shopify webhook body without losing precision: Shopify sends ids as JSON numbers and
 * many exceed 2^53 (JSON.parse would turn 820982911946154508 into ...500). Numbers that survive
 * a round trip through a double stay numbers; the others are kept as their exact decimal string.
 */
export function parseExactJson(raw: string): unknown {
  return parse(raw, null, (value: string) => (isSafeNumber(value) ? Number(value) : value));
}
