import type { z } from "zod";
import {
  currencyIssues,
  normalizeRewardInput,
  rewardInputSchema,
  rewardOffer,
  type RewardOffer,
  type RewardRecord,
} from "~/domain/rewards";
import {
  createCatalogIfEmpty,
  createReward,
  listRedeemableRewards,
  RewardChangeRefusedError,
  updateReward,
  type RewardData,
} from "~/models/reward.server";
import { getShop } from "~/models/shop.server";

// The catalog as merchants edit it and shoppers see it.

export type RewardFieldErrors = Record<string, string>;

export type SaveRewardResult = { ok: true; rewardId: string } | { ok: false; errors: RewardFieldErrors };

function fieldErrors(error: z.ZodError): RewardFieldErrors {
  const errors: RewardFieldErrors = {};
  for (const issue of error.issues) {
    const field = issue.path.length ? String(issue.path[0]) : "form";
    // Codes from app/domain/rewards.ts; zod's own (e.g. a wrong type) map to "invalid".
    errors[field] ??= /^[a-zA-Z]+$/.test(issue.message) && !issue.message.includes(" ") ? issue.message : "invalid";
  }
  return errors;
}

/** Validates a reward form (raw values) for the shop's currency, then creates or updates it. */
export async function saveReward(shop: string, raw: unknown, actor: string, rewardId?: string): Promise<SaveRewardResult> {
  const parsed = rewardInputSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error) };
  const shopRow = await getShop(shop);
  if (!shopRow) return { ok: false, errors: { form: "notInstalled" } };
  const moneyIssues = currencyIssues(parsed.data, shopRow.currencyCode);
  if (Object.keys(moneyIssues).length) return { ok: false, errors: moneyIssues };
  const data = normalizeRewardInput(parsed.data);
  try {
    const reward = rewardId ? await updateReward(shop, rewardId, data, actor) : await createReward(shop, data, actor);
    return { ok: true, rewardId: reward.id };
  } catch (error) {
    if (error instanceof RewardChangeRefusedError && error.code === "stock_below_issued") return { ok: false, errors: { stockTotal: "stockBelowIssued" } };
    throw error;
  }
}

/** What a shopper may redeem now; `availablePoints` null for a guest (affordability unknown). */
export async function rewardOffersFor(shop: string, locale: string, availablePoints: number | null, now = new Date()): Promise<RewardOffer[]> {
  const shopRow = await getShop(shop);
  if (!shopRow) return [];
  const rewards = await listRedeemableRewards(shop, now);
  return rewards.map((r) => rewardOffer(r as RewardRecord, locale, shopRow.primaryLocale, shopRow.currencyCode, availablePoints));
}

/** A sensible first catalog, priced on the default earning rate (5 points per unit of currency). */
export function starterCatalog(currency: string): RewardData[] {
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

export async function installStarterCatalog(shop: string, actor: string): Promise<number> {
  const shopRow = await getShop(shop);
  if (!shopRow) return 0;
  return createCatalogIfEmpty(shop, starterCatalog(shopRow.currencyCode), actor);
}

export type { RewardOffer };
