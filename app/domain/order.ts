import { z } from "zod";
import { addMoney, type Money, sumMoney, zeroMoney } from "./money";
import { describeIssue, exactShopifyId, formatPath, moneySet, quantity, timestamp } from "./payload";

// Turns an orders/* webhook payload into the typed order the earning engine reads.
// - Only shop money (`*_set.shop_money`): points are earned in the shop's currency whatever the
//   customer paid in.
// - Ids stay decimal strings. Shopify sends 18-digit ids as JSON numbers, which JSON.parse
//   rounds; the app parses with lossless-json, so an id may arrive as a string, a bigint, a
//   LosslessNumber or a safe number. When `admin_graphql_api_id` is present its digits win: it
//   is a string, so it is exact even when the numeric id was not.
// - Anything the rules depend on (prices, discounts, taxes, gift-card flag) is required: a
//   payload without it is rejected rather than earning on a guess.

export interface EarningLine {
  id: string;
  productId: string | null;
  variantId: string | null;
  title: string;
  quantity: number;
  unitPrice: Money;
  /** Every discount allocated to this line: line discounts and its share of order discounts. */
  lineDiscount: Money;
  /** Tax charged on the line (inside the price when the order's taxes are included). */
  tax: Money;
  giftCard: boolean;
  /** Filled by a service from the Admin API when the program needs them (programNeedsEnrichment). */
  productTags?: string[];
  collectionIds?: string[];
}

export interface EarningOrder {
  id: string;
  name: string | null;
  customer: { id: string; email?: string; tags: string[] } | null;
  /** The shop currency: every Money below is in it. */
  currency: string;
  createdAt: Date;
  /** When the sale happened (Shopify's processed_at, which imports may backdate); rules use it. */
  processedAt: Date;
  taxesIncluded: boolean;
  test: boolean;
  financialStatus: string | null;
  cancelled: boolean;
  cancelledAt: Date | null;
  lines: EarningLine[];
  shipping: { price: Money; discount: Money; tax: Money };
  totals: { subtotal: Money; discounts: Money; tax: Money; shipping: Money; total: Money };
  /** Discount codes the order used (a redemption's code is captured by the order that used it). */
  discountCodes: string[];
}

export class OrderPayloadError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Order payload rejected:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "OrderPayloadError";
  }
}

const gidField = z.string().nullish();
const taxLines = z.array(z.object({ price_set: moneySet }));
const discountAllocations = z.array(z.object({ amount_set: moneySet }));

const lineItemSchema = z.object({
  id: z.unknown(),
  admin_graphql_api_id: gidField,
  product_id: z.unknown().optional(),
  variant_id: z.unknown().optional(),
  title: z.string().nullish(),
  name: z.string().nullish(),
  quantity,
  price_set: moneySet,
  gift_card: z.boolean(),
  tax_lines: taxLines,
  discount_allocations: discountAllocations,
});

const shippingLineSchema = z.object({
  price_set: moneySet,
  discount_allocations: discountAllocations,
  tax_lines: taxLines,
  is_removed: z.boolean().nullish(),
});

const customerSchema = z.object({
  id: z.unknown(),
  admin_graphql_api_id: gidField,
  email: z.string().nullish(),
  tags: z.union([z.string(), z.array(z.string())]).nullish(),
});

const orderPayloadSchema = z.object({
  id: z.unknown(),
  admin_graphql_api_id: gidField,
  name: z.string().nullish(),
  currency: z.string().regex(/^[A-Z]{3}$/, "must be a currency code"),
  created_at: timestamp,
  processed_at: timestamp.nullish(),
  taxes_included: z.boolean(),
  test: z.boolean(),
  financial_status: z.string().nullish(),
  cancelled_at: timestamp.nullish(),
  customer: customerSchema.nullish(),
  line_items: z.array(lineItemSchema),
  shipping_lines: z.array(shippingLineSchema),
  subtotal_price_set: moneySet,
  total_discounts_set: moneySet,
  total_tax_set: moneySet,
  total_shipping_price_set: moneySet,
  total_price_set: moneySet,
  discount_codes: z.array(z.object({ code: z.string().max(255) })).nullish(),
});

export function parseTagList(tags: string | string[] | null | undefined): string[] {
  const list = typeof tags === "string" ? tags.split(",") : (tags ?? []);
  return list.map((tag) => tag.trim()).filter((tag) => tag.length > 0);
}

/** Validates an orders/create|paid|updated|fulfilled payload; throws OrderPayloadError. */
export function normalizeOrderForEarning(payload: unknown): EarningOrder {
  const parsed = orderPayloadSchema.safeParse(payload, { reportInput: true });
  if (!parsed.success) {
    throw new OrderPayloadError(parsed.error.issues.map((issue) => `${formatPath(issue.path)}: ${describeIssue(issue)}`));
  }
  const raw = parsed.data;
  const problems: string[] = [];
  const currency = raw.currency;

  const inShopCurrency = (value: Money, path: string): Money => {
    if (value.currency !== currency) problems.push(`${path}: is in ${value.currency}, the shop currency is ${currency}`);
    return value;
  };
  const total = (values: Money[], path: string) =>
    sumMoney(currency, values.map((value, index) => inShopCurrency(value, `${path}.${index}`)));
  const id = (value: unknown, gid: unknown, resource: string, path: string): string => {
    const result = exactShopifyId(value, gid, resource);
    if ("error" in result) {
      problems.push(`${path}: ${result.error}`);
      return "";
    }
    return result.id;
  };
  const optionalId = (value: unknown, resource: string, path: string): string | null =>
    value === null || value === undefined ? null : id(value, undefined, resource, path);

  const lines: EarningLine[] = raw.line_items.map((line, index) => {
    const path = `line_items.${index}`;
    return {
      id: id(line.id, line.admin_graphql_api_id, "LineItem", `${path}.id`),
      productId: optionalId(line.product_id, "Product", `${path}.product_id`),
      variantId: optionalId(line.variant_id, "ProductVariant", `${path}.variant_id`),
      title: line.title ?? line.name ?? "",
      quantity: line.quantity,
      unitPrice: inShopCurrency(line.price_set, `${path}.price_set`),
      lineDiscount: total(line.discount_allocations.map((a) => a.amount_set), `${path}.discount_allocations`),
      tax: total(line.tax_lines.map((t) => t.price_set), `${path}.tax_lines`),
      giftCard: line.gift_card,
    };
  });

  let shipping = { price: zeroMoney(currency), discount: zeroMoney(currency), tax: zeroMoney(currency) };
  raw.shipping_lines.forEach((line, index) => {
    // A shipping line removed by an order edit was not charged.
    if (line.is_removed) return;
    const path = `shipping_lines.${index}`;
    shipping = {
      price: addMoney(shipping.price, inShopCurrency(line.price_set, `${path}.price_set`)),
      discount: addMoney(shipping.discount, total(line.discount_allocations.map((a) => a.amount_set), `${path}.discount_allocations`)),
      tax: addMoney(shipping.tax, total(line.tax_lines.map((t) => t.price_set), `${path}.tax_lines`)),
    };
  });

  const customer = raw.customer
    ? {
        id: id(raw.customer.id, raw.customer.admin_graphql_api_id, "Customer", "customer.id"),
        ...(raw.customer.email ? { email: raw.customer.email } : {}),
        tags: parseTagList(raw.customer.tags),
      }
    : null;

  const order: EarningOrder = {
    id: id(raw.id, raw.admin_graphql_api_id, "Order", "id"),
    name: raw.name ?? null,
    customer,
    currency,
    createdAt: raw.created_at,
    processedAt: raw.processed_at ?? raw.created_at,
    taxesIncluded: raw.taxes_included,
    test: raw.test,
    financialStatus: raw.financial_status ?? null,
    cancelled: raw.cancelled_at != null,
    cancelledAt: raw.cancelled_at ?? null,
    lines,
    shipping,
    totals: {
      subtotal: inShopCurrency(raw.subtotal_price_set, "subtotal_price_set"),
      discounts: inShopCurrency(raw.total_discounts_set, "total_discounts_set"),
      tax: inShopCurrency(raw.total_tax_set, "total_tax_set"),
      shipping: inShopCurrency(raw.total_shipping_price_set, "total_shipping_price_set"),
      total: inShopCurrency(raw.total_price_set, "total_price_set"),
    },
    discountCodes: (raw.discount_codes ?? []).map((d) => d.code),
  };
  if (problems.length > 0) throw new OrderPayloadError(problems);
  return order;
}

export interface LineEnrichment {
  productTags: string[];
  collectionIds: string[];
}

/**
 * Attaches product tags and collection ids (looked up by a service, keyed by product id) to the
 * lines. Custom line items have no product, hence no tags or collections.
 */
export function enrichOrderLines(order: EarningOrder, byProductId: ReadonlyMap<string, LineEnrichment>): EarningOrder {
  return {
    ...order,
    lines: order.lines.map((line) => {
      if (line.productId === null) return { ...line, productTags: [], collectionIds: [] };
      const found = byProductId.get(line.productId);
      return found ? { ...line, productTags: [...found.productTags], collectionIds: [...found.collectionIds] } : line;
    }),
  };
}
