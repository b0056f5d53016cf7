import { z } from "zod";
import type { EarningBasis, TraceParams, TraceStep } from "./earning";
import {
  addMoney,
  compareMoney,
  formatMoneyAmount,
  maxMoney,
  minMoney,
  type Money,
  multiplyMoneyByInteger,
  parseMoney,
  subtractMoney,
  sumMoney,
  zeroMoney,
} from "./money";
import { describeIssue, exactShopifyId, formatPath, moneySet, quantity } from "./payload";
import { divideRounded, toSafeNumber } from "./rational";

// Refunds take back points in proportion to the refunded share of the base the points were
// earned on. The share is computed on running totals, never per refund:
//   target = round_half_up(earned × min(refundedSoFar + thisRefund, base) / base)
//   now    = target − clawedBackSoFar   (never negative)
// so partial refunds in any number and order add up to exactly `earned` once everything is
// refunded, and can never take back more than was earned. Points follow the goods: a refund
// line counts at its subtotal; amounts refunded outside line items (goodwill, discrepancy
// adjustments) take nothing back.

export class RefundPayloadError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Refund payload rejected:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "RefundPayloadError";
  }
}

export interface ClawbackInput {
  /** Points credited for the order (after caps), i.e. what a full refund takes back. */
  pointsEarned: number;
  /** EarningBasis.eligibleBase, as Money. */
  eligibleBase: Money;
  /** Sum of refund bases already processed for this order. */
  refundedBaseSoFar: Money;
  /** This refund's base (refundBaseFromRefundPayload). */
  refundBase: Money;
  /** Points already reversed for this order. */
  clawedBackSoFar: number;
}

export interface ClawbackResult {
  /** Points to reverse now. */
  points: number;
  /** Total points reversed for the order once this one is posted. */
  clawedBackTotal: number;
  /** refundedBaseSoFar + refundBase: store it for the next refund. */
  refundedBaseTotal: Money;
}

function assertPoints(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
}

export function clawbackForRefund(input: ClawbackInput): ClawbackResult {
  const { pointsEarned, eligibleBase, refundedBaseSoFar, refundBase, clawedBackSoFar } = input;
  assertPoints(pointsEarned, "pointsEarned");
  assertPoints(clawedBackSoFar, "clawedBackSoFar");
  const zero = zeroMoney(eligibleBase.currency);
  for (const [name, value] of [["eligibleBase", eligibleBase], ["refundedBaseSoFar", refundedBaseSoFar], ["refundBase", refundBase]] as const) {
    if (compareMoney(value, zero) < 0) throw new RangeError(`${name} must not be negative`);
  }
  if (eligibleBase.minor === 0n && pointsEarned > 0) {
    throw new RangeError("pointsEarned > 0 with a zero eligibleBase: the basis does not belong to these points");
  }

  const refundedBaseTotal = addMoney(refundedBaseSoFar, refundBase);
  const covered = minMoney(refundedBaseTotal, eligibleBase);
  const target =
    eligibleBase.minor === 0n ? 0n : divideRounded(BigInt(pointsEarned) * covered.minor, eligibleBase.minor, "half_up");
  const now = target > BigInt(clawedBackSoFar) ? target - BigInt(clawedBackSoFar) : 0n;
  return {
    points: toSafeNumber(now, "points"),
    clawedBackTotal: clawedBackSoFar + toSafeNumber(now, "points"),
    refundedBaseTotal,
  };
}

export const REFUND_TRACE_CODES = [
  "refund.line_counted",
  "refund.line_not_eligible",
  "refund.line_unknown",
  "refund.line_zero_subtotal",
  "refund.shipping_counted",
  "refund.shipping_ignored",
  "refund.base_computed",
] as const;

export type RefundTraceCode = (typeof REFUND_TRACE_CODES)[number];

export interface RefundBase {
  refundId: string;
  orderId: string;
  /** The part of this refund that was in the earning base. */
  base: Money;
  trace: TraceStep<RefundTraceCode>[];
}

const refundLineSchema = z.object({
  line_item_id: z.unknown(),
  line_item: z.object({ admin_graphql_api_id: z.string().nullish() }).nullish(),
  quantity,
  subtotal_set: moneySet,
  total_tax_set: moneySet,
});

const refundShippingLineSchema = z.object({
  subtotal_amount_set: moneySet,
  tax_amount_set: moneySet.nullish(),
});

const refundPayloadSchema = z.object({
  id: z.unknown(),
  admin_graphql_api_id: z.string().nullish(),
  order_id: z.unknown(),
  refund_line_items: z.array(refundLineSchema),
  // Shipping refunds moved here from order_adjustments in API 2024-10.
  refund_shipping_lines: z.array(refundShippingLineSchema).nullish(),
});

/**
 * The refunded part of the earning base, from a refunds/create payload and the EarningBasis
 * stored when the order earned. A refund line counts when its line was eligible and its
 * subtotal is not zero (a zero subtotal is a restock or cancel with no money back), at
 * - its subtotal (after discounts), or unit price × quantity when the base ignored discounts,
 * - minus its tax when prices included tax and the base excluded it, plus its tax when tax was
 *   added on top and the base included it,
 * - never more than the line contributed to the base.
 * Shipping refunds count only when shipping was in the base.
 */
export function refundBaseFromRefundPayload(refund: unknown, basis: EarningBasis): RefundBase {
  const parsed = refundPayloadSchema.safeParse(refund, { reportInput: true });
  if (!parsed.success) {
    throw new RefundPayloadError(parsed.error.issues.map((issue) => `${formatPath(issue.path)}: ${describeIssue(issue)}`));
  }
  const raw = parsed.data;
  const currency = basis.currency;
  const zero = zeroMoney(currency);

  // Validate everything first: a refund is applied whole or not at all.
  const problems: string[] = [];
  const checkCurrency = (value: Money | null | undefined, path: string) => {
    if (value && value.currency !== currency) problems.push(`${path}: is in ${value.currency}, the order earned in ${currency}`);
  };
  const refundId = exactShopifyId(raw.id, raw.admin_graphql_api_id, "Refund");
  const orderId = exactShopifyId(raw.order_id, undefined, "Order");
  if ("error" in refundId) problems.push(`id: ${refundId.error}`);
  if ("error" in orderId) problems.push(`order_id: ${orderId.error}`);
  const items = raw.refund_line_items.map((item, index) => {
    const path = `refund_line_items.${index}`;
    checkCurrency(item.subtotal_set, `${path}.subtotal_set`);
    checkCurrency(item.total_tax_set, `${path}.total_tax_set`);
    const lineId = exactShopifyId(item.line_item_id, item.line_item?.admin_graphql_api_id, "LineItem");
    if ("error" in lineId) problems.push(`${path}.line_item_id: ${lineId.error}`);
    return { item, lineId: "id" in lineId ? lineId.id : "" };
  });
  const shippingLines = raw.refund_shipping_lines ?? [];
  shippingLines.forEach((line, index) => {
    checkCurrency(line.subtotal_amount_set, `refund_shipping_lines.${index}.subtotal_amount_set`);
    checkCurrency(line.tax_amount_set, `refund_shipping_lines.${index}.tax_amount_set`);
  });
  if (problems.length > 0 || "error" in refundId || "error" in orderId) throw new RefundPayloadError(problems);

  const trace: TraceStep<RefundTraceCode>[] = [];
  const push = (code: RefundTraceCode, params: TraceParams) => trace.push({ code, params });
  const amount = formatMoneyAmount;
  const adjustForTax = (value: Money, tax: Money) => {
    if (basis.taxesIncluded && !basis.includeTaxes) return subtractMoney(value, tax);
    if (!basis.taxesIncluded && basis.includeTaxes) return addMoney(value, tax);
    return value;
  };
  const parts: Money[] = [];

  for (const { item, lineId } of items) {
    const line = basis.lines.find((l) => l.id === lineId);
    if (!line) {
      push("refund.line_unknown", { lineId });
    } else if (!line.eligible) {
      push("refund.line_not_eligible", { lineId });
    } else if (item.subtotal_set.minor === 0n) {
      push("refund.line_zero_subtotal", { lineId, quantity: item.quantity });
    } else {
      const goods = basis.subtractDiscounts
        ? item.subtotal_set
        : multiplyMoneyByInteger(parseMoney(line.unitPrice, currency), item.quantity);
      const value = minMoney(maxMoney(adjustForTax(goods, item.total_tax_set), zero), parseMoney(line.base, currency));
      parts.push(value);
      push("refund.line_counted", {
        lineId,
        quantity: item.quantity,
        subtotal: amount(item.subtotal_set),
        tax: amount(item.total_tax_set),
        amount: amount(value),
      });
    }
  }

  if (shippingLines.length > 0) {
    const subtotal = sumMoney(currency, shippingLines.map((l) => l.subtotal_amount_set));
    if (!basis.includeShipping) {
      push("refund.shipping_ignored", { amount: amount(subtotal) });
    } else {
      const tax = sumMoney(currency, shippingLines.map((l) => l.tax_amount_set ?? zero));
      const value = minMoney(maxMoney(adjustForTax(subtotal, tax), zero), parseMoney(basis.shippingBase, currency));
      parts.push(value);
      push("refund.shipping_counted", { amount: amount(value) });
    }
  }

  const base = sumMoney(currency, parts);
  push("refund.base_computed", { amount: amount(base), currency });
  return { refundId: refundId.id, orderId: orderId.id, base, trace };
}
