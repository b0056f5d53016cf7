import { randomInt } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import {
  capture,
  credit,
  debit,
  earn,
  entriesForOrder,
  expireLot,
  getBalance,
  hold,
  listEntries,
  lotsForMember,
  postPending,
  reconcileBalances,
  returnRedemption,
  reverse,
  voidHold,
  voidPending,
} from "~/models/ledger.server";
import {
  InsufficientPointsError,
  LedgerConflictError,
  LedgerEntryNotFoundError,
  LedgerStateError,
  LedgerValidationError,
  MemberNotFoundError,
  ReversalLimitError,
} from "~/models/ledger-errors";
import { createTestShop, prisma } from "../helpers/db";

let shop: string;
let memberId: string;

async function createMember(shopDomain: string) {
  const member = await prisma.member.create({
    data: { shop: shopDomain, shopifyCustomerId: BigInt(randomInt(1, 2 ** 47)) },
  });
  return member.id;
}

async function entryCount(shopDomain = shop) {
  return prisma.ledgerEntry.count({ where: { shop: shopDomain } });
}

/** The ledger's invariants: cache = recomputation, and the lots add up to `available`. */
async function expectConsistent(shopDomain = shop, member = memberId) {
  expect(await reconcileBalances(shopDomain)).toEqual([]);
  const lots = await lotsForMember(shopDomain, member);
  const { available } = await getBalance(shopDomain, member);
  expect(lots.reduce((sum, lot) => sum + lot.remaining, 0)).toBe(available);
}

const daysFromNow = (days: number) => new Date(Date.now() + days * 86_400_000);

beforeEach(async () => {
  shop = (await createTestShop()).domain;
  memberId = await createMember(shop);
});

describe("earning", () => {
  it("posts directly: available and lifetime grow, the entry is a lot", async () => {
    const expiresAt = daysFromNow(365);
    const { entry, replayed } = await earn(shop, memberId, {
      points: 120, status: "POSTED", orderId: 5001n, expiresAt, idempotencyKey: "order:5001:earn", actor: "system:orders",
    });
    expect(replayed).toBe(false);
    expect(entry).toMatchObject({ shop, memberId, kind: "EARN", status: "POSTED", points: 120, orderId: 5001n, pendingId: null });
    expect(entry.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(await getBalance(shop, memberId)).toEqual({ available: 120, pending: 0, lifetimeEarned: 120 });
    expect(await lotsForMember(shop, memberId)).toEqual([
      expect.objectContaining({ lotEntryId: entry.id, kind: "EARN", points: 120, remaining: 120, expiresAt }),
    ]);
    await expectConsistent();
  });

  it("pending → posted by a later entry that names it; the pending row is never touched", async () => {
    const expiresAt = daysFromNow(380);
    const pending = await earn(shop, memberId, { points: 80, status: "PENDING", orderId: 7n, expiresAt, idempotencyKey: "order:7:earn" });
    expect(await getBalance(shop, memberId)).toEqual({ available: 0, pending: 80, lifetimeEarned: 0 });
    expect(await lotsForMember(shop, memberId)).toEqual([]);

    const posted = await postPending(shop, pending.entry.id, { idempotencyKey: "order:7:post" });
    expect(posted.entry).toMatchObject({ kind: "EARN", status: "POSTED", points: 80, pendingId: pending.entry.id, orderId: 7n, expiresAt });
    expect(await getBalance(shop, memberId)).toEqual({ available: 80, pending: 0, lifetimeEarned: 80 });
    expect(await prisma.ledgerEntry.findUniqueOrThrow({ where: { id: pending.entry.id } })).toEqual(pending.entry);
    expect((await entriesForOrder(shop, 7n)).map((e) => e.id)).toEqual([pending.entry.id, posted.entry.id]);
    await expectConsistent();

    await expect(postPending(shop, pending.entry.id, { idempotencyKey: "order:7:post-again" })).rejects.toBeInstanceOf(LedgerStateError);
    await expect(voidPending(shop, pending.entry.id, { idempotencyKey: "order:7:void" })).rejects.toBeInstanceOf(LedgerStateError);
    expect(await entryCount()).toBe(2);
  });

  it("pending → voided when the order is cancelled first: the points never become spendable", async () => {
    const pending = await earn(shop, memberId, { points: 50, status: "PENDING", orderId: 8n, idempotencyKey: "order:8:earn" });
    const voided = await voidPending(shop, pending.entry.id, { idempotencyKey: "order:8:cancel", reason: "order cancelled" });
    expect(voided.entry).toMatchObject({ kind: "EARN", status: "VOIDED", points: 50, pendingId: pending.entry.id });
    expect(await getBalance(shop, memberId)).toEqual({ available: 0, pending: 0, lifetimeEarned: 0 });
    await expect(postPending(shop, pending.entry.id, { idempotencyKey: "order:8:post" })).rejects.toBeInstanceOf(LedgerStateError);
    await expectConsistent();
  });

  it("only pending earnings can be posted or voided", async () => {
    const posted = await earn(shop, memberId, { points: 10, status: "POSTED", idempotencyKey: "e1" });
    await expect(postPending(shop, posted.entry.id, { idempotencyKey: "p1" })).rejects.toBeInstanceOf(LedgerStateError);
    const held = await hold(shop, memberId, { points: 5, idempotencyKey: "h1" });
    await expect(voidPending(shop, held.entry.id, { idempotencyKey: "v1" })).rejects.toBeInstanceOf(LedgerStateError);
    await expectConsistent();
  });

  it("credits adjustments, imports, referrals and campaigns as lots", async () => {
    await credit(shop, memberId, { kind: "IMPORT", points: 300, importRowId: "row-1", idempotencyKey: "import:1" });
    await credit(shop, memberId, { kind: "REFERRAL", points: 50, idempotencyKey: "referral:1" });
    await credit(shop, memberId, { kind: "CAMPAIGN", points: 25, expiresAt: daysFromNow(30), idempotencyKey: "campaign:1" });
    await credit(shop, memberId, { kind: "ADJUST", points: 5, reason: "goodwill", actor: "staff:1", idempotencyKey: "adjust:1" });
    expect(await getBalance(shop, memberId)).toEqual({ available: 380, pending: 0, lifetimeEarned: 380 });
    expect((await lotsForMember(shop, memberId)).map((l) => [l.kind, l.remaining])).toEqual([
      ["IMPORT", 300], ["REFERRAL", 50], ["CAMPAIGN", 25], ["ADJUST", 5],
    ]);
    await expectConsistent();
  });

  it("rejects malformed amounts and keys without writing anything", async () => {
    for (const points of [0, -5, 1.5, Number.NaN, 1e12]) {
      await expect(earn(shop, memberId, { points, status: "POSTED", idempotencyKey: `bad:${points}` })).rejects.toBeInstanceOf(LedgerValidationError);
    }
    await expect(earn(shop, memberId, { points: 1, status: "POSTED", idempotencyKey: " " })).rejects.toBeInstanceOf(LedgerValidationError);
    await expect(credit(shop, memberId, { kind: "EXPIRE" as never, points: 1, idempotencyKey: "k" })).rejects.toBeInstanceOf(LedgerValidationError);
    await expect(debit(shop, memberId, { kind: "EARN" as never, points: 1, idempotencyKey: "k" })).rejects.toBeInstanceOf(LedgerValidationError);
    expect(await entryCount()).toBe(0);
  });

  it("refuses a credit that would overflow the balance, writing nothing", async () => {
    await prisma.$executeRaw`UPDATE "Member" SET "pointsAvailable" = 2147483000, "lifetimeEarned" = 2147483000 WHERE "shop" = ${shop} AND "id" = ${memberId}`;
    await expect(credit(shop, memberId, { kind: "ADJUST", points: 1000, idempotencyKey: "overflow" })).rejects.toBeInstanceOf(LedgerValidationError);
    expect(await entryCount()).toBe(0);
    expect(await getBalance(shop, memberId)).toMatchObject({ available: 2147483000 });
  });
});

describe("idempotency", () => {
  it("the same key and content returns the original entry, five times over", async () => {
    const input = { points: 40, status: "POSTED" as const, orderId: 99n, idempotencyKey: "order:99:earn" };
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await earn(shop, memberId, { ...input }));
    expect(results.map((r) => r.replayed)).toEqual([false, true, true, true, true]);
    for (const r of results) expect(r.entry).toEqual(results[0].entry);
    expect(await entryCount()).toBe(1);
    expect(await getBalance(shop, memberId)).toEqual({ available: 40, pending: 0, lifetimeEarned: 40 });
  });

  it("the same key with other content is a conflict and changes nothing", async () => {
    await earn(shop, memberId, { points: 40, status: "POSTED", idempotencyKey: "k1" });
    const before = await getBalance(shop, memberId);
    const attempt = earn(shop, memberId, { points: 41, status: "POSTED", idempotencyKey: "k1" });
    await expect(attempt).rejects.toBeInstanceOf(LedgerConflictError);
    await expect(attempt).rejects.toMatchObject({ status: 409, code: "idempotency_conflict" });
    // Another operation, another member: still the same key, still a conflict.
    const other = await createMember(shop);
    await expect(earn(shop, other, { points: 40, status: "POSTED", idempotencyKey: "k1" })).rejects.toBeInstanceOf(LedgerConflictError);
    await expect(hold(shop, memberId, { points: 1, idempotencyKey: "k1" })).rejects.toBeInstanceOf(LedgerConflictError);
    expect(await entryCount()).toBe(1);
    expect(await getBalance(shop, memberId)).toEqual(before);
    expect(await getBalance(shop, other)).toEqual({ available: 0, pending: 0, lifetimeEarned: 0 });
  });

  it("a replayed hold returns the original even after the balance has changed", async () => {
    await earn(shop, memberId, { points: 100, status: "POSTED", idempotencyKey: "e" });
    const first = await hold(shop, memberId, { points: 100, redemptionId: "r1", idempotencyKey: "redeem:r1" });
    const again = await hold(shop, memberId, { points: 100, redemptionId: "r1", idempotencyKey: "redeem:r1" });
    expect(again).toEqual({ entry: first.entry, replayed: true });
    expect(await getBalance(shop, memberId)).toMatchObject({ available: 0 });
  });
});

describe("the journal is append-only", () => {
  it("refuses raw UPDATE and DELETE of entries and allocations", async () => {
    const { entry } = await earn(shop, memberId, { points: 10, status: "POSTED", idempotencyKey: "e" });
    await debit(shop, memberId, { kind: "ADJUST", points: 4, idempotencyKey: "d" });
    await expect(prisma.$executeRaw`UPDATE "LedgerEntry" SET "points" = 1000 WHERE "id" = ${entry.id}`).rejects.toThrow(/append-only/);
    await expect(prisma.$executeRaw`DELETE FROM "LedgerEntry" WHERE "id" = ${entry.id}`).rejects.toThrow(/append-only/);
    await expect(prisma.$executeRaw`UPDATE "LedgerLotAllocation" SET "points" = 0 WHERE "shop" = ${shop}`).rejects.toThrow(/append-only/);
    await expect(prisma.$executeRaw`DELETE FROM "LedgerLotAllocation" WHERE "shop" = ${shop}`).rejects.toThrow(/append-only/);
    await expect(prisma.ledgerEntry.update({ where: { id: entry.id }, data: { points: 1 } })).rejects.toThrow();
    expect(await prisma.ledgerEntry.findUniqueOrThrow({ where: { id: entry.id } })).toEqual(entry);
    expect(await prisma.ledgerLotAllocation.count({ where: { shop } })).toBe(1);
  });

  it("enforces the sign convention in the database", async () => {
    const insert = (kind: string, status: string, points: number) => prisma.$executeRawUnsafe(
      `INSERT INTO "LedgerEntry" ("shop", "memberId", "kind", "status", "points", "idempotencyKey", "contentHash")
       VALUES ($1, $2, $3::"LedgerKind", $4::"LedgerStatus", $5, $6, 'x')`,
      shop, memberId, kind, status, points, `raw:${kind}:${status}:${points}`,
    );
    await expect(insert("EARN", "POSTED", -5)).rejects.toThrow(/LedgerEntry_shape/);
    await expect(insert("EXPIRE", "POSTED", 5)).rejects.toThrow(/LedgerEntry_shape/);
    await expect(insert("REDEEM_HOLD", "POSTED", -5)).rejects.toThrow(/LedgerEntry_shape/);
    await expect(insert("REDEEM_CAPTURE", "POSTED", -5)).rejects.toThrow(/LedgerEntry_shape/); // no pendingId
  });

  it("lets a whole shop be erased only inside a purge transaction (GDPR shop/redact)", async () => {
    const { entry } = await earn(shop, memberId, { points: 100, status: "POSTED", orderId: 1n, idempotencyKey: "e" });
    await reverse(shop, entry.id, { points: 10, idempotencyKey: "r" });
    const held = await hold(shop, memberId, { points: 20, idempotencyKey: "h" });
    await voidHold(shop, held.entry.id, { idempotencyKey: "hv" });
    const pending = await earn(shop, memberId, { points: 5, status: "PENDING", idempotencyKey: "p" });
    await postPending(shop, pending.entry.id, { idempotencyKey: "pp" });

    // The trigger raises restrict_violation, which Prisma reports as a foreign-key violation.
    await expect(prisma.shop.delete({ where: { domain: shop } })).rejects.toThrow();
    await expect(prisma.$executeRaw`DELETE FROM "Shop" WHERE "domain" = ${shop}`).rejects.toThrow(/append-only/);
    expect(await entryCount()).toBe(6);

    await prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT set_config('loyalnest.ledger_purge', 'on', true)`;
      await tx.shop.delete({ where: { domain: shop } });
    });
    expect(await entryCount()).toBe(0);
    expect(await prisma.ledgerLotAllocation.count({ where: { shop } })).toBe(0);
    expect(await prisma.member.count({ where: { shop } })).toBe(0);
  });
});

describe("redemption holds", () => {
  beforeEach(async () => {
    await earn(shop, memberId, { points: 500, status: "POSTED", idempotencyKey: "seed" });
  });

  it("hold takes points out of available; capture spends them without moving balances again", async () => {
    const held = await hold(shop, memberId, { points: 200, redemptionId: "red_1", idempotencyKey: "redeem:1:hold" });
    expect(held.entry).toMatchObject({ kind: "REDEEM_HOLD", status: "PENDING", points: -200, redemptionId: "red_1" });
    expect(await getBalance(shop, memberId)).toEqual({ available: 300, pending: 0, lifetimeEarned: 500 });

    const captured = await capture(shop, held.entry.id, { idempotencyKey: "redeem:1:capture" });
    expect(captured.entry).toMatchObject({ kind: "REDEEM_CAPTURE", status: "POSTED", points: -200, pendingId: held.entry.id, redemptionId: "red_1" });
    expect(await getBalance(shop, memberId)).toEqual({ available: 300, pending: 0, lifetimeEarned: 500 });
    expect(await capture(shop, held.entry.id, { idempotencyKey: "redeem:1:capture" })).toEqual({ entry: captured.entry, replayed: true });

    await expect(capture(shop, held.entry.id, { idempotencyKey: "redeem:1:capture-2" })).rejects.toBeInstanceOf(LedgerStateError);
    const voidAfterCapture = voidHold(shop, held.entry.id, { idempotencyKey: "redeem:1:void" });
    await expect(voidAfterCapture).rejects.toBeInstanceOf(LedgerStateError);
    await expect(voidAfterCapture).rejects.toMatchObject({ status: 409, code: "invalid_ledger_state" });
    expect(await getBalance(shop, memberId)).toEqual({ available: 300, pending: 0, lifetimeEarned: 500 });
    await expectConsistent();
  });

  it("voiding returns the points to available and cannot be followed by a capture", async () => {
    const held = await hold(shop, memberId, { points: 200, idempotencyKey: "redeem:2:hold" });
    const voided = await voidHold(shop, held.entry.id, { idempotencyKey: "redeem:2:void", reason: "discount expired unused" });
    expect(voided.entry).toMatchObject({ kind: "REDEEM_VOID", status: "VOIDED", points: 200, pendingId: held.entry.id });
    expect(await getBalance(shop, memberId)).toEqual({ available: 500, pending: 0, lifetimeEarned: 500 });
    await expect(capture(shop, held.entry.id, { idempotencyKey: "redeem:2:capture" })).rejects.toBeInstanceOf(LedgerStateError);
    await expect(voidHold(shop, held.entry.id, { idempotencyKey: "redeem:2:void-2" })).rejects.toBeInstanceOf(LedgerStateError);
    await expectConsistent();
  });

  it("capture and void accept only holds", async () => {
    const credited = await credit(shop, memberId, { kind: "ADJUST", points: 1, idempotencyKey: "c" });
    await expect(capture(shop, credited.entry.id, { idempotencyKey: "x" })).rejects.toBeInstanceOf(LedgerStateError);
    await expect(voidHold(shop, credited.entry.id, { idempotencyKey: "y" })).rejects.toBeInstanceOf(LedgerStateError);
    await expect(capture(shop, 987654321n, { idempotencyKey: "z" })).rejects.toBeInstanceOf(LedgerEntryNotFoundError);
  });

  it("refuses to hold or debit more than is available, with both numbers, writing nothing", async () => {
    const attempt = hold(shop, memberId, { points: 501, idempotencyKey: "too-much" });
    await expect(attempt).rejects.toBeInstanceOf(InsufficientPointsError);
    await expect(attempt).rejects.toMatchObject({ status: 422, code: "insufficient_points", available: 500, requested: 501 });
    await expect(debit(shop, memberId, { kind: "ADJUST", points: 600, idempotencyKey: "too-much-2" })).rejects.toMatchObject({
      code: "insufficient_points", available: 500, requested: 600,
    });
    expect(await entryCount()).toBe(1);
    expect(await getBalance(shop, memberId)).toEqual({ available: 500, pending: 0, lifetimeEarned: 500 });
  });
});

describe("returning a captured redemption", () => {
  it("gives the points back into their lots without counting them as earned again, once", async () => {
    await credit(shop, memberId, { kind: "ADJUST", points: 300, idempotencyKey: "c1" });
    const { entry: held } = await hold(shop, memberId, { points: 200, orderId: 77n, idempotencyKey: "h1" });
    await capture(shop, held.id, { idempotencyKey: "cap1" });
    expect(await getBalance(shop, memberId)).toEqual({ available: 100, pending: 0, lifetimeEarned: 300 });

    const back = await returnRedemption(shop, held.id, { idempotencyKey: "ret1", reason: "order_cancelled" });
    expect(back.entry).toMatchObject({ kind: "REDEEM_RETURN", status: "POSTED", points: 200, orderId: 77n });
    expect(await getBalance(shop, memberId)).toEqual({ available: 300, pending: 0, lifetimeEarned: 300 });
    expect((await returnRedemption(shop, held.id, { idempotencyKey: "ret1", reason: "order_cancelled" })).replayed).toBe(true);
    await expect(returnRedemption(shop, held.id, { idempotencyKey: "ret2" })).rejects.toBeInstanceOf(LedgerStateError);
    expect(await getBalance(shop, memberId)).toEqual({ available: 300, pending: 0, lifetimeEarned: 300 });
    await expectConsistent();
  });

  it("refuses a hold that was not captured (void it instead)", async () => {
    await credit(shop, memberId, { kind: "ADJUST", points: 50, idempotencyKey: "c1" });
    const { entry: held } = await hold(shop, memberId, { points: 50, idempotencyKey: "h1" });
    await expect(returnRedemption(shop, held.id, { idempotencyKey: "r" })).rejects.toBeInstanceOf(LedgerStateError);
    await voidHold(shop, held.id, { idempotencyKey: "v" });
    await expect(returnRedemption(shop, held.id, { idempotencyKey: "r2" })).rejects.toBeInstanceOf(LedgerStateError);
    await expectConsistent();
  });
});

describe("reversals", () => {
  it("partial reversals may add up to the credit and no further", async () => {
    const { entry } = await earn(shop, memberId, { points: 100, status: "POSTED", orderId: 42n, idempotencyKey: "order:42:earn" });
    const first = await reverse(shop, entry.id, { points: 30, refundId: 1n, idempotencyKey: "refund:1" });
    expect(first).toMatchObject({ reversed: 30, shortfall: 0, replayed: false });
    expect(first.entry).toMatchObject({ kind: "REVERSAL", points: -30, reversesId: entry.id, orderId: 42n, refundId: 1n });
    await reverse(shop, entry.id, { points: 50, refundId: 2n, idempotencyKey: "refund:2" });

    const tooMuch = reverse(shop, entry.id, { points: 21, refundId: 3n, idempotencyKey: "refund:3" });
    await expect(tooMuch).rejects.toBeInstanceOf(ReversalLimitError);
    await expect(tooMuch).rejects.toMatchObject({ remaining: 20, requested: 21 });

    const rest = await reverse(shop, entry.id, { refundId: 3n, idempotencyKey: "refund:3b" });
    expect(rest.reversed).toBe(20);
    await expect(reverse(shop, entry.id, { points: 1, idempotencyKey: "refund:4" })).rejects.toMatchObject({
      code: "reversal_exceeds_remaining", remaining: 0,
    });
    expect(await getBalance(shop, memberId)).toEqual({ available: 0, pending: 0, lifetimeEarned: 0 });
    expect((await entriesForOrder(shop, 42n)).map((e) => e.points)).toEqual([100, -30, -50, -20]);
    await expectConsistent();
  });

  it("when the points are spent, takes back what is available and reports the shortfall", async () => {
    const { entry } = await earn(shop, memberId, { points: 100, status: "POSTED", orderId: 43n, idempotencyKey: "order:43:earn" });
    const held = await hold(shop, memberId, { points: 70, idempotencyKey: "redeem" });
    await capture(shop, held.entry.id, { idempotencyKey: "redeem:capture" });

    const result = await reverse(shop, entry.id, { points: 100, refundId: 9n, idempotencyKey: "refund:9" });
    expect(result).toMatchObject({ reversed: 30, shortfall: 70, replayed: false });
    expect(result.entry).toMatchObject({ points: -30, shortfall: 70 });
    expect(await getBalance(shop, memberId)).toEqual({ available: 0, pending: 0, lifetimeEarned: 0 });
    // The shortfall is forgiven, not owed: the credit counts as fully reversed.
    await expect(reverse(shop, entry.id, { points: 1, idempotencyKey: "refund:10" })).rejects.toBeInstanceOf(ReversalLimitError);
    expect(await reverse(shop, entry.id, { points: 100, refundId: 9n, idempotencyKey: "refund:9" })).toEqual({ ...result, replayed: true });
    await expectConsistent();
  });

  it("records a zero-point reversal when nothing at all is left", async () => {
    const { entry } = await earn(shop, memberId, { points: 60, status: "POSTED", idempotencyKey: "e" });
    await debit(shop, memberId, { kind: "ADJUST", points: 60, idempotencyKey: "d" });
    const result = await reverse(shop, entry.id, { idempotencyKey: "refund" });
    expect(result).toMatchObject({ reversed: 0, shortfall: 60 });
    expect(await getBalance(shop, memberId)).toEqual({ available: 0, pending: 0, lifetimeEarned: 0 });
    await expectConsistent();
  });

  it("takes the reversed credit's own lot first", async () => {
    const older = await earn(shop, memberId, { points: 50, status: "POSTED", idempotencyKey: "older" });
    const refunded = await earn(shop, memberId, { points: 40, status: "POSTED", idempotencyKey: "refunded" });
    await reverse(shop, refunded.entry.id, { points: 40, idempotencyKey: "refund" });
    expect((await lotsForMember(shop, memberId)).map((l) => [l.lotEntryId, l.remaining])).toEqual([[older.entry.id, 50]]);
    await expectConsistent();
  });

  it("only posted credits can be reversed", async () => {
    const pending = await earn(shop, memberId, { points: 10, status: "PENDING", idempotencyKey: "p" });
    await expect(reverse(shop, pending.entry.id, { idempotencyKey: "r1" })).rejects.toBeInstanceOf(LedgerStateError);
    await credit(shop, memberId, { kind: "ADJUST", points: 10, idempotencyKey: "c" });
    const debited = await debit(shop, memberId, { kind: "ADJUST", points: 5, idempotencyKey: "d" });
    await expect(reverse(shop, debited.entry.id, { idempotencyKey: "r2" })).rejects.toBeInstanceOf(LedgerStateError);
  });
});

describe("lots", () => {
  it("are consumed oldest-first and a voided hold restores the same lots", async () => {
    const a = await earn(shop, memberId, { points: 100, status: "POSTED", expiresAt: daysFromNow(10), idempotencyKey: "a" });
    const b = await credit(shop, memberId, { kind: "CAMPAIGN", points: 50, expiresAt: daysFromNow(2), idempotencyKey: "b" });
    const c = await earn(shop, memberId, { points: 80, status: "POSTED", idempotencyKey: "c" });
    const remaining = async () => (await lotsForMember(shop, memberId)).map((l) => [l.lotEntryId, l.remaining]);

    await debit(shop, memberId, { kind: "ADJUST", points: 60, idempotencyKey: "d1" });
    expect(await remaining()).toEqual([[a.entry.id, 40], [b.entry.id, 50], [c.entry.id, 80]]);

    const held = await hold(shop, memberId, { points: 70, idempotencyKey: "h1" });
    expect(await remaining()).toEqual([[b.entry.id, 20], [c.entry.id, 80]]);
    expect(
      (await prisma.ledgerLotAllocation.findMany({ where: { shop, entryId: held.entry.id }, orderBy: { lotEntryId: "asc" } }))
        .map((x) => [x.lotEntryId, x.points]),
    ).toEqual([[a.entry.id, 40], [b.entry.id, 30]]);

    await voidHold(shop, held.entry.id, { idempotencyKey: "h1:void" });
    expect(await remaining()).toEqual([[a.entry.id, 40], [b.entry.id, 50], [c.entry.id, 80]]);
    await expectConsistent();
  });

  it("expireLot removes exactly what is left of an expired lot, once", async () => {
    const expired = await earn(shop, memberId, { points: 100, status: "POSTED", expiresAt: daysFromNow(-1), idempotencyKey: "old" });
    const fresh = await earn(shop, memberId, { points: 30, status: "POSTED", expiresAt: daysFromNow(30), idempotencyKey: "new" });
    await hold(shop, memberId, { points: 35, idempotencyKey: "spend" });

    const result = await expireLot(shop, expired.entry.id, { idempotencyKey: `expire:${expired.entry.id}` });
    expect(result.expired).toBe(65);
    expect(result.entry).toMatchObject({ kind: "EXPIRE", points: -65 });
    expect(await getBalance(shop, memberId)).toMatchObject({ available: 30, lifetimeEarned: 130 });
    expect((await lotsForMember(shop, memberId)).map((l) => l.lotEntryId)).toEqual([fresh.entry.id]);

    expect(await expireLot(shop, expired.entry.id, { idempotencyKey: `expire:${expired.entry.id}` })).toMatchObject({ replayed: true, expired: 65 });
    expect(await expireLot(shop, expired.entry.id, { idempotencyKey: "expire:again" })).toEqual({ entry: null, expired: 0, replayed: false });
    await expect(expireLot(shop, fresh.entry.id, { idempotencyKey: "too-early" })).rejects.toBeInstanceOf(LedgerStateError);
    await expectConsistent();
  });

  it("EXPIRE debits follow FIFO too", async () => {
    const first = await earn(shop, memberId, { points: 10, status: "POSTED", idempotencyKey: "1" });
    const second = await earn(shop, memberId, { points: 10, status: "POSTED", idempotencyKey: "2" });
    await debit(shop, memberId, { kind: "EXPIRE", points: 15, idempotencyKey: "x" });
    expect((await lotsForMember(shop, memberId)).map((l) => [l.lotEntryId, l.remaining])).toEqual([[second.entry.id, 5]]);
    expect(first.entry.id).toBeLessThan(second.entry.id);
    await expectConsistent();
  });
});

describe("reconcileBalances", () => {
  it("detects a tampered cache and fixes it from the entries", async () => {
    await earn(shop, memberId, { points: 300, status: "POSTED", idempotencyKey: "e1" });
    const pending = await earn(shop, memberId, { points: 40, status: "PENDING", idempotencyKey: "e2" });
    const held = await hold(shop, memberId, { points: 120, idempotencyKey: "h" });
    await capture(shop, held.entry.id, { idempotencyKey: "h:c" });
    await voidPending(shop, pending.entry.id, { idempotencyKey: "e2:v" });
    const untouched = await createMember(shop);
    await earn(shop, untouched, { points: 7, status: "POSTED", idempotencyKey: "u" });
    expect(await reconcileBalances(shop)).toEqual([]);

    await prisma.$executeRaw`UPDATE "Member" SET "pointsAvailable" = 5000, "lifetimeEarned" = 1 WHERE "shop" = ${shop} AND "id" = ${memberId}`;
    const expected = [{
      memberId,
      cached: { available: 5000, pending: 0, lifetimeEarned: 1 },
      computed: { available: 180, pending: 0, lifetimeEarned: 300 },
    }];
    expect(await reconcileBalances(shop)).toEqual(expected);
    expect(await getBalance(shop, memberId)).toMatchObject({ available: 5000 }); // reporting does not fix

    expect(await reconcileBalances(shop, { fix: true })).toEqual(expected);
    expect(await getBalance(shop, memberId)).toEqual({ available: 180, pending: 0, lifetimeEarned: 300 });
    expect(await getBalance(shop, untouched)).toEqual({ available: 7, pending: 0, lifetimeEarned: 7 });
    expect(await reconcileBalances(shop)).toEqual([]);
  });

  it("flags a member whose cache shows points the ledger never gave", async () => {
    await prisma.$executeRaw`UPDATE "Member" SET "pointsPending" = 9 WHERE "shop" = ${shop} AND "id" = ${memberId}`;
    expect(await reconcileBalances(shop, { fix: true })).toEqual([{
      memberId, cached: { available: 0, pending: 9, lifetimeEarned: 0 }, computed: { available: 0, pending: 0, lifetimeEarned: 0 },
    }]);
    expect(await getBalance(shop, memberId)).toEqual({ available: 0, pending: 0, lifetimeEarned: 0 });
  });
});

describe("reads", () => {
  it("lists a member's entries newest first, page by page", async () => {
    const ids: bigint[] = [];
    for (let i = 1; i <= 5; i++) ids.push((await earn(shop, memberId, { points: i, status: "POSTED", idempotencyKey: `e${i}` })).entry.id);
    const page1 = await listEntries(shop, memberId, { take: 2 });
    expect(page1.entries.map((e) => e.id)).toEqual([ids[4], ids[3]]);
    const page2 = await listEntries(shop, memberId, { take: 2, cursor: page1.nextCursor });
    expect(page2.entries.map((e) => e.id)).toEqual([ids[2], ids[1]]);
    const page3 = await listEntries(shop, memberId, { take: 2, cursor: page2.nextCursor });
    expect(page3).toEqual({ entries: [expect.objectContaining({ id: ids[0] })], nextCursor: null });
    await expect(listEntries(shop, memberId, { take: 0 })).rejects.toBeInstanceOf(LedgerValidationError);
  });
});

describe("shop isolation", () => {
  it("shop B can neither read nor write shop A's member or entries", async () => {
    const other = (await createTestShop()).domain;
    const { entry } = await earn(shop, memberId, { points: 100, status: "POSTED", orderId: 77n, idempotencyKey: "order:77" });
    const pending = await earn(shop, memberId, { points: 10, status: "PENDING", idempotencyKey: "pending" });
    const held = await hold(shop, memberId, { points: 10, idempotencyKey: "hold" });
    const before = await getBalance(shop, memberId);

    const memberCalls = [
      () => getBalance(other, memberId),
      () => listEntries(other, memberId),
      () => lotsForMember(other, memberId),
      () => earn(other, memberId, { points: 1, status: "POSTED", idempotencyKey: "x1" }),
      () => credit(other, memberId, { kind: "ADJUST", points: 1, idempotencyKey: "x2" }),
      () => debit(other, memberId, { kind: "ADJUST", points: 1, idempotencyKey: "x3" }),
      () => hold(other, memberId, { points: 1, idempotencyKey: "x4" }),
    ];
    for (const call of memberCalls) await expect(call()).rejects.toBeInstanceOf(MemberNotFoundError);

    const entryCalls = [
      () => reverse(other, entry.id, { idempotencyKey: "y1" }),
      () => expireLot(other, entry.id, { idempotencyKey: "y2" }),
      () => postPending(other, pending.entry.id, { idempotencyKey: "y3" }),
      () => voidPending(other, pending.entry.id, { idempotencyKey: "y4" }),
      () => capture(other, held.entry.id, { idempotencyKey: "y5" }),
      () => voidHold(other, held.entry.id, { idempotencyKey: "y6" }),
    ];
    for (const call of entryCalls) await expect(call()).rejects.toBeInstanceOf(LedgerEntryNotFoundError);

    expect(await entriesForOrder(other, 77n)).toEqual([]);
    expect(await entriesForOrder(shop, 77n)).toEqual([entry]);
    expect(await reconcileBalances(other, { fix: true })).toEqual([]);
    expect(await entryCount(other)).toBe(0);
    expect(await getBalance(shop, memberId)).toEqual(before);

    // Idempotency keys are per shop: the same key in shop B is a different request.
    const otherMember = await createMember(other);
    const inB = await earn(other, otherMember, { points: 5, status: "POSTED", idempotencyKey: "order:77" });
    expect(inB.replayed).toBe(false);
    expect(inB.entry.id).not.toBe(entry.id);
  });
});
