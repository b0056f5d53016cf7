import { gatewayForShop } from "~/services/shop-gateway.server";
import { randomInt, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { parse, parseNumberAndBigInt, stringify } from "lossless-json";
import "~/jobs/index.server";
import { getJob } from "~/jobs/registry.server";
import type { JobContext } from "~/jobs/types";
import { getBalance, lotsForMember, reconcileBalances, type Balance } from "~/models/ledger.server";
import { recordWebhookDelivery } from "~/models/webhook-delivery.server";
import { logger } from "~/utils/logger.server";
import { prisma } from "./db";

// Drives the webhook pipeline in-process, the way the worker does: a delivery is stored as the
// intake stores it (body parsed exactly from Shopify-style JSON text) and the job registered for
// its topic runs on {shop, webhookId}. Payloads are built from the documented fixtures with ids,
// customers and amounts changed in code.

/** The job each webhook route enqueues (app/routes/webhooks.*.tsx). */
export const JOB_FOR_TOPIC = {
  "orders/paid": "earn-points-for-order",
  "orders/fulfilled": "earn-points-for-order",
  "orders/cancelled": "reverse-cancelled-order",
  "refunds/create": "claw-back-refund",
  "customers/create": "enroll-customer",
  "customers/update": "sync-customer",
  "customers/data_request": "export-customer-data",
  "customers/redact": "redact-customer",
  "shop/redact": "redact-shop",
  "app/uninstalled": "uninstall-shop",
} as const;

export type WebhookTopic = keyof typeof JOB_FOR_TOPIC;

type Json = Record<string, unknown>;

const SHARED_FIXTURES = "../shared/fixtures/shopify-webhooks";

/** A fixture as Shopify wrote it, every integer a bigint so that ids survive the round trip. */
function readFixture(path: string): Json {
  return parse(readFileSync(path, "utf8"), null, parseNumberAndBigInt) as Json;
}

const clone = <T>(value: T): T => structuredClone(value);

/** JSON text as Shopify sends it: ids as bare numbers, up to 19 digits. */
export function shopifyJson(body: unknown): string {
  const text = stringify(body);
  if (text === undefined) throw new Error("body is not JSON-serialisable");
  return text;
}

/** A fresh 18-digit Shopify-style id: beyond 2^53, so only an exact parser keeps it. */
export function shopifyId(): bigint {
  return 100_000_000_000_000_000n + BigInt(randomInt(0, 2 ** 47)) * 1_000n + BigInt(randomInt(0, 1_000));
}

// --------------------------------------------------------------------------------------------
// Orders: tests/fixtures/orders/orders-paid-exact-ids.json (paid, five lines, 414.95 of goods and
// 10.00 of shipping, no tax, no discount). The default program earns floor(414.95) = 414 points.

const ORDER_FIXTURE = readFixture("tests/fixtures/orders/orders-paid-exact-ids.json");

export const FIXTURE_LINES = {
  sunglasses: { id: 487817672276298554n, price: "89.99" },
  protectionPlan: { id: 789012345678901234n, price: "19.99" },
  leatherCase: { id: 890123456789012345n, price: "24.99" },
  lounger: { id: 976318377106520349n, price: "159.99" },
  coffeeTable: { id: 315789986012684393n, price: "119.99" },
} as const;

export type FixtureLine = (typeof FIXTURE_LINES)[keyof typeof FIXTURE_LINES];

export interface OrderOptions {
  id: bigint;
  /** The order's customer; null is a guest checkout. Defaults to the fixture's customer. */
  customer?: { id: bigint; email?: string | null; firstName?: string; lastName?: string; tags?: string } | null;
  /** The order's email and contact_email (what a guest order is matched on). */
  email?: string | null;
  processedAt?: Date;
  financialStatus?: string;
  fulfillmentStatus?: string | null;
  test?: boolean;
  cancelledAt?: Date | null;
}

export function orderPayload(options: OrderOptions): Json {
  const order = clone(ORDER_FIXTURE);
  const at = (options.processedAt ?? new Date()).toISOString();
  order.id = options.id;
  order.admin_graphql_api_id = `gid://shopify/Order/${options.id}`;
  order.name = `#${options.id % 100_000n}`;
  order.created_at = at;
  order.processed_at = at;
  order.updated_at = at;
  if (options.financialStatus !== undefined) order.financial_status = options.financialStatus;
  if (options.fulfillmentStatus !== undefined) order.fulfillment_status = options.fulfillmentStatus;
  if (options.test !== undefined) order.test = options.test;
  if (options.cancelledAt !== undefined) {
    order.cancelled_at = options.cancelledAt?.toISOString() ?? null;
    order.cancel_reason = options.cancelledAt ? "customer" : null;
  }
  if (options.email !== undefined) {
    order.email = options.email;
    order.contact_email = options.email;
  }
  if (options.customer === null) {
    order.customer = null;
  } else if (options.customer) {
    const customer = order.customer as Json;
    const c = options.customer;
    customer.id = c.id;
    customer.admin_graphql_api_id = `gid://shopify/Customer/${c.id}`;
    if (c.email !== undefined) customer.email = c.email;
    if (c.firstName !== undefined) customer.first_name = c.firstName;
    if (c.lastName !== undefined) customer.last_name = c.lastName;
    if (c.tags !== undefined) customer.tags = c.tags;
    (customer.default_address as Json).customer_id = c.id;
  }
  return order;
}

/** The fixture's customer: the default buyer of orderPayload. */
export const FIXTURE_CUSTOMER_ID = 115310627314723954n;

/** orders/fulfilled: the same order once shipped. */
export function fulfilledOrderPayload(options: OrderOptions): Json {
  return orderPayload({ fulfillmentStatus: "fulfilled", ...options });
}

/** orders/cancelled: Shopify sends the order with cancelled_at set (and usually voided/refunded). */
export function cancelledOrderPayload(options: OrderOptions): Json {
  return orderPayload({ cancelledAt: new Date(), financialStatus: "voided", ...options });
}

// --------------------------------------------------------------------------------------------
// Refunds: the documented refunds/create example with its lines replaced.

const REFUND_FIXTURE = readFixture(`${SHARED_FIXTURES}/refunds-create.json`);

export interface RefundLine {
  line: FixtureLine;
  quantity?: number;
  /** Defaults to the line's price × quantity (no discount, no tax on the fixture order). */
  subtotal?: string;
}

function money(amount: string) {
  return { shop_money: { amount, currency_code: "USD" }, presentment_money: { amount, currency_code: "USD" } };
}

function sumAmounts(amounts: string[]): string {
  const cents = amounts.reduce((sum, a) => sum + BigInt(a.replace(".", "")), 0n);
  return `${cents / 100n}.${String(cents % 100n).padStart(2, "0")}`;
}

function multiplyAmount(amount: string, quantity: number): string {
  const cents = BigInt(amount.replace(".", "")) * BigInt(quantity);
  return `${cents / 100n}.${String(cents % 100n).padStart(2, "0")}`;
}

export function refundPayload(options: { id: bigint; orderId: bigint; lines: RefundLine[] }): Json {
  const refund = clone(REFUND_FIXTURE);
  const templateLine = (refund.refund_line_items as Json[])[0];
  const templateTransaction = (refund.transactions as Json[])[0];
  refund.id = options.id;
  refund.admin_graphql_api_id = `gid://shopify/Refund/${options.id}`;
  refund.order_id = options.orderId;
  refund.created_at = new Date().toISOString();
  refund.processed_at = refund.created_at;
  refund.refund_shipping_lines = [];
  const subtotals: string[] = [];
  refund.refund_line_items = options.lines.map(({ line, quantity = 1, subtotal }) => {
    const amount = subtotal ?? multiplyAmount(line.price, quantity);
    subtotals.push(amount);
    const item = clone(templateLine);
    item.id = shopifyId();
    item.line_item_id = line.id;
    item.quantity = BigInt(quantity);
    item.subtotal = amount;
    item.subtotal_set = money(amount);
    item.total_tax = 0n;
    item.total_tax_set = money("0.00");
    item.line_item = {
      ...(item.line_item as Json),
      id: line.id,
      admin_graphql_api_id: `gid://shopify/LineItem/${line.id}`,
      price: line.price,
      price_set: money(line.price),
    };
    return item;
  });
  refund.transactions = [{
    ...templateTransaction,
    id: shopifyId(),
    admin_graphql_api_id: null,
    order_id: options.orderId,
    amount: sumAmounts(subtotals),
    created_at: refund.created_at,
  }];
  return refund;
}

/** The documented refunds/create body untouched but for its order id: all five lines refunded. */
export function fixtureFullRefundPayload(orderId: bigint): Json {
  const refund = clone(REFUND_FIXTURE);
  refund.order_id = orderId;
  return refund;
}

/** The refund id Shopify's example carries exactly (its numeric id was rounded by the scraper). */
export const FIXTURE_REFUND_ID = 890088186047892319n;

// --------------------------------------------------------------------------------------------
// Customers: the documented customers/create example.

const CUSTOMER_FIXTURE = readFixture(`${SHARED_FIXTURES}/customers-create.json`);

export type MarketingState = "subscribed" | "not_subscribed" | "unsubscribed" | "pending";

export interface CustomerOptions {
  id: bigint;
  email?: string | null;
  firstName?: string;
  lastName?: string;
  tags?: string;
  /** Omitted: the payload says nothing about consent. */
  marketing?: MarketingState;
}

export function customerPayload(options: CustomerOptions): Json {
  const customer = clone(CUSTOMER_FIXTURE);
  customer.id = options.id;
  customer.admin_graphql_api_id = `gid://shopify/Customer/${options.id}`;
  if (options.email !== undefined) customer.email = options.email;
  if (options.firstName !== undefined) customer.first_name = options.firstName;
  if (options.lastName !== undefined) customer.last_name = options.lastName;
  customer.tags = options.tags ?? "";
  (customer.default_address as Json).customer_id = options.id;
  if (options.marketing !== undefined) {
    customer.email_marketing_consent = {
      state: options.marketing,
      opt_in_level: "single_opt_in",
      consent_updated_at: new Date().toISOString(),
    };
  }
  return customer;
}

// --------------------------------------------------------------------------------------------
// Privacy webhooks: the documented examples, addressed to the test's shop and customer.

function complianceFixture(name: string, shop: string): Json {
  const text = readFileSync(`${SHARED_FIXTURES}/${name}.json`, "utf8").replace("{shop}.myshopify.com", shop);
  return parse(text, null, parseNumberAndBigInt) as Json;
}

export function dataRequestPayload(shop: string, options: { customerId: bigint; email: string; orderIds: bigint[]; requestId: bigint }): Json {
  const body = complianceFixture("customers-data_request", shop);
  body.customer = { ...(body.customer as Json), id: options.customerId, email: options.email };
  body.orders_requested = options.orderIds;
  body.data_request = { id: options.requestId };
  return body;
}

export function customerRedactPayload(shop: string, options: { customerId: bigint; email: string; orderIds: bigint[] }): Json {
  const body = complianceFixture("customers-redact", shop);
  body.customer = { ...(body.customer as Json), id: options.customerId, email: options.email };
  body.orders_to_redact = options.orderIds;
  return body;
}

export function shopRedactPayload(shop: string): Json {
  return complianceFixture("shop-redact", shop);
}

export function appUninstalledPayload(shop: string): Json {
  const body = readFixture(`${SHARED_FIXTURES}/app-uninstalled.json`);
  body.myshopify_domain = shop;
  return body;
}

// --------------------------------------------------------------------------------------------
// Running jobs.

export interface StoredDelivery {
  shop: string;
  topic: WebhookTopic;
  webhookId: string;
}

export interface DeliveryIds {
  /** X-Shopify-Webhook-Id: the same on Shopify's retries of one delivery. Random by default. */
  webhookId?: string;
  /** X-Shopify-Event-Id: the same when Shopify redelivers one event. Random (a new event) by default. */
  eventId?: string;
}

/** Stores a delivery exactly as the intake does after verifying the HMAC. */
export async function storeDelivery(shop: string, topic: WebhookTopic, body: unknown, ids: DeliveryIds = {}): Promise<StoredDelivery> {
  const text = typeof body === "string" ? body : shopifyJson(body);
  const webhookId = ids.webhookId ?? randomUUID();
  const stored = await recordWebhookDelivery(shop, { webhookId, topic, eventId: ids.eventId ?? randomUUID(), body: text });
  // The intake feeds a redelivered event to the job of its first delivery.
  const storedAs = "webhookId" in stored && typeof stored.webhookId === "string" ? stored.webhookId : webhookId;
  return { shop, topic, webhookId: storedAs };
}

/** Runs a registered job on a payload the way the worker's runner does: schema first, then the handler. */
export async function runJob(name: string, payload: { shop: string } & Record<string, unknown>, jobId = `${name}:${randomUUID()}`): Promise<void> {
  const definition = getJob(name);
  if (!definition) throw new Error(`no job named ${name} is registered`);
  const data = definition.schema.parse(payload);
  const ctx: JobContext = {
    jobId,
    attempt: 1,
    maxAttempts: definition.attempts,
    logger: logger.child({ jobId, job: name, shop: payload.shop }),
    gatewayForShop,
  };
  await definition.handler(data, ctx);
}

/** Runs the job the delivery's route would have enqueued. */
export function runDelivery(delivery: StoredDelivery): Promise<void> {
  const { shop, webhookId } = delivery;
  return runJob(JOB_FOR_TOPIC[delivery.topic], { shop, webhookId }, `webhook:${shop}:${webhookId}`);
}

/** One webhook, end to end in-process: stored, then its job run. */
export async function deliver(shop: string, topic: WebhookTopic, body: unknown, ids: DeliveryIds = {}): Promise<StoredDelivery> {
  const delivery = await storeDelivery(shop, topic, body, ids);
  await runDelivery(delivery);
  return delivery;
}

// --------------------------------------------------------------------------------------------
// Reading the outcome.

export async function findMember(shop: string, customerId: bigint) {
  return prisma.member.findUnique({ where: { shop_shopifyCustomerId: { shop, shopifyCustomerId: customerId } } });
}

export async function memberOf(shop: string, customerId: bigint) {
  const member = await findMember(shop, customerId);
  if (!member) throw new Error(`customer ${customerId} is not a member of ${shop}`);
  return member;
}

/** The member's cached balances (the ledger's projection). */
export async function balanceOf(shop: string, customerId: bigint): Promise<Balance> {
  return getBalance(shop, (await memberOf(shop, customerId)).id);
}

export async function orderEarning(shop: string, orderId: bigint) {
  return prisma.orderEarning.findUnique({ where: { shop_orderId: { shop, orderId } } });
}

export async function orderEarningOrThrow(shop: string, orderId: bigint) {
  const earning = await orderEarning(shop, orderId);
  if (!earning) throw new Error(`order ${orderId} of ${shop} has no earning record`);
  return earning;
}

export async function ledgerEntriesOf(shop: string, where: { orderId?: bigint; memberId?: string } = {}) {
  return prisma.ledgerEntry.findMany({ where: { shop, ...where }, orderBy: { id: "asc" } });
}

/**
 * The ledger's own invariants for a shop: every cached balance equals its recomputation from the
 * entries, and each member's open lots add up to what is available.
 */
export async function ledgerDrift(shop: string): Promise<string[]> {
  const problems = (await reconcileBalances(shop)).map((d) => `member ${d.memberId}: cached ${JSON.stringify(d.cached)} ≠ ledger ${JSON.stringify(d.computed)}`);
  const members = await prisma.member.findMany({ where: { shop }, select: { id: true, pointsAvailable: true } });
  for (const member of members) {
    const lots = await lotsForMember(shop, member.id);
    const inLots = lots.reduce((sum, lot) => sum + lot.remaining, 0);
    if (inLots !== member.pointsAvailable) problems.push(`member ${member.id}: lots hold ${inLots}, available is ${member.pointsAvailable}`);
  }
  return problems;
}

/** Sets the program knobs a scenario needs. */
export async function configureShop(
  shop: string,
  settings: Partial<{ pendingDays: number; earnTrigger: "ORDER_PAID" | "ORDER_FULFILLED"; programEnabled: boolean; earningRules: object }>,
) {
  await prisma.shop.update({ where: { domain: shop }, data: settings });
}
