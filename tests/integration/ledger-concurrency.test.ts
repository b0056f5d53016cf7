import { randomInt } from "node:crypto";
import pg from "pg";
import { beforeEach, describe, expect, it } from "vitest";
import { capture, credit, debit, earn, getBalance, hold, lotsForMember, reconcileBalances, reverse, voidHold, type LedgerEntry } from "~/models/ledger.server";
import { InsufficientPointsError, LedgerConflictError } from "~/models/ledger-errors";
import { createTestShop, prisma } from "../helpers/db";

// Prisma's pg adapter opens a pool of real connections (10 by default), so Promise.all below runs
// that many transactions at once in PostgreSQL. Each test also watches pg_stat_activity to prove
// the transactions really overlapped (some waited on another's lock) rather than ran one by one.

let shop: string;
let memberId: string;

async function createMember(shopDomain: string) {
  const member = await prisma.member.create({ data: { shop: shopDomain, shopifyCustomerId: BigInt(randomInt(1, 2 ** 47)) } });
  return member.id;
}

/** Runs `work` while sampling how many backends of this database wait on a lock. */
async function withLockWaitWatch<T>(work: () => Promise<T>): Promise<{ result: T; maxLockWaiters: number }> {
  const watcher = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await watcher.connect();
  let done = false;
  let maxLockWaiters = 0;
  const sampling = (async () => {
    while (!done) {
      const { rows } = await watcher.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
      );
      maxLockWaiters = Math.max(maxLockWaiters, rows[0].n);
    }
  })();
  try {
    const result = await work();
    return { result, maxLockWaiters };
  } finally {
    done = true;
    await sampling;
    await watcher.end();
  }
}

async function expectLedgerInvariants() {
  expect(await reconcileBalances(shop)).toEqual([]);
  const { available } = await getBalance(shop, memberId);
  expect(available).toBeGreaterThanOrEqual(0);
  const lots = await lotsForMember(shop, memberId);
  expect(lots.reduce((sum, lot) => sum + lot.remaining, 0)).toBe(available);
  // No lot ever gave more than it held.
  const overdrawn = await prisma.$queryRaw<{ id: bigint }[]>`
    SELECT e."id" FROM "LedgerEntry" e JOIN "LedgerLotAllocation" a ON a."shop" = e."shop" AND a."lotEntryId" = e."id"
    WHERE e."shop" = ${shop} GROUP BY e."id", e."points" HAVING SUM(a."points") > e."points" OR SUM(a."points") < 0`;
  expect(overdrawn).toEqual([]);
}

beforeEach(async () => {
  shop = (await createTestShop()).domain;
  memberId = await createMember(shop);
});

describe("concurrent redemptions", () => {
  it("60 concurrent holds and debits: exactly the affordable ones succeed", async () => {
    // 1010 points in 10 lots; 60 requests of 25 points each can afford exactly 40 (1000), leaving 10.
    for (let i = 0; i < 10; i++) {
      await credit(shop, memberId, { kind: "IMPORT", points: 101, importRowId: `row-${i}`, idempotencyKey: `import:${i}` });
    }
    const { result: outcomes, maxLockWaiters } = await withLockWaitWatch(() =>
      Promise.allSettled(
        Array.from({ length: 60 }, (_, i) =>
          i % 2 === 0
            ? hold(shop, memberId, { points: 25, redemptionId: `red_${i}`, idempotencyKey: `redeem:${i}` })
            : debit(shop, memberId, { kind: "ADJUST", points: 25, idempotencyKey: `debit:${i}` }),
        ),
      ),
    );

    const succeeded = outcomes.filter((o) => o.status === "fulfilled");
    const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    expect(succeeded).toHaveLength(40);
    expect(failed).toHaveLength(20);
    for (const f of failed) {
      expect(f.reason).toBeInstanceOf(InsufficientPointsError);
      expect(f.reason).toMatchObject({ requested: 25 });
      expect((f.reason as InsufficientPointsError).available).toBeLessThan(25);
    }
    expect(await getBalance(shop, memberId)).toEqual({ available: 10, pending: 0, lifetimeEarned: 1010 });
    expect(await prisma.ledgerEntry.count({ where: { shop, kind: { in: ["REDEEM_HOLD", "ADJUST"] } } })).toBe(40);
    await expectLedgerInvariants();
    expect(maxLockWaiters).toBeGreaterThanOrEqual(2);
  });

  it("captures and voids racing on the same holds resolve each hold exactly once", async () => {
    await earn(shop, memberId, { points: 1000, status: "POSTED", idempotencyKey: "seed" });
    const holds: LedgerEntry[] = [];
    for (let i = 0; i < 10; i++) holds.push((await hold(shop, memberId, { points: 50, idempotencyKey: `h${i}` })).entry);

    const { result: outcomes } = await withLockWaitWatch(() =>
      Promise.allSettled(holds.flatMap((h) => [
        capture(shop, h.id, { idempotencyKey: `h${h.id}:capture` }),
        voidHold(shop, h.id, { idempotencyKey: `h${h.id}:void` }),
      ])),
    );
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(10);
    for (const o of outcomes) if (o.status === "rejected") expect(o.reason).toMatchObject({ code: "invalid_ledger_state" });
    const resolutions = await prisma.ledgerEntry.findMany({ where: { shop, pendingId: { in: holds.map((h) => h.id) } } });
    expect(resolutions).toHaveLength(10);
    const voided = resolutions.filter((r) => r.kind === "REDEEM_VOID").length;
    expect(await getBalance(shop, memberId)).toMatchObject({ available: 500 + 50 * voided });
    await expectLedgerInvariants();
  });

  it("a mixed concurrent workload keeps every invariant", async () => {
    const lots: LedgerEntry[] = [];
    for (let i = 0; i < 8; i++) lots.push((await earn(shop, memberId, { points: 100, status: "POSTED", orderId: BigInt(i + 1), idempotencyKey: `order:${i}` })).entry);

    const operations: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) operations.push(hold(shop, memberId, { points: 30, idempotencyKey: `mix:hold:${i}` }));
    for (let i = 0; i < 10; i++) operations.push(debit(shop, memberId, { kind: "EXPIRE", points: 20, idempotencyKey: `mix:expire:${i}` }));
    for (let i = 0; i < 10; i++) operations.push(earn(shop, memberId, { points: 15, status: "POSTED", idempotencyKey: `mix:earn:${i}` }));
    for (let i = 0; i < 8; i++) operations.push(reverse(shop, lots[i].id, { points: 60, idempotencyKey: `mix:refund:${i}` }));
    const results = await Promise.allSettled(operations);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(InsufficientPointsError);
    await expectLedgerInvariants();

    const holds = await prisma.ledgerEntry.findMany({ where: { shop, kind: "REDEEM_HOLD" } });
    await Promise.all(holds.map((h, i) =>
      i % 2 === 0 ? capture(shop, h.id, { idempotencyKey: `mix:capture:${h.id}` }) : voidHold(shop, h.id, { idempotencyKey: `mix:void:${h.id}` })));
    await expectLedgerInvariants();
  });
});

describe("concurrent idempotent requests", () => {
  it("the same request five times at once writes one entry and answers the same", async () => {
    await earn(shop, memberId, { points: 500, status: "POSTED", idempotencyKey: "seed" });
    const results = await Promise.all(
      Array.from({ length: 5 }, () => hold(shop, memberId, { points: 100, redemptionId: "red_9", idempotencyKey: "redeem:red_9" })),
    );
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    for (const r of results) expect(r.entry).toEqual(results[0].entry);
    expect(await prisma.ledgerEntry.count({ where: { shop, kind: "REDEEM_HOLD" } })).toBe(1);
    expect(await getBalance(shop, memberId)).toMatchObject({ available: 400 });
  });

  it("one key racing across ten members: one entry, nine conflicts", async () => {
    const members = [memberId];
    for (let i = 1; i < 10; i++) members.push(await createMember(shop));
    const outcomes = await Promise.allSettled(
      members.map((m) => earn(shop, m, { points: 10, status: "POSTED", idempotencyKey: "shared-key" })),
    );
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    for (const o of outcomes) if (o.status === "rejected") expect(o.reason).toBeInstanceOf(LedgerConflictError);
    expect(await prisma.ledgerEntry.count({ where: { shop } })).toBe(1);
    expect(await reconcileBalances(shop)).toEqual([]);
  });
});
