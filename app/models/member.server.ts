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

export async function memberStats(shop: string) {
  const [totals, active] = await Promise.all([
    prisma.member.aggregate({
      where: { shop },
      _count: { _all: true },
      _sum: { pointsAvailable: true, pointsPending: true, lifetimeEarned: true },
    }),
    prisma.member.count({ where: { shop, state: "ACTIVE" } }),
  ]);
  return {
    members: totals._count._all,
    activeMembers: active,
    pointsAvailable: totals._sum.pointsAvailable ?? 0,
    pointsPending: totals._sum.pointsPending ?? 0,
    lifetimeEarned: totals._sum.lifetimeEarned ?? 0,
  };
}

export async function listMembers(shop: string, { search, take = 50, cursor }: { search?: string; take?: number; cursor?: string } = {}) {
  const term = search?.trim();
  const numeric = term && /^\d{1,20}$/.test(term) ? BigInt(term) : undefined;
  const where: Prisma.MemberWhereInput = {
    shop,
    ...(term
      ? {
          OR: [
            { email: { contains: term.toLowerCase() } },
            { firstName: { contains: term, mode: "insensitive" } },
            { lastName: { contains: term, mode: "insensitive" } },
            ...(numeric !== undefined ? [{ shopifyCustomerId: numeric }] : []),
          ],
        }
      : {}),
  };
  const rows = await prisma.member.findMany({
    where,
    orderBy: [{ enrolledAt: "desc" }, { id: "desc" }],
    take: take + 1,
    ...(cursor ? { cursor: { shop_id: { shop, id: cursor } }, skip: 1 } : {}),
  });
  return { members: rows.slice(0, take), nextCursor: rows.length > take ? rows[take - 1].id : null };
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
