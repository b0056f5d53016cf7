import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse, stringify } from "lossless-json";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reconcileBalances } from "~/models/ledger.server";
import { startPipeline, repoRoot, type PipelineHarness } from "../helpers/app-server";
import { createTestShop, prisma } from "../helpers/db";
import {
  customerCreated,
  EXACT_ORDER_CUSTOMER_ID,
  EXACT_ORDER_ID,
  orderFixture,
  paidOrderVariant,
  sharedFixture,
  sharedFixtureNames,
  sharedRefund,
  topicOfFixture,
} from "../helpers/webhook-fixtures";

// Shopify's webhook examples through the real thing: signed HTTP requests to the built app, Bull
// on Redis, the worker process, PostgreSQL. Each scenario runs on a shop of its own.

interface Step {
  topic: string;
  body: string;
}

type State = Awaited<ReturnType<typeof pipelineState>>;

interface Scenario {
  name: string;
  /** The shared fixture this scenario delivers (every subscribed one must have a scenario). */
  covers?: string;
  currencyCode?: string;
  ianaTimezone?: string;
  /** Rows a real install would have that webhooks do not create (sessions). */
  setup?: (shop: string) => Promise<void>;
  /** Delivered once each, in order, before the delivery under test. */
  before: (shop: string) => Step[];
  target: (shop: string) => Step;
  /** Effect of one delivery of `target`; `prior` is the state just before it. */
  verify: (shop: string, prior: State) => Promise<void>;
}

const SIGNUP_POINTS = 100;
// Every scenario shop grants signup points, so customer webhooks move the ledger too.
const EARNING_RULES = { actions: { signup: { enabled: true, points: SIGNUP_POINTS } } };

// customers/data_request and customers/redact name customer 191167 and order 299938.
const COMPLIANCE_CUSTOMER = 191167n;
const COMPLIANCE_ORDER = 299938n;
const complianceSetup = (): Step[] => [
  { topic: "customers/create", body: customerCreated(COMPLIANCE_CUSTOMER, "john@example.com") },
  { topic: "orders/paid", body: paidOrderVariant({ orderId: COMPLIANCE_ORDER, customerId: COMPLIANCE_CUSTOMER, email: "john@example.com" }) },
];
const exactPaidOrder: Step = { topic: "orders/paid", body: orderFixture("orders-paid-exact-ids.json") };
const eurPaidOrder: Step = { topic: "orders/paid", body: orderFixture("orders-paid-eur-taxes-included.json") };
const PARTIAL_REFUND_ID = 890088186047892001n;

let pipeline: PipelineHarness;

async function member(shop: string, customerId: bigint) {
  return prisma.member.findUniqueOrThrow({ where: { shop_shopifyCustomerId: { shop, shopifyCustomerId: customerId } } });
}

async function ledgerOf(shop: string) {
  return prisma.ledgerEntry.findMany({ where: { shop }, orderBy: { id: "asc" } });
}

/**
 * Everything the pipeline writes for a shop, without row ids or timestamps, so two shops fed
 * the same events compare equal. Ledger entries are sorted by idempotency key.
 */
async function pipelineState(shop: string) {
  const [shopRow, members, entries, earnings, refunds, exports, audits, sessions] = await Promise.all([
    prisma.shop.findUnique({ where: { domain: shop } }),
    prisma.member.findMany({ where: { shop }, orderBy: { shopifyCustomerId: "asc" } }),
    prisma.ledgerEntry.findMany({ where: { shop } }),
    prisma.orderEarning.findMany({ where: { shop }, orderBy: { orderId: "asc" } }),
    prisma.orderRefund.findMany({ where: { shop }, orderBy: { refundId: "asc" } }),
    prisma.customerDataExport.findMany({ where: { shop }, orderBy: { customerId: "asc" } }),
    prisma.auditLog.findMany({ where: { shop }, orderBy: [{ action: "asc" }, { subjectId: "asc" }] }),
    prisma.session.count({ where: { shop } }),
  ]);
  const customerOf = new Map(members.map((m) => [m.id, m.shopifyCustomerId.toString()]));
  return {
    shop: shopRow && { installState: shopRow.installState, uninstalled: shopRow.uninstalledAt !== null },
    members: members.map((m) => ({
      customerId: m.shopifyCustomerId.toString(),
      state: m.state,
      email: m.email,
      firstName: m.firstName,
      lastName: m.lastName,
      available: m.pointsAvailable,
      pending: m.pointsPending,
      lifetimeEarned: m.lifetimeEarned,
    })),
    ledger: entries
      .sort((a, b) => (a.idempotencyKey < b.idempotencyKey ? -1 : a.idempotencyKey > b.idempotencyKey ? 1 : 0))
      .map((e) => ({
        key: e.idempotencyKey,
        customerId: customerOf.get(e.memberId),
        kind: e.kind,
        status: e.status,
        points: e.points,
        orderId: e.orderId?.toString() ?? null,
        refundId: e.refundId?.toString() ?? null,
      })),
    orders: earnings.map((o) => ({
      orderId: o.orderId.toString(),
      orderName: o.orderName,
      customerId: o.customerId?.toString() ?? null,
      status: o.status,
      points: o.points,
      eligibleBase: o.eligibleBase,
      trace: o.trace,
    })),
    refunds: refunds.map((r) => ({
      refundId: r.refundId.toString(),
      orderId: r.orderId.toString(),
      base: r.base,
      pointsReversed: r.pointsReversed,
      applied: r.appliedAt !== null,
    })),
    exports: exports.map((x) => ({ customerId: x.customerId.toString(), dataRequestId: x.dataRequestId })),
    audit: audits.map((a) => ({ action: a.action, subjectId: a.subjectId })),
    sessions,
  };
}

/** True once the delivery's job finished (or shop/redact erased the row along with the shop). */
async function deliveryDone(shop: string, webhookId: string) {
  const row = await prisma.processedWebhook.findUnique({ where: { shop_webhookId: { shop, webhookId } } });
  return row === null || row.processedAt !== null;
}

async function waitForDeliveries(shop: string, webhookIds: string[]) {
  try {
    await pipeline.waitUntil(
      async () => {
        for (const id of webhookIds) if (!(await deliveryDone(shop, id))) return false;
        return true;
      },
      { what: `deliveries ${webhookIds.join(", ")} of ${shop} to be processed` },
    );
  } catch (error) {
    const failed = (await pipeline.failedWebhookJobs()).filter((j) => j.shop === shop);
    throw new Error(`${(error as Error).message}; failed jobs: ${JSON.stringify(failed.map((j) => [j.id, j.failedReason]))}`);
  }
}

async function deliver(shop: string, step: Step, options: { webhookId?: string; eventId?: string } = {}) {
  const result = await pipeline.postWebhook(step.topic, shop, step.body, options);
  expect(result.status, `${step.topic} answered ${result.status}`).toBe(200);
  return result;
}

async function deliverAndWait(shop: string, step: Step) {
  const { webhookId } = await deliver(shop, step);
  await waitForDeliveries(shop, [webhookId]);
}

type Replay = "once" | "sequential" | "parallel" | "new-webhook-ids";
const REPLAYS = 5;

/** Runs a scenario on a fresh shop; the delivery under test is delivered as `replay` says. */
async function runScenario(scenario: Scenario, replay: Replay) {
  const { domain: shop } = await createTestShop({ currencyCode: scenario.currencyCode, ianaTimezone: scenario.ianaTimezone });
  await prisma.shop.update({ where: { domain: shop }, data: { earningRules: EARNING_RULES } });
  await scenario.setup?.(shop);
  for (const step of scenario.before(shop)) await deliverAndWait(shop, step);
  const prior = await pipelineState(shop);
  const target = scenario.target(shop);
  const webhookId = randomUUID();
  const eventId = randomUUID();
  if (replay === "once") {
    await deliver(shop, target, { webhookId, eventId });
    await waitForDeliveries(shop, [webhookId]);
  } else if (replay === "sequential") {
    // Retries of a delivery that was already handled (in-flight retries: the parallel case).
    for (let i = 0; i < REPLAYS; i++) {
      await deliver(shop, target, { webhookId, eventId });
      await waitForDeliveries(shop, [webhookId]);
    }
  } else if (replay === "parallel") {
    await Promise.all(Array.from({ length: REPLAYS }, () => deliver(shop, target, { webhookId, eventId })));
    await waitForDeliveries(shop, [webhookId]);
  } else {
    // The same event re-sent under new webhook ids: once after the first was handled, then
    // several at the same time.
    const first = await deliver(shop, target, { eventId });
    await waitForDeliveries(shop, [first.webhookId]);
    const again = await Promise.all(Array.from({ length: REPLAYS - 1 }, () => deliver(shop, target, { eventId })));
    await waitForDeliveries(shop, again.map((r) => r.webhookId));
  }
  return { shop, prior, state: await pipelineState(shop) };
}

const scenarios: Scenario[] = [
  {
    name: "orders/paid (Shopify's example: a voided, cancelled test order) earns nothing and keeps the trace",
    covers: "orders-paid.json",
    before: () => [],
    target: () => ({ topic: "orders/paid", body: sharedFixture("orders-paid.json") }),
    async verify(shop) {
      // The fixture's `id` lost digits in JSON; its gid carries the exact ones.
      const earning = await prisma.orderEarning.findUniqueOrThrow({ where: { shop_orderId: { shop, orderId: EXACT_ORDER_ID } } });
      expect(earning).toMatchObject({ status: "NO_POINTS", points: 0, earnEntryId: null });
      expect(earning.trace).toEqual([expect.objectContaining({ code: "order.test", pointsAfter: 0 })]);
      expect(await prisma.ledgerEntry.count({ where: { shop } })).toBe(0);
      expect(await prisma.member.aggregate({ where: { shop }, _sum: { pointsAvailable: true, pointsPending: true } })).toEqual({
        _sum: { pointsAvailable: 0, pointsPending: 0 },
      });
    },
  },
  {
    name: "orders/paid (the paid order with exact 18-digit ids) earns 414 points, posted, under the exact ids",
    before: () => [],
    target: () => exactPaidOrder,
    async verify(shop) {
      const earning = await prisma.orderEarning.findUniqueOrThrow({ where: { shop_orderId: { shop, orderId: EXACT_ORDER_ID } } });
      // 414.95 of goods, shipping excluded, 1 point per dollar rounded down; sold in 2021, so
      // the 14-day pending period is long over.
      expect(earning).toMatchObject({ status: "POSTED", points: 414, eligibleBase: "414.95", customerId: EXACT_ORDER_CUSTOMER_ID });
      expect(earning.orderId).toBe(820982911946154508n);
      const ledger = await ledgerOf(shop);
      expect(ledger).toHaveLength(1);
      expect(ledger[0]).toMatchObject({ kind: "EARN", status: "POSTED", points: 414, idempotencyKey: "order:820982911946154508:earn" });
      expect(ledger[0].orderId).toBe(820982911946154508n);
      expect(ledger[0].id).toBe(earning.earnEntryId);
      expect(await member(shop, 115310627314723954n)).toMatchObject({ pointsAvailable: 414, pointsPending: 0, lifetimeEarned: 414 });
      expect(await reconcileBalances(shop)).toEqual([]);
    },
  },
  {
    name: "orders/paid (EUR, taxes included, gift card, discounts) earns on 106.52 EUR of goods",
    currencyCode: "EUR",
    ianaTimezone: "Europe/Paris",
    before: () => [],
    target: () => eurPaidOrder,
    async verify(shop) {
      const earning = await prisma.orderEarning.findUniqueOrThrow({ where: { shop_orderId: { shop, orderId: 650123456789012345n } } });
      expect(earning).toMatchObject({ status: "POSTED", points: 106, eligibleBase: "106.52", currencyCode: "EUR" });
      expect(await member(shop, 710293847561029384n)).toMatchObject({ pointsAvailable: 106, lifetimeEarned: 106 });
    },
  },
  {
    name: "refunds/create (partial EUR refund) claws back in proportion: 106 × 43.67 / 106.52 → 43",
    currencyCode: "EUR",
    ianaTimezone: "Europe/Paris",
    before: () => [eurPaidOrder],
    target: () => ({ topic: "refunds/create", body: orderFixture("refunds-create-eur-partial.json") }),
    async verify(shop) {
      const refund = await prisma.orderRefund.findUniqueOrThrow({ where: { shop_refundId: { shop, refundId: 990123456789012345n } } });
      // The shirt without its VAT; the gift card and shipping were never in the base.
      expect(refund).toMatchObject({ orderId: 650123456789012345n, base: "43.67", pointsReversed: 43 });
      expect(refund.appliedAt).not.toBeNull();
      const reversal = (await ledgerOf(shop)).filter((e) => e.kind === "REVERSAL");
      expect(reversal).toHaveLength(1);
      expect(reversal[0]).toMatchObject({ points: -43, refundId: 990123456789012345n, orderId: 650123456789012345n });
      expect(await member(shop, 710293847561029384n)).toMatchObject({ pointsAvailable: 63, lifetimeEarned: 63 });
      expect(await reconcileBalances(shop)).toEqual([]);
    },
  },
  {
    name: "refunds/create (Shopify's example, every line) after a partial refund takes back exactly the rest",
    covers: "refunds-create.json",
    before: () => [exactPaidOrder, { topic: "refunds/create", body: sharedRefund({ refundId: PARTIAL_REFUND_ID, lineCount: 1 }) }],
    target: () => ({ topic: "refunds/create", body: sharedRefund() }),
    async verify(shop, prior) {
      // The partial refund (89.99 of 414.95) took round(414 × 89.99 / 414.95) = 90.
      expect(prior.refunds).toEqual([expect.objectContaining({ refundId: String(PARTIAL_REFUND_ID), pointsReversed: 90 })]);
      const refunds = await prisma.orderRefund.findMany({ where: { shop }, orderBy: { createdAt: "asc" } });
      expect(refunds.map((r) => [r.refundId, r.orderId, r.pointsReversed])).toEqual([
        [PARTIAL_REFUND_ID, EXACT_ORDER_ID, 90],
        [890088186047892319n, EXACT_ORDER_ID, 324],
      ]);
      const reversals = (await ledgerOf(shop)).filter((e) => e.kind === "REVERSAL").map((e) => e.points);
      expect(reversals).toEqual([-90, -324]);
      expect(await member(shop, EXACT_ORDER_CUSTOMER_ID)).toMatchObject({ pointsAvailable: 0, lifetimeEarned: 0 });
      expect(await reconcileBalances(shop)).toEqual([]);
    },
  },
  {
    name: "orders/cancelled (Shopify's example) reverses what the order earned",
    covers: "orders-cancelled.json",
    before: () => [exactPaidOrder],
    target: () => ({ topic: "orders/cancelled", body: sharedFixture("orders-cancelled.json") }),
    async verify(shop, prior) {
      expect(prior.members).toEqual([expect.objectContaining({ available: 414 })]);
      const earning = await prisma.orderEarning.findUniqueOrThrow({ where: { shop_orderId: { shop, orderId: EXACT_ORDER_ID } } });
      expect(earning.status).toBe("CANCELLED");
      expect(earning.cancelledAt?.toISOString()).toBe("2022-01-01T00:00:00.000Z");
      const ledger = await ledgerOf(shop);
      expect(ledger.map((e) => [e.kind, e.points, e.idempotencyKey])).toEqual([
        ["EARN", 414, "order:820982911946154508:earn"],
        ["REVERSAL", -414, "order:820982911946154508:cancel"],
      ]);
      expect(await member(shop, EXACT_ORDER_CUSTOMER_ID)).toMatchObject({ pointsAvailable: 0, pointsPending: 0, lifetimeEarned: 0 });
      expect(await reconcileBalances(shop)).toEqual([]);
    },
  },
  {
    name: "customers/create (Shopify's example) enrolls the customer with signup points",
    covers: "customers-create.json",
    before: () => [],
    target: () => ({ topic: "customers/create", body: sharedFixture("customers-create.json") }),
    async verify(shop) {
      // id 706405506930370000 in the example lost digits; its gid has them.
      const bob = await member(shop, 706405506930370084n);
      expect(bob).toMatchObject({ email: "bob@biller.com", firstName: "Bob", lastName: "Biller", state: "ACTIVE", pointsAvailable: SIGNUP_POINTS });
      const ledger = await ledgerOf(shop);
      expect(ledger.map((e) => [e.kind, e.status, e.points, e.memberId])).toEqual([["EARN", "POSTED", SIGNUP_POINTS, bob.id]]);
    },
  },
  {
    name: "customers/data_request (Shopify's example) stores an export of the customer's data and an audit row",
    covers: "customers-data_request.json",
    before: () => complianceSetup(),
    target: (shop) => ({ topic: "customers/data_request", body: sharedFixture("customers-data_request.json", shop) }),
    async verify(shop) {
      const exports = await prisma.customerDataExport.findMany({ where: { shop } });
      expect(exports).toHaveLength(1);
      const [exported] = exports;
      expect(exported).toMatchObject({ customerId: COMPLIANCE_CUSTOMER, dataRequestId: "9999" });
      const document = exported.document as {
        member: { email: string; balances: { available: number } };
        pointsHistory: { points: number }[];
        orders: { orderId: string; points: number }[];
      };
      expect(document.member).toMatchObject({ email: "john@example.com", balances: { available: SIGNUP_POINTS + 414 } });
      expect(document.pointsHistory.map((e) => e.points).sort((a, b) => a - b)).toEqual([SIGNUP_POINTS, 414]);
      expect(document.orders).toEqual([expect.objectContaining({ orderId: String(COMPLIANCE_ORDER), points: 414 })]);
      const audit = await prisma.auditLog.findMany({ where: { shop, action: "customer.data_exported" } });
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ subjectType: "customer", subjectId: String(COMPLIANCE_CUSTOMER), details: expect.objectContaining({ exportId: exported.id }) });
      // The audit row points at the export; it does not copy the personal data.
      expect(JSON.stringify(audit[0].details)).not.toContain("john@example.com");
    },
  },
  {
    name: "customers/redact (Shopify's example) erases personal data and keeps the ledger amounts",
    covers: "customers-redact.json",
    before: (shop) => [...complianceSetup(), { topic: "customers/data_request", body: sharedFixture("customers-data_request.json", shop) }],
    target: (shop) => ({ topic: "customers/redact", body: sharedFixture("customers-redact.json", shop) }),
    async verify(shop, prior) {
      expect(prior.exports).toHaveLength(1);
      const redacted = await member(shop, COMPLIANCE_CUSTOMER);
      expect(redacted).toMatchObject({
        state: "REDACTED", email: null, firstName: null, lastName: null, birthday: null, tags: [],
        pointsAvailable: SIGNUP_POINTS + 414, lifetimeEarned: SIGNUP_POINTS + 414,
      });
      const after = await pipelineState(shop);
      expect(after.ledger).toEqual(prior.ledger);
      expect(after.orders).toEqual([expect.objectContaining({ orderId: String(COMPLIANCE_ORDER), orderName: null, points: 414 })]);
      expect(await prisma.customerDataExport.count({ where: { shop } })).toBe(0);
      expect(await prisma.auditLog.count({ where: { shop, action: "customer.redacted", subjectId: String(COMPLIANCE_CUSTOMER) } })).toBe(1);
      // No stored delivery body still names the customer.
      const bodies = await prisma.processedWebhook.findMany({ where: { shop, payload: { not: null } } });
      expect(bodies.filter((b) => JSON.stringify(b.payload).includes("john@example.com"))).toEqual([]);
      expect(await reconcileBalances(shop)).toEqual([]);
    },
  },
  {
    name: "shop/redact (Shopify's example) deletes everything the shop had",
    covers: "shop-redact.json",
    setup: storeOfflineSession,
    before: () => [...complianceSetup(), { topic: "app/uninstalled", body: sharedFixture("app-uninstalled.json") }],
    target: (shop) => ({ topic: "shop/redact", body: sharedFixture("shop-redact.json", shop) }),
    async verify(shop, prior) {
      expect(prior.members.length).toBeGreaterThan(0);
      expect(prior.ledger.length).toBeGreaterThan(0);
      expect(prior.audit.length).toBeGreaterThan(0);
      expect(await prisma.shop.findUnique({ where: { domain: shop } })).toBeNull();
      const counts = await Promise.all([
        prisma.member.count({ where: { shop } }),
        prisma.ledgerEntry.count({ where: { shop } }),
        prisma.ledgerLotAllocation.count({ where: { shop } }),
        prisma.orderEarning.count({ where: { shop } }),
        prisma.orderRefund.count({ where: { shop } }),
        prisma.customerDataExport.count({ where: { shop } }),
        prisma.auditLog.count({ where: { shop } }),
        prisma.session.count({ where: { shop } }),
      ]);
      expect(counts).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
      // Only the record that the erasure was done remains (ids and dates, no body), so a replay
      // of shop/redact is acknowledged instead of stored again.
      const deliveries = await prisma.processedWebhook.findMany({ where: { shop } });
      expect(deliveries.map((d) => ({ topic: d.topic, payload: d.payload, done: d.processedAt !== null }))).toEqual([
        { topic: "shop/redact", payload: null, done: true },
      ]);
    },
  },
  {
    name: "app/uninstalled (Shopify's example) marks the shop uninstalled; later order webhooks are ignored",
    covers: "app-uninstalled.json",
    setup: storeOfflineSession,
    before: () => [exactPaidOrder],
    target: () => ({ topic: "app/uninstalled", body: sharedFixture("app-uninstalled.json") }),
    async verify(shop, prior) {
      expect(prior.sessions).toBe(1);
      const row = await prisma.shop.findUniqueOrThrow({ where: { domain: shop } });
      expect(row.installState).toBe("UNINSTALLED");
      expect(row.uninstalledAt).not.toBeNull();
      expect(await prisma.session.count({ where: { shop } })).toBe(0);
      expect(await prisma.auditLog.count({ where: { shop, action: "app.uninstalled" } })).toBe(1);
      // The loyalty data stays until shop/redact, in case the merchant reinstalls.
      expect(await member(shop, EXACT_ORDER_CUSTOMER_ID)).toMatchObject({ pointsAvailable: 414 });

      const afterUninstall = await pipelineState(shop);
      const later = { topic: "orders/paid", body: paidOrderVariant({ orderId: 820982911946154999n }) };
      const { webhookId } = await deliver(shop, later);
      await waitForDeliveries(shop, [webhookId]);
      expect(await prisma.orderEarning.findUnique({ where: { shop_orderId: { shop, orderId: 820982911946154999n } } })).toBeNull();
      expect(await pipelineState(shop)).toEqual(afterUninstall);
      const delivery = await prisma.processedWebhook.findUniqueOrThrow({ where: { shop_webhookId: { shop, webhookId } } });
      expect(delivery.payload).toBeNull();
    },
  },
];

async function storeOfflineSession(shop: string) {
  await prisma.session.create({
    data: { id: `offline_${shop}`, shop, state: "", isOnline: false, scope: "read_orders", accessToken: `shpat_${randomBytes(8).toString("hex")}` },
  });
}

/** orders/create is documented but not subscribed: nothing may handle it. */
const UNSUBSCRIBED_FIXTURES = ["orders-create.json"];

beforeAll(async () => {
  pipeline = await startPipeline({ workerConcurrency: 5 });
}, 180_000);

afterAll(async () => {
  await pipeline?.stop();
}, 60_000);

describe("Shopify's webhook examples over HTTP, through Redis and the worker process", () => {
  it("has a scenario for every shared fixture the app subscribes to", () => {
    const toml = readFileSync(path.join(repoRoot, "shopify.app.toml"), "utf8");
    const subscribed = (name: string) => toml.includes(`"${topicOfFixture(name)}"`);
    const names = sharedFixtureNames();
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      if (UNSUBSCRIBED_FIXTURES.includes(name)) {
        expect(subscribed(name), name).toBe(false);
      } else {
        expect(subscribed(name), name).toBe(true);
        expect(scenarios.some((s) => s.covers === name), `no scenario delivers ${name}`).toBe(true);
      }
    }
  });

  for (const scenario of scenarios) {
    it(scenario.name, async () => {
      const { shop, prior } = await runScenario(scenario, "once");
      await scenario.verify(shop, prior);
      // Each job cleared the body it no longer needed.
      expect(await prisma.processedWebhook.count({ where: { shop, OR: [{ processedAt: null }, { payload: { not: null } }] } })).toBe(0);
    }, 60_000);
  }

  it("orders/create, which the app does not subscribe to, has no route and writes nothing", async () => {
    expect(existsSync(path.join(repoRoot, "app/routes/webhooks.orders.create.tsx"))).toBe(false);
    const { domain: shop } = await createTestShop();
    const before = await pipeline.webhookQueueCounts();
    const result = await pipeline.postWebhook("orders/create", shop, sharedFixture("orders-create.json"));
    expect(result.status).toBe(404);
    // Give a wrongly accepted delivery the time to reach the worker before looking.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await prisma.processedWebhook.count({ where: { shop } })).toBe(0);
    expect(await prisma.orderEarning.count({ where: { shop } })).toBe(0);
    expect(await prisma.member.count({ where: { shop } })).toBe(0);
    const after = await pipeline.webhookQueueCounts();
    expect(after.waiting + after.active + after.completed + after.failed + after.delayed).toBe(
      before.waiting + before.active + before.completed + before.failed + before.delayed,
    );
  });

  it("keeps an 18-digit order id exact from the HTTP body to LedgerEntry and OrderEarning", async () => {
    const { domain: shop } = await createTestShop();
    // Without the gids, the digits exist only as bare JSON numbers, which JSON.parse rounds.
    const order = parse(orderFixture("orders-paid-exact-ids.json")) as { admin_graphql_api_id?: string; customer: { admin_graphql_api_id?: string } };
    delete order.admin_graphql_api_id;
    delete order.customer.admin_graphql_api_id;
    const body = stringify(order) as string;
    expect(body).toContain('"id":820982911946154508,');
    expect(body).not.toContain("gid://shopify/Order/");
    expect(String(JSON.parse(body).id)).not.toBe("820982911946154508");

    const { webhookId } = await deliver(shop, { topic: "orders/paid", body });
    await waitForDeliveries(shop, [webhookId]);
    const earning = await prisma.orderEarning.findFirstOrThrow({ where: { shop } });
    const entry = await prisma.ledgerEntry.findFirstOrThrow({ where: { shop } });
    expect(earning.orderId).toBe(820982911946154508n);
    expect(earning.customerId).toBe(115310627314723954n);
    expect(entry.orderId).toBe(820982911946154508n);
    expect(entry.points).toBe(414);
    expect((await prisma.member.findFirstOrThrow({ where: { shop } })).shopifyCustomerId).toBe(115310627314723954n);
  });
});

describe("replays over HTTP: same delivery 5× in a row, 5× at once, and the same event under new webhook ids", () => {
  for (const scenario of scenarios) {
    it(`${scenario.name}: replays leave the state of one delivery`, async () => {
      const once = await runScenario(scenario, "once");
      const [sequential, parallel, newIds] = await Promise.all([
        runScenario(scenario, "sequential"),
        runScenario(scenario, "parallel"),
        runScenario(scenario, "new-webhook-ids"),
      ]);
      for (const [mode, run] of [["sequential", sequential], ["parallel", parallel], ["new webhook ids", newIds]] as const) {
        expect(run.state.ledger, `${mode}: ledger`).toEqual(once.state.ledger);
        expect(run.state.members, `${mode}: members and balances`).toEqual(once.state.members);
        expect(run.state, `${mode}: everything the pipeline wrote`).toEqual(once.state);
        if (run.state.shop) expect(await reconcileBalances(run.shop), `${mode}: balance drift`).toEqual([]);
      }
      expect(await pipeline.failedWebhookJobs()).toEqual([]);
    }, 90_000);
  }
});

describe("the app's doors over HTTP", () => {
  it("answers a forged HMAC with 401 and stores nothing", async () => {
    const { domain: shop } = await createTestShop();
    const before = await pipeline.webhookQueueCounts();
    const forged = await pipeline.postWebhook("orders/paid", shop, orderFixture("orders-paid-exact-ids.json"), { secret: "not-the-app-secret" });
    expect(forged.status).toBe(401);
    const tampered = await fetch(`${pipeline.baseUrl}/webhooks/orders/paid`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "User-Agent": "Shopify-Captain-Hook",
        "X-Shopify-Topic": "orders/paid",
        "X-Shopify-Shop-Domain": shop,
        "X-Shopify-Hmac-Sha256": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "X-Shopify-Webhook-Id": randomUUID(),
        "X-Shopify-Event-Id": randomUUID(),
        "X-Shopify-Triggered-At": new Date().toISOString(),
        "X-Shopify-API-Version": "2025-10",
      },
      body: orderFixture("orders-paid-exact-ids.json"),
    });
    expect(tampered.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await prisma.processedWebhook.count({ where: { shop } })).toBe(0);
    expect(await prisma.orderEarning.count({ where: { shop } })).toBe(0);
    const after = await pipeline.webhookQueueCounts();
    expect(after.waiting + after.active + after.completed).toBe(before.waiting + before.active + before.completed);
  });

  it("never serves /app data without a Shopify session token", async () => {
    const { domain: shop } = await createTestShop();
    const shopName = `Nest ${randomBytes(4).toString("hex")}`;
    await prisma.shop.update({ where: { domain: shop }, data: { name: shopName } });
    await storeOfflineSession(shop);
    const host = Buffer.from(`admin.shopify.com/store/${shop.split(".")[0]}`).toString("base64url");
    const attempts: [string, RequestInit?][] = [
      ["/app"],
      [`/app?shop=${shop}`],
      [`/app?shop=${shop}&host=${host}&embedded=1`],
      [`/app?_data=routes%2Fapp._index&shop=${shop}&host=${host}`],
      [`/app?_data=routes%2Fapp._index&shop=${shop}`, { headers: { Authorization: "Bearer not.a.jwt" } }],
    ];
    for (const [url, init] of attempts) {
      const response = await pipeline.request(url, init);
      const body = await response.text();
      expect(body, url).not.toContain(shopName);
      expect(body, url).not.toContain("pointsAvailable");
      // A document request is redirected, a Remix data request gets the redirect as a header.
      const redirect =
        response.headers.get("x-remix-redirect") ?? (response.status >= 300 && response.status < 400 ? response.headers.get("location") : null);
      if (redirect !== null) {
        const target = new URL(redirect, pipeline.baseUrl);
        // Into the OAuth/session-token flow, or out to the Shopify admin to load embedded there.
        const toAuth = target.origin === pipeline.baseUrl && target.pathname.startsWith("/auth/");
        const toAdmin = target.origin === "https://admin.shopify.com";
        expect(toAuth || toAdmin, `${url} redirected to ${redirect}`).toBe(true);
      } else {
        expect([401, 403], `${url} answered ${response.status}`).toContain(response.status);
      }
    }
  });
});
