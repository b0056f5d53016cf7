import type { Member, OrderEarning, Prisma, Shop } from "@prisma/client";
import { guestEmailHash } from "~/domain/customer";
import { calculatePurchasePoints, type EarningBasis } from "~/domain/earning";
import { addMoney, formatMoneyAmount, parseMoney, zeroMoney } from "~/domain/money";
import type { EarningOrder } from "~/domain/order";
import { InvalidPayloadError, parseOrderEvent, parseRefundEvent, type OrderEvent } from "~/domain/order-events";
import { orderFromSnapshot, orderToSnapshot } from "~/domain/order-snapshot";
import { pendingAvailableAt } from "~/domain/pending";
import { EarningProgramError, parseEarningProgram, programNeedsEnrichment, type EarningProgram } from "~/domain/program";
import { clawbackForRefund, RefundPayloadError, refundBaseFromRefundPayload } from "~/domain/refunds";
import { localDateKey, localDayBounds } from "~/domain/time";
import * as ledger from "~/models/ledger.server";
import { ReversalLimitError } from "~/models/ledger-errors";
import { enrollMember } from "~/models/member.server";
import {
  getOrderEarning,
  markOrderCancelled,
  markOrderPosted,
  markRefundApplied,
  orderEarningState,
  purchasePointsBetween,
  recordRefund,
  refundsForOrder,
  saveOrderEarning,
  type OrderEarningWrite,
} from "~/models/order-earning.server";
import { captureRedemption, redemptionsForCodes, returnRedemptionsOfOrder, type Redemption } from "~/models/redemption.server";
import { getShop } from "~/models/shop.server";
import { groupTransaction, transaction, type SqlTransaction } from "~/models/sql.server";
import { codeHash } from "~/utils/code-cipher.server";
import { enrichOrderForProgram } from "./order-enrichment.server";

// Orders → points. Every event for one order (paid, fulfilled, refund, cancel, posting) is one
// transaction that holds the order's advisory lock: its ledger entries, the balance moves, the
// OrderEarning row and whatever the caller commits with it (the webhook delivery's processed mark)
// commit together or not at all, so a retry after a crash starts from a state in which the event
// never happened. Each event reads what the earlier ones recorded, so any delivery order converges
// on the same ledger: a cancel or refund that arrives before the paid webhook is remembered and
// applied when the order earns. Ledger writes carry keys derived from Shopify ids.
//
// This service talks to no queue. It returns what should happen next (when pending points post)
// and lets its caller schedule it before the transaction commits (hooks.schedulePostings), so
// that a committed earning always has its posting scheduled.

type OrderTopic = "orders/paid" | "orders/fulfilled";

const orderLockKey = (shop: string, orderId: bigint) => `order:${shop}:${orderId}`;
const ACTOR = "system:earning";

/** The order event cannot be processed and retrying will not change that (a job stops at once). */
export class EarningRefusedError extends Error {
  readonly retryable = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EarningRefusedError";
  }
}

/**
 * Pending points to post once their pending period is over: the order's, whichever pending entry
 * it holds by then (a refund during the period reissues the entry; the period stays the same).
 */
export interface PendingPosting {
  orderId: bigint;
  availableAt: Date;
}

/** What an order event leaves to do: postings to schedule (already scheduled through hooks.schedulePostings when given). */
export interface OrderOutcome {
  postings: PendingPosting[];
}

export interface OrderEventHooks {
  /** Called before the event's transaction commits, with the postings it needs: if this fails, nothing is committed. */
  schedulePostings?(postings: PendingPosting[]): Promise<unknown>;
  /** SQL to commit with the event (the webhook delivery's processed mark). */
  inTransaction?(tx: SqlTransaction): Promise<unknown>;
}

export interface OrderEventOptions extends OrderEventHooks {
  /** The shop's row as the caller already read it (a webhook job reads it with the delivery). */
  shopRow?: Shop | null;
}

function programOf(shop: Shop): EarningProgram {
  try {
    return parseEarningProgram(shop.earningRules);
  } catch (error) {
    if (error instanceof EarningProgramError) {
      throw new EarningRefusedError(`the earning program of ${shop.domain} is invalid: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

async function installedShop(shop: string, preloaded: Shop | null | undefined): Promise<Shop> {
  if (preloaded) {
    if (preloaded.domain !== shop) throw new Error(`shop row of ${preloaded.domain} passed for ${shop}`);
    return preloaded;
  }
  const row = await getShop(shop);
  if (!row) throw new EarningRefusedError(`shop ${shop} is not installed`);
  return row;
}

/**
 * One order event: its transaction, the order's lock first (the statements `work` issues travel
 * with it and run once it is granted). `work` ends with commitOrder. With `sharing`, the
 * transaction may be shared with other orders' events (group commit, app/models/sql.server.ts):
 * only for an event that touches nothing but its order and its customer's member.
 */
function inOrderTransaction(
  shop: string,
  orderId: bigint,
  work: (tx: SqlTransaction) => Promise<OrderOutcome>,
  sharing?: { customerId: string | null },
): Promise<OrderOutcome> {
  const run = sharing
    ? (fn: (tx: SqlTransaction) => Promise<OrderOutcome>) =>
        groupTransaction([orderLockKey(shop, orderId), ...(sharing.customerId ? [`customer:${shop}:${sharing.customerId}`] : [])], fn)
    : transaction;
  return run(async (tx) => {
    const locked = tx.lock(orderLockKey(shop, orderId));
    locked.catch(() => undefined);
    const outcome = await work(tx);
    await locked;
    return outcome;
  });
}

/**
 * The end of every order event: the event's last write, the caller's SQL and COMMIT leave
 * together. `scheduled`: the postings, already being scheduled (schedule()): COMMIT waits for
 * them, so that a committed event always has its postings scheduled.
 */
async function commitOrder(
  tx: SqlTransaction,
  hooks: OrderEventHooks,
  lastWrite: (() => Promise<unknown>) | null,
  postings: PendingPosting[],
  scheduled: Promise<unknown> = schedule(hooks, postings),
): Promise<OrderOutcome> {
  await scheduled;
  await Promise.all([lastWrite?.(), hooks.inTransaction?.(tx), tx.commit()]);
  return { postings };
}

function schedule(hooks: OrderEventHooks, postings: PendingPosting[]): Promise<unknown> {
  return postings.length > 0 && hooks.schedulePostings ? hooks.schedulePostings(postings) : Promise.resolve();
}


/**
 * orders/paid or orders/fulfilled: earn once per order, when the topic is the shop's trigger.
 * orders/paid also spends the redemption codes the order used, whatever the trigger. Null when
 * the topic does not earn.
 */
export async function earnPointsForOrder(
  shop: string,
  payload: unknown,
  topic: OrderTopic,
  now = new Date(),
  options: OrderEventOptions = {},
): Promise<OrderOutcome | null> {
  const shopRow = await installedShop(shop, options.shopRow);
  const earns = shopRow.earnTrigger === (topic === "orders/paid" ? "ORDER_PAID" : "ORDER_FULFILLED");
  const capturesCodes = topic === "orders/paid";
  if (!earns && !capturesCodes) return null;
  const event = parseOrderEvent(payload);
  let order = event.order;
  const orderId = BigInt(order.id);
  if (!earns) {
    if (order.discountCodes.length === 0) return null;
    await inOrderTransaction(shop, orderId, async (tx) => {
      const [{ earning }, redemptions] = await Promise.all([
        orderEarningState(shop, orderId, tx),
        redemptionsForCodes(shop, order.discountCodes.map((code) => codeHash(shop, code)), tx),
      ]);
      await captureRedemptions(tx, shop, order, redemptions, earning, now);
      return commitOrder(tx, options, null, []);
    });
    return null;
  }
  // Parsed once per order, and only for a customer's (a guest's order earns when they sign up).
  const program = event.customer ? programOf(shopRow) : null;
  // The product lookup a tag or collection condition needs can wait on Shopify for minutes in an
  // outage (the gateway's retries): it runs before the order's lock and transaction, which are for
  // database work only, and only for an order that has not earned yet (a replay needs none).
  if (program && needsProductLookup(program) && !(await orderEarningState(shop, orderId)).earning) {
    order = await enrichOrderForProgram(shop, program, order);
  }

  // An order with codes may capture another member's redemption: it runs on its own.
  const sharing = order.discountCodes.length === 0 ? { customerId: event.customer ? String(event.customer.customerId) : null } : undefined;
  return inOrderTransaction(shop, orderId, async (tx) => {
    // One round trip with BEGIN and the lock: the order's state, the redemptions its codes name,
    // and its customer enrolled (or refreshed) as a member. The enrolment does not wait for the
    // state: enrolling a customer is right whatever the order turns out to be (a replay, an order
    // cancelled first), as customers/create would enroll them anyway.
    const [{ earning: existing, hasRefunds }, redemptions, enrolled] = await Promise.all([
      orderEarningState(shop, orderId, tx),
      order.discountCodes.length > 0 ? redemptionsForCodes(shop, order.discountCodes.map((code) => codeHash(shop, code)), tx) : [],
      program && event.customer ? enrollMember(shop, event.customer, tx) : null,
    ]);
    if (redemptions.length > 0) await captureRedemptions(tx, shop, order, redemptions, existing, now);
    if (existing) return commitOrder(tx, options, null, []);
    if (!program || !enrolled) return commitOrder(tx, options, () => rememberGuestOrder(tx, shopRow, event), []);
    return earnForMember(tx, options, shopRow, program, { ...event, order }, enrolled.member, now, { hasRefunds });
  }, sharing);
}

function rememberGuestOrder(tx: SqlTransaction, shopRow: Shop, { order, contactEmail, total }: OrderEvent): Promise<void> {
  const hash = contactEmail ? guestEmailHash(shopRow.domain, contactEmail) : null;
  return saveOrderEarning(shopRow.domain, BigInt(order.id), {
    orderName: order.name,
    status: hash ? "GUEST" : "NO_POINTS",
    orderedAt: order.processedAt,
    currencyCode: order.currency,
    orderTotal: total,
    trace: [{ code: hash ? "order.guest_waiting_for_signup" : "order.guest_without_email", params: {} }],
    guestEmailHash: hash,
    guestOrder: hash ? (orderToSnapshot(order) as unknown as Prisma.InputJsonValue) : null,
  }, tx);
}

/**
 * A guest's orders earn once an account with the same email exists: one transaction per order.
 * Returns the postings they need (scheduled already when `hooks.schedulePostings` is given).
 */
export async function creditGuestOrders(
  shop: string,
  member: Member,
  guestOrders: OrderEarning[],
  now = new Date(),
  hooks: OrderEventHooks = {},
): Promise<PendingPosting[]> {
  const shopRow = await installedShop(shop, null);
  const program = programOf(shopRow);
  const customer = { id: member.shopifyCustomerId.toString(), tags: member.tags };
  const postings: PendingPosting[] = [];
  for (const guest of guestOrders) {
    if (guest.status !== "GUEST" || !guest.guestOrder) continue;
    // As for a member's order, the product lookup runs before the lock; the snapshot never
    // changes once remembered (it is only cleared), so it is safe to read it first.
    const order = await enrichOrderForProgram(shop, program, orderFromSnapshot(guest.guestOrder, customer));
    const { postings: scheduled } = await inOrderTransaction(shop, guest.orderId, async (tx) => {
      const { earning: current, hasRefunds } = await orderEarningState(shop, guest.orderId, tx);
      if (!current || current.status !== "GUEST" || !current.guestOrder) return commitOrder(tx, hooks, null, []);
      // The total recorded with the guest order (none for a test order, or one recorded before totals were kept).
      const event: OrderEvent = { order, customer: null, contactEmail: null, total: current.orderTotal?.toString() ?? null };
      return earnForMember(tx, hooks, shopRow, program, event, member, now, { hasRefunds });
    });
    postings.push(...scheduled);
  }
  return postings;
}

function needsProductLookup(program: EarningProgram): boolean {
  const needs = programNeedsEnrichment(program);
  return needs.productTags || needs.collectionIds;
}

/** `event.order` comes with the product facts its program needs (looked up by the caller, before the lock). */
async function earnForMember(
  tx: SqlTransaction,
  hooks: OrderEventHooks,
  shopRow: Shop,
  program: EarningProgram,
  { order, total }: OrderEvent,
  member: Member,
  now: Date,
  { hasRefunds }: { hasRefunds: boolean },
): Promise<OrderOutcome> {
  const shop = shopRow.domain;
  const orderId = BigInt(order.id);
  // The per-day cap counts the day the sale happened, in the shop's time zone. Without a cap the
  // day's total is never read: skip the query.
  let pointsEarnedToday = 0;
  if (program.caps.perDayCap !== undefined) {
    // Two orders of one customer on one day must not both see the day's total before either
    // counts: the member lock (always taken after the order lock) makes the cap exact.
    const day = localDateKey(order.processedAt, shopRow.ianaTimezone);
    const { start, end } = localDayBounds(day, shopRow.ianaTimezone);
    [, pointsEarnedToday] = await Promise.all([tx.lock(`member:${shop}:${member.id}`), purchasePointsBetween(shop, member.id, start, end, tx)]);
  }
  const result = calculatePurchasePoints({
    order,
    program,
    customer: { tags: order.customer?.tags.length ? order.customer.tags : member.tags },
    shopTimezone: shopRow.ianaTimezone,
    pointsEarnedToday,
    now: order.processedAt,
  });
  const common: OrderEarningWrite = {
    status: "NO_POINTS",
    orderName: order.name,
    customerId: member.shopifyCustomerId,
    memberId: member.id,
    orderedAt: order.processedAt,
    currencyCode: order.currency,
    orderTotal: total,
    eligibleBase: formatMoneyAmount(result.base),
    points: 0,
    trace: result.trace as unknown as Prisma.InputJsonValue,
    basis: result.basis as unknown as Prisma.InputJsonValue,
    guestEmailHash: null,
    guestOrder: null,
    // For the program preview; without the order name, which customers/redact clears from the row.
    orderSnapshot: { ...orderToSnapshot(order), name: null } as unknown as Prisma.InputJsonValue,
  };
  if (!shopRow.programEnabled || result.points === 0) {
    const trace = shopRow.programEnabled ? common.trace : [{ code: "program.paused", params: {} }];
    return commitOrder(tx, hooks, () => saveOrderEarning(shop, orderId, { ...common, trace }, tx), []);
  }
  const availableAt = pendingAvailableAt({ orderTime: order.processedAt, pendingDays: shopRow.pendingDays, shopTimezone: shopRow.ianaTimezone });
  const status = availableAt.getTime() <= now.getTime() ? "POSTED" : "PENDING";
  const postings = status === "PENDING" ? [{ orderId, availableAt }] : [];
  // The posting is scheduled while the entry is written (if the transaction then fails, the
  // posting job finds nothing pending and does nothing).
  const scheduled = schedule(hooks, postings);
  scheduled.catch(() => undefined);
  // The entry and the row below commit together: a retry finds both or neither.
  const { entry } = await ledger.earn(shop, member.id, {
    points: result.points, status, orderId, idempotencyKey: `order:${orderId}:earn`, reason: "order", actor: ACTOR,
  }, { tx });
  const row: OrderEarningWrite = { ...common, points: entry.points, status, earnEntryId: entry.id, availableAt };
  if (!hasRefunds) return commitOrder(tx, hooks, () => saveOrderEarning(shop, orderId, row, tx), postings, scheduled);
  // Refunds recorded before the order earned (rare): applied to the row as just written.
  await saveOrderEarning(shop, orderId, row, tx);
  const refunded = await applyRecordedRefunds(tx, shop, (await getOrderEarning(shop, orderId, tx)) as OrderEarning);
  const all = [...postings, ...refunded.postings];
  return commitOrder(tx, hooks, null, all, Promise.all([scheduled, schedule(hooks, refunded.postings)]));
}

// --------------------------------------------------------------------------------------------
// Refunds

/** refunds/create: record the refund, then claw back proportionally if the order has earned. */
export async function clawBackRefund(shop: string, payload: unknown, options: OrderEventOptions = {}): Promise<OrderOutcome> {
  await installedShop(shop, options.shopRow);
  const { refundId, orderId, document } = parseRefundEvent(payload);
  return inOrderTransaction(shop, orderId, async (tx) => {
    const [, earning] = await Promise.all([
      recordRefund(shop, refundId, orderId, document as unknown as Prisma.InputJsonValue, tx),
      getOrderEarning(shop, orderId, tx),
    ]);
    if (!earning) return commitOrder(tx, options, null, []);
    const refunded = await applyRecordedRefunds(tx, shop, earning);
    return commitOrder(tx, options, null, refunded.postings);
  });
}

/**
 * Applies every recorded refund not yet applied, in the order they were received, computing each
 * clawback on running totals (app/domain/refunds.ts) so partial refunds add up exactly and never
 * exceed what was earned. In the order's transaction.
 */
async function applyRecordedRefunds(tx: SqlTransaction, shop: string, earning: OrderEarning): Promise<OrderOutcome> {
  if (earning.status === "GUEST" || earning.status === "CANCELLED" || !earning.basis) return { postings: [] };
  const basis = earning.basis as unknown as EarningBasis;
  const currency = basis.currency;
  const refunds = await refundsForOrder(shop, earning.orderId, tx);
  let refundedSoFar = zeroMoney(currency);
  let clawedSoFar = 0;
  for (const r of refunds) {
    if (!r.appliedAt) continue;
    refundedSoFar = addMoney(refundedSoFar, parseMoney(r.base ?? "0", currency));
    clawedSoFar += r.pointsReversed ?? 0;
  }
  const postings: PendingPosting[] = [];
  let current = earning;
  for (const refund of refunds) {
    if (refund.appliedAt) continue;
    let base;
    try {
      base = refundBaseFromRefundPayload(refund.document, basis).base;
    } catch (error) {
      if (error instanceof RefundPayloadError) throw new InvalidPayloadError(error.message, { cause: error });
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
        }, { tx });
        clawbackEntryId = voided.entry.id;
        const remaining = current.points - claw.clawedBackTotal;
        let reissued: bigint | null = null;
        if (remaining > 0 && current.memberId) {
          const { entry } = await ledger.earn(shop, current.memberId, {
            points: remaining, status: "PENDING", orderId: current.orderId,
            idempotencyKey: `refund:${refund.refundId}:reissue-pending`, reason: "order", actor: ACTOR,
          }, { tx });
          reissued = entry.id;
          if (current.availableAt) postings.push({ orderId: current.orderId, availableAt: current.availableAt });
        }
        nextEarnEntryId = reissued;
      } else if (current.status === "POSTED") {
        clawbackEntryId = await reversePosted(tx, shop, current, refund.refundId, claw.points);
      }
    }
    current = await markRefundApplied(shop, refund.refundId, current.orderId, {
      base: formatMoneyAmount(base), pointsReversed: claw.points, clawbackEntryId, earnEntryId: nextEarnEntryId,
    }, tx);
    refundedSoFar = claw.refundedBaseTotal;
    clawedSoFar = claw.clawedBackTotal;
  }
  return { postings };
}

/**
 * Takes back a refund's share of posted points. The ledger has the last word on what is left to
 * take (the refund rows are a projection): asked for more than remains, it takes what remains.
 */
async function reversePosted(tx: SqlTransaction, shop: string, earning: OrderEarning, refundId: bigint, points: number): Promise<bigint | null> {
  const entryId = earning.earnEntryId as bigint;
  const reverse = (asked: number) => ledger.reverse(shop, entryId, {
    points: asked, refundId, orderId: earning.orderId, idempotencyKey: `refund:${refundId}:clawback`, reason: "refund", actor: ACTOR,
  }, { tx });
  try {
    return (await reverse(points)).entry.id;
  } catch (error) {
    if (!(error instanceof ReversalLimitError)) throw error;
    return error.remaining > 0 ? (await reverse(error.remaining)).entry.id : null;
  }
}

// --------------------------------------------------------------------------------------------
// Cancellation

/** orders/cancelled: reverse what the order earned and give back points redeemed on it. */
export async function reverseCancelledOrder(shop: string, payload: unknown, now = new Date(), options: OrderEventOptions = {}): Promise<OrderOutcome> {
  await installedShop(shop, options.shopRow);
  const { order, total } = parseOrderEvent(payload);
  const orderId = BigInt(order.id);
  const cancelledAt = order.cancelledAt ?? now;
  return inOrderTransaction(shop, orderId, async (tx) => {
    const earning = await getOrderEarning(shop, orderId, tx);
    if (!earning) {
      // Cancelled before it earned (or its paid webhook is late): remember, so it never earns.
      await saveOrderEarning(shop, orderId, {
        orderName: order.name,
        status: "CANCELLED",
        orderedAt: order.processedAt,
        currencyCode: order.currency,
        orderTotal: total,
        trace: [{ code: "order.cancelled_before_earning", params: {} }],
        cancelledAt,
      }, tx);
    } else if (earning.status !== "CANCELLED") {
      await reverseEarning(tx, shop, earning);
      await markOrderCancelled(shop, orderId, cancelledAt, tx);
    }
    await returnRedeemedPoints(tx, shop, orderId, now);
    return commitOrder(tx, options, null, []);
  });
}

async function reverseEarning(tx: SqlTransaction, shop: string, earning: OrderEarning) {
  if (earning.earnEntryId === null) return;
  const key = `order:${earning.orderId}:cancel`;
  if (earning.status === "PENDING") {
    await ledger.voidPending(shop, earning.earnEntryId, { idempotencyKey: key, reason: "order_cancelled", actor: ACTOR }, { tx });
  } else if (earning.status === "POSTED") {
    // What is left to take back is the ledger's to say (refund rows can disagree with it, e.g. a
    // refund applied while the points were pending); nothing left is a success, not an error.
    // The check comes before any statement of the reversal, so the transaction goes on.
    try {
      await ledger.reverse(shop, earning.earnEntryId, { orderId: earning.orderId, idempotencyKey: key, reason: "order_cancelled", actor: ACTOR }, { tx });
    } catch (error) {
      if (!(error instanceof ReversalLimitError)) throw error;
    }
  }
}

/** Captures the holds of the redemptions whose codes this order used; returns them if it is cancelled. */
async function captureRedemptions(tx: SqlTransaction, shop: string, order: EarningOrder, redemptions: Redemption[], earning: OrderEarning | null, now: Date) {
  const orderId = BigInt(order.id);
  if (redemptions.length === 0) return;
  for (const redemption of redemptions) await captureRedemption(shop, redemption.id, orderId, now, tx);
  if (order.cancelled || earning?.status === "CANCELLED") await returnRedemptionsOfOrder(shop, orderId, now, tx);
}

async function returnRedeemedPoints(tx: SqlTransaction, shop: string, orderId: bigint, now: Date) {
  await returnRedemptionsOfOrder(shop, orderId, now, tx);
  const entries = await ledger.entriesForOrder(shop, orderId, tx);
  const resolutions = new Map(entries.filter((e) => e.pendingId !== null).map((e) => [e.pendingId as bigint, e]));
  for (const hold of entries.filter((e) => e.kind === "REDEEM_HOLD")) {
    const resolution = resolutions.get(hold.id);
    if (!resolution) {
      await ledger.voidHold(shop, hold.id, { idempotencyKey: `order:${orderId}:cancel:hold:${hold.id}`, reason: "order_cancelled", actor: ACTOR }, { tx });
    } else if (resolution.kind === "REDEEM_CAPTURE" && !entries.some((e) => e.kind === "REDEEM_RETURN" && e.reversesId === resolution.id)) {
      await ledger.returnRedemption(shop, hold.id, {
        idempotencyKey: `order:${orderId}:cancel:return:${hold.id}`, reason: "order_cancelled", actor: ACTOR,
      }, { tx });
    }
  }
}

// --------------------------------------------------------------------------------------------
// Pending period

/** The pending period is over: the points become spendable (or, run early, the posting is scheduled again). */
export async function postPendingPoints(shop: string, orderId: bigint, now = new Date(), hooks: OrderEventHooks = {}): Promise<OrderOutcome> {
  return inOrderTransaction(shop, orderId, async (tx) => {
    const earning = await getOrderEarning(shop, orderId, tx);
    if (!earning || earning.status !== "PENDING") return commitOrder(tx, hooks, null, []);
    if (earning.availableAt && earning.availableAt.getTime() > now.getTime()) {
      return commitOrder(tx, hooks, null, [{ orderId, availableAt: earning.availableAt }]);
    }
    if (earning.earnEntryId === null) return commitOrder(tx, hooks, () => markOrderPosted(shop, orderId, null, tx), []);
    const { entry } = await ledger.postPending(shop, earning.earnEntryId, {
      idempotencyKey: `order:${orderId}:post:${earning.earnEntryId}`, reason: "pending_period_over", actor: ACTOR,
    }, { tx });
    return commitOrder(tx, hooks, () => markOrderPosted(shop, orderId, entry.id, tx), []);
  });
}
