import { z } from "zod";
import { formatMoneyAmount, parseMoney, type Money } from "./money";
import type { EarningOrder } from "./order";

// A JSON-safe copy of an EarningOrder without personal data (no customer, no email): what a
// guest order is kept as until the guest signs up and earns on it.

const moneyText = z.string().regex(/^-?\d+(\.\d+)?$/);

const snapshotSchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  currency: z.string(),
  createdAt: z.string(),
  processedAt: z.string(),
  taxesIncluded: z.boolean(),
  test: z.boolean(),
  financialStatus: z.string().nullable(),
  cancelled: z.boolean(),
  cancelledAt: z.string().nullable(),
  lines: z.array(
    z.object({
      id: z.string(),
      productId: z.string().nullable(),
      variantId: z.string().nullable(),
      title: z.string(),
      quantity: z.number().int(),
      unitPrice: moneyText,
      lineDiscount: moneyText,
      tax: moneyText,
      giftCard: z.boolean(),
    }),
  ),
  shipping: z.object({ price: moneyText, discount: moneyText, tax: moneyText }),
  totals: z.object({ subtotal: moneyText, discounts: moneyText, tax: moneyText, shipping: moneyText, total: moneyText }),
});

export type OrderSnapshot = z.infer<typeof snapshotSchema>;

export function orderToSnapshot(order: EarningOrder): OrderSnapshot {
  const m = (value: Money) => formatMoneyAmount(value);
  return {
    id: order.id,
    name: order.name,
    currency: order.currency,
    createdAt: order.createdAt.toISOString(),
    processedAt: order.processedAt.toISOString(),
    taxesIncluded: order.taxesIncluded,
    test: order.test,
    financialStatus: order.financialStatus,
    cancelled: order.cancelled,
    cancelledAt: order.cancelledAt?.toISOString() ?? null,
    lines: order.lines.map((line) => ({
      id: line.id,
      productId: line.productId,
      variantId: line.variantId,
      title: line.title,
      quantity: line.quantity,
      unitPrice: m(line.unitPrice),
      lineDiscount: m(line.lineDiscount),
      tax: m(line.tax),
      giftCard: line.giftCard,
    })),
    shipping: { price: m(order.shipping.price), discount: m(order.shipping.discount), tax: m(order.shipping.tax) },
    totals: {
      subtotal: m(order.totals.subtotal),
      discounts: m(order.totals.discounts),
      tax: m(order.totals.tax),
      shipping: m(order.totals.shipping),
      total: m(order.totals.total),
    },
  };
}

/** The order back, for a customer identified now (the snapshot never held one). */
export function orderFromSnapshot(json: unknown, customer: EarningOrder["customer"]): EarningOrder {
  const s = snapshotSchema.parse(json);
  const m = (value: string) => parseMoney(value, s.currency);
  return {
    id: s.id,
    name: s.name,
    customer,
    currency: s.currency,
    createdAt: new Date(s.createdAt),
    processedAt: new Date(s.processedAt),
    taxesIncluded: s.taxesIncluded,
    test: s.test,
    financialStatus: s.financialStatus,
    cancelled: s.cancelled,
    cancelledAt: s.cancelledAt ? new Date(s.cancelledAt) : null,
    // Guests cannot hold customer-bound redemption codes; the snapshot does not keep codes.
    discountCodes: [],
    lines: s.lines.map((line) => ({
      ...line,
      unitPrice: m(line.unitPrice),
      lineDiscount: m(line.lineDiscount),
      tax: m(line.tax),
    })),
    shipping: { price: m(s.shipping.price), discount: m(s.shipping.discount), tax: m(s.shipping.tax) },
    totals: {
      subtotal: m(s.totals.subtotal),
      discounts: m(s.totals.discounts),
      tax: m(s.totals.tax),
      shipping: m(s.totals.shipping),
      total: m(s.totals.total),
    },
  };
}
