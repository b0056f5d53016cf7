// Purchase points for one order, with a trace that answers "why this many points?".
//
// The order of operations, fixed (merchant copy and support answers depend on it):
//  1. Order gates, first failure ends the calculation with 0 points: program disabled, test
//     order, cancelled, not paid, guest checkout, outside the program's date range, outside its
//     time windows, customer tag excluded / not included.
//  2. Lines: gift cards (unless included), excluded products/collections/tags, then the include
//     lists. Only eligible lines count.
//  3. Base, per eligible line: unit price × quantity, minus its discount allocations (line and
//     order discounts) when subtractDiscounts, minus its tax when prices include tax and taxes
//     are not included, plus its tax when tax is added on top and taxes are included; never
//     below zero. Shipping is added under the same rules when includeShipping and at least one
//     line is eligible (shipping alone earns nothing).
//  4. Minimum order, compared with that base.
//  5. Base points = pointsPerUnit × base (in whole currency units), rounded by the program's
//     rounding mode.
//  6. Multipliers, campaign × tier × segment, multiplied as exact fractions and applied to the
//     base points with ONE rounding (same mode) at the end:
//     - campaigns do not stack with one another: each eligible line takes the highest multiplier
//       among the active campaigns covering it (a campaign without scope covers every line and
//       shipping); the order's campaign factor is the amount-weighted average of those;
//     - tier: the multiplier of the customer's tier, if the program sets one;
//     - segment: the highest multiplier among the customer's tags that have one.
//  7. Per-order cap, then per-day cap (what is left of it after `pointsEarnedToday`).
//  8. A system ceiling that keeps one ledger entry inside a 32-bit integer.
//
// Time: rules about when the sale happened (date range, time windows, campaigns) use the order's
// processedAt in the shop's time zone, so a replayed or delayed webhook gives the same answer.
// `now` only decides which shop-local day the per-day cap refers to (points are credited now);
// the caller counts `pointsEarnedToday` for `result.day`.

import {
  addMoney,
  compareMoneyToDecimal,
  currencyExponent,
  formatMoneyAmount,
  maxMoney,
  type Money,
  multiplyMoneyByInteger,
  subtractMoney,
  zeroMoney,
} from "./money";
import type { EarningLine, EarningOrder } from "./order";
import { isBeforeEnd, isOnOrAfterStart, programNeedsEnrichment, type Campaign, type EarningProgram } from "./program";
import {
  add,
  compare,
  divideRounded,
  formatRational,
  multiply,
  ONE,
  parseDecimal,
  rational,
  type Rational,
  roundRational,
  toSafeNumber,
} from "./rational";
import { assertTimeZone, localDateKey, toLocalDateTime } from "./time";
import { findTimeWindow } from "./windows";

/** Largest number of points a single order can earn: a ledger entry is a PostgreSQL integer. */
export const MAX_POINTS_PER_ORDER = 1_000_000_000;

/** Financial statuses that earn: the money has been captured (partial refunds are clawed back). */
export const EARNING_FINANCIAL_STATUSES = ["paid", "partially_refunded"] as const;

/** Every code the trace can contain; the admin translates `earning.trace.<code>` with i18next. */
export const EARNING_TRACE_CODES = [
  "program.disabled",
  "order.test",
  "order.cancelled",
  "order.not_paid",
  "order.no_customer",
  "date.outside_range",
  "window.outside",
  "window.matched",
  "customer.tag_excluded",
  "customer.tag_not_included",
  "line.gift_card",
  "line.excluded.product",
  "line.excluded.collection",
  "line.excluded.tag",
  "line.included.product",
  "line.included.collection",
  "line.included.tag",
  "line.not_included",
  "line.eligible",
  "order.no_eligible_lines",
  "shipping.included",
  "base.computed",
  "order.below_minimum",
  "rate.applied",
  "campaign.skipped",
  "multiplier.campaign",
  "multiplier.tier",
  "multiplier.segment",
  "multiplier.applied",
  "cap.per_order",
  "cap.per_day",
  "cap.system",
] as const;

export type EarningTraceCode = (typeof EARNING_TRACE_CODES)[number];
export type TraceValue = string | number | boolean | null | string[];
export type TraceParams = Record<string, TraceValue>;

export interface TraceStep<Code extends string = EarningTraceCode> {
  code: Code;
  /** Amounts are decimal strings in the shop currency; multipliers are decimal strings. */
  params: TraceParams;
  /** The running point total after this step, on steps that change it. */
  pointsAfter?: number;
}

export type EarningTrace = TraceStep[];

export type CampaignSkipReason = "disabled" | "not_started" | "ended" | "outside_window" | "out_of_scope" | "superseded";

/**
 * What the earning was computed on, for proportional clawback on refunds. JSON-safe: store it
 * with the earn entry; the program may change before the refund arrives.
 */
export interface EarningBasis {
  orderId: string;
  currency: string;
  taxesIncluded: boolean;
  subtractDiscounts: boolean;
  includeTaxes: boolean;
  includeShipping: boolean;
  /** Decimal string: the base the points were computed on. */
  eligibleBase: string;
  /** Decimal string: shipping's part of eligibleBase ("0.00" when shipping was not included). */
  shippingBase: string;
  lines: { id: string; eligible: boolean; quantity: number; unitPrice: string; base: string }[];
}

export interface PurchasePointsInput {
  order: EarningOrder;
  program: EarningProgram;
  /** Authoritative customer facts (order webhooks do not carry customer tags). */
  customer: { tags: string[]; tierId?: string };
  shopTimezone: string;
  /** Purchase points already credited to this customer on `result.day` (shop-local). */
  pointsEarnedToday: number;
  now?: Date;
}

export interface PurchasePointsResult {
  points: number;
  /** The eligible amount points were earned on (zero when a gate stopped the order). */
  base: Money;
  trace: EarningTrace;
  basis: EarningBasis;
  /** Shop-local day (YYYY-MM-DD) of `now`, the day the per-day cap counts. */
  day: string;
}

export class MissingEnrichmentError extends Error {
  constructor(
    public readonly lineIds: string[],
    public readonly fields: ("productTags" | "collectionIds")[],
  ) {
    super(`The program needs ${fields.join(" and ")} for lines ${lineIds.join(", ")}; enrich the order first`);
    this.name = "MissingEnrichmentError";
  }
}

const lower = (values: readonly string[]) => values.map((v) => v.toLowerCase());
const amount = (value: Money) => formatMoneyAmount(value);

interface LineOutcome {
  line: EarningLine;
  eligible: boolean;
  base: Money;
}

export function calculatePurchasePoints(input: PurchasePointsInput): PurchasePointsResult {
  const { order, program, customer, shopTimezone, pointsEarnedToday } = input;
  const now = input.now ?? new Date();
  assertTimeZone(shopTimezone);
  if (!Number.isSafeInteger(pointsEarnedToday) || pointsEarnedToday < 0) {
    throw new RangeError(`pointsEarnedToday must be a non-negative integer, got ${pointsEarnedToday}`);
  }

  const currency = order.currency;
  const purchase = program.purchase;
  const conditions = program.conditions;
  const trace: EarningTrace = [];
  const day = localDateKey(now, shopTimezone);
  const orderTime = order.processedAt;

  const basis: EarningBasis = {
    orderId: order.id,
    currency,
    taxesIncluded: order.taxesIncluded,
    subtractDiscounts: purchase.subtractDiscounts,
    includeTaxes: purchase.includeTaxes,
    includeShipping: purchase.includeShipping,
    eligibleBase: amount(zeroMoney(currency)),
    shippingBase: amount(zeroMoney(currency)),
    lines: order.lines.map((line) => ({
      id: line.id,
      eligible: false,
      quantity: line.quantity,
      unitPrice: amount(line.unitPrice),
      base: amount(zeroMoney(currency)),
    })),
  };
  const stop = (code: EarningTraceCode, params: TraceParams = {}): PurchasePointsResult => {
    trace.push({ code, params, pointsAfter: 0 });
    return { points: 0, base: zeroMoney(currency), trace, basis, day };
  };

  // 1. Order gates.
  if (!purchase.enabled) return stop("program.disabled");
  if (order.test) return stop("order.test", { orderId: order.id });
  if (order.cancelled) return stop("order.cancelled", { cancelledAt: order.cancelledAt?.toISOString() ?? null });
  if (!(EARNING_FINANCIAL_STATUSES as readonly (string | null)[]).includes(order.financialStatus)) {
    return stop("order.not_paid", { financialStatus: order.financialStatus });
  }
  if (!order.customer) return stop("order.no_customer");

  const range = conditions.dateRange;
  if (
    range &&
    ((range.start !== undefined && !isOnOrAfterStart(orderTime, range.start, shopTimezone)) ||
      (range.end !== undefined && !isBeforeEnd(orderTime, range.end, shopTimezone)))
  ) {
    return stop("date.outside_range", {
      orderTime: orderTime.toISOString(),
      start: range.start ?? null,
      end: range.end ?? null,
    });
  }

  if (conditions.timeWindows.length > 0) {
    const local = toLocalDateTime(orderTime, shopTimezone);
    const params = {
      localTime: `${String(local.hour).padStart(2, "0")}:${String(local.minute).padStart(2, "0")}`,
      weekday: local.weekday,
      timezone: shopTimezone,
    };
    const index = findTimeWindow(orderTime, conditions.timeWindows, shopTimezone);
    if (index < 0) return stop("window.outside", params);
    trace.push({ code: "window.matched", params: { ...params, window: index } });
  }

  const customerTags = lower(customer.tags);
  const excludedTag = conditions.customerTags.exclude.find((tag) => customerTags.includes(tag.toLowerCase()));
  if (excludedTag !== undefined) return stop("customer.tag_excluded", { tag: excludedTag });
  const required = conditions.customerTags.include;
  if (required.length > 0 && !required.some((tag) => customerTags.includes(tag.toLowerCase()))) {
    return stop("customer.tag_not_included", { requiredTags: [...required] });
  }

  // 2. Lines.
  assertEnriched(order, program);
  const outcomes = order.lines.map((line) => evaluateLine(line, order, program, trace));
  const eligible = outcomes.filter((o) => o.eligible);
  outcomes.forEach((outcome, index) => {
    basis.lines[index].eligible = outcome.eligible;
    basis.lines[index].base = amount(outcome.base);
  });
  if (eligible.length === 0) return stop("order.no_eligible_lines", { lines: order.lines.length });

  // 3. Base.
  let shippingBase = zeroMoney(currency);
  if (purchase.includeShipping) {
    shippingBase = adjustedAmount(order.shipping.price, order.shipping.discount, order.shipping.tax, order, program);
    trace.push({ code: "shipping.included", params: { amount: amount(shippingBase) } });
  }
  const base = eligible.reduce((sum, o) => addMoney(sum, o.base), shippingBase);
  basis.eligibleBase = amount(base);
  basis.shippingBase = amount(shippingBase);
  trace.push({
    code: "base.computed",
    params: {
      amount: amount(base),
      currency,
      eligibleLines: eligible.length,
      lines: order.lines.length,
      subtractDiscounts: purchase.subtractDiscounts,
      taxesIncluded: order.taxesIncluded,
      includeTaxes: purchase.includeTaxes,
      includeShipping: purchase.includeShipping,
    },
  });
  const result = (points: number): PurchasePointsResult => ({ points, base, trace, basis, day });

  // 4. Minimum order.
  if (purchase.minimumOrder !== undefined && compareMoneyToDecimal(base, purchase.minimumOrder) < 0) {
    trace.push({
      code: "order.below_minimum",
      params: { minimum: purchase.minimumOrder, base: amount(base), currency },
      pointsAfter: 0,
    });
    return result(0);
  }

  // 5. Base points.
  const rate = parseDecimal(purchase.pointsPerUnit);
  const unitsDivisor = 10n ** BigInt(currencyExponent(currency));
  const basePoints = divideRounded(base.minor * rate.num, rate.den * unitsDivisor, purchase.rounding);
  let points = basePoints;
  trace.push({
    code: "rate.applied",
    params: { pointsPerUnit: purchase.pointsPerUnit, base: amount(base), currency, rounding: purchase.rounding },
    pointsAfter: safePoints(points),
  });

  // 6. Multipliers.
  const factor = composeMultipliers({ order, program, customer, outcomes, shippingBase, base, shopTimezone, trace });
  if (factor !== null) {
    points = roundRational(multiply(rational(basePoints), factor), purchase.rounding);
    trace.push({
      code: "multiplier.applied",
      params: { multiplier: formatRational(factor, 6), rounding: purchase.rounding },
      pointsAfter: safePoints(points),
    });
  }

  // 7. Caps.
  const { perOrderCap, perDayCap } = program.caps;
  if (perOrderCap !== undefined && points > BigInt(perOrderCap)) {
    trace.push({ code: "cap.per_order", params: { cap: perOrderCap, before: safePoints(points) }, pointsAfter: perOrderCap });
    points = BigInt(perOrderCap);
  }
  if (perDayCap !== undefined) {
    const remaining = Math.max(0, perDayCap - pointsEarnedToday);
    if (points > BigInt(remaining)) {
      trace.push({
        code: "cap.per_day",
        params: { cap: perDayCap, earnedToday: pointsEarnedToday, remaining, day, before: safePoints(points) },
        pointsAfter: remaining,
      });
      points = BigInt(remaining);
    }
  }

  // 8. System ceiling.
  if (points > BigInt(MAX_POINTS_PER_ORDER)) {
    trace.push({ code: "cap.system", params: { cap: MAX_POINTS_PER_ORDER }, pointsAfter: MAX_POINTS_PER_ORDER });
    points = BigInt(MAX_POINTS_PER_ORDER);
  }

  return result(toSafeNumber(points, "points"));
}

/** Trace values are JSON numbers; intermediate totals above the ceiling still print exactly. */
function safePoints(points: bigint): number {
  return toSafeNumber(points, "points");
}

function assertEnriched(order: EarningOrder, program: EarningProgram): void {
  const needs = programNeedsEnrichment(program);
  const fields: ("productTags" | "collectionIds")[] = [];
  const lineIds = new Set<string>();
  for (const line of order.lines) {
    if (line.productId === null) continue;
    if (needs.productTags && line.productTags === undefined) {
      lineIds.add(line.id);
      if (!fields.includes("productTags")) fields.push("productTags");
    }
    if (needs.collectionIds && line.collectionIds === undefined) {
      lineIds.add(line.id);
      if (!fields.includes("collectionIds")) fields.push("collectionIds");
    }
  }
  if (lineIds.size > 0) throw new MissingEnrichmentError([...lineIds], fields);
}

/** Price minus discounts and tax as the program says; never below zero. */
function adjustedAmount(gross: Money, discount: Money, tax: Money, order: EarningOrder, program: EarningProgram): Money {
  const { subtractDiscounts, includeTaxes } = program.purchase;
  let value = subtractDiscounts ? subtractMoney(gross, discount) : gross;
  if (order.taxesIncluded && !includeTaxes) value = subtractMoney(value, tax);
  if (!order.taxesIncluded && includeTaxes) value = addMoney(value, tax);
  return maxMoney(value, zeroMoney(order.currency));
}

function evaluateLine(line: EarningLine, order: EarningOrder, program: EarningProgram, trace: EarningTrace): LineOutcome {
  const { purchase, conditions } = program;
  const zero = zeroMoney(order.currency);
  const skip = (code: EarningTraceCode, params: TraceParams): LineOutcome => {
    trace.push({ code, params: { lineId: line.id, title: line.title, ...params } });
    return { line, eligible: false, base: zero };
  };
  const productTags = lower(line.productTags ?? []);
  const collections = line.collectionIds ?? [];

  if (line.giftCard && !purchase.includeGiftCards) return skip("line.gift_card", {});
  if (line.productId !== null && conditions.products.exclude.includes(line.productId)) {
    return skip("line.excluded.product", { productId: line.productId });
  }
  const excludedCollection = conditions.collections.exclude.find((id) => collections.includes(id));
  if (excludedCollection !== undefined) return skip("line.excluded.collection", { collectionId: excludedCollection });
  const excludedTag = conditions.productTags.exclude.find((tag) => productTags.includes(tag.toLowerCase()));
  if (excludedTag !== undefined) return skip("line.excluded.tag", { tag: excludedTag });

  const { products, collections: includeCollections, productTags: includeTags } = conditions;
  const hasIncludes = products.include.length + includeCollections.include.length + includeTags.include.length > 0;
  if (hasIncludes) {
    // The trace names the first include that matched, so "why did this line earn?" has an answer.
    const note = (code: EarningTraceCode, params: TraceParams) => trace.push({ code, params: { lineId: line.id, title: line.title, ...params } });
    const byCollection = includeCollections.include.find((id) => collections.includes(id));
    const byTag = includeTags.include.find((tag) => productTags.includes(tag.toLowerCase()));
    if (line.productId !== null && products.include.includes(line.productId)) note("line.included.product", { productId: line.productId });
    else if (byCollection !== undefined) note("line.included.collection", { collectionId: byCollection });
    else if (byTag !== undefined) note("line.included.tag", { tag: byTag });
    else return skip("line.not_included", { productId: line.productId });
  }

  const gross = multiplyMoneyByInteger(line.unitPrice, line.quantity);
  const base = adjustedAmount(gross, line.lineDiscount, line.tax, order, program);
  trace.push({
    code: "line.eligible",
    params: {
      lineId: line.id,
      title: line.title,
      quantity: line.quantity,
      gross: amount(gross),
      discount: amount(line.lineDiscount),
      tax: amount(line.tax),
      amount: amount(base),
    },
  });
  return { line, eligible: true, base };
}

function campaignCovers(campaign: Campaign, line: EarningLine): boolean {
  const scope = campaign.scope;
  if (!scope || isUnscoped(campaign)) return true;
  const tags = lower(line.productTags ?? []);
  return (
    (line.productId !== null && scope.productIds.includes(line.productId)) ||
    scope.collectionIds.some((id) => (line.collectionIds ?? []).includes(id)) ||
    scope.productTags.some((tag) => tags.includes(tag.toLowerCase()))
  );
}

function isUnscoped(campaign: Campaign): boolean {
  const scope = campaign.scope;
  return !scope || scope.productIds.length + scope.collectionIds.length + scope.productTags.length === 0;
}

/** The combined multiplier (null when none applies), tracing each part. */
function composeMultipliers(args: {
  order: EarningOrder;
  program: EarningProgram;
  customer: { tags: string[]; tierId?: string };
  outcomes: LineOutcome[];
  shippingBase: Money;
  base: Money;
  shopTimezone: string;
  trace: EarningTrace;
}): Rational | null {
  const { order, program, customer, outcomes, shippingBase, base, shopTimezone, trace } = args;
  const orderTime = order.processedAt;
  const eligible = outcomes.filter((o) => o.eligible);
  let factor: Rational | null = null;

  // Campaigns: which are running for this order, then the best one per portion of the base.
  const active: Campaign[] = [];
  for (const campaign of program.multipliers.campaigns) {
    const skipped = (reason: CampaignSkipReason) =>
      trace.push({ code: "campaign.skipped", params: { campaignId: campaign.id, name: campaign.name, reason } });
    if (!campaign.enabled) skipped("disabled");
    else if (campaign.startsAt !== undefined && !isOnOrAfterStart(orderTime, campaign.startsAt, shopTimezone)) skipped("not_started");
    else if (campaign.endsAt !== undefined && !isBeforeEnd(orderTime, campaign.endsAt, shopTimezone)) skipped("ended");
    else if (campaign.timeWindows.length > 0 && findTimeWindow(orderTime, campaign.timeWindows, shopTimezone) < 0) {
      skipped("outside_window");
    } else if (!eligible.some((o) => campaignCovers(campaign, o.line))) skipped("out_of_scope");
    else active.push(campaign);
  }

  if (active.length > 0 && base.minor > 0n) {
    const portions: { amount: Money; campaign: Campaign | null }[] = eligible.map((o) => ({
      amount: o.base,
      campaign: best(active.filter((c) => campaignCovers(c, o.line))),
    }));
    if (shippingBase.minor > 0n) portions.push({ amount: shippingBase, campaign: best(active.filter(isUnscoped)) });

    let weighted: Rational = rational(0);
    for (const portion of portions) {
      const multiplier = portion.campaign ? parseDecimal(portion.campaign.multiplier) : ONE;
      weighted = add(weighted, multiply(rational(portion.amount.minor), multiplier));
    }
    for (const campaign of active) {
      const won = portions.filter((p) => p.campaign === campaign);
      if (won.length === 0) {
        trace.push({ code: "campaign.skipped", params: { campaignId: campaign.id, name: campaign.name, reason: "superseded" } });
        continue;
      }
      const appliesTo = won.reduce((sum, p) => addMoney(sum, p.amount), zeroMoney(order.currency));
      trace.push({
        code: "multiplier.campaign",
        params: { campaignId: campaign.id, name: campaign.name, multiplier: campaign.multiplier, appliesTo: amount(appliesTo) },
      });
    }
    factor = multiply(weighted, rational(1n, base.minor));
  }

  const tierId = customer.tierId;
  const tierMultiplier = tierId !== undefined ? program.multipliers.tiers[tierId] : undefined;
  if (tierId !== undefined && tierMultiplier !== undefined) {
    trace.push({ code: "multiplier.tier", params: { tierId, multiplier: tierMultiplier } });
    factor = multiply(factor ?? ONE, parseDecimal(tierMultiplier));
  }

  const tags = lower(customer.tags);
  const segment = program.multipliers.segments
    .filter((s) => tags.includes(s.customerTag.toLowerCase()))
    .reduce<{ customerTag: string; multiplier: string } | null>(
      (top, s) => (top === null || compareDecimals(s.multiplier, top.multiplier) > 0 ? s : top),
      null,
    );
  if (segment) {
    trace.push({ code: "multiplier.segment", params: { tag: segment.customerTag, multiplier: segment.multiplier } });
    factor = multiply(factor ?? ONE, parseDecimal(segment.multiplier));
  }
  return factor;
}

function compareDecimals(a: string, b: string): number {
  return compare(parseDecimal(a), parseDecimal(b));
}

/** The campaign with the highest multiplier; the first listed wins a tie. */
function best(campaigns: Campaign[]): Campaign | null {
  return campaigns.reduce<Campaign | null>(
    (top, c) => (top === null || compareDecimals(c.multiplier, top.multiplier) > 0 ? c : top),
    null,
  );
}
