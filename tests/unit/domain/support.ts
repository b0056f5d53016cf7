import { readFileSync } from "node:fs";
import { isSafeNumber, parse } from "lossless-json";
import { addMoney, formatMoneyAmount, multiplyMoneyByInteger, parseMoney, subtractMoney, sumMoney, type Money } from "~/domain/money";
import { normalizeOrderForEarning, type EarningOrder } from "~/domain/order";
import { parseEarningProgram, type EarningProgramInput } from "~/domain/program";

// Fixtures and builders for the pure-domain tests. Payloads are Shopify's REST webhook shape.

// Shopify's documented payloads live in ../shared beside the repository (as in CI).
const SHARED = new URL("../../../../shared/fixtures/shopify-webhooks/", import.meta.url);
const LOCAL = new URL("../../fixtures/orders/", import.meta.url);

/** As the app parses webhook bodies: safe numbers stay numbers, the rest keep their digits. */
export function parseWebhookBody(text: string): unknown {
  return parse(text, null, (value: string) => (isSafeNumber(value) ? Number(value) : value));
}

export function sharedFixture(name: string): unknown {
  return parseWebhookBody(sharedFixtureText(name));
}

export function sharedFixtureText(name: string): string {
  return readFileSync(new URL(name, SHARED), "utf8");
}

export function orderFixtureText(name: string): string {
  return readFileSync(new URL(name, LOCAL), "utf8");
}

export function orderFixture(name: string): unknown {
  return parseWebhookBody(orderFixtureText(name));
}

export const program = (input: EarningProgramInput = {}) => parseEarningProgram(input);

export interface LineSpec {
  id?: string;
  productId?: string | null;
  title?: string;
  price: string;
  quantity?: number;
  discounts?: string[];
  tax?: string;
  giftCard?: boolean;
}

export interface OrderSpec {
  id?: string;
  name?: string;
  currency?: string;
  taxesIncluded?: boolean;
  lines: LineSpec[];
  shipping?: { price: string; discount?: string; tax?: string; removed?: boolean }[];
  processedAt?: string;
  createdAt?: string;
  financialStatus?: string | null;
  test?: boolean;
  cancelledAt?: string | null;
  customer?: { id: string; email?: string; tags?: string } | null;
}

let nextId = 100000000000000000n;
const newId = () => String(nextId++);

function moneySet(amount: string, currency: string) {
  // Presentment money deliberately differs: the normaliser must read shop money only.
  return {
    shop_money: { amount, currency_code: currency },
    presentment_money: { amount: "999.99", currency_code: currency === "CAD" ? "USD" : "CAD" },
  };
}

/** A Shopify-shaped orders/paid payload whose totals agree with its lines. */
export function orderPayload(spec: OrderSpec): Record<string, unknown> {
  const currency = spec.currency ?? "USD";
  const m = (amount: string): Money => parseMoney(amount, currency);
  const zero = m("0");
  const lines = spec.lines.map((line, index) => {
    const quantity = line.quantity ?? 1;
    const discounts = line.discounts ?? [];
    return {
      id: line.id ?? newId(),
      admin_graphql_api_id: undefined as string | undefined,
      title: line.title ?? `Line ${index + 1}`,
      name: line.title ?? `Line ${index + 1}`,
      quantity,
      current_quantity: quantity,
      price: line.price,
      price_set: moneySet(line.price, currency),
      product_id: line.productId === undefined ? String(7000 + index) : line.productId,
      variant_id: line.productId === null ? null : String(9000 + index),
      gift_card: line.giftCard ?? false,
      taxable: !line.giftCard,
      tax_lines: line.tax ? [{ title: "Tax", rate: 0.1, price: line.tax, price_set: moneySet(line.tax, currency) }] : [],
      discount_allocations: discounts.map((amount, i) => ({
        amount,
        amount_set: moneySet(amount, currency),
        discount_application_index: i,
      })),
    };
  });
  for (const line of lines) line.admin_graphql_api_id = `gid://shopify/LineItem/${line.id}`;
  const shipping = (spec.shipping ?? []).map((s) => ({
    title: "Standard",
    price: s.price,
    price_set: moneySet(s.price, currency),
    is_removed: s.removed ?? false,
    tax_lines: s.tax ? [{ title: "Tax", price: s.tax, price_set: moneySet(s.tax, currency) }] : [],
    discount_allocations: s.discount ? [{ amount: s.discount, amount_set: moneySet(s.discount, currency) }] : [],
  }));

  const gross = sumMoney(currency, spec.lines.map((l) => multiplyMoneyByInteger(m(l.price), l.quantity ?? 1)));
  const discounts = sumMoney(currency, spec.lines.flatMap((l) => (l.discounts ?? []).map(m)));
  const tax = sumMoney(currency, [...spec.lines.map((l) => m(l.tax ?? "0")), ...(spec.shipping ?? []).map((s) => m(s.tax ?? "0"))]);
  const shippingTotal = sumMoney(currency, (spec.shipping ?? []).map((s) => subtractMoney(m(s.price), m(s.discount ?? "0"))));
  const subtotal = subtractMoney(gross, discounts);
  const total = addMoney(addMoney(subtotal, shippingTotal), spec.taxesIncluded ? zero : tax);
  const id = spec.id ?? newId();
  const f = formatMoneyAmount;

  return {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: spec.name ?? "#1001",
    currency,
    presentment_currency: currency === "CAD" ? "USD" : "CAD",
    created_at: spec.createdAt ?? spec.processedAt ?? "2026-06-10T15:20:00-04:00",
    processed_at: spec.processedAt ?? "2026-06-10T15:20:00-04:00",
    taxes_included: spec.taxesIncluded ?? false,
    test: spec.test ?? false,
    financial_status: spec.financialStatus === undefined ? "paid" : spec.financialStatus,
    cancelled_at: spec.cancelledAt ?? null,
    customer:
      spec.customer === null
        ? null
        : {
            id: spec.customer?.id ?? "207119551",
            admin_graphql_api_id: `gid://shopify/Customer/${spec.customer?.id ?? "207119551"}`,
            email: spec.customer?.email ?? "bob@example.com",
            tags: spec.customer?.tags ?? "",
          },
    line_items: lines,
    shipping_lines: shipping,
    subtotal_price_set: moneySet(f(subtotal), currency),
    total_discounts_set: moneySet(f(discounts), currency),
    total_tax_set: moneySet(f(tax), currency),
    total_shipping_price_set: moneySet(f(sumMoney(currency, (spec.shipping ?? []).map((s) => m(s.price)))), currency),
    total_price_set: moneySet(f(total), currency),
  };
}

export function earningOrder(spec: OrderSpec): EarningOrder {
  return normalizeOrderForEarning(orderPayload(spec));
}

/** A refunds/create payload for lines of `order` (by index) with explicit amounts. */
export function refundPayload(
  order: Record<string, unknown>,
  items: { line: number; quantity?: number; subtotal: string; tax?: string }[],
  shipping: { subtotal: string; tax?: string }[] = [],
  id = newId(),
): Record<string, unknown> {
  const currency = order.currency as string;
  const lines = order.line_items as { id: string; admin_graphql_api_id: string }[];
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Refund/${id}`,
    order_id: order.id,
    refund_line_items: items.map((item) => ({
      id: newId(),
      line_item_id: lines[item.line].id,
      line_item: { id: lines[item.line].id, admin_graphql_api_id: lines[item.line].admin_graphql_api_id },
      quantity: item.quantity ?? 1,
      restock_type: "return",
      subtotal_set: moneySet(item.subtotal, currency),
      total_tax_set: moneySet(item.tax ?? "0", currency),
    })),
    refund_shipping_lines: shipping.map((s) => ({
      subtotal_amount_set: moneySet(s.subtotal, currency),
      tax_amount_set: moneySet(s.tax ?? "0", currency),
    })),
    order_adjustments: [],
  };
}

/** Codes of a trace, in order: the tests read the "why" as a sequence. */
export const codes = (trace: { code: string }[]) => trace.map((step) => step.code);
