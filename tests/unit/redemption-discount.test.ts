import { describe, expect, it } from "vitest";
import {
  discountClassFor,
  InvalidRedemptionDiscountConfigError,
  parseRedemptionDiscountConfig,
  REDEMPTION_DISCOUNT_KINDS,
  redemptionDiscountConfigSchema,
} from "~/domain/redemption-discount";
import { parseConfiguration } from "../../extensions/loyalty-discount/src/configuration.js";

// The app writes the configuration, the Function reads it: both must accept and refuse exactly the
// same values, or a code could be created that gives nothing (or more) at checkout.

const valid: [string, unknown][] = [
  ["fixed amount", { v: 1, kind: "fixed_amount", amount: "5.00" }],
  ["fixed amount in yen", { v: 1, kind: "fixed_amount", amount: "500" }],
  ["fixed amount in dinars", { v: 1, kind: "fixed_amount", amount: "1.250", minimumSubtotal: "10.000" }],
  ["percentage", { v: 1, kind: "percentage", percentage: "10" }],
  ["percentage with decimals and cap", { v: 1, kind: "percentage", percentage: "12.5", cap: "20.00", message: "Loyalty reward" }],
  ["100 %", { v: 1, kind: "percentage", percentage: "100" }],
  ["free shipping", { v: 1, kind: "free_shipping", minimumSubtotal: "0" }],
  ["free product", { v: 1, kind: "free_product", variantId: "gid://shopify/ProductVariant/44012345678901" }],
  ["a message with spaces around", { v: 1, kind: "free_shipping", message: "  Free shipping  " }],
  ["a 255-character message", { v: 1, kind: "free_shipping", message: "m".repeat(255) }],
];

const invalid: [string, unknown][] = [
  ["null", null],
  ["an array", []],
  ["a string", "fixed_amount"],
  ["version 2", { v: 2, kind: "fixed_amount", amount: "5.00" }],
  ["version as text", { v: "1", kind: "fixed_amount", amount: "5.00" }],
  ["no kind", { v: 1, amount: "5.00" }],
  ["an unknown kind", { v: 1, kind: "gift_card", amount: "5.00" }],
  ["an amount as a number", { v: 1, kind: "fixed_amount", amount: 5 }],
  ["a zero amount", { v: 1, kind: "fixed_amount", amount: "0.00" }],
  ["a negative amount", { v: 1, kind: "fixed_amount", amount: "-1.00" }],
  ["an amount with 4 decimals", { v: 1, kind: "fixed_amount", amount: "1.0001" }],
  ["an amount with 11 digits", { v: 1, kind: "fixed_amount", amount: "10000000000" }],
  ["an amount with a comma", { v: 1, kind: "fixed_amount", amount: "5,00" }],
  ["a missing amount", { v: 1, kind: "fixed_amount" }],
  ["a percentage of 0", { v: 1, kind: "percentage", percentage: "0" }],
  ["a percentage over 100", { v: 1, kind: "percentage", percentage: "100.0001" }],
  ["a percentage with 5 decimals", { v: 1, kind: "percentage", percentage: "10.00001" }],
  ["a zero cap", { v: 1, kind: "percentage", percentage: "10", cap: "0" }],
  ["a cap on a fixed amount", { v: 1, kind: "fixed_amount", amount: "5.00", cap: "5.00" }],
  ["an amount on free shipping", { v: 1, kind: "free_shipping", amount: "5.00" }],
  ["an unknown field", { v: 1, kind: "free_shipping", stackable: true }],
  ["a negative minimum", { v: 1, kind: "free_shipping", minimumSubtotal: "-1" }],
  ["a product gid", { v: 1, kind: "free_product", variantId: "gid://shopify/Product/1" }],
  ["a bare variant id", { v: 1, kind: "free_product", variantId: "44012345678901" }],
  ["a variant id 0", { v: 1, kind: "free_product", variantId: "gid://shopify/ProductVariant/0" }],
  ["a blank message", { v: 1, kind: "free_shipping", message: "   " }],
  ["a 256-character message", { v: 1, kind: "free_shipping", message: "m".repeat(256) }],
  ["a message that is not text", { v: 1, kind: "free_shipping", message: ["Free"] }],
];

describe("parseRedemptionDiscountConfig", () => {
  it.each(valid)("accepts %s, as the Function does", (_label, value) => {
    const parsed = parseRedemptionDiscountConfig(value);
    expect(parseConfiguration(value)).not.toBeNull();
    // What the app stores in the metafield is what the Function reads.
    expect(parseConfiguration(JSON.parse(JSON.stringify(parsed)))).toEqual(parseConfiguration(value));
  });

  it.each(invalid)("refuses %s, as the Function does", (_label, value) => {
    expect(() => parseRedemptionDiscountConfig(value)).toThrow(InvalidRedemptionDiscountConfigError);
    expect(parseConfiguration(value)).toBeNull();
  });

  it("trims the message and names the failing fields", () => {
    expect(parseRedemptionDiscountConfig({ v: 1, kind: "free_shipping", message: "  Free shipping " })).toEqual({
      v: 1,
      kind: "free_shipping",
      message: "Free shipping",
    });
    try {
      parseRedemptionDiscountConfig({ v: 1, kind: "percentage", percentage: "120", cap: "0" });
      expect.unreachable();
    } catch (error) {
      expect((error as InvalidRedemptionDiscountConfigError).issues).toEqual([
        "percentage: must be more than 0 and at most 100",
        "cap: must be greater than 0",
      ]);
    }
  });

  it("exposes the schema for callers that want a result instead of a throw", () => {
    expect(redemptionDiscountConfigSchema.safeParse({ v: 1, kind: "free_shipping" }).success).toBe(true);
  });
});

describe("discountClassFor", () => {
  it("files amount and percentage rewards as ORDER, the free product as PRODUCT, free shipping as SHIPPING", () => {
    expect(Object.fromEntries(REDEMPTION_DISCOUNT_KINDS.map((kind) => [kind, discountClassFor(kind)]))).toEqual({
      fixed_amount: "ORDER",
      percentage: "ORDER",
      free_shipping: "SHIPPING",
      free_product: "PRODUCT",
    });
  });
});
