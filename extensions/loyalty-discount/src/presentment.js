import { minorUnitDigits } from "./currency";
import { compare, isZero, multiply, parseDecimal, roundTo } from "./decimal";

// The configuration's amounts are in the shop's currency; the cart is in the buyer's
// (presentment) currency. Shopify gives the rate between them as presentmentCurrencyRate.
//
// Rounding, always in the shop's favour, so a reward is never worth more than configured:
// - an amount OFF (fixed amount, cap) rounds DOWN to the cart currency's minor unit;
// - a threshold (minimum subtotal) rounds UP.

/**
 * @typedef {import("./decimal").Decimal} Decimal
 * @typedef {{ subtotal: Decimal, digits: number, rate: Decimal }} CartMoney
 */

/**
 * @param {{ cart: { cost: { subtotalAmount: { amount: unknown, currencyCode: string } } }, presentmentCurrencyRate: unknown }} input
 * @returns {CartMoney | null} null when Shopify's numbers cannot be read (no discount then)
 */
export function readCartMoney(input) {
  const { amount, currencyCode } = input.cart.cost.subtotalAmount;
  const subtotal = parseDecimal(amount);
  const rate = parseDecimal(input.presentmentCurrencyRate);
  if (!subtotal || !rate || isZero(rate)) return null;
  return { subtotal, digits: minorUnitDigits(currencyCode), rate };
}

/**
 * @param {Decimal} shopAmount
 * @param {CartMoney} money
 * @param {"down" | "up"} direction
 * @returns {Decimal}
 */
export function toPresentment(shopAmount, money, direction) {
  return roundTo(multiply(shopAmount, money.rate), money.digits, direction);
}

/**
 * @param {{ minimumSubtotal?: Decimal }} config
 * @param {CartMoney} money
 * @returns {boolean}
 */
export function meetsMinimumSubtotal(config, money) {
  if (!config.minimumSubtotal) return true;
  return compare(money.subtotal, toPresentment(config.minimumSubtotal, money, "up")) >= 0;
}
