import type { Member, Shop } from "@prisma/client";
import { birthdayPoints, newsletterPoints, signupPoints, type ActionResult } from "~/domain/actions";
import { EarningProgramError, parseEarningProgram } from "~/domain/program";
import * as ledger from "~/models/ledger.server";
import { LedgerConflictError } from "~/models/ledger-errors";
import { enrollMember, findMemberByCustomerId, listMembers, membersWithBirthdayOn, type MemberListFilters } from "~/models/member.server";
import { guestOrdersForEmail } from "~/models/order-earning.server";
import { getShop } from "~/models/shop.server";
import { ACTIVITY_FILTER_WINDOWS, type ActivityFilter } from "~/domain/member-filters";
import { reportTimeZone } from "~/domain/report-period";
import { addDaysToLocalDate, isLeapYear, localDateKey, localDayBounds } from "~/domain/time";
import { customerFactsFromPayload, guestEmailHash, marketingStateFromPayload } from "./customer-facts.server";
import { creditGuestOrders, type OrderEventHooks } from "./order-earning.server";

const ACTOR = "system:earning";

/** A customer event that cannot be processed, now or on a retry (no installed shop, an invalid program or payload). */
export class CustomerEventRefusedError extends Error {
  readonly retryable = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CustomerEventRefusedError";
  }
}

async function shopAndProgram(shop: string): Promise<{ shopRow: Shop; program: ReturnType<typeof parseEarningProgram> }> {
  const shopRow = await getShop(shop);
  if (!shopRow) throw new CustomerEventRefusedError(`shop ${shop} is not installed`);
  try {
    return { shopRow, program: parseEarningProgram(shopRow.earningRules) };
  } catch (error) {
    if (error instanceof EarningProgramError) throw new CustomerEventRefusedError(error.message, { cause: error });
    throw error;
  }
}

async function grantAction(shop: Shop, member: Member, result: ActionResult) {
  if (!shop.programEnabled || result.points <= 0) return null;
  try {
    const { entry, replayed } = await ledger.earn(shop.domain, member.id, {
      points: result.points,
      status: "POSTED",
      idempotencyKey: `customer:${member.shopifyCustomerId}:${result.idempotencyKeySuffix}`,
      reason: result.idempotencyKeySuffix.split(":")[0],
      actor: ACTOR,
    });
    // The entry when this call paid; null when the action had been paid already.
    return replayed ? null : entry;
  } catch (error) {
    // The key is what makes an action pay once. A conflict means it was paid already, at the
    // points the program gave then (the merchant has changed them since): nothing more is owed.
    if (error instanceof LedgerConflictError) return null;
    throw error;
  }
}

function customerFacts(payload: unknown) {
  const facts = customerFactsFromPayload(payload);
  if (!facts) throw new CustomerEventRefusedError("customer payload without a usable id");
  return facts;
}

/**
 * customers/create: enroll, signup and newsletter points, and credit the guest orders of that
 * email (`hooks` schedules their pending points, see creditGuestOrders).
 */
export async function enrollCustomer(shop: string, payload: unknown, now = new Date(), hooks: OrderEventHooks = {}) {
  const { shopRow, program } = await shopAndProgram(shop);
  const facts = customerFacts(payload);
  const { member } = await enrollMember(shop, facts);
  if (member.state === "REDACTED") return member;
  await grantAction(shopRow, member, signupPoints(program));
  const state = marketingStateFromPayload(payload);
  if (state) await grantAction(shopRow, member, newsletterPoints({ program, previousState: null, currentState: state }));
  if (member.email) {
    const guests = await guestOrdersForEmail(shop, guestEmailHash(shop, member.email));
    if (guests.length > 0) await creditGuestOrders(shop, member, guests, now, hooks);
  }
  return member;
}

/** customers/update: keep email, names, tags and consent current; newsletter points on opting in. */
export async function syncCustomer(shop: string, payload: unknown, now = new Date(), hooks: OrderEventHooks = {}) {
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
    if (guests.length > 0) await creditGuestOrders(shop, member, guests, now, hooks);
  }
  return member;
}

/** Runs hourly may miss a day (deploys, outages): a birthday up to this many days ago still pays, once. */
const BIRTHDAY_CATCH_UP_DAYS = 1;

/**
 * Daily birthday points for one shop: members whose birthday (in the shop's time zone; 29 February
 * is celebrated on the 28th in common years) is today or within the catch-up window. The ledger
 * key carries the year, so however often this runs a birthday pays once a year.
 */
export async function awardBirthdayPoints(shop: string, now = new Date()): Promise<number> {
  const shopRow = await getShop(shop);
  if (!shopRow || shopRow.installState !== "INSTALLED" || !shopRow.programEnabled) return 0;
  const { program } = await shopAndProgram(shop);
  if (!program.actions.birthday.enabled) return 0;
  const today = localDateKey(now, shopRow.ianaTimezone);
  const monthDays = new Set<string>();
  for (let back = 0; back <= BIRTHDAY_CATCH_UP_DAYS; back++) {
    const date = addDaysToLocalDate(today, -back);
    monthDays.add(date.slice(5));
    if (date.slice(5) === "02-28" && !isLeapYear(Number(date.slice(0, 4)))) monthDays.add("02-29");
  }
  let granted = 0;
  for (const member of await membersWithBirthdayOn(shop, [...monthDays])) {
    const result = birthdayPoints({ program, birthday: member.birthday, shopTimezone: shopRow.ianaTimezone, now, catchUpDays: BIRTHDAY_CATCH_UP_DAYS });
    if (await grantAction(shopRow, member, result)) granted++;
  }
  return granted;
}

// ---------------------------------------------------------------------------------------------
// The members list (admin).

export interface MemberListQuery {
  search?: string;
  balanceMin?: number;
  balanceMax?: number;
  activity?: ActivityFilter;
  after?: string;
  before?: string;
}

/**
 * The start of the shop-local day `days - 1` days before today: "active in the last 30 days"
 * means since the start of that day, the same days the overview counts.
 */
function startOfLastDays(days: number, timeZone: string, now: Date): Date {
  const today = localDateKey(now, timeZone);
  return localDayBounds(addDaysToLocalDate(today, -(days - 1)), timeZone).start;
}

/** One page of the shop's members, with the filters resolved in the shop's time zone. */
export async function findMembers(shop: string, query: MemberListQuery, now = new Date()) {
  const shopRow = await getShop(shop);
  if (!shopRow) throw new Response("Shop not found", { status: 404 });
  const timeZone = reportTimeZone(shopRow.ianaTimezone);
  const filters: MemberListFilters = { search: query.search, balanceMin: query.balanceMin, balanceMax: query.balanceMax };
  if (query.activity) {
    const { days, active } = ACTIVITY_FILTER_WINDOWS[query.activity];
    filters[active ? "activeSince" : "inactiveSince"] = startOfLastDays(days, timeZone, now);
  }
  return listMembers(shop, filters, { after: query.after, before: query.before });
}
