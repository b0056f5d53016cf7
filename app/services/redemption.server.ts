import { randomUUID } from "node:crypto";
import { Prisma, type Redemption } from "@prisma/client";
import { z } from "zod";
import {
  codeExpiresAt,
  discountValueFor,
  isWorthless,
  localizedText,
  pointsForRedemption,
  rewardUnavailability,
  type RedemptionDiscountValue,
} from "~/domain/rewards";
import { redemptionDiscountConfigSchema } from "~/domain/redemption-discount";
import { InsufficientPointsError } from "~/models/ledger-errors";
import { findMemberByCustomerId, getMember } from "~/models/member.server";
import {
  DuplicateRedemptionRequestError,
  findRedemptionByRequestKey,
  markIssued,
  RedemptionRefusedError,
  releaseRedemption,
  reserveRedemption,
} from "~/models/redemption.server";
import { getReward } from "~/models/reward.server";
import { getShop } from "~/models/shop.server";
import { createRedemptionAppDiscountCode, isCodeTakenError } from "~/shopify/operations/discount-code-app-create.server";
import { findCodeDiscountByCode } from "~/shopify/operations/code-discount-by-code.server";
import { AdminApiError, AdminApiUserError } from "~/shopify/errors";
import type { AdminGateway } from "~/shopify/gateway.server";
import { codeHash, decryptCode, encryptCode, generateCode } from "~/utils/code-cipher.server";
import { logger } from "~/utils/logger.server";
import { rewardOffersFor } from "./rewards.server";
import { interactiveGatewayForShop } from "./shop-gateway.server";

// One redeem service for the three doors (checkout extension, storefront widget, public API):
// check → hold points (with stock and per-customer limit, one transaction) → create the code in
// Shopify → mark it issued. A request key makes every retry return the same code. When Shopify
// definitely made no code, the hold is voided at once; when the answer is unknown (a timeout), the
// redemption stays ISSUING and is resolved by looking the code up (a retry, or the hourly sweep),
// so a code can never exist in Shopify while its points are back with the shopper.

export const redeemRequestSchema = z.object({
  rewardId: z.string().trim().min(1, "is required").max(64, "is too long"),
  points: z.number().int("must be a whole number").positive("must be positive").max(100_000_000).optional(),
  idempotencyKey: z.string().regex(/^[A-Za-z0-9_-]{8,128}$/, "must be 8–128 letters, digits, _ or -"),
});
export type RedeemRequestBody = z.output<typeof redeemRequestSchema>;

export type RedeemChannel = "checkout" | "storefront" | "api";

export interface RedeemRequest extends RedeemRequestBody {
  customerId: bigint;
  channel: RedeemChannel;
  /** Audit actor, e.g. "customer:<id>" or "api_key:<prefix>". */
  actor: string;
  /** The shopper's language, for the code's title. */
  locale?: string;
}

export interface RedemptionView {
  id: string;
  rewardId: string;
  code: string;
  points: number;
  status: Redemption["status"];
  expiresAt: string;
  title: string;
  value: RedemptionDiscountValue;
}

export type RedeemRefusalCode =
  | "shop_uninstalled"
  | "program_paused"
  | "insufficient_points"
  | "out_of_stock"
  | "customer_limit"
  | "reward_unavailable"
  | "invalid_fields"
  | "idempotency_conflict"
  | "shopify_unavailable";

export type RedeemOutcome =
  | { ok: true; replayed: boolean; redemption: RedemptionView; balance: { available: number; pending: number } }
  | { ok: false; status: 401 | 409 | 422 | 503; code: RedeemRefusalCode; message: string };

const refuse = (status: 401 | 409 | 422 | 503, code: RedeemRefusalCode, message: string): RedeemOutcome => ({ ok: false, status, code, message });

export interface RedeemDeps {
  now?: Date;
  /** Defaults to the shop's gateway with short retries. */
  gateway?: () => Promise<AdminGateway>;
}

export function redemptionView(row: Redemption): RedemptionView {
  return {
    id: row.id,
    rewardId: row.rewardId,
    code: decryptCode(row.codeCipher),
    points: row.points,
    status: row.status,
    expiresAt: row.expiresAt.toISOString(),
    title: row.title,
    value: row.discountConfig as unknown as RedemptionDiscountValue,
  };
}

export async function redeemReward(shop: string, request: RedeemRequest, deps: RedeemDeps = {}): Promise<RedeemOutcome> {
  const now = deps.now ?? new Date();
  const gateway = deps.gateway ?? (() => interactiveGatewayForShop(shop));
  const requestKey = `${request.channel}:${request.customerId}:${request.idempotencyKey}`;
  // Independent reads, sent together: a shopper is waiting.
  const [shopRow, member, existing, reward] = await Promise.all([
    getShop(shop),
    findMemberByCustomerId(shop, request.customerId),
    findRedemptionByRequestKey(shop, requestKey),
    getReward(shop, request.rewardId),
  ]);
  if (!shopRow || shopRow.installState !== "INSTALLED") return refuse(401, "shop_uninstalled", "The shop is not installed");
  if (!shopRow.programEnabled) return refuse(409, "program_paused", "The loyalty program is paused");
  if (existing) return answerExisting(shop, existing, request, gateway);

  if (!member || member.state !== "ACTIVE") return refuse(409, "insufficient_points", "You have no points to redeem yet");
  if (!reward) return refuse(409, "reward_unavailable", "This reward is not available");
  const unavailable = rewardUnavailability(reward, now);
  if (unavailable === "out_of_stock") return refuse(409, "out_of_stock", "This reward is out of stock");
  if (unavailable) return refuse(409, "reward_unavailable", "This reward is not available");
  const choice = pointsForRedemption(reward, request.points);
  if (!choice.ok) return refuse(422, "invalid_fields", `points: ${choice.message}`);
  if (member.pointsAvailable < choice.points) {
    return refuse(409, "insufficient_points", `This reward needs ${choice.points} points; you have ${member.pointsAvailable}`);
  }

  const title = localizedText(reward.title, request.locale ?? shopRow.primaryLocale, shopRow.primaryLocale) || "Loyalty reward";
  const value = discountValueFor(reward, choice.points, shopRow.currencyCode, title);
  if (isWorthless(value, shopRow.currencyCode)) return refuse(422, "invalid_fields", "points: too few points for any discount");
  // The Function's own rules, checked before any point is held (a reward saved under older rules).
  if (!redemptionDiscountConfigSchema.safeParse(value).success) return refuse(409, "reward_unavailable", "This reward is misconfigured");

  const code = generateCode();
  let reserved: Redemption;
  try {
    reserved = await reserveRedemption(shop, {
      id: randomUUID(),
      memberId: member.id,
      rewardId: reward.id,
      requestKey,
      channel: request.channel,
      points: choice.points,
      perCustomerLimit: reward.perCustomerLimit,
      discountConfig: value as unknown as Prisma.InputJsonValue,
      title,
      codeHash: codeHash(shop, code),
      codeCipher: encryptCode(code),
      expiresAt: codeExpiresAt(now, reward.codeExpiryDays),
      actor: request.actor,
      now,
    });
  } catch (error) {
    if (error instanceof InsufficientPointsError) {
      return refuse(409, "insufficient_points", `This reward needs ${choice.points} points; you have ${error.available}`);
    }
    if (error instanceof RedemptionRefusedError) return refuse(409, error.code, error.message);
    // The same request raced itself (a double click): the first one's row answers both.
    if (error instanceof DuplicateRedemptionRequestError) {
      const winner = await findRedemptionByRequestKey(shop, requestKey);
      if (winner) return answerExisting(shop, winner, request, gateway);
    }
    throw error;
  }
  return issue(shop, reserved, code, { customerId: request.customerId, combinesWith: reward }, gateway, false);
}

async function answerExisting(shop: string, row: Redemption, request: RedeemRequest, gateway: () => Promise<AdminGateway>): Promise<RedeemOutcome> {
  if (row.rewardId !== request.rewardId || (request.points !== undefined && request.points !== row.points)) {
    return refuse(422, "idempotency_conflict", "This idempotency key was used for another redemption");
  }
  if (row.status === "ISSUING") {
    const reward = await getReward(shop, row.rewardId);
    if (!reward) throw new Error(`redemption ${row.id} lost its reward`);
    return issue(shop, row, decryptCode(row.codeCipher), { customerId: request.customerId, combinesWith: reward }, gateway, true);
  }
  return succeed(shop, row, true);
}

async function succeed(shop: string, row: Redemption, replayed: boolean): Promise<RedeemOutcome> {
  const member = await getMember(shop, row.memberId);
  const balance = { available: member?.pointsAvailable ?? 0, pending: member?.pointsPending ?? 0 };
  return { ok: true, replayed, redemption: redemptionView(row), balance };
}

interface IssueContext {
  customerId: bigint;
  combinesWith: { combinesWithOrder: boolean; combinesWithProduct: boolean; combinesWithShipping: boolean };
}

async function issue(shop: string, row: Redemption, code: string, ctx: IssueContext, gateway: () => Promise<AdminGateway>, replayed: boolean): Promise<RedeemOutcome> {
  const log = logger.child({ shop, redemptionId: row.id });
  let admin: AdminGateway;
  try {
    admin = await gateway();
  } catch (error) {
    // No session (uninstalled meanwhile) or a failed token refresh: no code was made.
    log.warn({ err: error }, "no Admin API access to issue a redemption code");
    await releaseRedemption(shop, row.id, { status: "FAILED", failure: (error as Error).message, actor: "system:redemption", now: new Date() });
    return refuse(503, "shopify_unavailable", "Shopify could not be reached; your points were not used");
  }
  try {
    const created = await createRedemptionAppDiscountCode(admin, {
      customerId: ctx.customerId,
      code,
      title: row.title,
      config: row.discountConfig as unknown as RedemptionDiscountValue,
      endsAt: row.expiresAt,
      combinesWith: {
        orderDiscounts: ctx.combinesWith.combinesWithOrder,
        productDiscounts: ctx.combinesWith.combinesWithProduct,
        shippingDiscounts: ctx.combinesWith.combinesWithShipping,
      },
    });
    const [issued, member] = await Promise.all([markIssued(shop, row.id, created.id), getMember(shop, row.memberId)]);
    return { ok: true, replayed, redemption: redemptionView(issued), balance: { available: member?.pointsAvailable ?? 0, pending: member?.pointsPending ?? 0 } };
  } catch (error) {
    if (isCodeTakenError(error)) return settleByLookup(shop, row, code, admin, replayed, log);
    if (error instanceof AdminApiUserError || (error instanceof AdminApiError && !error.retryable)) {
      // Shopify refused the request: nothing was created, the points come back now.
      log.error({ err: error }, "Shopify refused to create a redemption code");
      await releaseRedemption(shop, row.id, { status: "FAILED", failure: error.message, actor: "system:redemption", now: new Date() });
      return refuse(503, "shopify_unavailable", "Shopify refused to create the code; your points were not used");
    }
    if (error instanceof AdminApiError) {
      // A timeout or outage: Shopify may or may not have made the code. Ask before giving points back.
      log.warn({ err: error }, "redemption code creation failed; checking whether Shopify made it");
      return settleByLookup(shop, row, code, admin, replayed, log);
    }
    // Refused before sending (an input the operation rejects): nothing exists in Shopify.
    await releaseRedemption(shop, row.id, { status: "FAILED", failure: (error as Error).message, actor: "system:redemption", now: new Date() });
    throw error;
  }
}

async function settleByLookup(
  shop: string,
  row: Redemption,
  code: string,
  admin: AdminGateway,
  replayed: boolean,
  log: typeof logger,
): Promise<RedeemOutcome> {
  let found;
  try {
    found = await findCodeDiscountByCode(admin, code);
  } catch (error) {
    log.warn({ err: error }, "could not look the redemption code up; it stays pending until a retry or the sweep");
    return refuse(503, "shopify_unavailable", "Shopify is not answering; try again in a moment (your points are safe)");
  }
  if (found) return succeed(shop, await markIssued(shop, row.id, found.id), replayed);
  await releaseRedemption(shop, row.id, { status: "FAILED", failure: "Shopify did not create the code", actor: "system:redemption", now: new Date() });
  return refuse(503, "shopify_unavailable", "Shopify could not create the code; your points were not used");
}

/** The HTTP answer every door gives for an outcome (extensions/README.md): status and JSON body. */
export function redeemAnswer(outcome: RedeemOutcome): { status: number; body: unknown; retryAfter?: string } {
  if (outcome.ok) {
    return { status: outcome.replayed ? 200 : 201, body: { redemption: outcome.redemption, balance: outcome.balance, replayed: outcome.replayed } };
  }
  return {
    status: outcome.status,
    body: { error: { code: outcome.code, message: outcome.message } },
    ...(outcome.status === 503 ? { retryAfter: "5" } : {}),
  };
}

/** A shopper's side of the program for the checkout extension: balance and what they can redeem. */
export async function rewardsForCustomer(shop: string, customerId: bigint | null, locale: string) {
  const shopRow = await getShop(shop);
  if (!shopRow || shopRow.installState !== "INSTALLED") return null;
  const member = customerId === null ? null : await findMemberByCustomerId(shop, customerId);
  const active = member && member.state === "ACTIVE" ? member : null;
  return {
    programEnabled: shopRow.programEnabled,
    pointsName: shopRow.pointsName,
    currencyCode: shopRow.currencyCode,
    loggedIn: customerId !== null,
    member: active ? { available: active.pointsAvailable, pending: active.pointsPending, lifetimeEarned: active.lifetimeEarned } : null,
    // What the checkout box reads; a logged-in customer who is not a member yet has 0.
    balance: customerId === null ? null : { available: active?.pointsAvailable ?? 0, pending: active?.pointsPending ?? 0 },
    rewards: shopRow.programEnabled ? await rewardOffersFor(shop, locale, customerId === null ? null : (active?.pointsAvailable ?? 0)) : [],
  };
}
