import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { isbot } from "isbot";
import { describe, expect, it } from "vitest";
import { calculatePurchasePoints } from "~/domain/earning";
import { addMoney, formatMoneyAmount, parseMoney, zeroMoney } from "~/domain/money";
import { normalizeOrderForEarning } from "~/domain/order";
import { defaultEarningProgram } from "~/domain/program";
import { clawbackForRefund, refundBaseFromRefundPayload } from "~/domain/refunds";
import { parseExactJson } from "~/utils/json.server";
import { replayWebhooks, sendWebhook, signWebhook } from "../../server/simulate/deliver";
import { createShopifyEventGenerator, type SimulatedWebhook } from "../../server/simulate/shopify-events";

// The simulator feeds the ingest benchmark and the demo's replay; a stream the app would reject,
// or that Shopify could never send, would make both meaningless. Its orders and refunds are
// therefore checked with the app's own pure earning and refund rules.

const SHOP = "simulated-shop.myshopify.com";

type Json = Record<string, unknown>;
const money = (set: unknown) => (set as { shop_money: { amount: string } }).shop_money.amount;
const cents = (amount: string) => Math.round(Number(amount) * 100);

function orders(count: number, options: Partial<Parameters<typeof createShopifyEventGenerator>[0]> = {}) {
  const generator = createShopifyEventGenerator({ shop: SHOP, seed: "test", customers: 40, ...options });
  return { generator, paid: Array.from({ length: count }, () => generator.orderPaid()) };
}

describe("simulated Shopify events", () => {
  it("is deterministic: the same seed gives the same bytes and ids, another seed does not", () => {
    const a = orders(20).paid.map((p) => [p.webhook.webhookId, p.webhook.body]);
    const b = orders(20).paid.map((p) => [p.webhook.webhookId, p.webhook.body]);
    const c = orders(20, { seed: "other" }).paid.map((p) => [p.webhook.webhookId, p.webhook.body]);
    expect(b).toEqual(a);
    expect(c[0]).not.toEqual(a[0]);
    expect(new Set(a.map(([id]) => id)).size).toBe(20);
  });

  it("writes 18-digit ids as JSON numbers with every digit, which JSON.parse would round", () => {
    const { paid } = orders(30);
    for (const { webhook, order } of paid) {
      const orderId = order.id.toString();
      expect(orderId).toMatch(/^\d{18}$/);
      expect(webhook.body).toContain(`"id":${orderId},`);
      expect(webhook.subject.orderId).toBe(orderId);
      const exact = parseExactJson(webhook.body) as Json;
      expect(String(exact.id)).toBe(orderId);
      expect(String((JSON.parse(webhook.body) as Json).id)).not.toBe(orderId);
      for (const line of exact.line_items as Json[]) expect(String(line.id)).toMatch(/^\d{18}$/);
    }
    const ids = paid.flatMap(({ order }) => [order.id, ...order.lines.map((l) => l.id)]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each([
    ["USD, taxes on top", { currency: "USD" }],
    ["EUR, VAT included", { currency: "EUR" }],
  ])("builds orders whose lines, discounts, taxes and totals add up (%s)", (_label, options) => {
    const { paid } = orders(300, options);
    let discounted = 0;
    let multiLine = 0;
    for (const { webhook } of paid) {
      const body = parseExactJson(webhook.body) as Json;
      const lines = body.line_items as Json[];
      const shipping = body.shipping_lines as Json[];
      const lineTotal = lines.reduce((s, l) => s + cents(money(l.price_set)) * Number(l.quantity), 0);
      const discounts = lines.reduce((s, l) => s + (l.discount_allocations as Json[]).reduce((x, a) => x + cents(money(a.amount_set)), 0), 0);
      const lineTax = lines.reduce((s, l) => s + (l.tax_lines as Json[]).reduce((x, t) => x + cents(money(t.price_set)), 0), 0);
      const shipTax = shipping.reduce((s, l) => s + (l.tax_lines as Json[]).reduce((x, t) => x + cents(money(t.price_set)), 0), 0);
      const shipPrice = shipping.reduce((s, l) => s + cents(money(l.price_set)), 0);
      expect(cents(money(body.total_line_items_price_set))).toBe(lineTotal);
      expect(cents(money(body.total_discounts_set))).toBe(discounts);
      expect(cents(money(body.subtotal_price_set))).toBe(lineTotal - discounts);
      expect(cents(money(body.total_tax_set))).toBe(lineTax + shipTax);
      expect(cents(money(body.total_shipping_price_set))).toBe(shipPrice);
      const taxOnTop = body.taxes_included ? 0 : lineTax + shipTax;
      expect(cents(money(body.total_price_set))).toBe(lineTotal - discounts + shipPrice + taxOnTop);
      expect(body.taxes_included).toBe(options.currency === "EUR");
      // The app's own reader accepts it, in the shop currency.
      const order = normalizeOrderForEarning(body);
      expect(order.currency).toBe(options.currency);
      expect(order.financialStatus).toBe("paid");
      if (discounts > 0) discounted++;
      if (lines.length > 1) multiLine++;
    }
    expect(discounted).toBeGreaterThan(30);
    expect(multiLine).toBeGreaterThan(100);
  });

  it("draws customers from the seeded pool, with guest checkouts for shoppers without an account", () => {
    const { generator, paid } = orders(400, { guestShare: 0.25, customers: 200 });
    const poolIds = new Set(generator.customers.map((c) => c.id.toString()));
    const guests = paid.filter(({ order }) => order.customer === null);
    const members = paid.filter(({ order }) => order.customer !== null);
    expect(guests.length).toBeGreaterThan(400 * 0.15);
    expect(guests.length).toBeLessThan(400 * 0.35);
    for (const { webhook, order } of guests) {
      const body = parseExactJson(webhook.body) as Json;
      expect(body.customer).toBeNull();
      expect(order.shopper.hasAccount).toBe(false);
      if (order.email !== null) expect(body.email).toBe(order.shopper.email);
      expect(webhook.subject.customerId).toBeUndefined();
    }
    for (const { webhook } of members) {
      const customer = (parseExactJson(webhook.body) as Json).customer as Json;
      expect(poolIds.has(String(customer.id))).toBe(true);
      expect(customer.admin_graphql_api_id).toBe(`gid://shopify/Customer/${String(customer.id)}`);
    }
    // Repeat customers exist: the pool is smaller than the number of orders.
    expect(new Set(members.map(({ order }) => order.customer?.id)).size).toBeLessThan(members.length);
  });

  it.each(["USD", "EUR"])("refunds in parts then in full give back exactly what the app counted as earned (%s)", (currency) => {
    const { generator, paid } = orders(120, { currency, guestShare: 0 });
    const program = defaultEarningProgram();
    let checked = 0;
    for (const { webhook, order } of paid) {
      const earned = calculatePurchasePoints({
        order: normalizeOrderForEarning(parseExactJson(webhook.body)),
        program,
        customer: { tags: [] },
        shopTimezone: "America/New_York",
        pointsEarnedToday: 0,
      });
      if (earned.points === 0) continue;
      const refunds = [generator.refundCreated(order, "partial"), generator.refundCreated(order, "partial"), generator.refundCreated(order, "full")]
        .filter((r): r is SimulatedWebhook => r !== null);
      expect(refunds.at(-1)?.topic).toBe("refunds/create");
      let refundedBase = zeroMoney(currency);
      let clawed = 0;
      for (const refund of refunds) {
        expect(refund.subject.orderId).toBe(order.id.toString());
        const { base } = refundBaseFromRefundPayload(parseExactJson(refund.body), earned.basis);
        const claw = clawbackForRefund({
          pointsEarned: earned.points,
          eligibleBase: parseMoney(earned.basis.eligibleBase, currency),
          refundedBaseSoFar: refundedBase,
          refundBase: base,
          clawedBackSoFar: clawed,
        });
        refundedBase = addMoney(refundedBase, base);
        clawed = claw.clawedBackTotal;
      }
      expect(formatMoneyAmount(refundedBase)).toBe(earned.basis.eligibleBase);
      expect(clawed).toBe(earned.points);
      expect(generator.refundCreated(order, "full")).toBeNull();
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
  });

  it("streams a plausible mix: refunds and cancellations of earlier orders, signups of guest shoppers", () => {
    const generator = createShopifyEventGenerator({ shop: SHOP, seed: "stream", customers: 60, guestShare: 0.3 });
    const prospects = new Set(generator.customers.filter((c) => !c.hasAccount).map((c) => c.id.toString()));
    const events = [...generator.stream(600)];
    expect(events).toHaveLength(600);
    const topics = new Map<string, number>();
    for (const e of events) topics.set(e.topic, (topics.get(e.topic) ?? 0) + 1);
    expect(topics.get("orders/paid")).toBeGreaterThan(450);
    for (const topic of ["refunds/create", "orders/cancelled", "customers/create"]) expect(topics.get(topic)).toBeGreaterThan(3);

    const seenOrders = new Set<string>();
    events.forEach((event, index) => {
      const { orderId, customerId } = event.subject;
      if (event.topic === "orders/paid") seenOrders.add(orderId ?? "");
      if (event.topic === "refunds/create" || event.topic === "orders/cancelled") expect(seenOrders.has(orderId ?? "")).toBe(true);
      if (event.topic === "orders/cancelled") {
        const body = parseExactJson(event.body) as Json;
        expect(body.cancelled_at).not.toBeNull();
        expect(normalizeOrderForEarning(body).cancelled).toBe(true);
        // Shopify refunds a cancelled paid order first; the stream does too (unless all was refunded before).
        const previous = events[index - 1];
        if (previous.topic === "refunds/create" && previous.subject.orderId === orderId) return;
        const earlier = events.slice(0, index).filter((e) => e.topic === "refunds/create" && e.subject.orderId === orderId);
        expect(earlier.length).toBeGreaterThan(0);
      }
      if (event.topic === "customers/create") expect(prospects.has(customerId ?? "")).toBe(true);
    });
    // Deliveries are distinct, and the simulated clock moves forward.
    expect(new Set(events.map((e) => e.webhookId)).size).toBe(events.length);
    expect(events.at(-1)?.triggeredAt.getTime()).toBeGreaterThan(events[0].triggeredAt.getTime());
  });
});

describe("signing and sending", () => {
  it("signs the exact bytes as base64 HMAC-SHA256 with the app secret", () => {
    const body = '{"id":820982911946154508,"note":"Grüße"}';
    expect(signWebhook(body, "s3cret")).toBe(createHmac("sha256", "s3cret").update(Buffer.from(body, "utf8")).digest("base64"));
    expect(signWebhook(body, "s3cret")).not.toBe(signWebhook(body, "other"));
  });

  it("POSTs to /webhooks/<topic> with Shopify's headers, a browser user agent, and the body byte for byte", async () => {
    const received: { req: IncomingMessage; body: Buffer }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ req, body: Buffer.concat(chunks) });
        res.writeHead(received.length === 1 ? 200 : 503).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const { generator, paid } = orders(1);
      const delivery = paid[0].webhook;
      const ack = await sendWebhook(baseUrl, delivery, { secret: "app-secret" });
      expect(ack.status).toBe(200);
      expect(ack.ms).toBeGreaterThan(0);
      const { req, body } = received[0];
      expect(req.method).toBe("POST");
      expect(req.url).toBe("/webhooks/orders/paid");
      expect(body.toString("utf8")).toBe(delivery.body);
      expect(req.headers["x-shopify-hmac-sha256"]).toBe(createHmac("sha256", "app-secret").update(body).digest("base64"));
      expect(req.headers["x-shopify-topic"]).toBe("orders/paid");
      expect(req.headers["x-shopify-shop-domain"]).toBe(SHOP);
      expect(req.headers["x-shopify-webhook-id"]).toBe(delivery.webhookId);
      expect(req.headers["x-shopify-event-id"]).toBe(delivery.eventId);
      expect(req.headers["x-shopify-triggered-at"]).toBe(delivery.triggeredAt.toISOString());
      expect(req.headers["x-shopify-api-version"]).toMatch(/^\d{4}-\d{2}$/);
      expect(isbot(req.headers["user-agent"] ?? "")).toBe(false);

      // A stream replay reports every delivery, error statuses included.
      const stream = [...generator.stream(3)];
      const results = await replayWebhooks(baseUrl, stream, { secret: "app-secret", concurrency: 2 });
      expect(results.map((r) => r.delivery.webhookId).sort()).toEqual(stream.map((e) => e.webhookId).sort());
      expect(results.every((r) => r.ack?.status === 503)).toBe(true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
