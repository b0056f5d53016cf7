import { createHash } from "node:crypto";
import type { Member, Shop } from "@prisma/client";
import { z } from "zod";
import { reviewPoints } from "~/domain/actions";
import { shopifyIdSchema } from "~/domain/payload";
import { EarningProgramError, parseEarningProgram } from "~/domain/program";
import { localDateKey, localDayBounds } from "~/domain/time";
import * as ledger from "~/models/ledger.server";
import { LedgerConflictError } from "~/models/ledger-errors";
import { enrollMember, findMemberByCustomerId, type CustomerFacts } from "~/models/member.server";
import { reviewKeyPrefix, reviewsRewardedBetween } from "~/models/review-reward.server";
import { getShop } from "~/models/shop.server";
import { fetchCustomerById, type AdminCustomer } from "~/shopify/operations/customer-by-id.server";
import { parseGid } from "~/shopify/gid";
import { withAdvisoryLock } from "~/utils/advisory-lock.server";
import { logger } from "~/utils/logger.server";
import { gatewayForShop } from "./shop-gateway.server";

// Review points through the public API: a reviews app (Judge.me, Okendo, Yotpo, a Flow) says a
// customer wrote a review; the member gets the program's review points once per review, for at most
// `perDayLimit` reviews per shop-local day. The count and the grant run under the member's
// advisory lock (the key order earning uses for its per-day cap), so parallel calls cannot both
// see room under the limit; the ledger key makes a review pay once whatever the timing.

const MAX_REVIEW_ID_LENGTH = 255;
const MAX_LEDGER_KEY_LENGTH = 255;

const reviewIdSchema = z.unknown().transform((value, ctx) => {
  if (value === undefined || value === null) {
    ctx.addIssue({ code: "custom", message: "is required" });
    return z.NEVER;
  }
  const text = typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? String(value) : typeof value === "string" ? value.trim() : null;
  if (text === null) {
    ctx.addIssue({ code: "custom", message: "must be a string (or a whole number)" });
    return z.NEVER;
  }
  if (text.length < 1 || text.length > MAX_REVIEW_ID_LENGTH) {
    ctx.addIssue({ code: "custom", message: `must be 1 to ${MAX_REVIEW_ID_LENGTH} characters` });
    return z.NEVER;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(text)) {
    ctx.addIssue({ code: "custom", message: "must not contain control characters" });
    return z.NEVER;
  }
  return text;
});

export const reviewRequestSchema = z.object({
  customerId: shopifyIdSchema("Customer"),
  reviewId: reviewIdSchema,
  productId: shopifyIdSchema("Product").optional(),
  rating: z
    .number({ error: "must be a whole number from 1 to 5" })
    .int("must be a whole number from 1 to 5")
    .min(1, "must be a whole number from 1 to 5")
    .max(5, "must be a whole number from 1 to 5")
    .optional(),
});

export type ReviewRequest = z.output<typeof reviewRequestSchema>;

/** Field → message, for a 422 answer. */
export function reviewRequestIssues(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = issue.path.map(String).join(".") || "body";
    fields[field] ??= issue.path.length === 0 && issue.code === "invalid_type" ? "must be a JSON object" : issue.message;
  }
  return fields;
}

export type ReviewStatus = "granted" | "daily_limit" | "disabled";

export interface ReviewCredit {
  status: ReviewStatus;
  /** True when this review had been credited before: the answer describes that entry. */
  replayed: boolean;
  points: number;
  entryId: string | null;
  customerId: string;
  reviewId: string;
  /** The member was enrolled by this call (a customer from before the install). */
  enrolled: boolean;
  balance: { available: number; pending: number };
}

export type ReviewOutcome =
  | { ok: true; credit: ReviewCredit }
  | { ok: false; code: "shop_not_installed" | "member_not_found" | "shopify_unavailable" | "program_unavailable"; message: string };

/**
 * The ledger key of a review. Ids that would make the key longer than the ledger allows are
 * replaced by their sha256, so any 255-character review id still pays once.
 */
export function reviewLedgerKey(customerId: bigint, reviewId: string): { key: string; reviewKey: string } {
  const prefix = reviewKeyPrefix(customerId);
  const reviewKey =
    prefix.length + reviewId.length <= MAX_LEDGER_KEY_LENGTH ? reviewId : `sha256:${createHash("sha256").update(reviewId).digest("hex")}`;
  return { key: `${prefix}${reviewKey}`, reviewKey };
}

function factsFromAdmin(customer: AdminCustomer, customerId: bigint): CustomerFacts {
  return {
    customerId,
    email: customer.email,
    firstName: customer.firstName,
    lastName: customer.lastName,
    tags: customer.tags,
    emailMarketingConsent: customer.emailMarketingConsent?.marketingState === "SUBSCRIBED",
  };
}

type MemberLookup = { member: Member; enrolled: boolean } | { member: null; failure: Extract<ReviewOutcome, { ok: false }> };

/**
 * The member, or a customer from before the install enrolled from the Admin API (no signup
 * points: they did not sign up now, as for an order from such a customer).
 */
async function memberForCustomer(shop: string, customerId: bigint): Promise<MemberLookup> {
  const notFound = { member: null, failure: { ok: false, code: "member_not_found", message: `Customer ${customerId} is not a member of this shop's program and is not a customer in Shopify` } } as const;
  const existing = await findMemberByCustomerId(shop, customerId);
  if (existing) return existing.state === "REDACTED" ? notFound : { member: existing, enrolled: false };
  let customer: AdminCustomer | null;
  try {
    customer = await fetchCustomerById(await gatewayForShop(shop), customerId.toString());
  } catch (error) {
    logger.warn({ shop, err: error }, "review points: customer lookup in Shopify failed");
    return {
      member: null,
      failure: { ok: false, code: "shopify_unavailable", message: "Could not look the customer up in Shopify; try again later" },
    };
  }
  if (!customer || parseGid(customer.id).id !== customerId.toString()) return notFound;
  const { member, created } = await enrollMember(shop, factsFromAdmin(customer, customerId));
  if (member.state === "REDACTED") return notFound;
  return { member, enrolled: created };
}

/**
 * Credits the review points of one review. `actor` names the API key (`api_key:<prefix>`). A
 * review seen before answers with its entry; a review refused by the daily limit writes nothing
 * and may earn when sent again on a later day.
 */
export async function creditReview(shop: string, request: ReviewRequest, actor: string, now = new Date()): Promise<ReviewOutcome> {
  const shopRow: Shop | null = await getShop(shop);
  if (!shopRow || shopRow.installState !== "INSTALLED") {
    return { ok: false, code: "shop_not_installed", message: "The shop is not installed" };
  }
  let program;
  try {
    program = parseEarningProgram(shopRow.earningRules);
  } catch (error) {
    if (!(error instanceof EarningProgramError)) throw error;
    // Programs are validated when saved, so this is a damaged row: the review app retries a 503.
    logger.error({ shop, err: error }, "review points: the stored earning program is invalid");
    return { ok: false, code: "program_unavailable", message: "The shop's loyalty program cannot be read right now; try again later" };
  }
  const found = await memberForCustomer(shop, request.customerId);
  if (!found.member) return found.failure;
  const { member, enrolled } = found;
  const { key, reviewKey } = reviewLedgerKey(member.shopifyCustomerId, request.reviewId);

  const decided = await withAdvisoryLock(`member:${shop}:${member.id}`, async () => {
    const previous = await ledger.entryByIdempotencyKey(shop, key);
    if (previous) return { status: "granted" as const, entry: previous, replayed: true };
    const { start, end } = localDayBounds(localDateKey(now, shopRow.ianaTimezone), shopRow.ianaTimezone);
    const rewardedToday = await reviewsRewardedBetween(shop, member.id, start, end);
    const result = reviewPoints({ program, reviewId: reviewKey, reviewsRewardedToday: rewardedToday });
    const limited = result.trace.some((step) => step.code === "review.daily_limit");
    // A paused program, a rule that is off, or one worth 0 points: nothing to credit.
    if (!shopRow.programEnabled || (!limited && result.points <= 0)) return { status: "disabled" as const, entry: null, replayed: false };
    if (limited) return { status: "daily_limit" as const, entry: null, replayed: false };
    try {
      const written = await ledger.earn(shop, member.id, {
        points: result.points,
        status: "POSTED",
        idempotencyKey: `customer:${member.shopifyCustomerId}:${result.idempotencyKeySuffix}`,
        reason: "review",
        actor,
      });
      return { status: "granted" as const, entry: written.entry, replayed: written.replayed };
    } catch (error) {
      // Paid already under this key (through another API key, or before the points changed).
      const existing = error instanceof LedgerConflictError ? await ledger.entryByIdempotencyKey(shop, key) : null;
      if (!existing) throw error;
      return { status: "granted" as const, entry: existing, replayed: true };
    }
  });

  const balance = await ledger.getBalance(shop, member.id);
  const credit: ReviewCredit = {
    status: decided.status,
    replayed: decided.replayed,
    points: decided.entry?.points ?? 0,
    entryId: decided.entry ? decided.entry.id.toString() : null,
    customerId: member.shopifyCustomerId.toString(),
    reviewId: request.reviewId,
    enrolled,
    balance: { available: balance.available, pending: balance.pending },
  };
  logger.info(
    { shop, memberId: member.id, reviewId: request.reviewId, productId: request.productId?.toString(), rating: request.rating, status: credit.status, replayed: credit.replayed, points: credit.points },
    "review points",
  );
  return { ok: true, credit };
}
