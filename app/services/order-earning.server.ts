import { Prisma, type Member, type OrderEarning, type Shop } from "@prisma/client";
import { calculatePurchasePoints, type EarningBasis } from "~/domain/earning";
import { addMoney, formatMoneyAmount, parseMoney, zeroMoney } from "~/domain/money";
import { normalizeOrderForEarning, OrderPayloadError, type EarningOrder } from "~/domain/order";
import { orderFromSnapshot, orderToSnapshot } from "~/domain/order-snapshot";
import { exactShopifyId } from "~/domain/payload";
import { pendingAvailableAt } from "~/domain/pending";
import { EarningProgramError, parseEarningProgram, programNeedsEnrichment, type EarningProgram } from "~/domain/program";
import { clawbackForRefund, RefundPayloadError, refundBaseFromRefundPayload } from "~/domain/refunds";
import { localDateKey, localDayBounds } from "~/domain/time";
import { TerminalJobError } from "~/jobs/errors";
import { enqueue } from "~/jobs/queue.server";
import * as ledger from "~/models/ledger.server";
import { LedgerConflictError, ReversalLimitError } from "~/models/ledger-errors";
import { captureRedemption, redemptionsForCodes, returnRedemptionsOfOrder } from "~/models/redemption.server";
import { codeHash } from "~/utils/code-cipher.server";
import { enrollMember } from "~/models/member.server";
import {
  createOrderEarning,
  getOrderEarning,
  getOrderEarningState,
  markRefundApplied,
  purchasePointsBetween,
  recordRefund,
  refundsForOrder,
  updateOrderEarning,
} from "~/models/order-earning.server";
import { getShop } from "~/models/shop.server";
import { withAdvisoryLock, type HeldLocks } from "~/utils/advisory-lock.server";
import { customerFactsFromPayload, guestEmailHash } from "./customer-facts.server";
import { enrichOrderForProgram } from "./order-enrichment.server";

// Orders → points. Every event for one order (paid, fulfilled, refund, cancel, settlement) runs
// under that order's advisory lock and reads what the earlier events recorded, so any delivery
// order converges on the same ledger: a cancel or refund that arrives before the paid webhook is
// remembered and applied when the order earns. Ledger writes carry keys derived from Shopify ids,
// so a replay or a retry after a crash finds its entry instead of writing a second one.

type OrderTopic = "orders/paid" | "orders/fulfilled";

const lockKey = (shop: string, orderId: bigint) => `order:${shop}:${orderId}`;
const ACTOR = "system:earning";

function normalizeOrThrow(payload: unknown): EarningOrder {
  try {
    return normalizeOrderForEarning(payload);
  } catch (error) {
    if (error instanceof OrderPayloadError) throw new TerminalJobError(error.message, { cause: error });
    throw error;
  }
}

function programOf(shop: Shop) {
  try {
    return parseEarningProgram(shop.earningRules);
  } catch (error) {
    if (error instanceof EarningProgramError) {
      throw new TerminalJobError(`the earning program of ${shop.domain} is invalid: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

async function installedShop(shop: string): Promise<Shop> {
  const row = await getShop(shop);
  if (!row) throw new TerminalJobError(`shop ${shop} is not installed`);
  return row;
}

function sameShop(row: Shop, shop: string): Shop {
  if (row.domain !== shop) throw new Error(`shop row of ${row.domain} passed for ${shop}`);
  return row;
}

/**
 * orders/paid or orders/fulfilled: earn once per order, when the topic is the shop's trigger.
 * `preloaded.shopRow` is the shop as the job already read it (saves reading it again per order).
 */
export async function earnPointsForOrder(
  shop: string,
  payload: unknown,
  topic: OrderTopic,
  now = new Date(),
  preloaded: { shopRow?: Shop | null } = {},
) {
  const shopRow = preloaded.shopRow ? sameShop(preloaded.shopRow, shop) : await installedShop(shop);
  const trigger = topic === "orders/paid" ? "ORDER_PAID" : "ORDER_FULFILLED";
  // A redemption's code is spent when its order is paid, whichever event earns points.
  const capturesCodes = topic === "orders/paid";
  if (shopRow.earnTrigger !== trigger && !capturesCodes) return null;
  let order = normalizeOrThrow(payload);
  const orderId = BigInt(order.id);
  if (shopRow.earnTrigger !== trigger) {
    if (order.discountCodes.length > 0) await withAdvisoryLock(lockKey(shop, orderId), () => captureUsedCodes(shop, order, now));
    return null;
  }
  // Parsed once per order, and only for a customer's (a guest's order earns when they sign up).
  const program = order.customer ? programOf(shopRow) : null;
  // The product lookup a tag or collection condition needs can wait on Shopify for minutes in an
  // outage (the gateway's retries): it runs before the order's lock, which is for database work
  // only, and only for an order that has not earned yet (a replay needs none).
  if (program && needsProductLookup(program) && !(await getOrderEarningState(shop, orderId)).earning) {
    order = await enrichOrderForProgram(shop, program, order);
  }

  return withAdvisoryLock(lockKey(shop, orderId), async (locks) => {
    if (order.discountCodes.length > 0) await captureUsedCodes(shop, order, now);
    // Refunds are recorded under this same lock: none now means none to apply below.
    const { earning: existing, hasRefunds } = await getOrderEarningState(shop, orderId);
    if (existing) return existing;
    if (!program) return rememberGuestOrder(shopRow, order, payload);
    const facts = customerFactsFromPayload(payload && typeof payload === "object" ? (payload as { customer?: unknown }).customer : null);
    if (!facts) throw new TerminalJobError(`order ${order.id}: the customer has no usable id`);
    // A customer we have never seen (an account older than the install) is enrolled from the
    // order itself; no signup points, since they did not sign up now.
    const { member } = await enrollMember(shop, facts);
    return earnForMember(locks, shopRow, program, order, member, now, { hasRefunds });
  });
}

/** What the order brought in (the overview's revenue): its total as charged; none for a test order. */
function revenueTotal(order: EarningOrder): string | null {
  return order.test ? null : formatMoneyAmount(order.totals.total);
}

async function rememberGuestOrder(shopRow: Shop, order: EarningOrder, payload: unknown) {
  const email = payload && typeof payload === "object" ? ((payload as { email?: unknown; contact_email?: unknown }).email ?? (payload as { contact_email?: unknown }).contact_email) : null;
  const hash = typeof email === "string" && email.includes("@") ? guestEmailHash(shopRow.domain, email) : null;
  return createOrderEarning(shopRow.domain, BigInt(order.id), {
    orderName: order.name,
    status: hash ? "GUEST" : "NO_POINTS",
    orderedAt: order.processedAt,
    currencyCode: order.currency,
    trace: [{ code: hash ? "order.guest_waiting_for_signup" : "order.guest_without_email", params: {} }],
    guestEmailHash: hash,
    guestOrder: hash ? orderToSnapshot(order) : undefined,
    orderTotal: revenueTotal(order),
  });
}

/** A guest's orders earn once an account with the same email exists. */
export async function creditGuestOrders(shop: string, member: Member, guestOrders: OrderEarning[], now = new Date()) {
  const shopRow = await installedShop(shop);
  const program = programOf(shopRow);
  const customer = { id: member.shopifyCustomerId.toString(), tags: member.tags };
  for (const guest of guestOrders) {
    // As for a member's order, the product lookup runs before the lock; the snapshot never
    // changes once remembered (it is only cleared), so it is safe to read it first.
    const prepared = guest.status === "GUEST" && guest.guestOrder ? await enrichOrderForProgram(shop, program, orderFromSnapshot(guest.guestOrder, customer)) : null;
    await withAdvisoryLock(lockKey(shop, guest.orderId), async (locks) => {
      const { earning: current, hasRefunds } = await getOrderEarningState(shop, guest.orderId);
      if (!current || current.status !== "GUEST" || !current.guestOrder || !prepared) return;
      await earnForMember(locks, shopRow, program, prepared, member, now, { hasRefunds, guest: current });
    });
  }
}

function needsProductLookup(program: EarningProgram): boolean {
  const needs = programNeedsEnrichment(program);
  return needs.productTags || needs.collectionIds;
}

/** `order` comes with the product facts its program needs (looked up by the caller, before the lock). */
async function earnForMember(
  locks: HeldLocks,
  shopRow: Shop,
  program: EarningProgram,
  order: EarningOrder,
  member: Member,
  now: Date,
  { hasRefunds, guest }: { hasRefunds: boolean; guest?: OrderEarning },
) {
  const shop = shopRow.domain;
  const orderId = BigInt(order.id);
  // The per-day cap counts the day the sale happened, in the shop's time zone. Without a cap the
  // day's total is never read: skip the query.
  let pointsEarnedToday = 0;
  if (program.caps.perDayCap !== undefined) {
    // Two orders of one customer on one day must not both see the day's total before either
    // counts: the member lock (always taken after the order lock) makes the cap exact.
    await locks.alsoLock(`member:${shop}:${member.id}`);
    const day = localDateKey(order.processedAt, shopRow.ianaTimezone);
    const { start, end } = localDayBounds(day, shopRow.ianaTimezone);
    pointsEarnedToday = await purchasePointsBetween(shop, member.id, start, end);
  }
  const result = calculatePurchasePoints({
    order,
    program,
    customer: { tags: order.customer?.tags.length ? order.customer.tags : member.tags },
    shopTimezone: shopRow.ianaTimezone,
    pointsEarnedToday,
    now: order.processedAt,
  });
  const common = {
    orderName: order.name,
    customerId: member.shopifyCustomerId,
    memberId: member.id,
    orderedAt: order.processedAt,
    currencyCode: order.currency,
    eligibleBase: formatMoneyAmount(result.base),
    points: result.points,
    trace: result.trace as unknown as Prisma.InputJsonValue,
    basis: result.basis as unknown as Prisma.InputJsonValue,
    guestEmailHash: null,
    guestOrder: undefined,
    // For the program preview; without the order name, which customers/redact clears from the row.
    orderSnapshot: { ...orderToSnapshot(order), name: null } as unknown as Prisma.InputJsonValue,
    orderTotal: revenueTotal(order),
  };
  let earning: OrderEarning;
  if (!programEnabled(shopRow) || result.points === 0) {
    const trace = programEnabled(shopRow) ? common.trace : [{ code: "program.paused", params: {} }];
    earning = guest
      ? await updateOrderEarning(shop, orderId, { ...common, trace, points: 0, status: "NO_POINTS", guestOrder: Prisma.DbNull })
      : await createOrderEarning(shop, orderId, { ...common, trace, points: 0, status: "NO_POINTS" });
    return earning;
  }
  const availableAt = pendingAvailableAt({ orderTime: order.processedAt, pendingDays: shopRow.pendingDays, shopTimezone: shopRow.ianaTimezone });
  const wanted = availableAt.getTime() <= now.getTime() ? "POSTED" : "PENDING";
  const key = `order:${orderId}:earn`;
  let entry;
  try {
    ({ entry } = await ledger.earn(shop, member.id, { points: result.points, status: wanted, orderId, idempotencyKey: key, reason: "order", actor: ACTOR }));
  } catch (error) {
    // A retry after a crash between the ledger write and the row below may compute otherwise
    // (the pending period ended meanwhile, or the merchant changed the rules): the entry already
    // written is what the customer got, so the order records that.
    const existing = error instanceof LedgerConflictError ? await ledger.entryByIdempotencyKey(shop, key) : null;
    if (!existing) throw error;
    entry = existing;
  }
  const status = entry.status === "PENDING" ? "PENDING" : "POSTED";
  const data = { ...common, points: entry.points, status, earnEntryId: entry.id, availableAt } as const;
  earning = guest
    ? await updateOrderEarning(shop, orderId, { ...data, guestOrder: Prisma.DbNull })
    : await createOrderEarning(shop, orderId, data);
  if (status === "PENDING") await schedulePosting(shop, orderId, entry.id, availableAt, now);
  return hasRefunds ? applyRecordedRefunds(shop, earning) : earning;
}

function programEnabled(shop: Shop) {
  return shop.programEnabled;
}

async function schedulePosting(shop: string, orderId: bigint, entryId: bigint, availableAt: Date, now: Date) {
  await enqueue("post-pending-points", { shop, orderId: orderId.toString() }, {
    jobId: `${shop}:${orderId}:${entryId}`,
    delayMs: Math.max(0, availableAt.getTime() - now.getTime()),
  });
}

// --------------------------------------------------------------------------------------------
// Refunds

function refundIds(payload: unknown): { refundId: bigint; orderId: bigint } {
  const p = (payload ?? {}) as { id?: unknown; admin_graphql_api_id?: unknown; order_id?: unknown };
  const refund = exactShopifyId(p.id, p.admin_graphql_api_id, "Refund");
  const order = exactShopifyId(p.order_id, undefined, "Order");
  if ("error" in refund) throw new TerminalJobError(`refund id: ${refund.error}`);
  if ("error" in order) throw new TerminalJobError(`refund order_id: ${order.error}`);
  return { refundId: BigInt(refund.id), orderId: BigInt(order.id) };
}

/** Only what the clawback needs: lines and shipping in shop money. No note, no transactions, no user. */
function refundDocument(payload: unknown): Prisma.InputJsonValue {
  const p = payload as {
    id?: unknown; admin_graphql_api_id?: unknown; order_id?: unknown;
    refund_line_items?: { line_item_id?: unknown; line_item?: { admin_graphql_api_id?: unknown } | null; quantity?: unknown; subtotal_set?: unknown; total_tax_set?: unknown }[];
    refund_shipping_lines?: { subtotal_amount_set?: unknown; tax_amount_set?: unknown }[] | null;
  };
  const text = (v: unknown) => (typeof v === "bigint" ? v.toString() : v);
  return JSON.parse(
    JSON.stringify({
      id: text(p.id),
      admin_graphql_api_id: p.admin_graphql_api_id ?? null,
      order_id: text(p.order_id),
      refund_line_items: (p.refund_line_items ?? []).map((l) => ({
        line_item_id: text(l.line_item_id),
        line_item: l.line_item ? { admin_graphql_api_id: l.line_item.admin_graphql_api_id ?? null } : null,
        quantity: l.quantity,
        subtotal_set: l.subtotal_set,
        total_tax_set: l.total_tax_set,
      })),
      refund_shipping_lines: p.refund_shipping_lines ?? [],
    }),
  );
}

/** refunds/create: record the refund, then claw back proportionally if the order has earned. */
export async function clawBackRefund(shop: string, payload: unknown) {
  await installedShop(shop);
  const { refundId, orderId } = refundIds(payload);
  const document = refundDocument(payload);
  return withAdvisoryLock(lockKey(shop, orderId), async () => {
    await recordRefund(shop, refundId, orderId, document);
    const earning = await getOrderEarning(shop, orderId);
    return earning ? applyRecordedRefunds(shop, earning) : null;
  });
}

/**
 * Applies every recorded refund not yet applied, in the order they were received, computing each
 * clawback on running totals (app/domain/refunds.ts) so partial refunds add up exactly and never
 * exceed what was earned. Called under the order's lock.
 */
async function applyRecordedRefunds(shop: string, earning: OrderEarning): Promise<OrderEarning> {
  if (earning.status === "GUEST" || earning.status === "CANCELLED" || !earning.basis) return earning;
  const basis = earning.basis as unknown as EarningBasis;
  const currency = basis.currency;
  const refunds = await refundsForOrder(shop, earning.orderId);
  let refundedSoFar = zeroMoney(currency);
  let clawedSoFar = 0;
  for (const r of refunds) {
    if (!r.appliedAt) continue;
    refundedSoFar = addMoney(refundedSoFar, parseMoney(r.base ?? "0", currency));
    clawedSoFar += r.pointsReversed ?? 0;
  }
  let current = earning;
  for (const refund of refunds) {
    if (refund.appliedAt) continue;
    let base;
    try {
      base = refundBaseFromRefundPayload(refund.document, basis).base;
    } catch (error) {
      if (error instanceof RefundPayloadError) throw new TerminalJobError(error.message, { cause: error });
      throw error;
    }
    const claw = clawbackForRefund({
      pointsEarned: current.points,
      eligibleBase: parseMoney(basis.eligibleBase, currency),
      refundedBaseSoFar: refundedSoFar,
      refundBase: base,
      clawedBackSoFar: clawedSoFar,
    });
    let clawbackEntryId: bigint | null = null;
    let nextEarnEntryId: bigint | null | undefined;
    if (claw.points > 0 && current.earnEntryId !== null) {
      if (current.status === "PENDING") {
        // Still pending: void the pending credit and issue the remainder as a new pending one, so
        // the customer's pending balance is exact during the return window.
        const voided = await ledger.voidPending(shop, current.earnEntryId, {
          idempotencyKey: `refund:${refund.refundId}:void-pending`, reason: "refund", actor: ACTOR,
        });
        clawbackEntryId = voided.entry.id;
        const remaining = current.points - claw.clawedBackTotal;
        let reissued: bigint | null = null;
        if (remaining > 0 && current.memberId) {
          const { entry } = await ledger.earn(shop, current.memberId, {
            points: remaining, status: "PENDING", orderId: current.orderId,
            idempotencyKey: `refund:${refund.refundId}:reissue-pending`, reason: "order", actor: ACTOR,
          });
          reissued = entry.id;
          if (current.availableAt) await schedulePosting(shop, current.orderId, entry.id, current.availableAt, new Date());
        }
        nextEarnEntryId = reissued;
      } else if (current.status === "POSTED") {
        const { entry } = await ledger.reverse(shop, current.earnEntryId, {
          points: claw.points, refundId: refund.refundId, orderId: current.orderId,
          idempotencyKey: `refund:${refund.refundId}:clawback`, reason: "refund", actor: ACTOR,
        });
        clawbackEntryId = entry.id;
      }
    }
    // One transaction: a crash before it replays the same ledger keys against the same entries.
    current = await markRefundApplied(shop, refund.refundId, current.orderId, {
      base: formatMoneyAmount(base), pointsReversed: claw.points, clawbackEntryId, earnEntryId: nextEarnEntryId,
    });
    refundedSoFar = claw.refundedBaseTotal;
    clawedSoFar = claw.clawedBackTotal;
  }
  return current;
}

// --------------------------------------------------------------------------------------------
// Cancellation

/** orders/cancelled: reverse what the order earned and give back points redeemed on it. */
export async function reverseCancelledOrder(shop: string, payload: unknown, now = new Date()) {
  await installedShop(shop);
  const order = normalizeOrThrow(payload);
  const orderId = BigInt(order.id);
  return withAdvisoryLock(lockKey(shop, orderId), async () => {
    const earning = await getOrderEarning(shop, orderId);
    if (!earning) {
      // Cancelled before it earned (or its paid webhook is late): remember, so it never earns.
      await createOrderEarning(shop, orderId, {
        orderName: order.name,
        status: "CANCELLED",
        orderedAt: order.processedAt,
        currencyCode: order.currency,
        trace: [{ code: "order.cancelled_before_earning", params: {} }],
        cancelledAt: order.cancelledAt ?? now,
        orderTotal: revenueTotal(order),
      });
    } else if (earning.status !== "CANCELLED") {
      await reverseEarning(shop, earning);
      await updateOrderEarning(shop, orderId, { status: "CANCELLED", cancelledAt: order.cancelledAt ?? now, guestOrder: Prisma.DbNull, guestEmailHash: null });
    }
    await returnRedeemedPoints(shop, orderId);
  });
}

async function reverseEarning(shop: string, earning: OrderEarning) {
  if (earning.earnEntryId === null) return;
  const key = `order:${earning.orderId}:cancel`;
  if (earning.status === "PENDING") {
    await ledger.voidPending(shop, earning.earnEntryId, { idempotencyKey: key, reason: "order_cancelled", actor: ACTOR });
  } else if (earning.status === "POSTED") {
    // What is left to take back is the ledger's to say (refund rows can disagree with it, e.g. a
    // refund applied while the points were pending); nothing left is a success, not an error.
    try {
      await ledger.reverse(shop, earning.earnEntryId, { orderId: earning.orderId, idempotencyKey: key, reason: "order_cancelled", actor: ACTOR });
    } catch (error) {
      if (!(error instanceof ReversalLimitError)) throw error;
    }
  }
}

/** Captures the holds of the redemptions whose codes this order used; returns them if it is cancelled. */
async function captureUsedCodes(shop: string, order: EarningOrder, now: Date) {
  const orderId = BigInt(order.id);
  const redemptions = await redemptionsForCodes(shop, order.discountCodes.map((code) => codeHash(shop, code)));
  for (const redemption of redemptions) await captureRedemption(shop, redemption.id, orderId, now);
  const earning = await getOrderEarning(shop, orderId);
  if (redemptions.length > 0 && (order.cancelled || earning?.status === "CANCELLED")) await returnRedemptionsOfOrder(shop, orderId, now);
}

async function returnRedeemedPoints(shop: string, orderId: bigint) {
  await returnRedemptionsOfOrder(shop, orderId, new Date());
  const entries = await ledger.entriesForOrder(shop, orderId);
  const resolutions = new Map(entries.filter((e) => e.pendingId !== null).map((e) => [e.pendingId as bigint, e]));
  for (const hold of entries.filter((e) => e.kind === "REDEEM_HOLD")) {
    const resolution = resolutions.get(hold.id);
    if (!resolution) {
      await ledger.voidHold(shop, hold.id, { idempotencyKey: `order:${orderId}:cancel:hold:${hold.id}`, reason: "order_cancelled", actor: ACTOR });
    } else if (resolution.kind === "REDEEM_CAPTURE") {
      await ledger.returnRedemption(shop, hold.id, {
        idempotencyKey: `order:${orderId}:cancel:return:${hold.id}`, reason: "order_cancelled", actor: ACTOR,
      });
    }
  }
}

// --------------------------------------------------------------------------------------------
// Pending period

/** The pending period is over: the points become spendable. */
export async function postPendingPoints(shop: string, orderId: bigint, now = new Date()) {
  return withAdvisoryLock(lockKey(shop, orderId), async () => {
    const earning = await getOrderEarning(shop, orderId);
    if (!earning || earning.status !== "PENDING") return earning;
    if (earning.availableAt && earning.availableAt.getTime() > now.getTime()) {
      if (earning.earnEntryId !== null) await schedulePosting(shop, orderId, earning.earnEntryId, earning.availableAt, now);
      return earning;
    }
    if (earning.earnEntryId === null) return updateOrderEarning(shop, orderId, { status: "POSTED" });
    const { entry } = await ledger.postPending(shop, earning.earnEntryId, {
      idempotencyKey: `order:${orderId}:post:${earning.earnEntryId}`, reason: "pending_period_over", actor: ACTOR,
    });
    return updateOrderEarning(shop, orderId, { status: "POSTED", earnEntryId: entry.id });
  });
}
