import { z } from "zod";
import { compareMoney, formatMoneyAmount, MoneyFormatError, multiplyMoney, parseMoney } from "./money";
import { rational } from "./rational";
import type { RedemptionDiscountConfig } from "./redemption-discount";

// Rewards: what points buy. Pure rules shared by the admin editor (validation), the storefront and
// checkout (what a shopper can afford) and the redeem service (what a code is worth).

export const REWARD_TYPES = ["FIXED_AMOUNT", "PERCENTAGE", "FREE_SHIPPING", "FREE_PRODUCT", "POINTS_SLIDER"] as const;
export type RewardType = (typeof REWARD_TYPES)[number];

export const MAX_REWARD_POINTS = 10_000_000;
export const MAX_CODE_EXPIRY_DAYS = 365;
export const DEFAULT_CODE_EXPIRY_DAYS = 30;
const MAX_TEXT = 255;
const MAX_DESCRIPTION = 1000;

/** The stored reward, as the rules need it (a Prisma Reward row fits). */
export interface RewardRecord {
  id: string;
  type: RewardType;
  enabled: boolean;
  pointsCost: number | null;
  amount: string | null;
  percentage: number | null;
  maxAmount: string | null;
  variantId: bigint | null;
  productTitle: string | null;
  sliderPointsPerUnit: number | null;
  sliderUnitAmount: string | null;
  sliderStep: number | null;
  sliderMin: number | null;
  sliderMax: number | null;
  minimumSubtotal: string | null;
  startsAt: Date | null;
  endsAt: Date | null;
  stockTotal: number | null;
  issuedCount: number;
  perCustomerLimit: number | null;
  codeExpiryDays: number;
  combinesWithOrder: boolean;
  combinesWithProduct: boolean;
  combinesWithShipping: boolean;
  tierId: string | null;
  title: unknown;
  description: unknown;
}

// ---------------------------------------------------------------------------------------------
// The admin form: strings in, a checked reward out, one error per field. Errors are short codes
// the admin translates (rewards.errors.<code>).

const blank = (v: unknown) => (v === null || v === undefined || (typeof v === "string" && v.trim() === "") ? undefined : v);
const trimmed = (v: unknown) => (typeof v === "string" ? v.trim() : v);
const checkbox = z.preprocess((v) => v === true || v === "true" || v === "on" || v === "1", z.boolean());
const number = (min: number, max: number) => z.coerce.number({ message: "wholeNumber" }).int("wholeNumber").min(min, "tooSmall").max(max, "tooLarge");
const wholeNumber = (min: number, max: number) => z.preprocess(blank, number(min, max));
const optionalWholeNumber = (min: number, max: number) => z.preprocess(blank, number(min, max).optional());
const amountText = z.preprocess(trimmed, z.string().regex(/^\d{1,9}(\.\d{1,3})?$/, "amount"));
const optionalAmount = z.preprocess(blank, amountText.optional());
const optionalDate = z.preprocess(blank, z.coerce.date({ message: "date" }).optional());
const localeText = (max: number) => z.record(z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, "language"), z.string().trim().max(max, "tooLong"));
const variantIdSchema = z.preprocess(blank, z.unknown().optional()).transform((value, ctx) => {
  if (value === undefined) return undefined;
  const match = /^(?:gid:\/\/shopify\/ProductVariant\/)?(\d{1,19})$/.exec(String(value).trim());
  if (!match) {
    ctx.addIssue({ code: "custom", message: "variantId" });
    return z.NEVER;
  }
  return BigInt(match[1]);
});

export const rewardInputSchema = z
  .object({
    type: z.enum(REWARD_TYPES, { message: "type" }),
    enabled: checkbox.default(true),
    pointsCost: optionalWholeNumber(1, MAX_REWARD_POINTS),
    amount: optionalAmount,
    percentage: optionalWholeNumber(1, 100),
    maxAmount: optionalAmount,
    variantId: variantIdSchema,
    productTitle: z.preprocess(blank, z.string().trim().max(MAX_TEXT).optional()),
    sliderPointsPerUnit: optionalWholeNumber(1, MAX_REWARD_POINTS),
    sliderUnitAmount: optionalAmount,
    sliderStep: optionalWholeNumber(1, MAX_REWARD_POINTS),
    sliderMin: optionalWholeNumber(1, MAX_REWARD_POINTS),
    sliderMax: optionalWholeNumber(1, MAX_REWARD_POINTS),
    minimumSubtotal: optionalAmount,
    startsAt: optionalDate,
    endsAt: optionalDate,
    stockTotal: optionalWholeNumber(0, 100_000_000),
    perCustomerLimit: optionalWholeNumber(1, 1000),
    codeExpiryDays: wholeNumber(1, MAX_CODE_EXPIRY_DAYS).default(DEFAULT_CODE_EXPIRY_DAYS),
    combinesWithOrder: checkbox.default(false),
    combinesWithProduct: checkbox.default(false),
    combinesWithShipping: checkbox.default(true),
    tierId: z.preprocess(blank, z.string().trim().max(MAX_TEXT).optional()),
    title: localeText(MAX_TEXT),
    description: localeText(MAX_DESCRIPTION).default({}),
  })
  .superRefine((r, ctx) => {
    const need = (field: keyof typeof r, message = "required") => {
      if (r[field] === undefined) ctx.addIssue({ code: "custom", path: [field], message });
    };
    if (r.type !== "POINTS_SLIDER") need("pointsCost");
    if (r.type === "FIXED_AMOUNT") need("amount");
    if (r.type === "PERCENTAGE") need("percentage");
    if (r.type === "FREE_PRODUCT") need("variantId");
    if (r.type === "POINTS_SLIDER") {
      for (const f of ["sliderPointsPerUnit", "sliderUnitAmount", "sliderStep", "sliderMin", "sliderMax"] as const) need(f);
      if (r.sliderMin !== undefined && r.sliderMax !== undefined && r.sliderMin > r.sliderMax) {
        ctx.addIssue({ code: "custom", path: ["sliderMax"], message: "sliderMaxBelowMin" });
      }
      if (r.sliderMin !== undefined && r.sliderMax !== undefined && r.sliderStep !== undefined && (r.sliderMax - r.sliderMin) % r.sliderStep !== 0) {
        ctx.addIssue({ code: "custom", path: ["sliderStep"], message: "sliderStep" });
      }
    }
    if (r.amount !== undefined && Number(r.amount) <= 0) ctx.addIssue({ code: "custom", path: ["amount"], message: "positive" });
    if (r.sliderUnitAmount !== undefined && Number(r.sliderUnitAmount) <= 0) {
      ctx.addIssue({ code: "custom", path: ["sliderUnitAmount"], message: "positive" });
    }
    if (r.startsAt && r.endsAt && r.startsAt >= r.endsAt) ctx.addIssue({ code: "custom", path: ["endsAt"], message: "endBeforeStart" });
    if (!Object.values(r.title).some((t) => t !== "")) ctx.addIssue({ code: "custom", path: ["title"], message: "titleRequired" });
  });

export type RewardInput = z.output<typeof rewardInputSchema>;

/** The reward as stored: fields that do not belong to its type are cleared, so nothing stale is read later. */
export function normalizeRewardInput(input: RewardInput) {
  const only = <T>(types: RewardType[], value: T | undefined): T | null => (types.includes(input.type) && value !== undefined ? value : null);
  const texts = (map: Record<string, string>) => Object.fromEntries(Object.entries(map).filter(([, t]) => t !== ""));
  return {
    type: input.type,
    enabled: input.enabled,
    pointsCost: input.type === "POINTS_SLIDER" ? null : (input.pointsCost ?? null),
    amount: only(["FIXED_AMOUNT"], input.amount),
    percentage: only(["PERCENTAGE"], input.percentage),
    maxAmount: only(["PERCENTAGE"], input.maxAmount),
    variantId: only(["FREE_PRODUCT"], input.variantId),
    productTitle: only(["FREE_PRODUCT"], input.productTitle),
    sliderPointsPerUnit: only(["POINTS_SLIDER"], input.sliderPointsPerUnit),
    sliderUnitAmount: only(["POINTS_SLIDER"], input.sliderUnitAmount),
    sliderStep: only(["POINTS_SLIDER"], input.sliderStep),
    sliderMin: only(["POINTS_SLIDER"], input.sliderMin),
    sliderMax: only(["POINTS_SLIDER"], input.sliderMax),
    minimumSubtotal: input.minimumSubtotal ?? null,
    startsAt: input.startsAt ?? null,
    endsAt: input.endsAt ?? null,
    stockTotal: input.stockTotal ?? null,
    perCustomerLimit: input.perCustomerLimit ?? null,
    codeExpiryDays: input.codeExpiryDays,
    combinesWithOrder: input.combinesWithOrder,
    combinesWithProduct: input.combinesWithProduct,
    combinesWithShipping: input.combinesWithShipping,
    tierId: input.tierId ?? null,
    title: texts(input.title),
    description: texts(input.description),
  };
}

/** Money fields must also fit the shop's currency (no cents in JPY): field → error code. */
export function currencyIssues(input: RewardInput, currency: string): Record<string, string> {
  const issues: Record<string, string> = {};
  for (const field of ["amount", "maxAmount", "sliderUnitAmount", "minimumSubtotal"] as const) {
    const value = input[field];
    if (value === undefined) continue;
    try {
      parseMoney(value, currency);
    } catch (error) {
      if (error instanceof MoneyFormatError) issues[field] = "currencyDecimals";
      else throw error;
    }
  }
  return issues;
}

// ---------------------------------------------------------------------------------------------
// Shopper side.

export type Unavailability = "disabled" | "not_started" | "ended" | "out_of_stock";

/** Why a reward cannot be redeemed now, or null when it can. */
export function rewardUnavailability(reward: RewardRecord, now: Date): Unavailability | null {
  if (!reward.enabled) return "disabled";
  if (reward.startsAt && reward.startsAt > now) return "not_started";
  if (reward.endsAt && reward.endsAt <= now) return "ended";
  if (reward.stockTotal !== null && reward.issuedCount >= reward.stockTotal) return "out_of_stock";
  return null;
}

/** The fewest points the reward can be redeemed for. */
export function minimumPoints(reward: RewardRecord): number {
  return reward.type === "POINTS_SLIDER" ? (reward.sliderMin ?? 0) : (reward.pointsCost ?? 0);
}

export type PointsChoice = { ok: true; points: number } | { ok: false; message: string };

/** How many points a redemption takes: the cost, or the shopper's slider choice if it is on a step. */
export function pointsForRedemption(reward: RewardRecord, requested: number | undefined): PointsChoice {
  if (reward.type !== "POINTS_SLIDER") {
    if (requested !== undefined && requested !== reward.pointsCost) {
      return { ok: false, message: `this reward costs ${reward.pointsCost} points; do not send another amount` };
    }
    return { ok: true, points: reward.pointsCost ?? 0 };
  }
  const { sliderMin: min, sliderMax: max, sliderStep: step } = reward;
  if (min === null || max === null || step === null) return { ok: false, message: "the reward is misconfigured" };
  if (requested === undefined) return { ok: false, message: "choose how many points to use" };
  if (!Number.isSafeInteger(requested) || requested < min || requested > max || (requested - min) % step !== 0) {
    return { ok: false, message: `choose from ${min} to ${max} points in steps of ${step}` };
  }
  return { ok: true, points: requested };
}

/** What `points` on a slider are worth, rounded down to the currency's minor unit. */
export function sliderAmount(reward: RewardRecord, points: number, currency: string): string {
  const unit = parseMoney(reward.sliderUnitAmount ?? "0", currency);
  return formatMoneyAmount(multiplyMoney(unit, rational(points, reward.sliderPointsPerUnit ?? 1), "floor"));
}

/** The discount Function's configuration for a code (extensions/README.md, app/domain/redemption-discount.ts). */
export type RedemptionDiscountValue = RedemptionDiscountConfig;

export function discountValueFor(reward: RewardRecord, points: number, currency: string, message: string): RedemptionDiscountValue {
  const common = { v: 1 as const, message, ...(reward.minimumSubtotal ? { minimumSubtotal: reward.minimumSubtotal } : {}) };
  switch (reward.type) {
    case "FIXED_AMOUNT":
      return { ...common, kind: "fixed_amount", amount: formatMoneyAmount(parseMoney(reward.amount ?? "0", currency)) };
    case "POINTS_SLIDER":
      return { ...common, kind: "fixed_amount", amount: sliderAmount(reward, points, currency) };
    case "PERCENTAGE":
      return { ...common, kind: "percentage", percentage: String(reward.percentage), ...(reward.maxAmount ? { cap: reward.maxAmount } : {}) };
    case "FREE_SHIPPING":
      return { ...common, kind: "free_shipping" };
    case "FREE_PRODUCT":
      return { ...common, kind: "free_product", variantId: `gid://shopify/ProductVariant/${reward.variantId}` };
  }
}

/** A slider worth nothing (too few points for one minor unit) must not issue a code. */
export function isWorthless(value: RedemptionDiscountValue, currency: string): boolean {
  return value.kind === "fixed_amount" && compareMoney(parseMoney(value.amount ?? "0", currency), parseMoney("0", currency)) <= 0;
}

/** Text in the shopper's language, else the shop's, else any. */
export function localizedText(map: unknown, locale: string, fallback: string): string {
  if (!map || typeof map !== "object") return "";
  const texts = map as Record<string, unknown>;
  const base = locale.split("-")[0];
  for (const key of [locale, base, fallback, fallback.split("-")[0], "en"]) {
    if (typeof texts[key] === "string" && texts[key] !== "") return texts[key] as string;
  }
  const any = Object.values(texts).find((t) => typeof t === "string" && t !== "");
  return typeof any === "string" ? any : "";
}

/** A code lives its own days even if the reward's window closes sooner: the window is for redeeming. */
export function codeExpiresAt(now: Date, codeExpiryDays: number): Date {
  return new Date(now.getTime() + codeExpiryDays * 24 * 60 * 60 * 1000);
}

export interface RewardOffer {
  id: string;
  type: RewardType;
  title: string;
  description: string;
  pointsCost: number;
  affordable: boolean | null;
  slider: { min: number; max: number; step: number; pointsPerUnit: number; unitAmount: string } | null;
  value: { amount?: string; percentage?: string; cap?: string; productTitle?: string; currencyCode: string };
  minimumSubtotal: string | null;
  endsAt: string | null;
}

/** How a reward is shown to a shopper; `available` null for a guest. */
export function rewardOffer(reward: RewardRecord, locale: string, shopLocale: string, currency: string, available: number | null): RewardOffer {
  const cost = minimumPoints(reward);
  return {
    id: reward.id,
    type: reward.type,
    title: localizedText(reward.title, locale, shopLocale),
    description: localizedText(reward.description, locale, shopLocale),
    pointsCost: cost,
    affordable: available === null ? null : available >= cost,
    slider:
      reward.type === "POINTS_SLIDER"
        ? { min: reward.sliderMin ?? 0, max: reward.sliderMax ?? 0, step: reward.sliderStep ?? 1, pointsPerUnit: reward.sliderPointsPerUnit ?? 1, unitAmount: reward.sliderUnitAmount ?? "0" }
        : null,
    value: {
      currencyCode: currency,
      ...(reward.amount ? { amount: reward.amount } : {}),
      ...(reward.percentage !== null ? { percentage: String(reward.percentage) } : {}),
      ...(reward.maxAmount ? { cap: reward.maxAmount } : {}),
      ...(reward.productTitle ? { productTitle: reward.productTitle } : {}),
    },
    minimumSubtotal: reward.minimumSubtotal,
    endsAt: reward.endsAt ? reward.endsAt.toISOString() : null,
  };
}

/** A sensible first catalog, priced on the default earning rate (5 points per unit of currency). */
export function starterCatalog(currency: string): ReturnType<typeof normalizeRewardInput>[] {
  const zeroDecimals = currency === "JPY" || currency === "KRW";
  const money = (units: number) => (zeroDecimals ? String(units * 100) : units.toFixed(2));
  const base = {
    enabled: true, percentage: undefined, maxAmount: undefined, variantId: undefined, productTitle: undefined,
    sliderPointsPerUnit: undefined, sliderUnitAmount: undefined, sliderStep: undefined, sliderMin: undefined, sliderMax: undefined,
    minimumSubtotal: undefined, startsAt: undefined, endsAt: undefined, stockTotal: undefined, perCustomerLimit: undefined,
    codeExpiryDays: 30, combinesWithOrder: false, combinesWithProduct: false, combinesWithShipping: true, tierId: undefined, description: {},
  };
  return [
    normalizeRewardInput({ ...base, type: "FIXED_AMOUNT", pointsCost: 500, amount: money(5), title: { en: `${money(5)} ${currency} off`, fr: `${money(5)} ${currency} de réduction`, ar: `خصم ${money(5)} ${currency}` } }),
    normalizeRewardInput({ ...base, type: "FREE_SHIPPING", pointsCost: 750, title: { en: "Free shipping", fr: "Livraison offerte", ar: "شحن مجاني" } }),
    normalizeRewardInput({ ...base, type: "PERCENTAGE", pointsCost: 1500, percentage: 10, maxAmount: money(50), title: { en: "10% off your order", fr: "10 % de réduction", ar: "خصم 10٪ على طلبك" } }),
    normalizeRewardInput({
      ...base, type: "POINTS_SLIDER", pointsCost: undefined, sliderPointsPerUnit: 100, sliderUnitAmount: money(1), sliderStep: 100, sliderMin: 100, sliderMax: 5000,
      title: { en: "Use your points", fr: "Utilisez vos points", ar: "استخدم نقاطك" },
      description: { en: `Every 100 points take ${money(1)} ${currency} off.`, fr: `Chaque tranche de 100 points retire ${money(1)} ${currency}.`, ar: `كل 100 نقطة تخصم ${money(1)} ${currency}.` },
    }),
  ];
}

