import type { z } from "zod";
import {
  currencyIssues,
  normalizeRewardInput,
  rewardInputSchema,
  rewardOffer,
  starterCatalog,
  type RewardOffer,
  type RewardRecord,
} from "~/domain/rewards";
import {
  createCatalogIfEmpty,
  createReward,
  listRedeemableRewards,
  RewardChangeRefusedError,
  updateReward,
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

export async function installStarterCatalog(shop: string, actor: string): Promise<number> {
  const shopRow = await getShop(shop);
  if (!shopRow) return 0;
  return createCatalogIfEmpty(shop, starterCatalog(shopRow.currencyCode), actor);
}

export type { RewardOffer };
