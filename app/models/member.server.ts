import { Prisma, type Member } from "@prisma/client";
import prisma from "~/db.server";

/** What Shopify tells us about a customer (customers/* webhooks, or an order's customer). */
export interface CustomerFacts {
  customerId: bigint;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  tags?: string[];
  /** Calendar date (UTC midnight), from Shopify's standard `facts.birth_date` customer metafield. */
  birthday?: Date | null;
  /** true = subscribed to email marketing; undefined = not stated by this source. */
  emailMarketingConsent?: boolean;
}

function profileData(facts: CustomerFacts) {
  const data: Prisma.MemberUpdateInput = {};
  if (facts.email !== undefined) data.email = facts.email?.trim().toLowerCase() || null;
  if (facts.firstName !== undefined) data.firstName = facts.firstName;
  if (facts.lastName !== undefined) data.lastName = facts.lastName;
  if (facts.tags !== undefined) data.tags = facts.tags;
  if (facts.birthday !== undefined) data.birthday = facts.birthday;
  if (facts.emailMarketingConsent !== undefined) data.emailMarketingConsent = facts.emailMarketingConsent;
  return data;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => v === b[i]);
  }
  return a === b;
}

/** The fields of `data` whose value differs from the stored member's. */
function changedFields(existing: Member, data: Prisma.MemberUpdateInput): Prisma.MemberUpdateInput {
  return Object.fromEntries(
    Object.entries(data).filter(([field, value]) => !sameValue(existing[field as keyof Member], value)),
  ) as Prisma.MemberUpdateInput;
}

export async function findMemberByCustomerId(shop: string, customerId: bigint) {
  return prisma.member.findUnique({ where: { shop_shopifyCustomerId: { shop, shopifyCustomerId: customerId } } });
}

export async function getMember(shop: string, memberId: string) {
  return prisma.member.findUnique({ where: { shop_id: { shop, id: memberId } } });
}

/**
 * Enrolls the customer if new, else refreshes the profile fields the source stated. Safe under
 * concurrent deliveries for the same customer (one row, the loser reads the winner's).
 * A redacted member stays redacted: personal data is never written back after customers/redact.
 */
export async function enrollMember(shop: string, facts: CustomerFacts) {
  const where = { shop_shopifyCustomerId: { shop, shopifyCustomerId: facts.customerId } };
  for (let attempt = 0; ; attempt++) {
    // SQL for the read every order and customer webhook makes (the model call cost more CPU).
    const [existing] = await prisma.$queryRaw<Member[]>`
      SELECT * FROM "Member" WHERE "shop" = ${shop} AND "shopifyCustomerId" = ${facts.customerId}::bigint`;
    if (existing) {
      if (existing.state === "REDACTED") return { member: existing, created: false };
      // Most deliveries restate what we hold (a repeat customer's next order): write only changes.
      const data = changedFields(existing, profileData(facts));
      const member = Object.keys(data).length ? await prisma.member.update({ where, data }) : existing;
      return { member, created: false, previous: existing };
    }
    try {
      const create = profileData(facts) as Prisma.MemberUncheckedCreateInput;
      const member = await prisma.member.create({ data: { ...create, shop, shopifyCustomerId: facts.customerId } });
      return { member, created: true };
    } catch (error) {
      if (attempt === 0 && error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") continue;
      throw error;
    }
  }
}

/** customers/redact: personal data goes, the member's ledger amounts stay. */
export async function redactMember(shop: string, customerId: bigint, tx: Prisma.TransactionClient = prisma) {
  const { count } = await tx.member.updateMany({
    where: { shop, shopifyCustomerId: customerId },
    data: { email: null, firstName: null, lastName: null, birthday: null, tags: [], emailMarketingConsent: false, state: "REDACTED" },
  });
  return count > 0;
}

/**
 * Members now and what their balances hold, with the members enrolled in each period ([start,
 * split) the previous one, [split, end) the current one). Enrollment counts at its recording
 * time: a member joins the program when LoyalNest enrolls them.
 */
export async function memberTotals(shop: string, { start, split, end }: { start: Date; split: Date; end: Date }) {
  const [row] = await prisma.$queryRaw<{ members: bigint; available: bigint | null; pending: bigint | null; newPrevious: bigint; newCurrent: bigint }[]>`
    SELECT count(*) AS "members", sum("pointsAvailable")::bigint AS "available", sum("pointsPending")::bigint AS "pending",
           count(*) FILTER (WHERE "enrolledAt" >= ${start}::timestamp(3) AND "enrolledAt" < ${split}::timestamp(3)) AS "newPrevious",
           count(*) FILTER (WHERE "enrolledAt" >= ${split}::timestamp(3) AND "enrolledAt" < ${end}::timestamp(3)) AS "newCurrent"
    FROM "Member" WHERE "shop" = ${shop}`;
  return {
    members: Number(row.members),
    pointsAvailable: Number(row.available ?? 0n),
    pointsPending: Number(row.pending ?? 0n),
    newPrevious: Number(row.newPrevious),
    newCurrent: Number(row.newCurrent),
  };
}

export const MEMBER_PAGE_SIZE = 50;

export interface MemberListFilters {
  /** Email, first or last name (substring), or a Shopify customer id (exact). */
  search?: string;
  /** Points available, inclusive bounds. */
  balanceMin?: number;
  balanceMax?: number;
  /** Last order or redemption at or after this instant. */
  activeSince?: Date;
  /** No order or redemption at or after this instant (never active included). */
  inactiveSince?: Date;
}

export interface MemberListPage {
  members: MemberListRow[];
  /** Pass as `after` for the next page, `before` for the previous one; null when there is none. */
  nextCursor: string | null;
  previousCursor: string | null;
}

export interface MemberListRow {
  id: string;
  shopifyCustomerId: bigint;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  state: Member["state"];
  pointsAvailable: number;
  pointsPending: number;
  lifetimeEarned: number;
  enrolledAt: Date;
  lastActivityAt: Date | null;
}

const likePattern = (term: string) => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function filterSql(filters: MemberListFilters): Prisma.Sql[] {
  const conditions: Prisma.Sql[] = [];
  const term = filters.search?.trim();
  if (term) {
    const numeric = /^\d{1,18}$/.test(term) ? BigInt(term) : null;
    const pattern = likePattern(term);
    conditions.push(Prisma.sql`("email" LIKE ${likePattern(term.toLowerCase())} OR "firstName" ILIKE ${pattern} OR "lastName" ILIKE ${pattern}
      ${numeric !== null ? Prisma.sql`OR "shopifyCustomerId" = ${numeric}::bigint` : Prisma.empty})`);
  }
  if (filters.balanceMin !== undefined) conditions.push(Prisma.sql`"pointsAvailable" >= ${filters.balanceMin}::int`);
  if (filters.balanceMax !== undefined) conditions.push(Prisma.sql`"pointsAvailable" <= ${filters.balanceMax}::int`);
  if (filters.activeSince) conditions.push(Prisma.sql`"lastActivityAt" >= ${filters.activeSince}::timestamp(3)`);
  if (filters.inactiveSince) conditions.push(Prisma.sql`("lastActivityAt" IS NULL OR "lastActivityAt" < ${filters.inactiveSince}::timestamp(3))`);
  return conditions;
}

/**
 * One page of members, newest enrolled first, filtered. Keyset pagination on (enrolledAt, id)
 * (index Member_shop_enrolledAt_id_idx): any page costs the same, however deep. A cursor that is
 * not one of the shop's members starts from the first page.
 */
export async function listMembers(
  shop: string,
  filters: MemberListFilters = {},
  { after, before, take = MEMBER_PAGE_SIZE }: { after?: string; before?: string; take?: number } = {},
): Promise<MemberListPage> {
  if (!Number.isSafeInteger(take) || take < 1 || take > 250) throw new RangeError("take must be from 1 to 250");
  const cursorId = before ?? after;
  const cursor = cursorId ? await prisma.member.findUnique({ where: { shop_id: { shop, id: cursorId } }, select: { id: true, enrolledAt: true } }) : null;
  const backwards = cursor !== null && before !== undefined;
  const conditions = [Prisma.sql`"shop" = ${shop}`, ...filterSql(filters)];
  if (cursor) {
    conditions.push(backwards
      ? Prisma.sql`("enrolledAt", "id") > (${cursor.enrolledAt}::timestamp(3), ${cursor.id})`
      : Prisma.sql`("enrolledAt", "id") < (${cursor.enrolledAt}::timestamp(3), ${cursor.id})`);
  }
  const order = backwards ? Prisma.sql`"enrolledAt" ASC, "id" ASC` : Prisma.sql`"enrolledAt" DESC, "id" DESC`;
  const rows = await prisma.$queryRaw<MemberListRow[]>`
    SELECT "id", "shopifyCustomerId", "email", "firstName", "lastName", "state", "pointsAvailable", "pointsPending",
           "lifetimeEarned", "enrolledAt", "lastActivityAt"
    FROM "Member"
    WHERE ${Prisma.join(conditions, " AND ")}
    ORDER BY ${order}
    LIMIT ${take + 1}`;
  const more = rows.length > take;
  const page = rows.slice(0, take);
  if (backwards) page.reverse();
  const first = page[0]?.id ?? null;
  const last = page[page.length - 1]?.id ?? null;
  return {
    members: page,
    nextCursor: backwards ? last : more ? last : null,
    previousCursor: backwards ? (more ? first : null) : cursor ? first : null,
  };
}

/** Active members whose birthday falls on one of these month-days ("MM-DD"). */
export async function membersWithBirthdayOn(shop: string, monthDays: string[]) {
  if (monthDays.length === 0) return [];
  const ids = await prisma.$queryRaw<{ id: string }[]>`
    SELECT "id" FROM "Member"
    WHERE "shop" = ${shop} AND "state" = 'ACTIVE' AND "birthday" IS NOT NULL
      AND to_char("birthday", 'MM-DD') = ANY(${monthDays}::text[])`;
  return prisma.member.findMany({ where: { shop, id: { in: ids.map((r) => r.id) } } });
}
