import { z } from "zod";
import { compare, parseDecimal, ZERO } from "./rational";

// What a redemption code is worth, as the loyalty-discount Function reads it from the discount's
// metafield $app:loyalnest / function-configuration (extensions/README.md, "Discount
// configuration"). Money is in the SHOP's currency. These are the same rules as the Function's
// extensions/loyalty-discount/src/configuration.js (a unit test runs both on the same cases): a
// configuration this schema accepts is one the Function applies, and one it refuses would give
// no discount at checkout, so the app refuses it before creating the code.

export const REDEMPTION_DISCOUNT_CONFIG_VERSION = 1;
/** The Function's handle (extensions/loyalty-discount/shopify.extension.toml). */
export const LOYALTY_DISCOUNT_FUNCTION_HANDLE = "loyalty-discount";
export const REDEMPTION_DISCOUNT_METAFIELD = { namespace: "$app:loyalnest", key: "function-configuration", type: "json" } as const;
export const MAX_DISCOUNT_MESSAGE_LENGTH = 255;

export const REDEMPTION_DISCOUNT_KINDS = ["fixed_amount", "percentage", "free_shipping", "free_product"] as const;
export type RedemptionDiscountKind = (typeof REDEMPTION_DISCOUNT_KINDS)[number];
export type DiscountClass = "ORDER" | "PRODUCT" | "SHIPPING";

const MONEY_TEXT = /^\d{1,10}(\.\d{1,3})?$/;
const PERCENTAGE_TEXT = /^\d{1,3}(\.\d{1,4})?$/;
const VARIANT_GID = /^gid:\/\/shopify\/ProductVariant\/[1-9]\d*$/;

const moneyText = z.string().regex(MONEY_TEXT, 'must be an amount with at most 3 decimals, e.g. "5.00"');
// zod runs refinements after a failed regex too; a malformed value already has its issue.
const positiveMoney = moneyText.refine((value) => !MONEY_TEXT.test(value) || compare(parseDecimal(value), ZERO) > 0, "must be greater than 0");
const percentage = z
  .string()
  .regex(PERCENTAGE_TEXT, 'must be a percentage with at most 4 decimals, e.g. "10"')
  .refine(
    (value) => !PERCENTAGE_TEXT.test(value) || (compare(parseDecimal(value), ZERO) > 0 && compare(parseDecimal(value), parseDecimal("100")) <= 0),
    "must be more than 0 and at most 100",
  );

const common = {
  v: z.literal(REDEMPTION_DISCOUNT_CONFIG_VERSION),
  /** The cart subtotal the code needs, in the shop's currency. */
  minimumSubtotal: moneyText.optional(),
  /** The reward's title at checkout. */
  message: z.string().trim().min(1).max(MAX_DISCOUNT_MESSAGE_LENGTH).optional(),
};

export const redemptionDiscountConfigSchema = z.discriminatedUnion("kind", [
  z.strictObject({ ...common, kind: z.literal("fixed_amount"), amount: positiveMoney }),
  z.strictObject({ ...common, kind: z.literal("percentage"), percentage, cap: positiveMoney.optional() }),
  z.strictObject({ ...common, kind: z.literal("free_shipping") }),
  z.strictObject({ ...common, kind: z.literal("free_product"), variantId: z.string().regex(VARIANT_GID, "must be a ProductVariant gid") }),
]);

export type RedemptionDiscountConfig = z.output<typeof redemptionDiscountConfigSchema>;

/** The loose shape callers build a configuration in; parseRedemptionDiscountConfig checks it. */
export interface RedemptionDiscountConfigInput {
  v: typeof REDEMPTION_DISCOUNT_CONFIG_VERSION;
  kind: RedemptionDiscountKind;
  amount?: string;
  percentage?: string;
  cap?: string;
  variantId?: string;
  minimumSubtotal?: string;
  message?: string;
}

export class InvalidRedemptionDiscountConfigError extends RangeError {
  constructor(readonly issues: string[]) {
    super(`Invalid redemption discount configuration: ${issues.join("; ")}`);
    this.name = "InvalidRedemptionDiscountConfigError";
  }
}

/** The configuration, checked and normalised (message trimmed); throws InvalidRedemptionDiscountConfigError. */
export function parseRedemptionDiscountConfig(value: unknown): RedemptionDiscountConfig {
  const parsed = redemptionDiscountConfigSchema.safeParse(value);
  if (!parsed.success) {
    throw new InvalidRedemptionDiscountConfigError(
      parsed.error.issues.map((issue) => (issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message)),
    );
  }
  return parsed.data;
}

/** The discount class the code is created with; the Function only acts when its class is present. */
export function discountClassFor(kind: RedemptionDiscountKind): DiscountClass {
  switch (kind) {
    case "fixed_amount":
    case "percentage":
      return "ORDER";
    case "free_product":
      return "PRODUCT";
    case "free_shipping":
      return "SHIPPING";
  }
}
