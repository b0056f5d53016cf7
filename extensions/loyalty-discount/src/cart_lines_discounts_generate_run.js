import { parseConfiguration } from "./configuration";
import { compare, formatDecimal, formatTrimmed, isZero, minimum, parseDecimal, percentOf, roundTo } from "./decimal";
import { messageOf } from "./message";
import { meetsMinimumSubtotal, readCartMoney, toPresentment } from "./presentment";

// Order and product discounts: fixed_amount and percentage come off the order subtotal (ORDER
// class), free_product makes one unit of the configured variant free (PRODUCT class). A code whose
// configuration cannot be read, or whose class is not on the discount, applies nothing.

/**
 * The input query's shape (src/cart_lines_discounts_generate_run.graphql).
 * @typedef {{
 *   cart: {
 *     cost: { subtotalAmount: { amount: string, currencyCode: string } },
 *     lines: Array<{
 *       id: string,
 *       quantity: number,
 *       cost: { amountPerQuantity: { amount: string } },
 *       merchandise: { __typename: "ProductVariant", id: string } | { __typename: "CustomProduct" },
 *     }>,
 *   },
 *   presentmentCurrencyRate: string,
 *   discount: { discountClasses: string[], metafield?: { jsonValue: unknown } | null },
 * }} CartInput
 *
 * @typedef {{ message?: string, targets: object[], value: object }} Candidate
 * @typedef {{ orderDiscountsAdd: { candidates: Candidate[], selectionStrategy: "FIRST" } }
 *   | { productDiscountsAdd: { candidates: Candidate[], selectionStrategy: "FIRST" } }} CartOperation
 * @typedef {{ operations: CartOperation[] }} CartLinesDiscountsGenerateRunResult
 * @typedef {import("./configuration").DiscountConfiguration} DiscountConfiguration
 * @typedef {import("./presentment").CartMoney} CartMoney
 * @typedef {import("./decimal").Decimal} Decimal
 */

/**
 * @param {CartInput} input
 * @returns {CartLinesDiscountsGenerateRunResult}
 */
export function cartLinesDiscountsGenerateRun(input) {
  const config = parseConfiguration(input.discount.metafield?.jsonValue ?? null);
  if (!config || config.kind === "free_shipping") return { operations: [] };

  const requiredClass = config.kind === "free_product" ? "PRODUCT" : "ORDER";
  if (!input.discount.discountClasses.includes(requiredClass)) return { operations: [] };

  const money = readCartMoney(input);
  if (!money || !meetsMinimumSubtotal(config, money)) return { operations: [] };

  const operation = config.kind === "free_product" ? freeProduct(config, input.cart.lines) : orderDiscount(config, money);
  return { operations: operation ? [operation] : [] };
}

/**
 * @param {DiscountConfiguration} config
 * @param {CartMoney} money
 * @returns {CartOperation | null}
 */
function orderDiscount(config, money) {
  if (isZero(money.subtotal)) return null;
  /** @type {object | null} */
  let value = null;

  if (config.kind === "fixed_amount" && config.amount) {
    // Never more than the subtotal: a fixed reward cannot make the order pay the buyer.
    const subtotal = roundTo(money.subtotal, money.digits, "down");
    const amount = minimum(toPresentment(config.amount, money, "down"), subtotal);
    if (!isZero(amount)) value = { fixedAmount: { amount: formatDecimal(amount) } };
  } else if (config.kind === "percentage" && config.percentage) {
    const cap = config.cap ? toPresentment(config.cap, money, "down") : null;
    if (cap && compare(percentOf(money.subtotal, config.percentage), cap) > 0) {
      // The cap binds: give exactly the cap as an amount instead of the percentage.
      if (!isZero(cap)) value = { fixedAmount: { amount: formatDecimal(cap) } };
    } else {
      value = { percentage: { value: formatTrimmed(config.percentage) } };
    }
  }
  if (!value) return null;

  return {
    orderDiscountsAdd: {
      candidates: [{ ...messageOf(config), targets: [{ orderSubtotal: { excludedCartLineIds: [] } }], value }],
      selectionStrategy: "FIRST",
    },
  };
}

/**
 * One unit of the configured variant, on its cheapest line (a variant can sit on several lines,
 * e.g. with different selling plans). No such line: no discount.
 * @param {DiscountConfiguration} config
 * @param {CartInput["cart"]["lines"]} lines
 * @returns {CartOperation | null}
 */
function freeProduct(config, lines) {
  /** @type {{ id: string, price: Decimal } | null} */
  let chosen = null;
  for (const line of lines) {
    if (line.merchandise.__typename !== "ProductVariant" || line.merchandise.id !== config.variantId) continue;
    if (line.quantity < 1) continue;
    const price = parseDecimal(line.cost.amountPerQuantity.amount);
    if (!price) continue;
    if (!chosen || compare(price, chosen.price) < 0) chosen = { id: line.id, price };
  }
  if (!chosen) return null;

  return {
    productDiscountsAdd: {
      candidates: [
        {
          ...messageOf(config),
          targets: [{ cartLine: { id: chosen.id, quantity: 1 } }],
          value: { percentage: { value: "100" } },
        },
      ],
      selectionStrategy: "FIRST",
    },
  };
}
