import { describe, expect, it } from "vitest";
import { addDaysToLocalDate, localDateKey, localDayBounds } from "~/domain/time";
import * as ledger from "~/models/ledger.server";
import { enrollMember } from "~/models/member.server";
import { loader } from "~/routes/app.members._index";
import { enrollCustomer } from "~/services/members.server";
import { earnPointsForOrder } from "~/services/order-earning.server";
import { adminRequest, bodyOf, callRoute, installOfflineSession, sessionToken } from "../helpers/admin-request";
import { createTestShop, prisma } from "../helpers/db";
import { orderPayload } from "../unit/domain/support";

// The members list's loader with real session tokens: filters by balance and by last activity
// (an order on the day it was PLACED, in the shop's time zone, or a redemption), combined with the
// search, keyset pagination both ways, bad filters reported and left out, and never another
// shop's members. Activity is kept by database triggers from whatever writes orders and holds.

type MembersPage = {
  members: { id: string; customerId: string; email: string | null; available: number; lastActivityAt: string | null; enrolledAt: string }[];
  nextCursor: string | null;
  previousCursor: string | null;
  errors: string[];
  filtered: boolean;
  applied: Record<string, unknown>;
};

const ZONE = "America/New_York";

async function membersOf(shop: string, query = ""): Promise<MembersPage> {
  const response = await callRoute(loader, adminRequest({ path: `/app/members${query}`, token: await sessionToken(shop) }));
  expect(response.status).toBe(200);
  return bodyOf<MembersPage>(response);
}

const customerIds = (page: MembersPage) => page.members.map((m) => m.customerId).sort();

/** Shop-local midnight `daysAgo` days before today, plus `hours`. */
function localTime(daysAgo: number, hours = 12): Date {
  const day = addDaysToLocalDate(localDateKey(new Date(), ZONE), -daysAgo);
  return new Date(localDayBounds(day, ZONE).start.getTime() + hours * 3_600_000);
}

async function merchantShop() {
  const { domain } = await createTestShop({ ianaTimezone: ZONE });
  await installOfflineSession(domain);
  return domain;
}

let orderSeq = 7000;
async function order(shop: string, customerId: string, placedAt: Date) {
  orderSeq += 1;
  await earnPointsForOrder(shop, orderPayload({
    id: String(orderSeq), processedAt: placedAt.toISOString(), lines: [{ price: "20.00" }], customer: { id: customerId, email: `c${customerId}@example.com` },
  }), "orders/paid");
}

async function setBalance(shop: string, customerId: bigint, points: number) {
  const { member } = await enrollMember(shop, { customerId, email: `c${customerId}@example.com` });
  if (points > 0) await ledger.credit(shop, member.id, { kind: "ADJUST", points, idempotencyKey: `balance-${customerId}` });
  return member;
}

async function seedShop(shop: string) {
  await order(shop, "801", localTime(10)); // A: 10 days ago
  await order(shop, "802", localTime(60)); // B: 60 days ago
  await order(shop, "803", localTime(100)); // C: 100 days ago …
  await order(shop, "803", localTime(200)); // … and an older order delivered later: activity stays at 100 days
  await order(shop, "806", localTime(29, 0)); // F: the first instant of the 30-day window
  await order(shop, "807", new Date(localTime(29, 0).getTime() - 1000)); // G: one second before it
  await setBalance(shop, 801n, 500);
  await setBalance(shop, 802n, 50);
  await setBalance(shop, 803n, 1500);
  await setBalance(shop, 804n, 0); // D: enrolled, never active
  const e = await setBalance(shop, 805n, 100); // E: redeems today
  await ledger.hold(shop, e.id, { points: 40, idempotencyKey: "redeem-805" });
  // H: a guest's order 5 days ago, credited when the guest signs up today.
  orderSeq += 1;
  await earnPointsForOrder(shop, { ...orderPayload({ id: String(orderSeq), processedAt: localTime(5).toISOString(), lines: [{ price: "20.00" }], customer: null }), email: "h808@example.com" }, "orders/paid");
  await enrollCustomer(shop, { id: 808, email: "h808@example.com", first_name: "Hana", last_name: "Guest" });
}

describe("the members list loader", () => {
  it("filters by last activity (business time, shop's days) and by balance, with the search, never across shops", async () => {
    const shop = await merchantShop();
    const other = await merchantShop();
    await seedShop(shop);
    await seedShop(other);
    await setBalance(other, 899n, 700); // only in the other shop

    const all = await membersOf(shop);
    expect(customerIds(all)).toEqual(["801", "802", "803", "804", "805", "806", "807", "808"]);
    const activity = Object.fromEntries(all.members.map((m) => [m.customerId, m.lastActivityAt]));
    expect(activity["803"]).toBe(localTime(100).toISOString()); // the older order did not move it back
    expect(activity["804"]).toBeNull();
    expect(activity["808"]).toBe(localTime(5).toISOString()); // the guest order, credited at signup
    expect(Date.now() - new Date(activity["805"] ?? 0).getTime()).toBeLessThan(60_000); // the redemption, just now

    expect(customerIds(await membersOf(shop, "?activity=active_30"))).toEqual(["801", "805", "806", "808"]);
    expect(customerIds(await membersOf(shop, "?activity=active_90"))).toEqual(["801", "802", "805", "806", "807", "808"]);
    expect(customerIds(await membersOf(shop, "?activity=inactive_90"))).toEqual(["803", "804"]);
    expect(customerIds(await membersOf(shop, "?balanceMin=100&balanceMax=1000"))).toEqual(["801"]);
    expect(customerIds(await membersOf(shop, "?balanceMin=1000"))).toEqual(["803"]);
    // 802 has 50 + its posted order's 20; 805 has 60 left; 806 and 807 their posted 20; 808's points are pending.
    expect(customerIds(await membersOf(shop, "?balanceMax=50"))).toEqual(["804", "806", "807", "808"]);
    expect(customerIds(await membersOf(shop, "?activity=inactive_90&balanceMin=1"))).toEqual(["803"]);
    expect(customerIds(await membersOf(shop, "?q=c803%40"))).toEqual(["803"]);
    expect(customerIds(await membersOf(shop, "?q=805"))).toEqual(["805"]);
    expect(customerIds(await membersOf(shop, "?q=hana&activity=active_30"))).toEqual(["808"]);
    expect(customerIds(await membersOf(shop, "?q=c80&balanceMin=60&activity=active_30"))).toEqual(["801", "805"]);
    // A LIKE wildcard in the search is a character to find, not a wildcard.
    expect(customerIds(await membersOf(shop, "?q=%25"))).toEqual([]);
    expect((await membersOf(shop, "?balanceMin=600")).members.map((m) => m.customerId)).not.toContain("899");
  });

  it("reports a bad filter and leaves it out, applying the others", async () => {
    const shop = await merchantShop();
    await setBalance(shop, 1n, 10);
    await setBalance(shop, 2n, 300);
    const negative = await membersOf(shop, "?balanceMin=-5&balanceMax=100");
    expect(negative.errors).toEqual(["balance"]);
    expect(customerIds(negative)).toEqual(["1"]); // balanceMax still applies
    const reversed = await membersOf(shop, "?balanceMin=500&balanceMax=100");
    expect([reversed.errors, customerIds(reversed)]).toEqual([["balanceOrder"], ["1", "2"]]);
    const activity = await membersOf(shop, "?activity=sometimes&balanceMin=100");
    expect([activity.errors, customerIds(activity)]).toEqual([["activity"], ["2"]]);
    const longSearch = await membersOf(shop, `?q=${"x".repeat(201)}`);
    expect([longSearch.errors, customerIds(longSearch)]).toEqual([["search"], ["1", "2"]]);
    const fraction = await membersOf(shop, "?balanceMin=1.5");
    expect(fraction.errors).toEqual(["balance"]);
  });

  it("pages through every member once, forwards and back, newest enrolled first; a foreign cursor starts over", async () => {
    const shop = await merchantShop();
    const other = await merchantShop();
    const base = Date.now() - 86_400_000;
    // 123 members; three share one enrollment instant (the id breaks the tie).
    await prisma.member.createMany({
      data: Array.from({ length: 123 }, (_, i) => ({
        id: `page-${shop}-${String(i).padStart(3, "0")}`, shop, shopifyCustomerId: BigInt(10_000 + i),
        enrolledAt: new Date(base + (i < 3 ? 0 : i) * 1000),
      })),
    });
    const foreign = await setBalance(other, 1n, 0);

    const pages: MembersPage[] = [await membersOf(shop)];
    while (pages[pages.length - 1].nextCursor) pages.push(await membersOf(shop, `?after=${pages[pages.length - 1].nextCursor}`));
    expect(pages.map((p) => p.members.length)).toEqual([50, 50, 23]);
    expect(pages[0].previousCursor).toBeNull();
    expect(pages[2].nextCursor).toBeNull();
    const ids = pages.flatMap((p) => p.members.map((m) => m.id));
    expect(new Set(ids).size).toBe(123);
    const sorted = [...ids].sort((a, b) => {
      const [ma, mb] = [pages.flatMap((p) => p.members).find((m) => m.id === a), pages.flatMap((p) => p.members).find((m) => m.id === b)];
      return (mb?.enrolledAt ?? "").localeCompare(ma?.enrolledAt ?? "") || b.localeCompare(a);
    });
    expect(ids).toEqual(sorted);

    const back = await membersOf(shop, `?before=${pages[2].previousCursor}`);
    expect(back.members.map((m) => m.id)).toEqual(pages[1].members.map((m) => m.id));
    const first = await membersOf(shop, `?before=${back.previousCursor}`);
    expect(first.members.map((m) => m.id)).toEqual(pages[0].members.map((m) => m.id));
    expect(first.previousCursor).toBeNull();

    const foreignCursor = await membersOf(shop, `?after=${foreign.id}`);
    expect(foreignCursor.members.map((m) => m.id)).toEqual(pages[0].members.map((m) => m.id));
  });

  it("answers only a valid session token", async () => {
    const shop = await merchantShop();
    const forged = await callRoute(loader, adminRequest({ path: "/app/members", token: await sessionToken(shop, { secret: "wrong" }) }));
    expect(forged.status).toBe(401);
    const missing = await callRoute(loader, adminRequest({ path: "/app/members" }));
    expect(missing.status).not.toBe(200);
  });
});
