import type { Member, Shop } from "@prisma/client";
import { newsletterPoints, signupPoints, type ActionResult } from "~/domain/actions";
import { EarningProgramError, parseEarningProgram } from "~/domain/program";
import { TerminalJobError } from "~/jobs/errors";
import * as ledger from "~/models/ledger.server";
import { LedgerConflictError } from "~/models/ledger-errors";
import { enrollMember, findMemberByCustomerId } from "~/models/member.server";
import { guestOrdersForEmail } from "~/models/order-earning.server";
import { getShop } from "~/models/shop.server";
import { customerFactsFromPayload, guestEmailHash, marketingStateFromPayload } from "./customer-facts.server";
import { creditGuestOrders } from "./order-earning.server";

const ACTOR = "system:earning";

async function shopAndProgram(shop: string): Promise<{ shopRow: Shop; program: ReturnType<typeof parseEarningProgram> }> {
  const shopRow = await getShop(shop);
  if (!shopRow) throw new TerminalJobError(`shop ${shop} is not installed`);
  try {
    return { shopRow, program: parseEarningProgram(shopRow.earningRules) };
  } catch (error) {
    if (error instanceof EarningProgramError) throw new TerminalJobError(error.message, { cause: error });
    throw error;
  }
}

async function grantAction(shop: Shop, member: Member, result: ActionResult) {
  if (!shop.programEnabled || result.points <= 0) return null;
  try {
    const { entry } = await ledger.earn(shop.domain, member.id, {
      points: result.points,
      status: "POSTED",
      idempotencyKey: `customer:${member.shopifyCustomerId}:${result.idempotencyKeySuffix}`,
      reason: result.idempotencyKeySuffix.split(":")[0],
      actor: ACTOR,
    });
    return entry;
  } catch (error) {
    // The key is what makes an action pay once. A conflict means it was paid already, at the
    // points the program gave then (the merchant has changed them since): nothing more is owed.
    if (error instanceof LedgerConflictError) return null;
    throw error;
  }
}

function customerFacts(payload: unknown) {
  const facts = customerFactsFromPayload(payload);
  if (!facts) throw new TerminalJobError("customer payload without a usable id");
  return facts;
}

/** customers/create: enroll, signup and newsletter points, and credit the guest orders of that email. */
export async function enrollCustomer(shop: string, payload: unknown, now = new Date()) {
  const { shopRow, program } = await shopAndProgram(shop);
  const facts = customerFacts(payload);
  const { member } = await enrollMember(shop, facts);
  if (member.state === "REDACTED") return member;
  await grantAction(shopRow, member, signupPoints(program));
  const state = marketingStateFromPayload(payload);
  if (state) await grantAction(shopRow, member, newsletterPoints({ program, previousState: null, currentState: state }));
  if (member.email) {
    const guests = await guestOrdersForEmail(shop, guestEmailHash(shop, member.email));
    if (guests.length > 0) await creditGuestOrders(shop, member, guests, now);
  }
  return member;
}

/** customers/update: keep email, names, tags and consent current; newsletter points on opting in. */
export async function syncCustomer(shop: string, payload: unknown, now = new Date()) {
  const { shopRow, program } = await shopAndProgram(shop);
  const facts = customerFacts(payload);
  const before = await findMemberByCustomerId(shop, facts.customerId);
  const { member } = await enrollMember(shop, facts);
  if (member.state === "REDACTED") return member;
  const state = marketingStateFromPayload(payload);
  if (state) {
    const previousState = before?.emailMarketingConsent ? "subscribed" : null;
    await grantAction(shopRow, member, newsletterPoints({ program, previousState, currentState: state }));
  }
  // A new email may match guest orders placed before the customer had an account.
  if (member.email && member.email !== before?.email) {
    const guests = await guestOrdersForEmail(shop, guestEmailHash(shop, member.email));
    if (guests.length > 0) await creditGuestOrders(shop, member, guests, now);
  }
  return member;
}
