import type { LedgerEntry } from "@prisma/client";
import { describe, expect, it } from "vitest";
import { historyItems, storefrontActions } from "~/services/storefront.server";
import { parseEarningProgram } from "~/domain/program";

// What a shopper reads in "Recent activity": one row per event, in their terms, never the
// merchant's private notes, with a pending purchase and its later posting (or voiding) as one row.

let nextId = 100n;
function entry(fields: Partial<LedgerEntry> & Pick<LedgerEntry, "kind" | "status" | "points">): LedgerEntry {
  nextId += 1n;
  return {
    id: nextId,
    shop: "s.myshopify.com",
    memberId: "m",
    idempotencyKey: `k${nextId}`,
    contentHash: "h",
    orderId: null,
    refundId: null,
    redemptionId: null,
    importRowId: null,
    reversesId: null,
    pendingId: null,
    shortfall: 0,
    expiresAt: null,
    reason: null,
    actor: null,
    createdAt: new Date(Date.UTC(2026, 10, Number(nextId % 28n) + 1)),
    ...fields,
  };
}

/** Newest first, as the ledger lists them. */
const newestFirst = (...entries: LedgerEntry[]) => [...entries].sort((a, b) => Number(b.id - a.id));

describe("historyItems", () => {
  it("folds a pending purchase and its posting into one posted row", () => {
    const pending = entry({ kind: "EARN", status: "PENDING", points: 40, orderId: 5n, reason: "order" });
    const posted = entry({ kind: "EARN", status: "POSTED", points: 40, orderId: 5n, pendingId: pending.id, reason: "pending_period_over" });
    expect(historyItems(newestFirst(pending, posted))).toEqual([
      { id: pending.id.toString(), type: "purchase", points: 40, status: "posted", date: pending.createdAt.toISOString() },
    ]);
  });

  it("shows a voided pending purchase as cancelled, and a lone void not at all", () => {
    const pending = entry({ kind: "EARN", status: "PENDING", points: 25, orderId: 6n, reason: "order" });
    const voided = entry({ kind: "EARN", status: "VOIDED", points: 25, orderId: 6n, pendingId: pending.id, reason: "order_cancelled" });
    expect(historyItems(newestFirst(pending, voided)).map((i) => [i.type, i.status])).toEqual([["purchase", "cancelled"]]);
    // The pending row scrolled out of view: its void alone moved no spendable points.
    expect(historyItems([voided])).toEqual([]);
  });

  it("keeps a posting whose pending row is out of view, as a purchase", () => {
    const posted = entry({ kind: "EARN", status: "POSTED", points: 12, orderId: 7n, pendingId: 1n, reason: "pending_period_over" });
    expect(historyItems([posted]).map((i) => [i.type, i.points, i.status])).toEqual([["purchase", 12, "posted"]]);
  });

  it("names actions, redemptions, refunds and expiry, and hides captures and merchant notes", () => {
    const rows = newestFirst(
      entry({ kind: "EARN", status: "POSTED", points: 100, reason: "signup" }),
      entry({ kind: "EARN", status: "POSTED", points: 30, reason: "review" }),
      entry({ kind: "ADJUST", status: "POSTED", points: -10, reason: "Customer was rude on the phone" }),
      entry({ kind: "REDEEM_HOLD", status: "PENDING", points: -50, redemptionId: "r1" }),
      entry({ kind: "REDEEM_CAPTURE", status: "POSTED", points: -50, redemptionId: "r1" }),
      entry({ kind: "REDEEM_VOID", status: "VOIDED", points: 20, redemptionId: "r2" }),
      entry({ kind: "REDEEM_RETURN", status: "POSTED", points: 50, redemptionId: "r1" }),
      entry({ kind: "REVERSAL", status: "POSTED", points: -8, reason: "refund" }),
      entry({ kind: "REVERSAL", status: "POSTED", points: -3, reason: "order_cancelled" }),
      entry({ kind: "EXPIRE", status: "POSTED", points: -4 }),
    );
    const items = historyItems(rows);
    expect(items.map((i) => [i.type, i.points])).toEqual([
      ["expired", -4],
      ["order_cancelled", -3],
      ["refund", -8],
      ["redemption_returned", 50],
      ["redemption_released", 20],
      ["redeemed", -50],
      ["adjustment", -10],
      ["review", 30],
      ["signup", 100],
    ]);
    expect(JSON.stringify(items)).not.toContain("rude");
  });

  it("shows at most the limit", () => {
    const rows = newestFirst(...Array.from({ length: 25 }, () => entry({ kind: "ADJUST", status: "POSTED", points: 1 })));
    expect(historyItems(rows)).toHaveLength(10);
    expect(historyItems(rows, 3)).toHaveLength(3);
  });
});

describe("storefrontActions", () => {
  it("lists the enabled actions that pay something, in a fixed order", () => {
    const program = parseEarningProgram({
      actions: { review: { enabled: true, points: 10 }, newsletter: { enabled: true, points: 0 }, signup: { enabled: true }, birthday: { enabled: false } },
    });
    expect(storefrontActions(program)).toEqual([
      { action: "signup", points: 100 },
      { action: "review", points: 10 },
    ]);
  });
});
