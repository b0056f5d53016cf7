import type { LedgerEntry } from "@prisma/client";
import { currencyExponent } from "~/domain/money";
import { isBeforeEnd, isOnOrAfterStart, parseEarningProgram, type EarningProgram } from "~/domain/program";
import { findTimeWindow } from "~/domain/windows";
import * as ledger from "~/models/ledger.server";
import { findMemberByCustomerId } from "~/models/member.server";
import { usableRedemptionsOfCustomer } from "~/models/redemption.server";
import { withConnection } from "~/models/sql.server";
import { getShop, type ShopRecord } from "~/models/shop.server";
import { redemptionView, type RedemptionView } from "./redemption.server";
import { rewardOffersFor, type RewardOffer } from "./rewards.server";

// What the theme widget shows, through the app proxy. Two answers:
// - the program (public, the same for every shopper of a shop and language, so it is cacheable):
//   ways to earn, the purchase rule the product block estimates points with, and rewards;
// - the member (private): balances, recent history, rewards with what they can afford, and the
//   discount codes they hold.
//
// A logged-in customer without a Member row (a customer from before the install who has not
// ordered yet, or whose customers/create webhook is still queued) sees the member view with zero
// balances: the store account is the membership. Reads never create members; the webhook or the
// first order does, with the signup points the program gives.
//
// What is the same for every shopper of a shop (its settings, parsed program and reward catalog)
// is kept in the process for a few seconds: every product page view asks for the program, and a
// busy shop's widget would otherwise read the same rows hundreds of times a second. A merchant's
// change shows on the storefront within SHOP_DATA_TTL_MS (plus the browser's minute for the
// program). Balances, history and codes are always read fresh.

export const HISTORY_ITEMS = 10;
export const SHOP_DATA_TTL_MS = 5_000;
const SHOP_DATA_MAX_ENTRIES = 10_000;
// Resolutions (a pending earning posted, a hold captured) are folded into the row they resolve, so
// more rows are read than shown.
const HISTORY_ENTRIES_READ = 30;

export type ActionName = "signup" | "newsletter" | "birthday" | "review";
const ACTION_NAMES: readonly ActionName[] = ["signup", "newsletter", "birthday", "review"];

export interface StorefrontCampaign {
  multiplier: string;
  /** Empty lists: the campaign covers every product. */
  productIds: string[];
  collectionIds: string[];
  productTags: string[];
}

/**
 * The purchase rule as the product block needs it to estimate "earn N points" for one product,
 * evaluated now (a 60-second cache is short next to date ranges and happy hours).
 */
export interface StorefrontPurchaseRule {
  pointsPerUnit: string;
  rounding: EarningProgram["purchase"]["rounding"];
  /** Shop-currency minor units per whole unit: 10^exponent. */
  currencyExponent: number;
  minimumOrder: string | null;
  includeGiftCards: boolean;
  /** False outside the program's date range or time windows: nothing earns right now. */
  activeNow: boolean;
  /** Customer-tag conditions decide who earns; they are not published, so no estimate is shown. */
  eligibleCustomersOnly: boolean;
  products: { include: string[]; exclude: string[] };
  collections: { include: string[]; exclude: string[] };
  productTags: { include: string[]; exclude: string[] };
  /** Campaigns running now; each product takes the highest multiplier among those covering it. */
  campaigns: StorefrontCampaign[];
  perOrderCap: number | null;
}

export interface StorefrontProgram {
  shop: string;
  locale: string;
  programEnabled: boolean;
  pointsName: string;
  currency: string;
  /** Days purchase points stay pending before they can be spent. */
  pendingDays: number;
  purchase: StorefrontPurchaseRule | null;
  actions: { action: ActionName; points: number }[];
  /** Enabled rewards in their window with stock left; `affordable` null (no shopper here). */
  rewards: RewardOffer[];
}

export type HistoryType =
  | "purchase"
  | ActionName
  | "earn"
  | "adjustment"
  | "import"
  | "referral"
  | "bonus"
  | "refund"
  | "order_cancelled"
  | "reversal"
  | "expired"
  | "redeemed"
  | "redemption_released"
  | "redemption_returned";

export interface HistoryItem {
  id: string;
  type: HistoryType;
  /** Signed from the shopper's side: + earned or returned, − spent or taken back. */
  points: number;
  /** pending: not spendable yet; cancelled: a pending earning that was voided (never spendable). */
  status: "pending" | "posted" | "cancelled";
  date: string;
}

export interface StorefrontMember {
  customerId: string;
  /** False for a customer without a member row yet (see the header): balances are zero. */
  enrolled: boolean;
  available: number;
  pending: number;
  lifetimeEarned: number;
  history: HistoryItem[];
  /** The program's rewards with `affordable` for this balance (empty while the program is paused). */
  rewards: RewardOffer[];
  /** Codes issued and still usable; used, expired or returned ones are not sent again. */
  codes: RedemptionView[];
}

function isInstalled(shop: ShopRecord | null): shop is ShopRecord {
  return shop !== null && shop.installState === "INSTALLED";
}

const shopData = new Map<string, { expires: number; value: Promise<unknown> }>();

/** `load()`'s promise, shared for SHOP_DATA_TTL_MS; a failure is not kept. */
function remembered<T>(key: string, load: () => Promise<T>): Promise<T> {
  const now = Date.now();
  const hit = shopData.get(key);
  if (hit && hit.expires > now) return hit.value as Promise<T>;
  if (shopData.size >= SHOP_DATA_MAX_ENTRIES) {
    for (const [k, v] of shopData) if (v.expires <= now) shopData.delete(k);
    if (shopData.size >= SHOP_DATA_MAX_ENTRIES) shopData.clear();
  }
  const value = load();
  shopData.set(key, { expires: now + SHOP_DATA_TTL_MS, value });
  value.catch(() => shopData.delete(key));
  return value;
}

/** Tests change a shop and read it back at once. */
export function forgetStorefrontShopData(): void {
  shopData.clear();
}

const shopAndProgram = (shopDomain: string) =>
  remembered(`shop:${shopDomain}`, async () => {
    const shop = await getShop(shopDomain);
    return { shop, program: shop ? programOf(shop) : null };
  });

/** The catalog as a guest sees it (`affordable` null) in one language. */
const guestOffers = (shopDomain: string, locale: string) => remembered(`offers:${shopDomain}:${locale}`, () => rewardOffersFor(shopDomain, locale, null));

/** The same offers for a balance: the rule of the domain's rewardOffer (affordable = balance ≥ cost). */
function offersFor(offers: RewardOffer[], available: number): RewardOffer[] {
  return offers.map((offer) => ({ ...offer, affordable: available >= offer.pointsCost }));
}

function resolveLocale(requested: string | null, shop: ShopRecord): string {
  return requested ?? shop.primaryLocale;
}

/** The program as the storefront may see it now; pure, for tests and the route. */
export function storefrontPurchaseRule(program: EarningProgram, currency: string, timeZone: string, now: Date): StorefrontPurchaseRule | null {
  const { purchase, conditions } = program;
  if (!purchase.enabled) return null;
  const range = conditions.dateRange;
  const inRange =
    !range ||
    ((range.start === undefined || isOnOrAfterStart(now, range.start, timeZone)) && (range.end === undefined || isBeforeEnd(now, range.end, timeZone)));
  const inWindow = conditions.timeWindows.length === 0 || findTimeWindow(now, conditions.timeWindows, timeZone) >= 0;
  const campaigns = program.multipliers.campaigns
    .filter(
      (c) =>
        c.enabled &&
        (c.startsAt === undefined || isOnOrAfterStart(now, c.startsAt, timeZone)) &&
        (c.endsAt === undefined || isBeforeEnd(now, c.endsAt, timeZone)) &&
        (c.timeWindows.length === 0 || findTimeWindow(now, c.timeWindows, timeZone) >= 0),
    )
    .map((c) => ({
      multiplier: c.multiplier,
      productIds: c.scope?.productIds ?? [],
      collectionIds: c.scope?.collectionIds ?? [],
      productTags: c.scope?.productTags ?? [],
    }));
  return {
    pointsPerUnit: purchase.pointsPerUnit,
    rounding: purchase.rounding,
    currencyExponent: currencyExponent(currency),
    minimumOrder: purchase.minimumOrder ?? null,
    includeGiftCards: purchase.includeGiftCards,
    activeNow: inRange && inWindow,
    eligibleCustomersOnly: conditions.customerTags.include.length + conditions.customerTags.exclude.length > 0,
    products: conditions.products,
    collections: conditions.collections,
    productTags: conditions.productTags,
    campaigns,
    perOrderCap: program.caps.perOrderCap ?? null,
  };
}

export function storefrontActions(program: EarningProgram): StorefrontProgram["actions"] {
  return ACTION_NAMES.filter((name) => program.actions[name].enabled && program.actions[name].points > 0).map((name) => ({
    action: name,
    points: program.actions[name].points,
  }));
}

function programOf(shop: ShopRecord): EarningProgram | null {
  try {
    return parseEarningProgram(shop.earningRules);
  } catch {
    // A stored program that no longer parses shows no earning rules rather than failing the widget.
    return null;
  }
}

/** The public program for a shop and language; null when the shop is not installed. */
export async function storefrontProgram(shopDomain: string, requestedLocale: string | null, now = new Date()): Promise<StorefrontProgram | null> {
  const { shop, program } = await shopAndProgram(shopDomain);
  if (!isInstalled(shop)) return null;
  const locale = resolveLocale(requestedLocale, shop);
  return {
    shop: shop.domain,
    locale,
    programEnabled: shop.programEnabled,
    pointsName: shop.pointsName,
    currency: shop.currencyCode,
    pendingDays: shop.pendingDays,
    purchase: program ? storefrontPurchaseRule(program, shop.currencyCode, shop.ianaTimezone, now) : null,
    actions: program ? storefrontActions(program) : [],
    rewards: shop.programEnabled ? await guestOffers(shopDomain, locale) : [],
  };
}

function historyType(entry: LedgerEntry): HistoryType {
  switch (entry.kind) {
    case "EARN": {
      const action = ACTION_NAMES.find((name) => name === entry.reason);
      if (action) return action;
      return entry.orderId !== null || entry.reason === "order" ? "purchase" : "earn";
    }
    case "ADJUST":
      return "adjustment";
    case "IMPORT":
      return "import";
    case "REFERRAL":
      return "referral";
    case "CAMPAIGN":
      return "bonus";
    case "REVERSAL":
      return entry.reason === "refund" ? "refund" : entry.reason === "order_cancelled" ? "order_cancelled" : "reversal";
    case "EXPIRE":
      return "expired";
    case "REDEEM_HOLD":
    case "REDEEM_CAPTURE":
      return "redeemed";
    case "REDEEM_VOID":
      return "redemption_released";
    case "REDEEM_RETURN":
      return "redemption_returned";
  }
}

/**
 * A shopper's history from ledger entries (newest first): one row per thing that happened. A
 * pending earning and the entry that later posts or voids it are one row with the current state;
 * captures move no points and are not shown. Merchant notes (`reason` on adjustments) stay private.
 */
export function historyItems(entries: readonly LedgerEntry[], limit = HISTORY_ITEMS): HistoryItem[] {
  const shown = new Set(entries.map((e) => e.id));
  const resolution = new Map<bigint, LedgerEntry>();
  for (const entry of entries) if (entry.pendingId !== null && entry.kind === "EARN") resolution.set(entry.pendingId, entry);

  const items: HistoryItem[] = [];
  for (const entry of entries) {
    if (items.length >= limit) break;
    if (entry.kind === "REDEEM_CAPTURE") continue;
    if (entry.kind === "EARN" && entry.pendingId !== null) {
      // Folded into the pending row when that row is in view; a voided earning alone moves nothing.
      if (shown.has(entry.pendingId) || entry.status === "VOIDED") continue;
    }
    let status: HistoryItem["status"] = entry.status === "PENDING" && entry.kind === "EARN" ? "pending" : "posted";
    if (entry.kind === "EARN" && entry.status === "PENDING") {
      const resolved = resolution.get(entry.id);
      if (resolved) status = resolved.status === "VOIDED" ? "cancelled" : "posted";
    }
    items.push({ id: entry.id.toString(), type: historyType(entry), points: entry.points, status, date: entry.createdAt.toISOString() });
  }
  return items;
}

/** The member's balances, history, rewards and codes; null when the shop is not installed. */
export async function storefrontMember(shopDomain: string, customerId: bigint, requestedLocale: string | null, now = new Date()): Promise<StorefrontMember | null> {
  // The three reads are keyed by the customer, so they leave together on one connection and come
  // back in one round trip; the shop's settings and catalog come from the few-second cache.
  const [{ shop }, [member, entries, redemptions]] = await Promise.all([
    shopAndProgram(shopDomain),
    withConnection((sql) =>
      Promise.all([
        findMemberByCustomerId(shopDomain, customerId, sql),
        ledger.recentEntriesOfCustomer(shopDomain, customerId, HISTORY_ENTRIES_READ, sql),
        usableRedemptionsOfCustomer(shopDomain, customerId, now, sql),
      ]),
    ),
  ]);
  if (!isInstalled(shop)) return null;
  const locale = resolveLocale(requestedLocale, shop);
  const active = member && member.state === "ACTIVE" ? member : null;
  const available = active?.pointsAvailable ?? 0;
  const offers = shop.programEnabled ? await guestOffers(shopDomain, locale) : [];
  return {
    customerId: customerId.toString(),
    enrolled: active !== null,
    available,
    pending: active?.pointsPending ?? 0,
    lifetimeEarned: active?.lifetimeEarned ?? 0,
    history: historyItems(entries),
    rewards: offersFor(offers, available),
    // Only an active member's, issued and unexpired, soonest to expire first (the query's rule).
    codes: redemptions.map(redemptionView),
  };
}
