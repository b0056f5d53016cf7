import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { classifyJobError } from "~/jobs/errors";
import * as queueModule from "~/jobs/queue.server";
import * as ledger from "~/models/ledger.server";
import { postPendingPoints } from "~/services/order-earning.server";
import { guestEmailHash } from "~/services/customer-facts.server";
import { closeAdvisoryLocks, withAdvisoryLock } from "~/utils/advisory-lock.server";
import { createTestShop, prisma } from "../helpers/db";
import { useIsolatedJobQueue, waitFor } from "../helpers/jobs";
import {
  FIXTURE_CUSTOMER_ID,
  FIXTURE_LINES,
  FIXTURE_REFUND_ID,
  appUninstalledPayload,
  balanceOf,
  cancelledOrderPayload,
  configureShop,
  customerPayload,
  customerRedactPayload,
  dataRequestPayload,
  deliver,
  findMember,
  fixtureFullRefundPayload,
  fulfilledOrderPayload,
  ledgerDrift,
  ledgerEntriesOf,
  memberOf,
  orderEarning,
  orderEarningOrThrow,
  orderPayload,
  refundPayload,
  runDelivery,
  runJob,
  shopRedactPayload,
  shopifyId,
  storeDelivery,
  type RefundLine,
  type StoredDelivery,
} from "../helpers/pipeline";

// Scenario tests of the earning pipeline: webhook deliveries stored as the intake stores them and
// the registered jobs run on {shop, webhookId}, against real PostgreSQL; enqueues (the delayed
// posting job) go to this file's own Redis prefix. Every expectation is an exact integer derived
// by hand from the fixture order: five lines worth 414.95 (shipping excluded by default), so the
// default program (1 point per dollar, floor) earns 414 points.

const queue = useIsolatedJobQueue();
afterAll(closeAdvisoryLocks);

const C = FIXTURE_CUSTOMER_ID;
const { sunglasses, protectionPlan, leatherCase, lounger, coffeeTable } = FIXTURE_LINES;

// Refunds of the fixture order, and what each takes back on running totals:
//   R1 89.99           → round_half_up(414 × 89.99 / 414.95)  = 90        → 90
//   R2 159.99 (249.98) → round_half_up(414 × 249.98 / 414.95) = 249 − 90  → 159
//   R3 164.97 (414.95) → 414 − 249                                        → 165
const R1_LINES: RefundLine[] = [{ line: sunglasses }];
const R2_LINES: RefundLine[] = [{ line: lounger }];
const R3_LINES: RefundLine[] = [{ line: protectionPlan }, { line: leatherCase }, { line: coffeeTable }];
const ALL_LINES: RefundLine[] = [...R1_LINES, ...R2_LINES, ...R3_LINES];

type ShopSettings = Parameters<typeof configureShop>[1];

async function newShop(settings: ShopSettings = {}): Promise<string> {
  const { domain } = await createTestShop();
  if (Object.keys(settings).length > 0) await configureShop(domain, settings);
  return domain;
}

/** The stored trace's step codes, in order. */
function traceCodes(earning: { trace: unknown }): string[] {
  return (earning.trace as { code: string }[]).map((step) => step.code);
}

function traceStep(earning: { trace: unknown }, code: string) {
  return (earning.trace as { code: string; params: Record<string, unknown>; pointsAfter?: number }[]).find((s) => s.code === code);
}

function availableAtOf(earning: { availableAt: Date | null }): Date {
  if (!earning.availableAt) throw new Error("the earning has no availableAt");
  return earning.availableAt;
}

const refund = (orderId: bigint, lines: RefundLine[], id = shopifyId()) => refundPayload({ id, orderId, lines });

/** A member with points from before the scenario, so over-reversal would show in the balance. */
async function memberWithPoints(shop: string, customerId: bigint, points: number) {
  await deliver(shop, "customers/create", customerPayload({ id: customerId, email: "prior@example.com" }));
  const member = await memberOf(shop, customerId);
  await ledger.credit(shop, member.id, { kind: "ADJUST", points, idempotencyKey: "test:opening-balance", reason: "opening_balance", actor: "test" });
  return member;
}

// --------------------------------------------------------------------------------------------

describe("earning", () => {
  it("a paid order earns floor(subtotal) as pending points, spendable once the pending period is over", async () => {
    const shop = await newShop();
    const orderId = shopifyId();
    const processedAt = new Date(Date.now() - 60_000);
    const delivery = await deliver(shop, "orders/paid", orderPayload({ id: orderId, processedAt }));

    const earning = await orderEarningOrThrow(shop, orderId);
    expect(earning).toMatchObject({ status: "PENDING", points: 414, eligibleBase: "414.95", customerId: C, currencyCode: "USD" });
    expect(traceStep(earning, "base.computed")?.params).toMatchObject({ amount: "414.95", eligibleLines: 5, includeShipping: false });
    expect(traceStep(earning, "rate.applied")).toMatchObject({ params: { pointsPerUnit: "1", rounding: "floor" }, pointsAfter: 414 });
    expect(await balanceOf(shop, C)).toEqual({ available: 0, pending: 414, lifetimeEarned: 0 });

    // Fourteen calendar days on the shop's wall clock: 14 × 24 h, give or take a DST hour.
    const availableAt = availableAtOf(earning);
    expect(Math.abs(availableAt.getTime() - processedAt.getTime() - 14 * 86_400_000)).toBeLessThanOrEqual(3_600_000);
    // One posting job per order, due when its pending period ends.
    const posting = await queue().getJobStatus("default", `post-pending-points:${shop}:${orderId}`);
    expect(posting?.state).toBe("delayed");
    const job = await queue().backend.bullQueue?.("default").getJob(`post-pending-points:${shop}:${orderId}`);
    expect(Math.abs((job?.timestamp ?? 0) + (job?.opts.delay ?? 0) - availableAt.getTime())).toBeLessThan(60_000);

    // The delivery is done and no longer holds the customer's data.
    const stored = await prisma.processedWebhook.findUniqueOrThrow({ where: { shop_webhookId: { shop, webhookId: delivery.webhookId } } });
    expect(stored.processedAt).toBeInstanceOf(Date);
    expect(stored.payload).toBeNull();

    // The posting job firing early (a clock skew, a manual retry) posts nothing.
    await runJob("post-pending-points", { shop, orderId: orderId.toString() });
    await postPendingPoints(shop, orderId, new Date(availableAt.getTime() - 1));
    expect(await balanceOf(shop, C)).toEqual({ available: 0, pending: 414, lifetimeEarned: 0 });

    await postPendingPoints(shop, orderId, availableAt);
    expect(await balanceOf(shop, C)).toEqual({ available: 414, pending: 0, lifetimeEarned: 414 });
    const posted = await orderEarningOrThrow(shop, orderId);
    expect(posted.status).toBe("POSTED");
    const entries = await ledgerEntriesOf(shop, { orderId });
    expect(entries.map((e) => [e.kind, e.status, e.points])).toEqual([["EARN", "PENDING", 414], ["EARN", "POSTED", 414]]);
    expect(entries[1].pendingId).toBe(entries[0].id);
    expect(posted.earnEntryId).toBe(entries[1].id);

    // Posting again (the delayed job and the sweep both fire) changes nothing.
    await postPendingPoints(shop, orderId, new Date(availableAt.getTime() + 86_400_000));
    expect(await balanceOf(shop, C)).toEqual({ available: 414, pending: 0, lifetimeEarned: 414 });
    expect(await ledgerDrift(shop)).toEqual([]);
  });

  it("with pendingDays 0 the points are available at once and no posting job is scheduled", async () => {
    const shop = await newShop({ pendingDays: 0 });
    const orderId = shopifyId();
    await deliver(shop, "orders/paid", orderPayload({ id: orderId }));

    const earning = await orderEarningOrThrow(shop, orderId);
    expect(earning).toMatchObject({ status: "POSTED", points: 414 });
    expect(await balanceOf(shop, C)).toEqual({ available: 414, pending: 0, lifetimeEarned: 414 });
    const entries = await ledgerEntriesOf(shop, { orderId });
    expect(entries.map((e) => [e.kind, e.status, e.points])).toEqual([["EARN", "POSTED", 414]]);
    expect(await queue().getJobStatus("default", `post-pending-points:${shop}:${orderId}`)).toBeNull();
  });

  it("replays of orders/paid, under the same or a new webhook id, earn once", async () => {
    const shop = await newShop({ pendingDays: 0 });
    const orderId = shopifyId();
    const body = orderPayload({ id: orderId });
    const first = await deliver(shop, "orders/paid", body);
    await deliver(shop, "orders/paid", body, { webhookId: first.webhookId });
    await deliver(shop, "orders/paid", body);

    expect(await balanceOf(shop, C)).toEqual({ available: 414, pending: 0, lifetimeEarned: 414 });
    expect(await ledgerEntriesOf(shop)).toHaveLength(1);
    expect(await prisma.processedWebhook.count({ where: { shop } })).toBe(2);
  });

  it("with the ORDER_FULFILLED trigger, orders/paid earns nothing and orders/fulfilled earns", async () => {
    const shop = await newShop({ earnTrigger: "ORDER_FULFILLED", pendingDays: 0 });
    const orderId = shopifyId();
    await deliver(shop, "orders/paid", orderPayload({ id: orderId }));
    expect(await orderEarning(shop, orderId)).toBeNull();
    expect(await findMember(shop, C)).toBeNull();
    expect(await ledgerEntriesOf(shop)).toEqual([]);

    await deliver(shop, "orders/fulfilled", fulfilledOrderPayload({ id: orderId }));
    expect(await orderEarningOrThrow(shop, orderId)).toMatchObject({ status: "POSTED", points: 414 });
    expect(await balanceOf(shop, C)).toEqual({ available: 414, pending: 0, lifetimeEarned: 414 });

    // A late orders/paid of the same order cannot add to it.
    await deliver(shop, "orders/paid", orderPayload({ id: orderId }));
    expect(await balanceOf(shop, C)).toEqual({ available: 414, pending: 0, lifetimeEarned: 414 });
  });

  it("with the ORDER_PAID trigger, orders/fulfilled earns nothing more", async () => {
    const shop = await newShop({ pendingDays: 0 });
    const orderId = shopifyId();
    await deliver(shop, "orders/paid", orderPayload({ id: orderId }));
    await deliver(shop, "orders/fulfilled", fulfilledOrderPayload({ id: orderId }));
    expect(await balanceOf(shop, C)).toEqual({ available: 414, pending: 0, lifetimeEarned: 414 });
    expect(await ledgerEntriesOf(shop)).toHaveLength(1);
  });

  it("a paused program records NO_POINTS with a trace that says so, and writes no points", async () => {
    const shop = await newShop({ programEnabled: false });
    const orderId = shopifyId();
    await deliver(shop, "orders/paid", orderPayload({ id: orderId }));

    const earning = await orderEarningOrThrow(shop, orderId);
    expect(earning).toMatchObject({ status: "NO_POINTS", points: 0, earnEntryId: null, customerId: C });
    expect(earning.trace).toEqual([{ code: "program.paused", params: {} }]);
    expect(await ledgerEntriesOf(shop)).toEqual([]);
    expect(await balanceOf(shop, C)).toEqual({ available: 0, pending: 0, lifetimeEarned: 0 });
  });

  it("the stored trace explains a zero: a test order, an order below the minimum", async () => {
    const shop = await newShop({ earningRules: { purchase: { minimumOrder: "500" } } });
    const testOrderId = shopifyId();
    const smallOrderId = shopifyId();
    await deliver(shop, "orders/paid", orderPayload({ id: testOrderId, test: true }));
    await deliver(shop, "orders/paid", orderPayload({ id: smallOrderId }));

    const testOrder = await orderEarningOrThrow(shop, testOrderId);
    expect(testOrder).toMatchObject({ status: "NO_POINTS", points: 0, eligibleBase: "0.00" });
    expect(traceCodes(testOrder)).toEqual(["order.test"]);
    expect(traceStep(testOrder, "order.test")).toMatchObject({ params: { orderId: testOrderId.toString() }, pointsAfter: 0 });

    const smallOrder = await orderEarningOrThrow(shop, smallOrderId);
    expect(smallOrder).toMatchObject({ status: "NO_POINTS", points: 0, eligibleBase: "414.95" });
    expect(traceCodes(smallOrder).at(-1)).toBe("order.below_minimum");
    expect(traceStep(smallOrder, "order.below_minimum")).toMatchObject({
      params: { minimum: "500", base: "414.95", currency: "USD" },
      pointsAfter: 0,
    });
    expect(await ledgerEntriesOf(shop)).toEqual([]);
  });
});

// --------------------------------------------------------------------------------------------

describe("refunds", () => {
  it("posted points: partial refunds in sequence take back exactly the proportional amount with REVERSAL entries", async () => {
    const shop = await newShop({ pendingDays: 0 });
    const orderId = shopifyId();
    await deliver(shop, "orders/paid", orderPayload({ id: orderId }));
    const earnEntryId = (await orderEarningOrThrow(shop, orderId)).earnEntryId;

    const refundIds = [shopifyId(), shopifyId(), shopifyId()];
    const balances = [];
    for (const [i, lines] of [R1_LINES, R2_LINES, R3_LINES].entries()) {
      await deliver(shop, "refunds/create", refund(orderId, lines, refundIds[i]));
      balances.push(await balanceOf(shop, C));
    }
    expect(balances).toEqual([
      { available: 324, pending: 0, lifetimeEarned: 324 },
      { available: 165, pending: 0, lifetimeEarned: 165 },
      { available: 0, pending: 0, lifetimeEarned: 0 },
    ]);
    const reversals = (await ledgerEntriesOf(shop, { orderId })).filter((e) => e.kind === "REVERSAL");
    expect(reversals.map((e) => [e.points, e.shortfall, e.refundId, e.reversesId])).toEqual([
      [-90, 0, refundIds[0], earnEntryId],
      [-159, 0, refundIds[1], earnEntryId],
      [-165, 0, refundIds[2], earnEntryId],
    ]);
    const refunds = await prisma.orderRefund.findMany({ where: { shop, orderId }, orderBy: { createdAt: "asc" } });
    expect(refunds.map((r) => [r.refundId, r.base, r.pointsReversed])).toEqual([
      [refundIds[0], "89.99", 90],
      [refundIds[1], "159.99", 159],
      [refundIds[2], "164.97", 165],
    ]);

    // A replayed refund (Shopify retries) takes nothing more.
    await deliver(shop, "refunds/create", refund(orderId, R2_LINES, refundIds[1]));
    expect(await balanceOf(shop, C)).toEqual({ available: 0, pending: 0, lifetimeEarned: 0 });
    expect(await ledgerDrift(shop)).toEqual([]);
  });

  it("posted points: Shopify's documented full refund takes back exactly what the order earned", async () => {
    const shop = await newShop({ pendingDays: 0 });
    const orderId = 820982911946154508n;
    await memberWithPoints(shop, C, 1000);
    await deliver(shop, "orders/paid", orderPayload({ id: orderId }));
    expect(await balanceOf(shop, C)).toEqual({ available: 1414, pending: 0, lifetimeEarned: 1414 });

    await deliver(shop, "refunds/create", fixtureFullRefundPayload(orderId));
    expect(await balanceOf(shop, C)).toEqual({ available: 1000, pending: 0, lifetimeEarned: 1000 });
    const applied = await prisma.orderRefund.findUniqueOrThrow({ where: { shop_refundId: { shop, refundId: FIXTURE_REFUND_ID } } });
    expect(applied).toMatchObject({ orderId, base: "414.95", pointsReversed: 414 });
  });

  it("pending points: each refund voids the pending credit and reissues the rest, so pending stays exact", async () => {
    const shop = await newShop();
    const orderId = shopifyId();
    await deliver(shop, "orders/paid", orderPayload({ id: orderId }));
    const first = await orderEarningOrThrow(shop, orderId);
    const availableAt = availableAtOf(first);

    const r1 = shopifyId();
    await deliver(shop, "refunds/create", refund(orderId, R1_LINES, r1));
    expect(await balanceOf(shop, C)).toEqual({ available: 0, pending: 324, lifetimeEarned: 0 });
    const afterR1 = await orderEarningOrThrow(shop, orderId);
    const reissued = await prisma.ledgerEntry.findUniqueOrThrow({ where: { shop_id: { shop, id: afterR1.earnEntryId ?? -1n } } });
    expect(reissued).toMatchObject({ kind: "EARN", status: "PENDING", points: 324, orderId });
    const voided = await prisma.ledgerEntry.findUniqueOrThrow({ where: { shop_pendingId: { shop, pendingId: first.earnEntryId ?? -1n } } });
    expect(voided).toMatchObject({ kind: "EARN", status: "VOIDED", points: 414 });
    // The order's posting job, due when the pending period ends, posts whichever entry is pending then.
    expect((await queue().getJobStatus("default", `post-pending-points:${shop}:${orderId}`))?.state).toBe("delayed");

    await deliver(shop, "refunds/create", refund(orderId, R2_LINES));
    expect(await balanceOf(shop, C)).toEqual({ available: 0, pending: 165, lifetimeEarned: 0 });

    // The pending period ends: only what was not refunded becomes spendable.
    await postPendingPoints(shop, orderId, availableAt);
    expect(await balanceOf(shop, C)).toEqual({ available: 165, pending: 0, lifetimeEarned: 165 });

    // The last refund arrives after posting: a REVERSAL of the posted remainder.
    await deliver(shop, "refunds/create", refund(orderId, R3_LINES));
    expect(await balanceOf(shop, C)).toEqual({ available: 0, pending: 0, lifetimeEarned: 0 });
    const refunds = await prisma.orderRefund.findMany({ where: { shop, orderId }, orderBy: { createdAt: "asc" } });
    expect(refunds.map((r) => r.pointsReversed)).toEqual([90, 159, 165]);
    expect(await ledgerDrift(shop)).toEqual([]);
  });

  it("pending points: a full refund voids the pending credit and leaves nothing to post", async () => {
    const shop = await newShop();
    const orderId = shopifyId();
    await deliver(shop, "orders/paid", orderPayload({ id: orderId }));
    const availableAt = availableAtOf(await orderEarningOrThrow(shop, orderId));

    await deliver(shop, "refunds/create", refund(orderId, ALL_LINES));
    expect(await balanceOf(shop, C)).toEqual({ available: 0, pending: 0, lifetimeEarned: 0 });
    expect((await orderEarningOrThrow(shop, orderId)).earnEntryId).toBeNull();

    await postPendingPoints(shop, orderId, availableAt);
    expect(await balanceOf(shop, C)).toEqual({ available: 0, pending: 0, lifetimeEarned: 0 });
    const entries = await ledgerEntriesOf(shop, { orderId });
    expect(entries.map((e) => [e.kind, e.status, e.points])).toEqual([["EARN", "PENDING", 414], ["EARN", "VOIDED", 414]]);
  });

  it("a refund that arrives before orders/paid is applied when the order earns (posted and pending)", async () => {
    for (const pendingDays of [0, 14]) {
      const shop = await newShop({ pendingDays });
      const orderId = shopifyId();
      await deliver(shop, "refunds/create", refund(orderId, R1_LINES));
      expect(await prisma.orderRefund.findFirstOrThrow({ where: { shop, orderId } })).toMatchObject({ appliedAt: null, pointsReversed: null });
      expect(await findMember(shop, C)).toBeNull();

      await deliver(shop, "orders/paid", orderPayload({ id: orderId }));
      expect(await balanceOf(shop, C)).toEqual(
        pendingDays === 0 ? { available: 324, pending: 0, lifetimeEarned: 324 } : { available: 0, pending: 324, lifetimeEarned: 0 },
      );
      expect(await prisma.orderRefund.findFirstOrThrow({ where: { shop, orderId } })).toMatchObject({ pointsReversed: 90, base: "89.99" });
      expect(await ledgerDrift(shop)).toEqual([]);
    }
  });

  it("a refund after the order was cancelled changes nothing", async () => {
    const shop = await newShop({ pendingDays: 0 });
    const orderId = shopifyId();
    await memberWithPoints(shop, C, 1000);
    await deliver(shop, "orders/paid", orderPayload({ id: orderId }));
    await deliver(shop, "orders/cancelled", cancelledOrderPayload({ id: orderId }));
    expect(await balanceOf(shop, C)).toEqual({ available: 1000, pending: 0, lifetimeEarned: 1000 });
    const entriesBefore = await ledgerEntriesOf(shop);

    await deliver(shop, "refunds/create", refund(orderId, ALL_LINES));
    expect(await balanceOf(shop, C)).toEqual({ available: 1000, pending: 0, lifetimeEarned: 1000 });
    expect(await ledgerEntriesOf(shop)).toEqual(entriesBefore);
    expect(await prisma.orderRefund.findFirstOrThrow({ where: { shop, orderId } })).toMatchObject({ pointsReversed: null, clawbackEntryId: null });
  });

  it("refunds after the points were spent: available never goes below zero and the shortfall is recorded", async () => {
    const shop = await newShop({ pendingDays: 0 });
    const orderId = shopifyId();
    await deliver(shop, "orders/paid", orderPayload({ id: orderId }));
    const member = await memberOf(shop, C);
    // The customer redeems 400 of the 414 points on a later order.
    const { entry: held } = await ledger.hold(shop, member.id, { points: 400, orderId: shopifyId(), redemptionId: "reward-1", idempotencyKey: "test:redeem:hold" });
    await ledger.capture(shop, held.id, { idempotencyKey: "test:redeem:capture" });
    expect(await balanceOf(shop, C)).toEqual({ available: 14, pending: 0, lifetimeEarned: 414 });

    await deliver(shop, "refunds/create", refund(orderId, R1_LINES));
    expect(await balanceOf(shop, C)).toEqual({ available: 0, pending: 0, lifetimeEarned: 324 });
    await deliver(shop, "refunds/create", refund(orderId, R2_LINES));
    expect(await balanceOf(shop, C)).toEqual({ available: 0, pending: 0, lifetimeEarned: 165 });
    await deliver(shop, "orders/cancelled", cancelledOrderPayload({ id: orderId }));
    expect(await balanceOf(shop, C)).toEqual({ available: 0, pending: 0, lifetimeEarned: 0 });

    const reversals = (await ledgerEntriesOf(shop, { orderId })).filter((e) => e.kind === "REVERSAL");
    expect(reversals.map((e) => [e.points, e.shortfall])).toEqual([[-14, 76], [0, 159], [0, 165]]);
    // Everything asked back is accounted for: what was taken plus what had been spent.
    expect(reversals.reduce((sum, e) => sum - e.points + e.shortfall, 0)).toBe(414);
    expect(await ledgerDrift(shop)).toEqual([]);
  });
});

// --------------------------------------------------------------------------------------------

describe("cancellation", () => {
  it("cancelling after pending points were earned voids them: net zero for the order", async () => {
    const shop = await newShop();
    const orderId = shopifyId();
    await deliver(shop, "orders/paid", orderPayload({ id: orderId }));
    const availableAt = availableAtOf(await orderEarningOrThrow(shop, orderId));
    const cancelledAt = new Date(Date.now() - 1000);

    await deliver(shop, "orders/cancelled", cancelledOrderPayload({ id: orderId, cancelledAt }));
    expect(await balanceOf(shop, C)).toEqual({ available: 0, pending: 0, lifetimeEarned: 0 });
    expect(await orderEarningOrThrow(shop, orderId)).toMatchObject({ status: "CANCELLED", cancelledAt });
    const entries = await ledgerEntriesOf(shop, { orderId });
    expect(entries.map((e) => [e.kind, e.status, e.points])).toEqual([["EARN", "PENDING", 414], ["EARN", "VOIDED", 414]]);

    // The posting job still fires when the period ends: nothing is posted.
    await postPendingPoints(shop, orderId, availableAt);
    await deliver(shop, "orders/cancelled", cancelledOrderPayload({ id: orderId, cancelledAt }));
    expect(await balanceOf(shop, C)).toEqual({ available: 0, pending: 0, lifetimeEarned: 0 });
    expect(await ledgerEntriesOf(shop, { orderId })).toHaveLength(2);
  });

  it("cancelling after the points were posted and partly refunded reverses the rest: net zero for the order", async () => {
    const shop = await newShop({ pendingDays: 0 });
    const orderId = shopifyId();
    await memberWithPoints(shop, C, 1000);
    await deliver(shop, "orders/paid", orderPayload({ id: orderId }));
    await deliver(shop, "refunds/create", refund(orderId, R1_LINES));
    expect(await balanceOf(shop, C)).toEqual({ available: 1324, pending: 0, lifetimeEarned: 1324 });

    await deliver(shop, "orders/cancelled", cancelledOrderPayload({ id: orderId }));
    expect(await balanceOf(shop, C)).toEqual({ available: 1000, pending: 0, lifetimeEarned: 1000 });
    const entries = await ledgerEntriesOf(shop, { orderId });
    expect(entries.map((e) => [e.kind, e.points, e.reason])).toEqual([
      ["EARN", 414, "order"],
      ["REVERSAL", -90, "refund"],
      ["REVERSAL", -324, "order_cancelled"],
    ]);
    expect(await orderEarningOrThrow(shop, orderId)).toMatchObject({ status: "CANCELLED" });
    expect(await ledgerDrift(shop)).toEqual([]);
  });

  it("an order cancelled before its paid webhook arrives never earns", async () => {
    const shop = await newShop({ pendingDays: 0 });
    const orderId = shopifyId();
    await deliver(shop, "orders/cancelled", cancelledOrderPayload({ id: orderId }));
    const cancelled = await orderEarningOrThrow(shop, orderId);
    expect(cancelled).toMatchObject({ status: "CANCELLED", points: 0 });
    expect(traceCodes(cancelled)).toEqual(["order.cancelled_before_earning"]);

    await deliver(shop, "orders/paid", orderPayload({ id: orderId }));
    expect(await orderEarningOrThrow(shop, orderId)).toMatchObject({ status: "CANCELLED", points: 0, earnEntryId: null });
    expect(await ledgerEntriesOf(shop)).toEqual([]);
  });

  it("cancelling gives back points redeemed on the order: a captured redemption and an open hold", async () => {
    const shop = await newShop({ pendingDays: 0 });
    const member = await memberWithPoints(shop, C, 500);
    const paidOrderId = shopifyId();
    const unpaidOrderId = shopifyId();
    // 200 points spent as a discount on the order that will be paid, 100 set aside for another.
    const { entry: spent } = await ledger.hold(shop, member.id, { points: 200, orderId: paidOrderId, redemptionId: "reward-a", idempotencyKey: "test:hold:a" });
    await ledger.capture(shop, spent.id, { idempotencyKey: "test:capture:a" });
    const { entry: open } = await ledger.hold(shop, member.id, { points: 100, orderId: unpaidOrderId, redemptionId: "reward-b", idempotencyKey: "test:hold:b" });
    await deliver(shop, "orders/paid", orderPayload({ id: paidOrderId }));
    expect(await balanceOf(shop, C)).toMatchObject({ available: 500 - 200 - 100 + 414, pending: 0 });

    const lifetimeBefore = (await balanceOf(shop, C)).lifetimeEarned;
    await deliver(shop, "orders/cancelled", cancelledOrderPayload({ id: paidOrderId }));
    // The spent points come back as REDEEM_RETURN: spendable again, not earned again; the order's
    // own 414 points are reversed, so lifetime drops by exactly those.
    expect(await balanceOf(shop, C)).toMatchObject({ available: 500 - 100, pending: 0, lifetimeEarned: lifetimeBefore - 414 });
    const returned = (await ledgerEntriesOf(shop, { orderId: paidOrderId })).filter((e) => e.kind === "REDEEM_RETURN");
    expect(returned.map((e) => [e.kind, e.points])).toEqual([["REDEEM_RETURN", 200]]);

    await deliver(shop, "orders/cancelled", cancelledOrderPayload({ id: unpaidOrderId }));
    expect(await balanceOf(shop, C)).toMatchObject({ available: 500, pending: 0 });
    const released = await prisma.ledgerEntry.findUniqueOrThrow({ where: { shop_pendingId: { shop, pendingId: open.id } } });
    expect(released).toMatchObject({ kind: "REDEEM_VOID", points: 100 });

    // Replays of both cancellations give nothing back twice.
    await deliver(shop, "orders/cancelled", cancelledOrderPayload({ id: paidOrderId }));
    await deliver(shop, "orders/cancelled", cancelledOrderPayload({ id: unpaidOrderId }));
    expect(await balanceOf(shop, C)).toMatchObject({ available: 500, pending: 0 });
    expect(await ledgerDrift(shop)).toEqual([]);
  });
});

// --------------------------------------------------------------------------------------------

type OrderEvent = "paid" | "refund1" | "refund2" | "cancel";

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

/** One order's events, with fixed ids so every delivery order speaks of the same order and refunds. */
function orderStory() {
  const orderId = shopifyId();
  const bodies: Record<OrderEvent, { topic: "orders/paid" | "refunds/create" | "orders/cancelled"; body: object }> = {
    paid: { topic: "orders/paid", body: orderPayload({ id: orderId }) },
    refund1: { topic: "refunds/create", body: refund(orderId, R1_LINES) },
    refund2: { topic: "refunds/create", body: refund(orderId, R2_LINES) },
    cancel: { topic: "orders/cancelled", body: cancelledOrderPayload({ id: orderId }) },
  };
  return { orderId, bodies };
}

interface Outcome {
  balance: ledger.Balance;
  /** After the pending period is over (posting run late for every order). */
  settled: ledger.Balance;
  status: string | undefined;
  drift: string[];
}

const OPENING_BALANCE = 1000;

async function playInOrder(pendingDays: number, events: readonly OrderEvent[]): Promise<Outcome> {
  const shop = await newShop({ pendingDays });
  await memberWithPoints(shop, C, OPENING_BALANCE);
  const { orderId, bodies } = orderStory();
  for (const event of events) await deliver(shop, bodies[event].topic, bodies[event].body);
  const balance = await balanceOf(shop, C);
  const status = (await orderEarning(shop, orderId))?.status;
  await postPendingPoints(shop, orderId, new Date(Date.now() + 365 * 86_400_000));
  return { balance, settled: await balanceOf(shop, C), status, drift: await ledgerDrift(shop) };
}

const B = OPENING_BALANCE;
const CONVERGENCE = [
  {
    pendingDays: 0,
    events: ["paid", "refund1", "refund2", "cancel"] as const,
    expected: { balance: { available: B, pending: 0, lifetimeEarned: B }, settled: { available: B, pending: 0, lifetimeEarned: B }, status: "CANCELLED" },
  },
  {
    pendingDays: 14,
    events: ["paid", "refund1", "refund2", "cancel"] as const,
    expected: { balance: { available: B, pending: 0, lifetimeEarned: B }, settled: { available: B, pending: 0, lifetimeEarned: B }, status: "CANCELLED" },
  },
  {
    pendingDays: 0,
    events: ["paid", "refund1", "refund2"] as const,
    expected: { balance: { available: B + 165, pending: 0, lifetimeEarned: B + 165 }, settled: { available: B + 165, pending: 0, lifetimeEarned: B + 165 }, status: "POSTED" },
  },
  {
    pendingDays: 14,
    events: ["paid", "refund1", "refund2"] as const,
    expected: { balance: { available: B, pending: 165, lifetimeEarned: B }, settled: { available: B + 165, pending: 0, lifetimeEarned: B + 165 }, status: "PENDING" },
  },
];

describe.each(CONVERGENCE)("out-of-order delivery of $events (pendingDays $pendingDays)", ({ pendingDays, events, expected }) => {
  let canonical: Outcome;
  beforeAll(async () => {
    canonical = await playInOrder(pendingDays, events);
  });

  it("the canonical order gives the hand-computed balances", () => {
    expect(canonical).toEqual({ ...expected, drift: [] });
  });

  it.each(permutations(events).slice(1).map((p) => [p.join(" → "), p] as const))("%s converges on the canonical outcome", async (_name, order) => {
    expect(await playInOrder(pendingDays, order)).toEqual(canonical);
  });
});

// --------------------------------------------------------------------------------------------
// One transaction per order event: the ledger entry, the balance, the OrderEarning row and the
// delivery's processed mark commit together, and the posting is scheduled before they do. A
// failure anywhere leaves nothing behind, so a retry has nothing to recover and earns once.

describe("one transaction per order event", () => {
  it("a failure after the ledger write commits nothing (not even the member); the retry earns exactly once", async () => {
    const shop = await newShop({ pendingDays: 0 });
    const orderId = shopifyId();
    const failing = `test_fail_order_${orderId}`;
    // The OrderEarning insert comes after the ledger entry and the balance move in the transaction.
    await prisma.$executeRawUnsafe(`CREATE FUNCTION "${failing}"() RETURNS trigger AS $$
      BEGIN IF NEW."orderId" = ${orderId} THEN RAISE EXCEPTION 'injected: the OrderEarning insert fails'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
    await prisma.$executeRawUnsafe(`CREATE TRIGGER "${failing}" BEFORE INSERT ON "OrderEarning" FOR EACH ROW EXECUTE FUNCTION "${failing}"()`);
    const delivery = await storeDelivery(shop, "orders/paid", orderPayload({ id: orderId }));
    try {
      await expect(runDelivery(delivery)).rejects.toThrow(/injected/);
    } finally {
      await prisma.$executeRawUnsafe(`DROP TRIGGER "${failing}" ON "OrderEarning"`);
      await prisma.$executeRawUnsafe(`DROP FUNCTION "${failing}"()`);
    }
    expect(await ledgerEntriesOf(shop)).toEqual([]);
    expect(await findMember(shop, C)).toBeNull();
    expect(await orderEarning(shop, orderId)).toBeNull();
    const stored = await prisma.processedWebhook.findUniqueOrThrow({ where: { shop_webhookId: { shop, webhookId: delivery.webhookId } } });
    expect([stored.processedAt, stored.payload === null]).toEqual([null, false]);

    await runDelivery(delivery);
    expect(await balanceOf(shop, C)).toEqual({ available: 414, pending: 0, lifetimeEarned: 414 });
    expect(await ledgerEntriesOf(shop)).toHaveLength(1);
    expect(await orderEarningOrThrow(shop, orderId)).toMatchObject({ status: "POSTED", points: 414 });
    expect((await prisma.processedWebhook.findUniqueOrThrow({ where: { shop_webhookId: { shop, webhookId: delivery.webhookId } } })).processedAt).toBeInstanceOf(Date);
    expect(await ledgerDrift(shop)).toEqual([]);
  });

  it("a stored body that is not JSON stops its job for good (no retries) and writes nothing", async () => {
    const shop = await newShop({ pendingDays: 0 });
    const delivery = await storeDelivery(shop, "orders/paid", `{"id": ${shopifyId()}, "line_items": [`);
    const failure = await runDelivery(delivery).then(() => null, (error: unknown) => error);
    expect(String(failure)).toMatch(/not valid JSON/);
    expect(classifyJobError(failure).terminal).toBe(true);
    expect(await ledgerEntriesOf(shop)).toEqual([]);
    expect((await prisma.processedWebhook.findUniqueOrThrow({ where: { shop_webhookId: { shop, webhookId: delivery.webhookId } } })).processedAt).toBeNull();
  });

  it("orders processed at once share a transaction (group commit), each earned exactly once", async () => {
    const shop = await newShop({ pendingDays: 0 });
    const customers = Array.from({ length: 8 }, () => shopifyId());
    const deliveries = await Promise.all(
      customers.map((customerId, i) => storeDelivery(shop, "orders/paid", orderPayload({ id: shopifyId(), customer: { id: customerId, email: `buyer${i}@example.com` } }))),
    );
    await Promise.all(deliveries.map(runDelivery));
    for (const customerId of customers) expect(await balanceOf(shop, customerId)).toEqual({ available: 414, pending: 0, lifetimeEarned: 414 });
    // Rows written by one transaction carry its id (xmin): fewer transactions than orders.
    const [{ transactions }] = await prisma.$queryRaw<{ transactions: number }[]>`
      SELECT count(DISTINCT xmin::text)::int AS "transactions" FROM "OrderEarning" WHERE "shop" = ${shop}`;
    expect(transactions).toBeLessThan(8);
    expect(await ledgerDrift(shop)).toEqual([]);
  });

  it("one order failing among orders processed at once fails alone and commits nothing; the others earn once", async () => {
    const shop = await newShop({ pendingDays: 0 });
    const customers = Array.from({ length: 8 }, () => shopifyId());
    const orders = customers.map(() => shopifyId());
    const failingOrder = orders[3];
    const failing = `test_fail_order_${failingOrder}`;
    await prisma.$executeRawUnsafe(`CREATE FUNCTION "${failing}"() RETURNS trigger AS $$
      BEGIN IF NEW."orderId" = ${failingOrder} THEN RAISE EXCEPTION 'injected: the OrderEarning insert fails'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
    await prisma.$executeRawUnsafe(`CREATE TRIGGER "${failing}" BEFORE INSERT ON "OrderEarning" FOR EACH ROW EXECUTE FUNCTION "${failing}"()`);
    const deliveries = await Promise.all(
      orders.map((id, i) => storeDelivery(shop, "orders/paid", orderPayload({ id, customer: { id: customers[i], email: `buyer${i}@example.com` } }))),
    );
    let outcomes: PromiseSettledResult<void>[];
    try {
      outcomes = await Promise.allSettled(deliveries.map(runDelivery));
    } finally {
      await prisma.$executeRawUnsafe(`DROP TRIGGER "${failing}" ON "OrderEarning"`);
      await prisma.$executeRawUnsafe(`DROP FUNCTION "${failing}"()`);
    }
    expect(outcomes.map((o) => o.status)).toEqual(orders.map((id) => (id === failingOrder ? "rejected" : "fulfilled")));
    expect(String((outcomes[3] as PromiseRejectedResult).reason)).toMatch(/injected/);
    for (const [i, customerId] of customers.entries()) {
      if (i !== 3) expect(await balanceOf(shop, customerId), `customer ${i}`).toEqual({ available: 414, pending: 0, lifetimeEarned: 414 });
    }
    expect(await findMember(shop, customers[3])).toBeNull();
    expect(await orderEarning(shop, failingOrder)).toBeNull();
    expect(await ledgerEntriesOf(shop)).toHaveLength(7);

    await runDelivery(deliveries[3]);
    expect(await balanceOf(shop, customers[3])).toEqual({ available: 414, pending: 0, lifetimeEarned: 414 });
    expect(await ledgerDrift(shop)).toEqual([]);
  });

  it("when the posting cannot be scheduled (Redis down), nothing of the order commits; the retry earns and schedules", async () => {
    const shop = await newShop();
    const orderId = shopifyId();
    const delivery = await storeDelivery(shop, "orders/paid", orderPayload({ id: orderId }));
    const down = vi.spyOn(queueModule, "enqueue").mockRejectedValueOnce(new Error("connect ECONNREFUSED 127.0.0.1:6379"));
    try {
      await expect(runDelivery(delivery)).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      down.mockRestore();
    }
    expect(await ledgerEntriesOf(shop)).toEqual([]);
    expect(await orderEarning(shop, orderId)).toBeNull();
    expect((await prisma.processedWebhook.findUniqueOrThrow({ where: { shop_webhookId: { shop, webhookId: delivery.webhookId } } })).processedAt).toBeNull();

    await runDelivery(delivery);
    const earning = await orderEarningOrThrow(shop, orderId);
    expect(earning).toMatchObject({ status: "PENDING", points: 414 });
    expect(await balanceOf(shop, C)).toEqual({ available: 0, pending: 414, lifetimeEarned: 0 });
    expect((await queue().getJobStatus("default", `post-pending-points:${shop}:${orderId}`))?.state).toBe("delayed");
  });
});

// --------------------------------------------------------------------------------------------
// A cancellation after refunds (and after the pending points posted) takes back only what the
// ledger still holds for the order, and "nothing left" is a success: the cancellation then goes on
// to give back the points redeemed on the order. A redemption of 200 points was spent on every
// order below, so a cancellation that stopped early would leave the member 200 short.

type StoryEvent = "paid" | "refund1" | "fullRefund" | "post" | "cancel";

const REDEEMED = 200;
const FAR_FUTURE = () => new Date(Date.now() + 365 * 86_400_000);

const CANCEL_STORIES: { name: string; pendingDays: number; events: readonly StoryEvent[]; canonicalEntries: [string, string, number][] }[] = [
  {
    name: "a full refund, then the cancel (posted points)",
    pendingDays: 0,
    events: ["paid", "fullRefund", "cancel"],
    canonicalEntries: [["EARN", "POSTED", 414], ["REVERSAL", "POSTED", -414]],
  },
  {
    name: "a full refund, then the cancel (pending points)",
    pendingDays: 14,
    events: ["paid", "fullRefund", "cancel"],
    canonicalEntries: [["EARN", "PENDING", 414], ["EARN", "VOIDED", 414]],
  },
  {
    name: "a partial refund while pending, the posting, then the cancel",
    pendingDays: 14,
    events: ["paid", "refund1", "post", "cancel"],
    // The refund voids the pending 414 and reissues 324; that posts; the cancel reverses the 324.
    canonicalEntries: [["EARN", "PENDING", 414], ["EARN", "VOIDED", 414], ["EARN", "PENDING", 324], ["EARN", "POSTED", 324], ["REVERSAL", "POSTED", -324]],
  },
  {
    name: "the cancel, then a late refund (posted points)",
    pendingDays: 0,
    events: ["paid", "cancel", "refund1"],
    canonicalEntries: [["EARN", "POSTED", 414], ["REVERSAL", "POSTED", -414]],
  },
  {
    name: "the cancel, then a late refund (pending points)",
    pendingDays: 14,
    events: ["paid", "cancel", "refund1"],
    canonicalEntries: [["EARN", "PENDING", 414], ["EARN", "VOIDED", 414]],
  },
];

async function playCancelStory(pendingDays: number, events: readonly StoryEvent[]) {
  const shop = await newShop({ pendingDays });
  const member = await memberWithPoints(shop, C, OPENING_BALANCE);
  const orderId = shopifyId();
  const { entry: spent } = await ledger.hold(shop, member.id, { points: REDEEMED, orderId, redemptionId: "reward-story", idempotencyKey: "test:story:hold" });
  await ledger.capture(shop, spent.id, { orderId, idempotencyKey: "test:story:capture" });
  const bodies: Record<Exclude<StoryEvent, "post">, { topic: "orders/paid" | "refunds/create" | "orders/cancelled"; body: object }> = {
    paid: { topic: "orders/paid", body: orderPayload({ id: orderId }) },
    refund1: { topic: "refunds/create", body: refund(orderId, R1_LINES) },
    fullRefund: { topic: "refunds/create", body: refund(orderId, ALL_LINES) },
    cancel: { topic: "orders/cancelled", body: cancelledOrderPayload({ id: orderId }) },
  };
  // Every delivery must succeed: deliver() runs the job and fails the test on any error.
  for (const event of events) {
    if (event === "post") await postPendingPoints(shop, orderId, FAR_FUTURE());
    else await deliver(shop, bodies[event].topic, bodies[event].body);
  }
  await postPendingPoints(shop, orderId, FAR_FUTURE());
  const entries = await ledgerEntriesOf(shop, { orderId });
  return {
    balance: await balanceOf(shop, C),
    status: (await orderEarning(shop, orderId))?.status,
    returned: entries.filter((e) => e.kind === "REDEEM_RETURN").map((e) => e.points),
    orderEntries: entries.filter((e) => e.kind === "EARN" || e.kind === "REVERSAL").map((e) => [e.kind, e.status, e.points] as [string, string, number]),
    drift: await ledgerDrift(shop),
  };
}

describe.each(CANCEL_STORIES)("$name, delivered in every order", ({ pendingDays, events, canonicalEntries }) => {
  const settled = {
    balance: { available: OPENING_BALANCE, pending: 0, lifetimeEarned: OPENING_BALANCE },
    status: "CANCELLED",
    returned: [REDEEMED],
    drift: [],
  };

  it("in the order told: the order nets to zero by the entries above, and the redeemed points come back", async () => {
    expect(await playCancelStory(pendingDays, events)).toEqual({ ...settled, orderEntries: canonicalEntries });
  });

  it.each(permutations(events).slice(1).map((p) => [p.join(" → "), p] as const))("%s: the order nets to zero and the redeemed points come back", async (_name, order) => {
    const outcome = await playCancelStory(pendingDays, order);
    expect({ ...outcome, orderEntries: undefined }).toEqual({ ...settled, orderEntries: undefined });
    // Whatever the order, the order's own entries add up to nothing spendable or pending.
    const net = outcome.orderEntries.reduce((sum, [kind, status, points]) => sum + (kind === "REVERSAL" || status === "POSTED" ? points : 0), 0);
    expect(net).toBe(0);
  });
});

// --------------------------------------------------------------------------------------------

/** Sessions of this database waiting on an advisory lock (the per-order lock). */
async function advisoryLockWaiters(): Promise<number> {
  const rows = await prisma.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM pg_stat_activity
    WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory'`;
  return rows[0].n;
}

/**
 * Runs `work` while the test holds the order's lock, and lets go only once `waiters` handlers are
 * queued on it: they then all race for the order at the same moment.
 */
async function raceOnOrderLock<T>(shop: string, orderId: bigint, waiters: number, work: () => Promise<T>): Promise<T> {
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  let signalLocked = () => {};
  const locked = new Promise<void>((resolve) => (signalLocked = resolve));
  const holder = withAdvisoryLock(`order:${shop}:${orderId}`, async () => {
    signalLocked();
    await gate;
  });
  await locked;
  const running = work();
  // Attach a handler now: a failure must surface from `await running`, not as an unhandled rejection.
  running.catch(() => {});
  try {
    await waitFor(`${waiters} handlers queued on the order lock`, async () => (await advisoryLockWaiters()) >= waiters);
  } finally {
    release();
    await holder;
  }
  return running;
}

describe("concurrency", () => {
  it("paid, two refunds and a cancel fired at once, each delivered twice, converge on the canonical outcome", async () => {
    for (const pendingDays of [0, 14]) {
      const shop = await newShop({ pendingDays });
      await memberWithPoints(shop, C, OPENING_BALANCE);
      const { orderId, bodies } = orderStory();
      const deliveries: StoredDelivery[] = [];
      for (const event of ["paid", "refund1", "refund2", "cancel"] as const) {
        const stored = await storeDelivery(shop, bodies[event].topic, bodies[event].body);
        // The same delivery picked up twice (a stalled job re-run) and a second delivery of the event.
        deliveries.push(stored, stored, await storeDelivery(shop, bodies[event].topic, bodies[event].body));
      }
      await raceOnOrderLock(shop, orderId, 4, () => Promise.all(deliveries.map(runDelivery)));

      expect(await balanceOf(shop, C)).toEqual({ available: B, pending: 0, lifetimeEarned: B });
      expect((await orderEarningOrThrow(shop, orderId)).status).toBe("CANCELLED");
      expect(await ledgerDrift(shop)).toEqual([]);
    }
  });

  it("paid and two refunds fired at once, three times each, never count twice", async () => {
    for (const pendingDays of [0, 14]) {
      const shop = await newShop({ pendingDays });
      await memberWithPoints(shop, C, OPENING_BALANCE);
      const { orderId, bodies } = orderStory();
      const deliveries: StoredDelivery[] = [];
      for (const event of ["paid", "refund1", "refund2"] as const) {
        for (let i = 0; i < 3; i++) deliveries.push(await storeDelivery(shop, bodies[event].topic, bodies[event].body));
      }
      await raceOnOrderLock(shop, orderId, 4, () => Promise.all(deliveries.map(runDelivery)));

      expect(await balanceOf(shop, C)).toEqual(
        pendingDays === 0 ? { available: B + 165, pending: 0, lifetimeEarned: B + 165 } : { available: B, pending: 165, lifetimeEarned: B },
      );
      // Which refund counts first depends on the race (90 + 159 or 160 + 89); the sum does not.
      const refunds = await prisma.orderRefund.findMany({ where: { shop, orderId } });
      expect(refunds).toHaveLength(2);
      expect(refunds.reduce((sum, r) => sum + (r.pointsReversed ?? 0), 0)).toBe(249);
      expect(await ledgerDrift(shop)).toEqual([]);
    }
  });

  it("several orders of a customer never seen before, at once: one member, every order earned once", async () => {
    const shop = await newShop({ pendingDays: 0 });
    const customerId = shopifyId();
    const orders = Array.from({ length: 6 }, () => shopifyId());
    const deliveries = await Promise.all(
      orders.map((id) => storeDelivery(shop, "orders/paid", orderPayload({ id, customer: { id: customerId, email: "new.buyer@example.com" } }))),
    );
    await Promise.all(deliveries.map(runDelivery));

    expect(await prisma.member.count({ where: { shop } })).toBe(1);
    expect(await balanceOf(shop, customerId)).toEqual({ available: 6 * 414, pending: 0, lifetimeEarned: 6 * 414 });
    expect(await ledgerDrift(shop)).toEqual([]);
  });

  it("the per-day cap holds when one customer's orders of a day are processed at once", async () => {
    const shop = await newShop({ pendingDays: 0, earningRules: { caps: { perDayCap: 500 } } });
    const customerId = shopifyId();
    const processedAt = new Date("2026-11-20T15:00:00Z");
    const deliveries = await Promise.all(
      Array.from({ length: 4 }, () =>
        storeDelivery(shop, "orders/paid", orderPayload({ id: shopifyId(), processedAt, customer: { id: customerId, email: "cap@example.com" } })),
      ),
    );
    await Promise.all(deliveries.map(runDelivery));
    // 414 + 86 (capped) + 0 + 0, in whichever order the four ran.
    expect(await balanceOf(shop, customerId)).toEqual({ available: 500, pending: 0, lifetimeEarned: 500 });
    const earned = await prisma.orderEarning.findMany({ where: { shop }, select: { points: true } });
    expect(earned.map((e) => e.points).sort((a, b) => b - a)).toEqual([414, 86, 0, 0]);
    expect(await ledgerDrift(shop)).toEqual([]);
  });
});

// --------------------------------------------------------------------------------------------

const ACTION_RULES = { actions: { signup: { enabled: true, points: 200 }, newsletter: { enabled: true, points: 50 } } };

describe("customers", () => {
  it("customers/create enrolls with signup and newsletter points, once however often it is replayed", async () => {
    const shop = await newShop({ earningRules: ACTION_RULES });
    const customerId = shopifyId();
    const body = customerPayload({ id: customerId, email: "Ada.Lovelace@Example.com", firstName: "Ada", lastName: "Lovelace", tags: "vip, newsletter", marketing: "subscribed" });
    const first = await deliver(shop, "customers/create", body);
    await deliver(shop, "customers/create", body, { webhookId: first.webhookId });
    await deliver(shop, "customers/create", body);

    const member = await memberOf(shop, customerId);
    expect(member).toMatchObject({
      email: "ada.lovelace@example.com", firstName: "Ada", lastName: "Lovelace", tags: ["vip", "newsletter"], emailMarketingConsent: true, state: "ACTIVE",
    });
    expect(await balanceOf(shop, customerId)).toEqual({ available: 250, pending: 0, lifetimeEarned: 250 });
    const entries = await ledgerEntriesOf(shop, { memberId: member.id });
    expect(entries.map((e) => [e.kind, e.status, e.points, e.reason])).toEqual([["EARN", "POSTED", 200, "signup"], ["EARN", "POSTED", 50, "newsletter"]]);
  });

  it("customers/create without marketing consent gets the signup points only", async () => {
    const shop = await newShop({ earningRules: ACTION_RULES });
    const customerId = shopifyId();
    await deliver(shop, "customers/create", customerPayload({ id: customerId, email: "bob@example.com", marketing: "not_subscribed" }));
    expect(await balanceOf(shop, customerId)).toEqual({ available: 200, pending: 0, lifetimeEarned: 200 });
  });

  it("customers/update syncs email and tags, and pays newsletter points once when consent becomes subscribed", async () => {
    const shop = await newShop({ earningRules: ACTION_RULES });
    const customerId = shopifyId();
    await deliver(shop, "customers/create", customerPayload({ id: customerId, email: "bob@example.com", marketing: "not_subscribed" }));

    await deliver(shop, "customers/update", customerPayload({ id: customerId, email: "Robert@Example.org", tags: "wholesale, vip", marketing: "not_subscribed" }));
    expect(await memberOf(shop, customerId)).toMatchObject({ email: "robert@example.org", tags: ["wholesale", "vip"], emailMarketingConsent: false });
    expect(await balanceOf(shop, customerId)).toEqual({ available: 200, pending: 0, lifetimeEarned: 200 });

    await deliver(shop, "customers/update", customerPayload({ id: customerId, email: "robert@example.org", tags: "wholesale, vip", marketing: "subscribed" }));
    expect(await memberOf(shop, customerId)).toMatchObject({ emailMarketingConsent: true });
    expect(await balanceOf(shop, customerId)).toEqual({ available: 250, pending: 0, lifetimeEarned: 250 });

    // Still subscribed, then unsubscribed and subscribed again: the newsletter pays once per customer.
    for (const marketing of ["subscribed", "unsubscribed", "subscribed"] as const) {
      await deliver(shop, "customers/update", customerPayload({ id: customerId, email: "robert@example.org", tags: "wholesale, vip", marketing }));
    }
    expect(await balanceOf(shop, customerId)).toEqual({ available: 250, pending: 0, lifetimeEarned: 250 });
    expect(await ledgerEntriesOf(shop)).toHaveLength(2);
  });

  it("re-subscribing pays nothing more even after the merchant changed the newsletter points", async () => {
    const shop = await newShop({ earningRules: ACTION_RULES });
    const customerId = shopifyId();
    await deliver(shop, "customers/create", customerPayload({ id: customerId, email: "bob@example.com", marketing: "subscribed" }));
    expect(await balanceOf(shop, customerId)).toEqual({ available: 250, pending: 0, lifetimeEarned: 250 });

    await configureShop(shop, { earningRules: { actions: { signup: { enabled: true, points: 300 }, newsletter: { enabled: true, points: 75 } } } });
    await deliver(shop, "customers/update", customerPayload({ id: customerId, email: "bob@example.com", marketing: "unsubscribed" }));
    await deliver(shop, "customers/update", customerPayload({ id: customerId, email: "bob@example.com", marketing: "subscribed" }));
    await deliver(shop, "customers/create", customerPayload({ id: customerId, email: "bob@example.com", marketing: "subscribed" }));
    expect(await balanceOf(shop, customerId)).toEqual({ available: 250, pending: 0, lifetimeEarned: 250 });
    expect(await ledgerEntriesOf(shop)).toHaveLength(2);
  });

  it("an order from a customer never seen before enrolls them without signup points, and earns", async () => {
    const shop = await newShop({ earningRules: ACTION_RULES, pendingDays: 0 });
    const customerId = shopifyId();
    const orderId = shopifyId();
    await deliver(shop, "orders/paid", orderPayload({ id: orderId, customer: { id: customerId, email: "Old.Customer@Example.com", firstName: "Olga", lastName: "Old" } }));

    const member = await memberOf(shop, customerId);
    expect(member).toMatchObject({ email: "old.customer@example.com", firstName: "Olga", lastName: "Old", state: "ACTIVE" });
    expect(await balanceOf(shop, customerId)).toEqual({ available: 414, pending: 0, lifetimeEarned: 414 });
    const entries = await ledgerEntriesOf(shop, { memberId: member.id });
    expect(entries.map((e) => [e.kind, e.points, e.orderId])).toEqual([["EARN", 414, orderId]]);
  });

  it("a guest order is kept as an email hash and credited when that email signs up (any letter case)", async () => {
    const shop = await newShop({ earningRules: ACTION_RULES });
    const guestOrderId = shopifyId();
    const otherGuestOrderId = shopifyId();
    const email = "Guest.Shopper@Example.COM";
    await deliver(shop, "orders/paid", orderPayload({ id: guestOrderId, customer: null, email }));
    await deliver(shop, "orders/paid", orderPayload({ id: otherGuestOrderId, customer: null, email: "someone.else@example.com" }));
    // A refund of the guest order before the guest has an account waits with the order.
    await deliver(shop, "refunds/create", refund(guestOrderId, R1_LINES));

    const guest = await orderEarningOrThrow(shop, guestOrderId);
    expect(guest).toMatchObject({ status: "GUEST", customerId: null, memberId: null, points: 0, earnEntryId: null });
    expect(guest.guestEmailHash).toBe(guestEmailHash(shop, "guest.shopper@example.com"));
    expect(traceCodes(guest)).toEqual(["order.guest_waiting_for_signup"]);
    // Neither the order row nor any stored delivery holds the address itself.
    expect(JSON.stringify(guest, (_k, v) => (typeof v === "bigint" ? v.toString() : v)).toLowerCase()).not.toContain("guest.shopper");
    expect(await prisma.processedWebhook.count({ where: { shop, payload: { not: null } } })).toBe(0);
    expect(await prisma.member.count({ where: { shop } })).toBe(0);
    expect(await ledgerEntriesOf(shop)).toEqual([]);

    const customerId = shopifyId();
    await deliver(shop, "customers/create", customerPayload({ id: customerId, email: "guest.shopper@example.com", marketing: "not_subscribed" }));
    const member = await memberOf(shop, customerId);
    const credited = await orderEarningOrThrow(shop, guestOrderId);
    expect(credited).toMatchObject({ status: "PENDING", points: 414, customerId, memberId: member.id, guestEmailHash: null, guestOrder: null });
    // Signup 200 available; the order's 414 less the refunded 90 pending.
    expect(await balanceOf(shop, customerId)).toEqual({ available: 200, pending: 324, lifetimeEarned: 200 });
    expect(await orderEarningOrThrow(shop, otherGuestOrderId)).toMatchObject({ status: "GUEST", memberId: null });

    // A guest order cancelled before the guest signed up is never credited.
    const cancelledGuestOrderId = shopifyId();
    await deliver(shop, "orders/paid", orderPayload({ id: cancelledGuestOrderId, customer: null, email: "late.guest@example.com" }));
    await deliver(shop, "orders/cancelled", cancelledOrderPayload({ id: cancelledGuestOrderId, customer: null, email: "late.guest@example.com" }));
    expect(await orderEarningOrThrow(shop, cancelledGuestOrderId)).toMatchObject({ status: "CANCELLED", guestEmailHash: null, guestOrder: null });
    const lateId = shopifyId();
    await deliver(shop, "customers/create", customerPayload({ id: lateId, email: "late.guest@example.com", marketing: "not_subscribed" }));
    expect(await balanceOf(shop, lateId)).toEqual({ available: 200, pending: 0, lifetimeEarned: 200 });
    expect(await orderEarningOrThrow(shop, cancelledGuestOrderId)).toMatchObject({ status: "CANCELLED", memberId: null, points: 0 });

    // customers/create replayed: the order is not credited twice.
    await deliver(shop, "customers/create", customerPayload({ id: customerId, email: "GUEST.SHOPPER@example.com", marketing: "not_subscribed" }));
    expect(await balanceOf(shop, customerId)).toEqual({ available: 200, pending: 324, lifetimeEarned: 200 });
    expect(await ledgerDrift(shop)).toEqual([]);
  });
});

// --------------------------------------------------------------------------------------------

describe("uninstalled shops", () => {
  it("after app/uninstalled, order webhooks are acknowledged and ignored while privacy requests still run", async () => {
    const shop = await newShop({ pendingDays: 0 });
    await deliver(shop, "customers/create", customerPayload({ id: C, email: "john@example.com" }));
    await prisma.session.create({ data: { id: `offline_${shop}`, shop, state: "state", accessToken: "shpat_test", isOnline: false } });

    await deliver(shop, "app/uninstalled", appUninstalledPayload(shop));
    expect(await prisma.shop.findUniqueOrThrow({ where: { domain: shop } })).toMatchObject({ installState: "UNINSTALLED" });
    expect(await prisma.session.count({ where: { shop } })).toBe(0);

    const orderId = shopifyId();
    const ignored = await deliver(shop, "orders/paid", orderPayload({ id: orderId }));
    expect(await orderEarning(shop, orderId)).toBeNull();
    expect(await prisma.processedWebhook.findUniqueOrThrow({ where: { shop_webhookId: { shop, webhookId: ignored.webhookId } } })).toMatchObject({
      payload: null,
      processedAt: expect.any(Date),
    });

    await deliver(shop, "customers/data_request", dataRequestPayload(shop, { customerId: C, email: "john@example.com", orderIds: [], requestId: shopifyId() }));
    expect(await prisma.customerDataExport.count({ where: { shop, customerId: C } })).toBe(1);
    await deliver(shop, "customers/redact", customerRedactPayload(shop, { customerId: C, email: "john@example.com", orderIds: [] }));
    expect(await memberOf(shop, C)).toMatchObject({ state: "REDACTED", email: null });
  });
});

// --------------------------------------------------------------------------------------------

describe("compliance", () => {
  async function customerWithHistory(shop: string) {
    const customerId = shopifyId();
    const orderId = shopifyId();
    await deliver(shop, "customers/create", customerPayload({ id: customerId, email: "Ada@Example.com", firstName: "Ada", lastName: "Lovelace", tags: "vip", marketing: "subscribed" }));
    await deliver(shop, "orders/paid", orderPayload({ id: orderId, customer: { id: customerId, email: "ada@example.com", firstName: "Ada", lastName: "Lovelace" } }));
    await deliver(shop, "refunds/create", refund(orderId, R1_LINES));
    return { customerId, orderId, member: await memberOf(shop, customerId) };
  }

  it("customers/data_request exports the member, the ledger and the orders, and audits the export", async () => {
    const shop = await newShop({ earningRules: ACTION_RULES, pendingDays: 0 });
    const { customerId, orderId } = await customerWithHistory(shop);
    const requestId = shopifyId();
    await deliver(shop, "customers/data_request", dataRequestPayload(shop, { customerId, email: "ada@example.com", orderIds: [orderId], requestId }));

    const exported = await prisma.customerDataExport.findFirstOrThrow({ where: { shop, customerId } });
    expect(exported.dataRequestId).toBe(requestId.toString());
    const document = exported.document as Record<string, unknown> & {
      member: Record<string, unknown>;
      pointsHistory: { kind: string; points: number; orderId: string | null }[];
      orders: { orderId: string; points: number; status: string }[];
      refunds: { orderId: string; pointsReversed: number; base: string }[];
    };
    expect(document.customerId).toBe(customerId.toString());
    expect(document.member).toMatchObject({
      email: "ada@example.com", firstName: "Ada", lastName: "Lovelace", tags: ["vip"], emailMarketingConsent: true, state: "ACTIVE",
      balances: { available: 250 + 324, pending: 0, lifetimeEarned: 250 + 324 },
    });
    expect(document.pointsHistory.map((e) => [e.kind, e.points, e.orderId])).toEqual([
      ["EARN", 200, null],
      ["EARN", 50, null],
      ["EARN", 414, orderId.toString()],
      ["REVERSAL", -90, orderId.toString()],
    ]);
    expect(document.orders).toEqual([expect.objectContaining({ orderId: orderId.toString(), points: 414, status: "POSTED" })]);
    expect(document.refunds).toEqual([expect.objectContaining({ orderId: orderId.toString(), pointsReversed: 90, base: "89.99" })]);

    const audit = await prisma.auditLog.findFirstOrThrow({ where: { shop, action: "customer.data_exported" } });
    expect(audit).toMatchObject({ actor: "webhook:customers/data_request", subjectType: "customer", subjectId: customerId.toString() });
    expect(audit.details).toMatchObject({ exportId: exported.id, ledgerEntries: 4, orders: 1 });
    // The audit row records that an export happened, not what it contained.
    expect(JSON.stringify(audit.details)).not.toContain("ada@example.com");
  });

  it("customers/redact erases personal data and exports, keeps the ledger, and later updates cannot write it back", async () => {
    const shop = await newShop({ earningRules: ACTION_RULES, pendingDays: 0 });
    const { customerId, orderId, member } = await customerWithHistory(shop);
    await deliver(shop, "customers/data_request", dataRequestPayload(shop, { customerId, email: "ada@example.com", orderIds: [orderId], requestId: shopifyId() }));
    // A customers/update still waiting in the queue when the redaction runs.
    const queued = await storeDelivery(shop, "customers/update", customerPayload({ id: customerId, email: "ada@example.com", firstName: "Ada" }));
    // Also waiting: another customer's update, and two bodies that are not JSON (no job can read
    // them), one holding the customer's id.
    const otherCustomer = await storeDelivery(shop, "customers/update", customerPayload({ id: shopifyId(), email: "bo@example.com", firstName: "Bo" }));
    const garbled = await storeDelivery(shop, "customers/update", `{"id":${customerId},"email":"ada@example.com"`);
    const garbledOther = await storeDelivery(shop, "customers/update", `{"id":${shopifyId()},"email":"bo@example.com"`);
    const ledgerBefore = await ledgerEntriesOf(shop);
    const balanceBefore = await balanceOf(shop, customerId);
    expect(balanceBefore).toEqual({ available: 574, pending: 0, lifetimeEarned: 574 });

    await deliver(shop, "customers/redact", customerRedactPayload(shop, { customerId, email: "ada@example.com", orderIds: [orderId] }));
    expect(await memberOf(shop, customerId)).toMatchObject({
      id: member.id, email: null, firstName: null, lastName: null, birthday: null, tags: [], emailMarketingConsent: false, state: "REDACTED",
    });
    expect(await prisma.customerDataExport.count({ where: { shop, customerId } })).toBe(0);
    expect(await orderEarningOrThrow(shop, orderId)).toMatchObject({ orderName: null, points: 414 });
    expect(await ledgerEntriesOf(shop)).toEqual(ledgerBefore);
    expect(await balanceOf(shop, customerId)).toEqual(balanceBefore);
    expect(await prisma.auditLog.count({ where: { shop, action: "customer.redacted", subjectId: customerId.toString() } })).toBe(1);
    const queuedRow = await prisma.processedWebhook.findUniqueOrThrow({ where: { shop_webhookId: { shop, webhookId: queued.webhookId } } });
    expect(queuedRow.payload).toBeNull();
    const payloadOf = async (webhookId: string) => (await prisma.processedWebhook.findUniqueOrThrow({ where: { shop_webhookId: { shop, webhookId } } })).payload;
    expect(await payloadOf(garbled.webhookId)).toBeNull();
    expect(await payloadOf(otherCustomer.webhookId)).toContain("bo@example.com");
    expect(await payloadOf(garbledOther.webhookId)).toContain("bo@example.com");
    // Its job then stops for good instead of writing anything.
    await expect(runDelivery(queued)).rejects.toThrow(/no payload/);

    // Later webhooks naming the customer: their points still count, their personal data does not land.
    await deliver(shop, "customers/update", customerPayload({ id: customerId, email: "ada@example.com", firstName: "Ada", lastName: "Lovelace", tags: "vip", marketing: "subscribed" }));
    await deliver(shop, "orders/paid", orderPayload({ id: shopifyId(), customer: { id: customerId, email: "ada@example.com", firstName: "Ada", lastName: "Lovelace" } }));
    expect(await memberOf(shop, customerId)).toMatchObject({ email: null, firstName: null, lastName: null, tags: [], state: "REDACTED" });
    expect(await balanceOf(shop, customerId)).toEqual({ available: 574 + 414, pending: 0, lifetimeEarned: 574 + 414 });
    expect(await ledgerDrift(shop)).toEqual([]);
  });

  it("shop/redact deletes everything the shop had, the ledger included, and no other shop's rows", async () => {
    const shopA = await newShop({ earningRules: ACTION_RULES });
    const shopB = await newShop({ earningRules: ACTION_RULES });
    const orderId = shopifyId();
    for (const shop of [shopA, shopB]) {
      await deliver(shop, "customers/create", customerPayload({ id: C, email: "john@example.com", marketing: "subscribed" }));
      await configureShop(shop, { pendingDays: 0 });
      await deliver(shop, "orders/paid", orderPayload({ id: orderId }));
      await deliver(shop, "refunds/create", refund(orderId, R1_LINES));
      await configureShop(shop, { pendingDays: 14 });
      await deliver(shop, "orders/paid", orderPayload({ id: shopifyId() }));
      const member = await memberOf(shop, C);
      const { entry } = await ledger.hold(shop, member.id, { points: 100, redemptionId: "reward", idempotencyKey: "test:hold" });
      await ledger.capture(shop, entry.id, { idempotencyKey: "test:capture" });
      await deliver(shop, "customers/data_request", dataRequestPayload(shop, { customerId: C, email: "john@example.com", orderIds: [orderId], requestId: shopifyId() }));
      await prisma.session.create({ data: { id: `offline_${shop}`, shop, state: "state", accessToken: "shpat_test", isOnline: false } });
    }

    const counts = async (shop: string) => ({
      shops: await prisma.shop.count({ where: { domain: shop } }),
      members: await prisma.member.count({ where: { shop } }),
      ledgerEntries: await prisma.ledgerEntry.count({ where: { shop } }),
      allocations: await prisma.ledgerLotAllocation.count({ where: { shop } }),
      orderEarnings: await prisma.orderEarning.count({ where: { shop } }),
      orderRefunds: await prisma.orderRefund.count({ where: { shop } }),
      exports: await prisma.customerDataExport.count({ where: { shop } }),
      sessions: await prisma.session.count({ where: { shop } }),
      auditRows: await prisma.auditLog.count({ where: { shop } }),
      // The shop/redact delivery itself may stay, without its body, to acknowledge replays.
      webhooks: await prisma.processedWebhook.count({ where: { shop, OR: [{ topic: { not: "shop/redact" } }, { payload: { not: null } }] } }),
    });
    const before = await counts(shopA);
    // Every kind of row exists before, so "0 after" means deleted, not never written.
    for (const [table, n] of Object.entries(before)) expect(n, table).toBeGreaterThan(0);
    const bBefore = await counts(shopB);
    const bLedger = await ledgerEntriesOf(shopB);
    const bBalance = await balanceOf(shopB, C);

    // Shopify sends shop/redact 48 hours after the uninstall.
    await prisma.shop.update({ where: { domain: shopA }, data: { installState: "UNINSTALLED", uninstalledAt: new Date() } });
    await deliver(shopA, "shop/redact", shopRedactPayload(shopA));

    expect(await counts(shopA)).toEqual({
      shops: 0, members: 0, ledgerEntries: 0, allocations: 0, orderEarnings: 0, orderRefunds: 0, exports: 0, sessions: 0, auditRows: 0, webhooks: 0,
    });
    expect(await counts(shopB)).toEqual(bBefore);
    expect(await ledgerEntriesOf(shopB)).toEqual(bLedger);
    expect(await balanceOf(shopB, C)).toEqual(bBalance);
    expect(await ledgerDrift(shopB)).toEqual([]);

    // Outside a shop erasure the ledger stays append-only, directly or through a member's cascade.
    await expect(prisma.ledgerEntry.deleteMany({ where: { shop: shopB } })).rejects.toThrow(/append-only/);
    await expect(prisma.member.deleteMany({ where: { shop: shopB } })).rejects.toThrow(/append-only/);
    expect(await counts(shopB)).toEqual(bBefore);
  });
});

// --------------------------------------------------------------------------------------------

describe("shop isolation", () => {
  it("shop A's webhooks never touch shop B's member or ledger, with the same customer and order ids", async () => {
    const shopA = await newShop({ pendingDays: 0 });
    const shopB = await newShop({ pendingDays: 0 });
    const orderId = shopifyId();
    for (const shop of [shopA, shopB]) {
      await deliver(shop, "customers/create", customerPayload({ id: C, email: "john@example.com", firstName: "John", tags: "vip" }));
      await deliver(shop, "orders/paid", orderPayload({ id: orderId }));
    }
    const bMember = await memberOf(shopB, C);
    const bLedger = await ledgerEntriesOf(shopB);
    const bEarning = await orderEarningOrThrow(shopB, orderId);
    expect(await balanceOf(shopB, C)).toEqual({ available: 414, pending: 0, lifetimeEarned: 414 });

    // The same order id paid again in A under a new delivery, refunded, cancelled; the customer
    // updated and then redacted: all in A only.
    await deliver(shopA, "orders/paid", orderPayload({ id: orderId }));
    await deliver(shopA, "refunds/create", refund(orderId, R1_LINES));
    await deliver(shopA, "orders/cancelled", cancelledOrderPayload({ id: orderId }));
    await deliver(shopA, "customers/update", customerPayload({ id: C, email: "john.new@example.com", tags: "wholesale" }));
    expect(await memberOf(shopA, C)).toMatchObject({ email: "john.new@example.com", tags: ["wholesale"] });
    expect(await balanceOf(shopA, C)).toEqual({ available: 0, pending: 0, lifetimeEarned: 0 });
    await deliver(shopA, "customers/redact", customerRedactPayload(shopA, { customerId: C, email: "john.new@example.com", orderIds: [orderId] }));
    expect(await memberOf(shopA, C)).toMatchObject({ state: "REDACTED", email: null });

    expect(await memberOf(shopB, C)).toEqual(bMember);
    expect(await ledgerEntriesOf(shopB)).toEqual(bLedger);
    expect(await orderEarningOrThrow(shopB, orderId)).toEqual(bEarning);
    expect(await prisma.orderRefund.count({ where: { shop: shopB } })).toBe(0);
    expect(await balanceOf(shopB, C)).toEqual({ available: 414, pending: 0, lifetimeEarned: 414 });
  });

  it("a delivery stored for shop A cannot be run as shop B's job", async () => {
    const shopA = await newShop();
    const shopB = await newShop();
    const delivery = await storeDelivery(shopA, "orders/paid", orderPayload({ id: shopifyId() }));
    await expect(runDelivery({ ...delivery, shop: shopB })).rejects.toThrow(/is not stored/);
    expect(await prisma.orderEarning.count({ where: { shop: { in: [shopA, shopB] } } })).toBe(0);
  });
});
