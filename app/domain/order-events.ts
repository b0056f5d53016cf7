import { customerFactsFromPayload, type CustomerFacts } from "./customer";
import { formatMoneyAmount } from "./money";
import { normalizeOrderForEarning, OrderPayloadError, type EarningOrder } from "./order";
import { exactShopifyId } from "./payload";

// The order webhooks (orders/paid, orders/fulfilled, orders/cancelled) and refunds/create, each
// parsed once into what the earning service reads: the typed order with its customer's facts, or
// the refund's ids with the part of it the clawback will need.

/** A webhook body that cannot be read: retrying cannot fix it (a job stops at once). */
export class InvalidPayloadError extends Error {
  readonly retryable = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "InvalidPayloadError";
  }
}

export interface OrderEvent {
  order: EarningOrder;
  /** The order's customer, as the customers/* webhooks describe one; null for a guest checkout. */
  customer: CustomerFacts | null;
  /** What a guest order is remembered by until its guest signs up: the order's email (or contact email). */
  contactEmail: string | null;
  /** What the order brought in (the overview's revenue): its total as charged, exact decimal text in shop money; none for a test order. */
  total: string | null;
}

export function parseOrderEvent(payload: unknown): OrderEvent {
  let order: EarningOrder;
  try {
    order = normalizeOrderForEarning(payload);
  } catch (error) {
    if (error instanceof OrderPayloadError) throw new InvalidPayloadError(error.message, { cause: error });
    throw error;
  }
  const body = payload as { customer?: unknown; email?: unknown; contact_email?: unknown };
  const customer = order.customer ? customerFactsFromPayload(body.customer) : null;
  if (order.customer && !customer) throw new InvalidPayloadError(`order ${order.id}: the customer has no usable id`);
  const email = body.email ?? body.contact_email;
  return {
    order,
    customer,
    contactEmail: typeof email === "string" && email.includes("@") ? email : null,
    total: order.test ? null : formatMoneyAmount(order.totals.total),
  };
}

/** What the clawback reads of a refund, and nothing else: lines and shipping in shop money. No note, no transactions, no user. */
export type RefundDocument = {
  id: string;
  admin_graphql_api_id: string | null;
  order_id: string;
  refund_line_items: unknown[];
  refund_shipping_lines: unknown[];
};

export interface RefundEvent {
  refundId: bigint;
  orderId: bigint;
  document: RefundDocument;
}

const digits = (v: unknown) => (typeof v === "bigint" ? v.toString() : v);

export function parseRefundEvent(payload: unknown): RefundEvent {
  if (!payload || typeof payload !== "object") throw new InvalidPayloadError("refund payload: not a JSON object");
  const p = payload as {
    id?: unknown; admin_graphql_api_id?: unknown; order_id?: unknown;
    refund_line_items?: { line_item_id?: unknown; line_item?: { admin_graphql_api_id?: unknown } | null; quantity?: unknown; subtotal_set?: unknown; total_tax_set?: unknown }[] | null;
    refund_shipping_lines?: unknown[] | null;
  };
  const refund = exactShopifyId(p.id, p.admin_graphql_api_id, "Refund");
  const order = exactShopifyId(p.order_id, undefined, "Order");
  if ("error" in refund) throw new InvalidPayloadError(`refund id: ${refund.error}`);
  if ("error" in order) throw new InvalidPayloadError(`refund order_id: ${order.error}`);
  if (p.refund_line_items != null && !Array.isArray(p.refund_line_items)) throw new InvalidPayloadError("refund refund_line_items: must be an array");
  if (p.refund_shipping_lines != null && !Array.isArray(p.refund_shipping_lines)) throw new InvalidPayloadError("refund refund_shipping_lines: must be an array");
  return {
    refundId: BigInt(refund.id),
    orderId: BigInt(order.id),
    document: {
      id: refund.id,
      admin_graphql_api_id: typeof p.admin_graphql_api_id === "string" ? p.admin_graphql_api_id : null,
      order_id: order.id,
      refund_line_items: (p.refund_line_items ?? []).map((l) => ({
        line_item_id: digits(l.line_item_id),
        line_item: l.line_item ? { admin_graphql_api_id: l.line_item.admin_graphql_api_id ?? null } : null,
        quantity: digits(l.quantity),
        subtotal_set: l.subtotal_set,
        total_tax_set: l.total_tax_set,
      })),
      refund_shipping_lines: p.refund_shipping_lines ?? [],
    },
  };
}
