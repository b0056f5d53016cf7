import { Prisma, type Reward } from "@prisma/client";
import prisma from "~/db.server";
import type { normalizeRewardInput } from "~/domain/rewards";
import { recordAudit } from "./audit-log.server";

// The rewards catalog. Every write is audit-logged in the same transaction; a reward that has
// redemptions is never deleted (its redemptions keep pointing at it), only disabled.

export type { Reward } from "@prisma/client";
export type RewardData = ReturnType<typeof normalizeRewardInput>;

export class RewardNotFoundError extends Error {
  readonly status = 404;
  readonly code = "reward_not_found";
  constructor(readonly rewardId: string) {
    super(`Reward ${rewardId} was not found`);
    this.name = "RewardNotFoundError";
  }
}

/** Stock cannot drop below what was already issued; deleting a redeemed reward is refused. */
export class RewardChangeRefusedError extends Error {
  readonly status = 409;
  constructor(readonly code: "stock_below_issued" | "reward_has_redemptions", message: string, readonly issued = 0) {
    super(message);
    this.name = "RewardChangeRefusedError";
  }
}

function toDb(data: RewardData) {
  return {
    ...data,
    title: data.title as Prisma.InputJsonValue,
    description: data.description as Prisma.InputJsonValue,
  };
}

/** Every reward of the shop, enabled first, with how many codes each has issued. */
export async function listRewards(shop: string): Promise<Reward[]> {
  return prisma.reward.findMany({ where: { shop }, orderBy: [{ enabled: "desc" }, { createdAt: "asc" }] });
}

export async function getReward(shop: string, rewardId: string): Promise<Reward | null> {
  if (typeof rewardId !== "string" || rewardId === "" || rewardId.length > 64) return null;
  return prisma.reward.findUnique({ where: { shop_id: { shop, id: rewardId } } });
}

/** Enabled rewards inside their window with stock left: what a shopper may be offered. */
export async function listRedeemableRewards(shop: string, now = new Date()): Promise<Reward[]> {
  return prisma.$queryRaw<Reward[]>`
    SELECT * FROM "Reward"
    WHERE "shop" = ${shop} AND "enabled"
      AND ("startsAt" IS NULL OR "startsAt" <= ${now}) AND ("endsAt" IS NULL OR "endsAt" > ${now})
      AND ("stockTotal" IS NULL OR "issuedCount" < "stockTotal")
    ORDER BY COALESCE("pointsCost", "sliderMin"), "createdAt"`;
}

export async function createReward(shop: string, data: RewardData, actor: string): Promise<Reward> {
  return prisma.$transaction(async (tx) => {
    const reward = await tx.reward.create({ data: { ...toDb(data), shop } });
    await recordAudit(shop, { actor, action: "reward.created", subjectType: "Reward", subjectId: reward.id, details: { type: reward.type } }, tx);
    return reward;
  });
}

/** Replaces the reward's settings. Locked, so stock is compared with a current issued count. */
export async function updateReward(shop: string, rewardId: string, data: RewardData, actor: string): Promise<Reward> {
  return prisma.$transaction(async (tx) => {
    // FOR UPDATE waits for redemptions holding the row shared, so the count below is final.
    const [current] = await tx.$queryRaw<{ id: string }[]>`
      SELECT "id" FROM "Reward" WHERE "shop" = ${shop} AND "id" = ${rewardId} FOR UPDATE`;
    if (!current) throw new RewardNotFoundError(rewardId);
    const [{ issued }] = await tx.$queryRaw<{ issued: number }[]>`
      SELECT count(*)::int AS "issued" FROM "Redemption"
      WHERE "shop" = ${shop} AND "rewardId" = ${rewardId} AND "status" IN ('ISSUING', 'ISSUED', 'USED')`;
    if (data.stockTotal !== null && data.stockTotal < issued) {
      throw new RewardChangeRefusedError("stock_below_issued", `Stock cannot be below the ${issued} codes already issued`, issued);
    }
    // A reward without stock does not count on its row; one with stock starts from the true count.
    const reward = await tx.reward.update({ where: { shop_id: { shop, id: rewardId } }, data: { ...toDb(data), issuedCount: data.stockTotal === null ? 0 : issued } });
    await recordAudit(shop, { actor, action: "reward.updated", subjectType: "Reward", subjectId: rewardId, details: { type: reward.type, enabled: reward.enabled } }, tx);
    return reward;
  });
}

export async function setRewardEnabled(shop: string, rewardId: string, enabled: boolean, actor: string): Promise<Reward> {
  return prisma.$transaction(async (tx) => {
    const { count } = await tx.reward.updateMany({ where: { shop, id: rewardId }, data: { enabled } });
    if (count === 0) throw new RewardNotFoundError(rewardId);
    await recordAudit(shop, { actor, action: enabled ? "reward.enabled" : "reward.disabled", subjectType: "Reward", subjectId: rewardId }, tx);
    return tx.reward.findUniqueOrThrow({ where: { shop_id: { shop, id: rewardId } } });
  });
}

/** Only a reward nobody ever redeemed can go; anything else is disabled instead. */
export async function deleteUnusedReward(shop: string, rewardId: string, actor: string): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const [current] = await tx.$queryRaw<{ id: string }[]>`
      SELECT "id" FROM "Reward" WHERE "shop" = ${shop} AND "id" = ${rewardId} FOR UPDATE`;
    if (!current) throw new RewardNotFoundError(rewardId);
    const used = await tx.redemption.count({ where: { shop, rewardId } });
    if (used > 0) throw new RewardChangeRefusedError("reward_has_redemptions", "This reward has redemptions: disable it instead", used);
    await tx.reward.delete({ where: { shop_id: { shop, id: rewardId } } });
    await recordAudit(shop, { actor, action: "reward.deleted", subjectType: "Reward", subjectId: rewardId }, tx);
  });
}

export async function countRewards(shop: string): Promise<number> {
  return prisma.reward.count({ where: { shop } });
}

/** Creates the rewards only when the shop has none (a first install, the demo, onboarding). */
export async function createCatalogIfEmpty(shop: string, rewards: RewardData[], actor: string): Promise<number> {
  return prisma.$transaction(async (tx) => {
    // Serialises two concurrent starters for one shop (onboarding double-submit).
    await tx.$queryRaw`SELECT 1 FROM "Shop" WHERE "domain" = ${shop} FOR UPDATE`;
    if ((await tx.reward.count({ where: { shop } })) > 0) return 0;
    for (const data of rewards) await tx.reward.create({ data: { ...toDb(data), shop } });
    await recordAudit(shop, { actor, action: "reward.starter_catalog", details: { count: rewards.length } }, tx);
    return rewards.length;
  });
}
