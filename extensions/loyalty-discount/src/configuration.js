import { compare, parseDecimal } from "./decimal";

// The discount's configuration, written by the app (app/domain/redemption-discount.ts holds the
// same rules as a zod schema) into the metafield $app:loyalnest / function-configuration. Money is
// in the SHOP's currency. Anything that does not match exactly gives null, and the Function then
// applies no discount: a code must never be worth more than what the customer paid points for.

export const CONFIGURATION_VERSION = 1;

const MONEY_TEXT = /^\d{1,10}(\.\d{1,3})?$/;
const PERCENTAGE_TEXT = /^\d{1,3}(\.\d{1,4})?$/;
const VARIANT_GID = /^gid:\/\/shopify\/ProductVariant\/[1-9]\d*$/;
export const MAX_MESSAGE_LENGTH = 255;

const ZERO = { units: 0n, scale: 0 };
const HUNDRED = { units: 100n, scale: 0 };

/** Fields each kind may carry besides v, kind, minimumSubtotal and message. */
const KIND_FIELDS = {
  fixed_amount: { required: ["amount"], optional: [] },
  percentage: { required: ["percentage"], optional: ["cap"] },
  free_shipping: { required: [], optional: [] },
  free_product: { required: ["variantId"], optional: [] },
};
const COMMON_FIELDS = ["v", "kind", "minimumSubtotal", "message"];

/**
 * @typedef {import("./decimal").Decimal} Decimal
 * @typedef {"fixed_amount" | "percentage" | "free_shipping" | "free_product"} RewardKind
 * @typedef {{
 *   kind: RewardKind,
 *   amount?: Decimal,
 *   percentage?: Decimal,
 *   cap?: Decimal,
 *   variantId?: string,
 *   minimumSubtotal?: Decimal,
 *   message?: string,
 * }} DiscountConfiguration
 */

/**
 * @param {unknown} text
 * @returns {Decimal | null} a positive amount of money in the shop's currency
 */
function positiveMoney(text) {
  if (typeof text !== "string" || !MONEY_TEXT.test(text)) return null;
  const value = parseDecimal(text);
  return value && compare(value, ZERO) > 0 ? value : null;
}

/**
 * @param {unknown} jsonValue the metafield's jsonValue (null when the metafield is missing)
 * @returns {DiscountConfiguration | null}
 */
export function parseConfiguration(jsonValue) {
  if (jsonValue === null || typeof jsonValue !== "object" || Array.isArray(jsonValue)) return null;
  const raw = /** @type {Record<string, unknown>} */ (jsonValue);
  if (raw.v !== CONFIGURATION_VERSION) return null;
  const kind = raw.kind;
  if (typeof kind !== "string" || !Object.prototype.hasOwnProperty.call(KIND_FIELDS, kind)) return null;
  const fields = KIND_FIELDS[/** @type {RewardKind} */ (kind)];

  const allowed = [...COMMON_FIELDS, ...fields.required, ...fields.optional];
  if (Object.keys(raw).some((key) => !allowed.includes(key))) return null;
  if (fields.required.some((key) => raw[key] === undefined)) return null;

  /** @type {DiscountConfiguration} */
  const config = { kind: /** @type {RewardKind} */ (kind) };

  if (raw.amount !== undefined) {
    const amount = positiveMoney(raw.amount);
    if (!amount) return null;
    config.amount = amount;
  }
  if (raw.percentage !== undefined) {
    const text = raw.percentage;
    const percentage = typeof text === "string" && PERCENTAGE_TEXT.test(text) ? parseDecimal(text) : null;
    if (!percentage || compare(percentage, ZERO) <= 0 || compare(percentage, HUNDRED) > 0) return null;
    config.percentage = percentage;
  }
  if (raw.cap !== undefined) {
    const cap = positiveMoney(raw.cap);
    if (!cap) return null;
    config.cap = cap;
  }
  if (raw.variantId !== undefined) {
    if (typeof raw.variantId !== "string" || !VARIANT_GID.test(raw.variantId)) return null;
    config.variantId = raw.variantId;
  }
  if (raw.minimumSubtotal !== undefined) {
    const text = raw.minimumSubtotal;
    const minimum = typeof text === "string" && MONEY_TEXT.test(text) ? parseDecimal(text) : null;
    if (!minimum) return null;
    config.minimumSubtotal = minimum;
  }
  if (raw.message !== undefined) {
    if (typeof raw.message !== "string") return null;
    const message = raw.message.trim();
    if (message.length === 0 || message.length > MAX_MESSAGE_LENGTH) return null;
    config.message = message;
  }
  return config;
}
