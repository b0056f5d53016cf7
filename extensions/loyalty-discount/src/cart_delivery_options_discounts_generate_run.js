import { parseConfiguration } from "./configuration";
import { messageOf } from "./message";
import { meetsMinimumSubtotal, readCartMoney } from "./presentment";

// free_shipping: 100 % off delivery for every delivery group of the cart (a split shipment has
// several), only when the discount carries the SHIPPING class.

/**
 * The input query's shape (src/cart_delivery_options_discounts_generate_run.graphql).
 * @typedef {{
 *   cart: {
 *     cost: { subtotalAmount: { amount: string, currencyCode: string } },
 *     deliveryGroups: Array<{ id: string }>,
 *   },
 *   presentmentCurrencyRate: string,
 *   discount: { discountClasses: string[], metafield?: { jsonValue: unknown } | null },
 * }} DeliveryInput
 *
 * @typedef {{
 *   deliveryDiscountsAdd: {
 *     candidates: Array<{ message?: string, targets: Array<{ deliveryGroup: { id: string } }>, value: { percentage: { value: string } } }>,
 *     selectionStrategy: "ALL",
 *   },
 * }} DeliveryOperation
 * @typedef {{ operations: DeliveryOperation[] }} CartDeliveryOptionsDiscountsGenerateRunResult
 */

/**
 * @param {DeliveryInput} input
 * @returns {CartDeliveryOptionsDiscountsGenerateRunResult}
 */
export function cartDeliveryOptionsDiscountsGenerateRun(input) {
  const config = parseConfiguration(input.discount.metafield?.jsonValue ?? null);
  if (!config || config.kind !== "free_shipping") return { operations: [] };
  if (!input.discount.discountClasses.includes("SHIPPING")) return { operations: [] };

  const money = readCartMoney(input);
  if (!money || !meetsMinimumSubtotal(config, money)) return { operations: [] };

  const groups = input.cart.deliveryGroups;
  if (groups.length === 0) return { operations: [] };

  return {
    operations: [
      {
        deliveryDiscountsAdd: {
          candidates: [
            {
              ...messageOf(config),
              targets: groups.map((group) => ({ deliveryGroup: { id: group.id } })),
              value: { percentage: { value: "100" } },
            },
          ],
          selectionStrategy: "ALL",
        },
      },
    ],
  };
}
