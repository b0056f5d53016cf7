import * as ledger from "~/models/ledger.server";
import { getMember } from "~/models/member.server";
import { orderEarningsForMember } from "~/models/order-earning.server";
import { listMemberRedemptionRows } from "~/models/redemption.server";
import { decryptCode } from "~/utils/code-cipher.server";

/** Staff see enough of a code to match a customer's question, not enough to spend it. */
function maskedCode(cipher: string): string {
  const code = decryptCode(cipher);
  return code.replace(/[A-Z0-9](?=[A-Z0-9-]{2})/g, "•");
}

type TraceStepJson = { code: string; params: Record<string, unknown>; pointsAfter?: number };

/** One member's page: profile, balances, points history (newest first) and orders with their traces. */
export async function getMemberDetail(shop: string, memberId: string, { cursor }: { cursor?: string } = {}) {
  const member = await getMember(shop, memberId);
  if (!member) return null;
  const [history, orders, redemptions] = await Promise.all([
    ledger.listEntries(shop, memberId, { cursor: cursor && /^\d+$/.test(cursor) ? BigInt(cursor) : undefined, take: 25 }),
    orderEarningsForMember(shop, memberId, { take: 25 }),
    listMemberRedemptionRows(shop, memberId, 25),
  ]);
  const redacted = member.state === "REDACTED";
  return {
    member: {
      id: member.id,
      customerId: member.shopifyCustomerId.toString(),
      email: redacted ? null : member.email,
      name: redacted ? null : [member.firstName, member.lastName].filter(Boolean).join(" ") || null,
      tags: member.tags,
      redacted,
      enrolledAt: member.enrolledAt.toISOString(),
      available: member.pointsAvailable,
      pending: member.pointsPending,
      lifetimeEarned: member.lifetimeEarned,
    },
    history: history.entries.map((e) => ({
      id: e.id.toString(),
      kind: e.kind,
      status: e.status,
      points: e.points,
      reason: e.reason,
      orderId: e.orderId?.toString() ?? null,
      createdAt: e.createdAt.toISOString(),
    })),
    nextCursor: history.nextCursor?.toString() ?? null,
    redemptions: redemptions.map((r) => ({
      id: r.id,
      title: r.title,
      points: r.points,
      status: r.status,
      code: maskedCode(r.codeCipher),
      expiresAt: r.expiresAt.toISOString(),
      orderId: r.orderId?.toString() ?? null,
      createdAt: r.createdAt.toISOString(),
    })),
    orders: orders.map((o) => ({
      orderId: o.orderId.toString(),
      orderName: o.orderName,
      status: o.status,
      points: o.points,
      eligibleBase: o.eligibleBase,
      currencyCode: o.currencyCode,
      orderedAt: o.orderedAt.toISOString(),
      trace: (Array.isArray(o.trace) ? o.trace : []) as TraceStepJson[],
    })),
  };
}
