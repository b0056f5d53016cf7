import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { reconcileBalances } from "~/models/ledger.server";
import { adjustMemberPoints, adjustmentSchema } from "~/services/points-adjustment.server";
import { createTestShop, prisma } from "../helpers/db";

async function memberIn(shop: string, customerId = BigInt(Date.now()) * 1000n + BigInt(Math.floor(Math.random() * 1000))) {
  return prisma.member.create({ data: { shop, shopifyCustomerId: customerId, email: "a@example.com" } });
}

const form = (points: number | string, reason = "Goodwill after a late delivery") =>
  adjustmentSchema.parse({ points: String(points), reason, requestId: randomUUID() });

describe("manual points adjustment", () => {
  it("adds and removes points, audit-logged with the staff user", async () => {
    const { domain: shop } = await createTestShop();
    const member = await memberIn(shop);
    const added = await adjustMemberPoints(shop, member.id, form(250), "staff:42");
    expect(added).toMatchObject({ ok: true, points: 250, replayed: false });
    const removed = await adjustMemberPoints(shop, member.id, form(-100, "Duplicate manual credit"), "staff:42");
    expect(removed).toMatchObject({ ok: true, points: -100 });
    const after = await prisma.member.findUniqueOrThrow({ where: { id: member.id } });
    expect(after.pointsAvailable).toBe(150);
    expect(after.lifetimeEarned).toBe(250);
    const audit = await prisma.auditLog.findMany({ where: { shop, action: "points.adjusted" }, orderBy: { id: "asc" } });
    expect(audit.map((a) => [a.actor, a.subjectId, (a.details as { points: number }).points])).toEqual([
      ["staff:42", member.id, 250],
      ["staff:42", member.id, -100],
    ]);
    const entries = await prisma.ledgerEntry.findMany({ where: { shop, memberId: member.id }, orderBy: { id: "asc" } });
    expect(entries.map((e) => [e.kind, e.points, e.actor, e.reason])).toEqual([
      ["ADJUST", 250, "staff:42", "Goodwill after a late delivery"],
      ["ADJUST", -100, "staff:42", "Duplicate manual credit"],
    ]);
    expect(await reconcileBalances(shop)).toEqual([]);
  });

  it("adjusts once when the same form is submitted twice, even concurrently", async () => {
    const { domain: shop } = await createTestShop();
    const member = await memberIn(shop);
    const input = form(40);
    const results = await Promise.all([1, 2, 3].map(() => adjustMemberPoints(shop, member.id, input, "staff:7")));
    expect(results.every((r) => r.ok)).toBe(true);
    expect((await prisma.member.findUniqueOrThrow({ where: { id: member.id } })).pointsAvailable).toBe(40);
    expect(await prisma.auditLog.count({ where: { shop, action: "points.adjusted" } })).toBe(1);
    const reused = await adjustMemberPoints(shop, member.id, { ...input, points: 41 }, "staff:7");
    expect(reused).toMatchObject({ ok: false, status: 409, errors: { form: "form.stale" } });
  });

  it("refuses to remove more than is available and changes nothing", async () => {
    const { domain: shop } = await createTestShop();
    const member = await memberIn(shop);
    await adjustMemberPoints(shop, member.id, form(30), "staff:1");
    const outcome = await adjustMemberPoints(shop, member.id, form(-31), "staff:1");
    expect(outcome).toEqual({ ok: false, status: 422, errors: { points: "points.insufficient" }, available: 30 });
    expect((await prisma.member.findUniqueOrThrow({ where: { id: member.id } })).pointsAvailable).toBe(30);
    expect(await prisma.ledgerEntry.count({ where: { shop, memberId: member.id } })).toBe(1);
  });

  it("cannot touch another shop's member", async () => {
    const { domain: shopA } = await createTestShop();
    const { domain: shopB } = await createTestShop();
    const memberB = await memberIn(shopB);
    const outcome = await adjustMemberPoints(shopA, memberB.id, form(10), "staff:1");
    expect(outcome).toEqual({ ok: false, status: 404, errors: { form: "member.notFound" } });
    expect(await prisma.ledgerEntry.count({ where: { memberId: memberB.id } })).toBe(0);
  });

  it("validates the form with clear messages", () => {
    const check = (input: Record<string, string>) => {
      const parsed = adjustmentSchema.safeParse({ points: "10", reason: "Because", requestId: randomUUID(), ...input });
      return parsed.success ? null : parsed.error.issues.map((i) => `${String(i.path[0])}:${i.message}`);
    };
    expect(check({})).toBeNull();
    expect(check({ points: "0" })).toEqual(["points:points.zero"]);
    expect(check({ points: "1.5" })).toEqual(["points:points.whole"]);
    expect(check({ points: "abc" })).toEqual(["points:points.invalid"]);
    expect(check({ points: "1000001" })).toEqual(["points:points.tooLarge"]);
    expect(check({ reason: "  " })).toEqual(["reason:reason.short"]);
    expect(check({ requestId: "x" })).toEqual(["requestId:requestId.invalid"]);
  });
});
