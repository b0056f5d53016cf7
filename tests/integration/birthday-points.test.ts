import { randomInt } from "node:crypto";
import { describe, expect, it } from "vitest";
import { getBalance, reconcileBalances } from "~/models/ledger.server";
import { awardBirthdayPointsJob } from "~/jobs/award-birthday-points.job.server";
import { enqueueDailyJobs } from "~/jobs/scheduler.server";
import { awardBirthdayPoints } from "~/services/members.server";
import { createTestShop, prisma } from "../helpers/db";
import { useIsolatedJobQueue } from "../helpers/jobs";

const queue = useIsolatedJobQueue();
const BIRTHDAY_RULES = { actions: { birthday: { enabled: true, points: 300 } } };

async function shopWithBirthdays(rules: object = BIRTHDAY_RULES) {
  const shop = await createTestShop({ ianaTimezone: "America/New_York" });
  await prisma.shop.update({ where: { domain: shop.domain }, data: { earningRules: rules } });
  return shop.domain;
}

async function member(shop: string, birthday: string | null, state: "ACTIVE" | "REDACTED" = "ACTIVE") {
  return prisma.member.create({
    data: { shop, shopifyCustomerId: BigInt(randomInt(1, 2 ** 47)), birthday: birthday ? new Date(`${birthday}T00:00:00Z`) : null, state },
  });
}

describe("birthday points", () => {
  it("pays on the birthday in the shop's time zone, once a year however often it runs", async () => {
    const shop = await shopWithBirthdays();
    const today = await member(shop, "1990-11-22");
    const tomorrow = await member(shop, "1985-11-23");
    const none = await member(shop, null);
    // 02:00 UTC on 22 Nov is still 21 Nov in New York: nobody's birthday yet.
    expect(await awardBirthdayPoints(shop, new Date("2026-11-22T02:00:00Z"))).toBe(0);
    const noon = new Date("2026-11-22T17:00:00Z");
    expect(await awardBirthdayPoints(shop, noon)).toBe(1);
    expect(await awardBirthdayPoints(shop, noon)).toBe(0);
    expect(await awardBirthdayPoints(shop, new Date("2026-11-22T23:00:00Z"))).toBe(0);
    expect((await getBalance(shop, today.id)).available).toBe(300);
    expect((await getBalance(shop, tomorrow.id)).available).toBe(0);
    expect((await getBalance(shop, none.id)).available).toBe(0);
    // The next day: tomorrow's member is paid, today's is not paid again through the catch-up day.
    expect(await awardBirthdayPoints(shop, new Date("2026-11-23T17:00:00Z"))).toBe(1);
    expect((await getBalance(shop, today.id)).available).toBe(300);
    expect((await getBalance(shop, tomorrow.id)).available).toBe(300);
    // A year later it pays again.
    expect(await awardBirthdayPoints(shop, new Date("2027-11-22T17:00:00Z"))).toBe(1);
    expect((await getBalance(shop, today.id)).available).toBe(600);
    expect(await reconcileBalances(shop)).toEqual([]);
  });

  it("catches up a day missed by the scheduler, and celebrates 29 February on the 28th in common years", async () => {
    const shop = await shopWithBirthdays();
    const leap = await member(shop, "2000-02-29");
    const missed = await member(shop, "1999-02-27");
    expect(await awardBirthdayPoints(shop, new Date("2027-02-28T15:00:00Z"))).toBe(2);
    expect((await getBalance(shop, leap.id)).available).toBe(300);
    expect((await getBalance(shop, missed.id)).available).toBe(300);
  });

  it("pays nothing when the rule is off, to redacted members, or for an uninstalled shop", async () => {
    const off = await shopWithBirthdays({});
    await member(off, "1990-11-22");
    expect(await awardBirthdayPoints(off, new Date("2026-11-22T17:00:00Z"))).toBe(0);

    const shop = await shopWithBirthdays();
    await member(shop, "1990-11-22", "REDACTED");
    expect(await awardBirthdayPoints(shop, new Date("2026-11-22T17:00:00Z"))).toBe(0);
    await member(shop, "1991-11-22");
    await prisma.shop.update({ where: { domain: shop }, data: { installState: "UNINSTALLED" } });
    expect(await awardBirthdayPoints(shop, new Date("2026-11-22T17:00:00Z"))).toBe(0);
    expect(await prisma.ledgerEntry.count({ where: { shop } })).toBe(0);
  });

  it("the scheduler enqueues one run per installed shop per local day", async () => {
    const shop = await shopWithBirthdays();
    const gone = await shopWithBirthdays();
    await prisma.shop.update({ where: { domain: gone }, data: { installState: "UNINSTALLED" } });
    const now = new Date("2026-11-22T17:00:00Z");
    await enqueueDailyJobs(now);
    const job = `award-birthday-points:${shop}:2026-11-22`;
    expect((await queue().getJobStatus("bulk", job))?.state).toBe("waiting");
    expect(await queue().getJobStatus("bulk", `award-birthday-points:${gone}:2026-11-22`)).toBeNull();
    // Another worker's tick, the same local day: the same job id, nothing new for this shop.
    const waitingBefore = (await queue().queueCounts()).bulk.waiting;
    const again = await queue().enqueue(awardBirthdayPointsJob, { shop }, { jobId: `${shop}:2026-11-22` });
    expect(again.duplicate).toBe(true);
    expect((await queue().queueCounts()).bulk.waiting).toBe(waitingBefore);
    // 04:00 UTC on the 23rd is still the 22nd in New York.
    await enqueueDailyJobs(new Date("2026-11-23T04:00:00Z"));
    expect(await queue().getJobStatus("bulk", `award-birthday-points:${shop}:2026-11-23`)).toBeNull();
  });
});
