import { describe, expect, it } from "vitest";
import { addDaysToLocalDate, localDateKey, localDayBounds } from "~/domain/time";
import * as ledger from "~/models/ledger.server";
import { enrollMember } from "~/models/member.server";
import { loader } from "~/routes/app._index";
import { earnPointsForOrder, postPendingPoints, reverseCancelledOrder } from "~/services/order-earning.server";
import { adminRequest, bodyOf, callRoute, installOfflineSession, sessionToken } from "../helpers/admin-request";
import { createTestShop, prisma } from "../helpers/db";
import { orderPayload } from "../unit/domain/support";

// The overview's loader with real session tokens, on shops filled through the app's own earning,
// cancellation and ledger services. The orders are placed days ago but recorded now, as in the
// demo's replay: points for an order must count on the day it was PLACED, in the shop's time zone
// (Asia/Kolkata, UTC+5:30, so UTC days would put the boundary orders on the wrong side), while
// action points, adjustments, redemptions and expiries count on the day they were recorded.

type Overview = {
  period: { current: { from: string; to: string; days: number }; previous: { from: string; to: string; days: number } };
  periodError: string | null;
  isNewShop: boolean;
  members: { total: number; new: { current: number; previous: number } };
  activeMembers: { current: number; previous: number };
  points: Record<"issued" | "redeemed" | "expired", { current: number; previous: number }> & { redemptionRate: { current: number | null; previous: number | null } };
  liability: { available: number; pending: number; amount: string; pointValue: { points: number; amount: string; source: string; rewardTitle: string | null } };
  revenue: { members: { current: string; previous: string }; others: { current: string; previous: string }; memberOrders: { current: number; previous: number }; otherOrders: { current: number; previous: number }; excludedOrders: number };
  series: { days: string[]; issued: number[]; redeemed: number[]; expired: number[]; memberRevenue: string[]; otherRevenue: string[] };
};

const ZONE = "Asia/Kolkata";

async function overviewOf(shop: string, query = "?period=7"): Promise<{ status: number; body: Overview }> {
  const response = await callRoute(loader, adminRequest({ path: `/app${query}`, token: await sessionToken(shop) }));
  return { status: response.status, body: response.status === 200 ? await bodyOf<Overview>(response) : ({} as Overview) };
}

/** Noon, shop time, `daysAgo` local days before today. */
function localNoon(daysAgo: number): Date {
  const day = addDaysToLocalDate(localDateKey(new Date(), ZONE), -daysAgo);
  const { start } = localDayBounds(day, ZONE);
  return new Date(start.getTime() + 12 * 3_600_000);
}

/** Seeds one shop; customer and order ids are the same in every shop seeded (scoping is by shop). */
async function seedShop(shop: string) {
  const today = localDateKey(new Date(), ZONE);
  const currentStart = localDayBounds(addDaysToLocalDate(today, -6), ZONE).start;
  const customer = (id: string) => ({ id, email: `c${id}@example.com` });
  const order = (id: string, processedAt: Date, price: string, extra: Partial<Parameters<typeof orderPayload>[0]> = {}) =>
    orderPayload({ id, processedAt: processedAt.toISOString(), lines: [{ price }], ...extra });

  // O1: placed exactly when the current period starts (local midnight) → current, 100 points.
  await earnPointsForOrder(shop, order("5001", currentStart, "100.00", { customer: customer("901") }), "orders/paid");
  // O2: one second earlier → previous period, 50 points; posting it later must not count twice.
  await earnPointsForOrder(shop, order("5002", new Date(currentStart.getTime() - 1000), "50.00", { customer: customer("901") }), "orders/paid");
  const o2 = await prisma.orderEarning.findUniqueOrThrow({ where: { shop_orderId: { shop, orderId: 5002n } } });
  await postPendingPoints(shop, 5002n, new Date((o2.availableAt ?? new Date()).getTime() + 1000));
  // O3: 20 days ago, before both periods (posted at once: its pending period is over).
  await earnPointsForOrder(shop, order("5003", localNoon(20), "30.00", { customer: customer("902") }), "orders/paid");
  // O4: a guest's order yesterday → revenue from other customers, no points.
  await earnPointsForOrder(shop, order("5004", localNoon(1), "80.00", { customer: null }), "orders/paid");
  // O5: two days ago, then cancelled: its pending points are voided, its revenue left out.
  const o5 = order("5005", localNoon(2), "40.00", { customer: customer("902") });
  await earnPointsForOrder(shop, o5, "orders/paid");
  await reverseCancelledOrder(shop, { ...o5, cancelled_at: new Date().toISOString() });
  // O6: a test order three days ago: no points, no revenue (no recorded total).
  await earnPointsForOrder(shop, order("5006", localNoon(3), "500.00", { customer: customer("901"), test: true }), "orders/paid");

  const m1 = await prisma.member.findUniqueOrThrow({ where: { shop_shopifyCustomerId: { shop, shopifyCustomerId: 901n } } });
  const { member: m3 } = await enrollMember(shop, { customerId: 903n, email: "c903@example.com" });
  // Recorded today: signup points, an addition and a removal by the merchant, two redemptions
  // (one spent, one voided: back to the member), and the rest of the signup lot expiring.
  const signup = await ledger.earn(shop, m3.id, { points: 100, status: "POSTED", idempotencyKey: "signup", reason: "signup", expiresAt: new Date(Date.now() + 1000) });
  await ledger.credit(shop, m1.id, { kind: "ADJUST", points: 50, idempotencyKey: "adjust-add", reason: "goodwill" });
  await ledger.debit(shop, m1.id, { kind: "ADJUST", points: 20, idempotencyKey: "adjust-remove", reason: "correction" });
  const spent = await ledger.hold(shop, m3.id, { points: 30, idempotencyKey: "hold-1" });
  await ledger.capture(shop, spent.entry.id, { idempotencyKey: "capture-1" });
  const voided = await ledger.hold(shop, m3.id, { points: 10, idempotencyKey: "hold-2" });
  await ledger.voidHold(shop, voided.entry.id, { idempotencyKey: "void-2" });
  // A third is spent, then given back (its order was cancelled): not redeemed either.
  const returned = await ledger.hold(shop, m3.id, { points: 20, idempotencyKey: "hold-3" });
  await ledger.capture(shop, returned.entry.id, { idempotencyKey: "capture-3" });
  await ledger.returnRedemption(shop, returned.entry.id, { idempotencyKey: "return-3" });
  await ledger.expireLot(shop, signup.entry.id, { idempotencyKey: "expire-signup", now: new Date(Date.now() + 2000) });

  await prisma.reward.create({ data: { shop, type: "FIXED_AMOUNT", pointsCost: 500, amount: "5.00", title: { en: "$5 off", fr: "5 $ de réduction" } } });
}

async function merchantShop() {
  const { domain } = await createTestShop({ ianaTimezone: ZONE });
  await installOfflineSession(domain);
  return domain;
}

describe("the overview loader", () => {
  it("counts each figure exactly, on the day it belongs to in the shop's time zone, and never another shop's", async () => {
    const shop = await merchantShop();
    const other = await merchantShop();
    await seedShop(shop);
    // The other shop has the same customers and order ids, and more besides.
    await seedShop(other);
    await earnPointsForOrder(other, orderPayload({ id: "5099", processedAt: localNoon(1).toISOString(), lines: [{ price: "999.00" }], customer: { id: "999" } }), "orders/paid");

    const { status, body } = await overviewOf(shop);
    expect(status).toBe(200);
    const today = localDateKey(new Date(), ZONE);
    expect(body.period.current).toEqual({ from: addDaysToLocalDate(today, -6), to: today, days: 7 });
    expect(body.period.previous).toEqual({ from: addDaysToLocalDate(today, -13), to: addDaysToLocalDate(today, -7), days: 7 });
    expect(body.periodError).toBeNull();
    expect(body.isNewShop).toBe(false);

    expect(body.members).toEqual({ total: 3, new: { current: 3, previous: 0 } }); // enrolled now: recording time
    // Current: 901 (O1, the test order), 902 (O5, cancelled but placed), 903 (redeemed). Previous: 901 (O2).
    expect(body.activeMembers).toEqual({ current: 3, previous: 1 });
    // Current: O1 100 + O5 (40 − 40 voided) + signup 100 + 50 added − 20 removed. Previous: O2 50 (its posting is not new points).
    expect(body.points.issued).toEqual({ current: 230, previous: 50 });
    expect(body.points.redeemed).toEqual({ current: 30, previous: 0 }); // the voided and the returned redemptions came back
    expect(body.points.expired).toEqual({ current: 70, previous: 0 });
    expect(body.points.redemptionRate).toEqual({ current: 30 / 230, previous: 0 });

    // Held now: 901 has O2's 50 posted + 50 − 20 available and O1's 100 pending; 902 has O3's 30; 903 nothing left.
    expect(body.liability).toEqual({
      available: 80 + 30,
      pending: 100,
      amount: "2.10", // 210 points × $5.00 / 500 points
      pointValue: { points: 500, amount: "5.00", source: "reward", rewardTitle: "$5 off" },
    });

    expect(body.revenue).toEqual({
      members: { current: "100.00", previous: "50.00" },
      others: { current: "80.00", previous: "0.00" },
      memberOrders: { current: 1, previous: 1 },
      otherOrders: { current: 1, previous: 0 },
      excludedOrders: 1, // the test order
    });

    // Day by day (current period): O1 on its first day, the guest yesterday, today's recorded entries.
    expect(body.series.days).toHaveLength(7);
    expect(body.series.days[0]).toBe(addDaysToLocalDate(today, -6));
    expect(body.series.issued).toEqual([100, 0, 0, 0, 0, 0, 130]);
    expect(body.series.redeemed).toEqual([0, 0, 0, 0, 0, 0, 30]);
    expect(body.series.expired).toEqual([0, 0, 0, 0, 0, 0, 70]);
    expect(body.series.memberRevenue).toEqual(["100.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00"]);
    expect(body.series.otherRevenue).toEqual(["0.00", "0.00", "0.00", "0.00", "0.00", "80.00", "0.00"]);

    // The other shop sees its own figures (the extra order), with its own token.
    const theirs = await overviewOf(other);
    expect(theirs.body.points.issued.current).toBe(230 + 999);
    expect(theirs.body.revenue.members.current).toBe("1099.00");
    expect(theirs.body.members.total).toBe(4);
  });

  it("reports a custom range and the same number of days before it; recorded time alone would put the orders today", async () => {
    const shop = await merchantShop();
    await seedShop(shop);
    const today = localDateKey(new Date(), ZONE);
    const from = addDaysToLocalDate(today, -6);
    const to = addDaysToLocalDate(today, -1); // today (the recorded entries) left out
    const { body } = await overviewOf(shop, `?period=custom&from=${from}&to=${to}`);
    expect(body.period.current).toEqual({ from, to, days: 6 });
    expect(body.period.previous).toEqual({ from: addDaysToLocalDate(from, -6), to: addDaysToLocalDate(from, -1), days: 6 });
    expect(body.points.issued).toEqual({ current: 100, previous: 50 });
    expect(body.points.redeemed.current).toBe(0);
    expect(body.revenue.others.current).toBe("80.00");
  });

  it("refuses a bad period with a reason and shows the last 30 days instead", async () => {
    const shop = await merchantShop();
    const today = localDateKey(new Date(), ZONE);
    const cases: [string, string][] = [
      ["?period=custom&from=2026-02-30&to=2026-03-01", "invalid_date"],
      [`?period=custom&from=${today}&to=${addDaysToLocalDate(today, 1)}`, "in_future"],
      ["?period=custom&from=2024-01-01&to=2025-06-01", "too_long"],
      ["?period=custom&from=2025-03-02&to=2025-03-01", "from_after_to"],
      ["?period=365", "invalid_period"],
      [`?period=custom&from=${"9".repeat(200)}`, "invalid_period"],
    ];
    for (const [query, error] of cases) {
      const { status, body } = await overviewOf(shop, query);
      expect([query, status, body.periodError]).toEqual([query, 200, error]);
      expect(body.period.current).toEqual({ from: addDaysToLocalDate(today, -29), to: today, days: 30 });
    }
  });

  it("shows a new shop as new, with zeros and the stated assumption for the value of a point", async () => {
    const shop = await merchantShop();
    const { body } = await overviewOf(shop);
    expect(body.isNewShop).toBe(true);
    expect(body.members).toEqual({ total: 0, new: { current: 0, previous: 0 } });
    expect(body.points.issued).toEqual({ current: 0, previous: 0 });
    expect(body.points.redemptionRate).toEqual({ current: null, previous: null });
    expect(body.liability).toEqual({ available: 0, pending: 0, amount: "0.00", pointValue: { points: 100, amount: "1.00", source: "assumption", rewardTitle: null } });
    expect(body.series.issued).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it("answers only a valid session token, and each shop's token sees that shop", async () => {
    const shop = await merchantShop();
    const unauthenticated = await callRoute(loader, adminRequest({ path: "/app?period=7" }));
    expect(unauthenticated.status).toBeGreaterThanOrEqual(300);
    expect(unauthenticated.status).not.toBe(200);
    const forged = await callRoute(loader, adminRequest({ path: "/app?period=7", token: await sessionToken(shop, { secret: "not-the-app-secret" }) }));
    expect(forged.status).toBe(401);
    // A shop without an installed offline session gets no data.
    const { domain: notInstalled } = await createTestShop({ ianaTimezone: ZONE });
    const refused = await callRoute(loader, adminRequest({ path: "/app?period=7", token: await sessionToken(notInstalled) }));
    expect(refused.status).not.toBe(200);
  });
});
