import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { LosslessNumber, parse, stringify } from "lossless-json";

// Webhook bodies for end-to-end tests: Shopify's documented examples (the shared fixtures, laid
// out beside the repository as in CI) and variants of the exact-id order built in code. Bodies
// are edited with lossless-json so every 18-digit id is written back digit for digit.

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const SHARED_WEBHOOK_FIXTURES = path.resolve(repoRoot, "../shared/fixtures/shopify-webhooks");
const ORDER_FIXTURES = path.join(repoRoot, "tests/fixtures/orders");

/** File names of the shared fixtures, e.g. "orders-paid.json". */
export function sharedFixtureNames(): string[] {
  return readdirSync(SHARED_WEBHOOK_FIXTURES).filter((name) => name.endsWith(".json")).sort();
}

/** "customers-data_request.json" → "customers/data_request". */
export function topicOfFixture(name: string): string {
  return name.replace(/\.json$/, "").replace("-", "/");
}

/** A shared fixture's raw text, with the `{shop}` placeholder of compliance payloads filled in. */
export function sharedFixture(name: string, shop?: string): string {
  const raw = readFileSync(path.join(SHARED_WEBHOOK_FIXTURES, name), "utf8");
  return shop ? raw.replaceAll("{shop}.myshopify.com", shop) : raw;
}

export function orderFixture(name: string): string {
  return readFileSync(path.join(ORDER_FIXTURES, name), "utf8");
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- webhook JSON edited in place
type Json = any;

const exact = (value: bigint | number | string) => new LosslessNumber(String(value));

/** The exact-id order's line prices in cents, in fixture order (no discounts, no tax). */
export const EXACT_ORDER_LINE_CENTS = [8999, 1999, 2499, 15999, 11999] as const;
export const EXACT_ORDER_ID = 820982911946154508n;
export const EXACT_ORDER_CUSTOMER_ID = 115310627314723954n;

export interface PaidOrderVariant {
  orderId: bigint;
  customerId?: bigint;
  email?: string;
  /** Keep the first `lineCount` lines of the fixture (1–5). Default: all. */
  lineCount?: number;
  /** Quantity of the first line. Default 1. */
  firstLineQuantity?: number;
}

/**
 * tests/fixtures/orders/orders-paid-exact-ids.json as another order: new order id (and gid),
 * optionally another customer and fewer or more goods. Points under the default program are
 * `expectedPointsOfVariant`.
 */
export function paidOrderVariant(variant: PaidOrderVariant): string {
  const order: Json = parse(orderFixture("orders-paid-exact-ids.json"));
  order.id = exact(variant.orderId);
  order.admin_graphql_api_id = `gid://shopify/Order/${variant.orderId}`;
  order.name = `#${variant.orderId % 1_000_000n}`;
  if (variant.customerId !== undefined) {
    order.customer.id = exact(variant.customerId);
    order.customer.admin_graphql_api_id = `gid://shopify/Customer/${variant.customerId}`;
    if (order.customer.default_address) order.customer.default_address.customer_id = exact(variant.customerId);
  }
  if (variant.email !== undefined) {
    order.customer.email = variant.email;
    order.email = variant.email;
    order.contact_email = variant.email;
  }
  if (variant.lineCount !== undefined) order.line_items = order.line_items.slice(0, variant.lineCount);
  if (variant.firstLineQuantity !== undefined) order.line_items[0].quantity = exact(variant.firstLineQuantity);
  return stringify(order) as string;
}

/** Default program: 1 point per whole unit of the goods' price, rounded down. */
export function expectedPointsOfVariant(variant: Pick<PaidOrderVariant, "lineCount" | "firstLineQuantity">): number {
  const cents = EXACT_ORDER_LINE_CENTS.slice(0, variant.lineCount ?? EXACT_ORDER_LINE_CENTS.length).reduce(
    (sum, price, index) => sum + price * (index === 0 ? (variant.firstLineQuantity ?? 1) : 1),
    0,
  );
  return Math.floor(cents / 100);
}

/**
 * The shared refunds/create example with the order id Shopify would send: the scraper rounded
 * `order_id` (there is no gid for it) to 820982911946154500. Optionally another refund id and only
 * the first `lineCount` refunded lines (a partial refund).
 */
export function sharedRefund(options: { refundId?: bigint; lineCount?: number } = {}): string {
  const refund: Json = parse(sharedFixture("refunds-create.json"));
  refund.order_id = exact(EXACT_ORDER_ID);
  for (const transaction of refund.transactions ?? []) transaction.order_id = exact(EXACT_ORDER_ID);
  if (options.refundId !== undefined) {
    refund.id = exact(options.refundId);
    refund.admin_graphql_api_id = `gid://shopify/Refund/${options.refundId}`;
  }
  if (options.lineCount !== undefined) refund.refund_line_items = refund.refund_line_items.slice(0, options.lineCount);
  return stringify(refund) as string;
}

/** The shared customers/create example as another customer. */
export function customerCreated(customerId: bigint, email: string, names: { first: string; last: string } = { first: "John", last: "Smith" }): string {
  const customer: Json = parse(sharedFixture("customers-create.json"));
  customer.id = exact(customerId);
  customer.admin_graphql_api_id = `gid://shopify/Customer/${customerId}`;
  customer.email = email;
  customer.first_name = names.first;
  customer.last_name = names.last;
  if (customer.default_address) customer.default_address.customer_id = exact(customerId);
  return stringify(customer) as string;
}
