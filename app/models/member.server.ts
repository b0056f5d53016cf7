import { randomBytes } from "node:crypto";
import { Prisma, type Member } from "@prisma/client";
import prisma from "~/db.server";
import { sqlOf, type Db } from "./sql.server";

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

// The profile fields a source may state, with the SQL type each is sent as.
const PROFILE_FIELDS = [
  ["email", "text"],
  ["firstName", "text"],
  ["lastName", "text"],
  ["tags", "text[]"],
  ["birthday", "date"],
  ["emailMarketingConsent", "boolean"],
] as const satisfies readonly (readonly [keyof CustomerFacts, string])[];

/** The fields this source stated (undefined = not stated), as stored. */
function statedProfile(facts: CustomerFacts): [(typeof PROFILE_FIELDS)[number], unknown][] {
  return PROFILE_FIELDS.flatMap((field) => {
    const value = facts[field[0]];
    if (value === undefined) return [];
    const stored = field[0] === "email" ? (value as string | null)?.trim().toLowerCase() || null : value;
    return [[field, stored] as [(typeof PROFILE_FIELDS)[number], unknown]];
  });
}

/** A new member's id: time-ordered like Prisma's cuid, 25 lowercase letters and digits. */
function newMemberId(): string {
  const random = BigInt(`0x${randomBytes(10).toString("hex")}`).toString(36).padStart(16, "0").slice(-16);
  return `c${Date.now().toString(36).padStart(8, "0")}${random}`;
}

// One statement: insert a new member, or refresh the stated fields of an existing one when one of
// them changed (most deliveries restate what we hold: a repeat customer's next order writes
// nothing), or leave a redacted member alone. `existing` is the row before any change.
function enrollStatement(stated: ReturnType<typeof statedProfile>): string {
  const first = 5;
  const params = stated.map(([[column, type]], i) => ({ column, param: `$${first + i}::${type}` }));
  const insertColumns = ["id", "shop", "shopifyCustomerId", "updatedAt", ...params.map((p) => p.column)].map((c) => `"${c}"`).join(", ");
  const insertValues = ["$3", "$1", "$2::bigint", "$4::timestamp(3)", ...params.map((p) => p.param)].join(", ");
  const update = params.length === 0
    ? "updated AS (SELECT * FROM \"Member\" WHERE false)"
    : `updated AS (
        UPDATE "Member" m SET ${params.map((p) => `"${p.column}" = ${p.param}`).join(", ")}, "updatedAt" = $4::timestamp(3)
        FROM existing e
        WHERE m."shop" = e."shop" AND m."id" = e."id" AND e."state" <> 'REDACTED'
          AND (${params.map((p) => `m."${p.column}" IS DISTINCT FROM ${p.param}`).join(" OR ")})
        RETURNING m.*
      )`;
  return `
    WITH existing AS (
      SELECT * FROM "Member" WHERE "shop" = $1 AND "shopifyCustomerId" = $2::bigint
    ), inserted AS (
      INSERT INTO "Member" (${insertColumns})
      SELECT ${insertValues} WHERE NOT EXISTS (SELECT 1 FROM existing)
      ON CONFLICT ("shop", "shopifyCustomerId") DO NOTHING
      RETURNING *
    ), ${update}
    SELECT 'inserted' AS "outcome", * FROM inserted
    UNION ALL SELECT 'updated', * FROM updated
    UNION ALL SELECT 'existing', * FROM existing`;
}

/** The member of a Shopify customer; with `db`, on that connection (statements sent together with others). */
export async function findMemberByCustomerId(shop: string, customerId: bigint, db?: Db): Promise<Member | null> {
  const rows = await sqlOf(db).rows<Member>(`SELECT * FROM "Member" WHERE "shop" = $1 AND "shopifyCustomerId" = $2::bigint`, [shop, customerId]);
  return rows[0] ?? null;
}

export async function getMember(shop: string, memberId: string) {
  return prisma.member.findUnique({ where: { shop_id: { shop, id: memberId } } });
}

export interface Enrollment {
  member: Member;
  created: boolean;
  /** The member before this refresh, when it existed. */
  previous?: Member;
}

/**
 * Enrolls the customer if new, else refreshes the profile fields the source stated. Safe under
 * concurrent deliveries for the same customer (one row, the loser reads the winner's).
 * A redacted member stays redacted: personal data is never written back after customers/redact.
 * `db`: run in the caller's transaction (an order's earning enrolls its customer in it).
 */
export async function enrollMember(shop: string, facts: CustomerFacts, db?: Db): Promise<Enrollment> {
  const stated = statedProfile(facts);
  const text = enrollStatement(stated);
  const sql = sqlOf(db);
  // The statement reads `existing` in its snapshot: a member inserted by a concurrent delivery
  // that committed after it started is neither seen nor inserted again. The next run sees it.
  for (let attempt = 0; attempt < 3; attempt++) {
    const rows = await sql.rows<Member & { outcome: "inserted" | "updated" | "existing" }>(text, [
      shop, facts.customerId, newMemberId(), new Date(), ...stated.map(([, value]) => value),
    ]);
    const strip = (row: (typeof rows)[number]): Member => {
      const { outcome: _outcome, ...member } = row;
      return member;
    };
    const inserted = rows.find((r) => r.outcome === "inserted");
    if (inserted) return { member: strip(inserted), created: true };
    const existing = rows.find((r) => r.outcome === "existing");
    if (!existing) continue;
    const updated = rows.find((r) => r.outcome === "updated");
    return { member: strip(updated ?? existing), created: false, ...(existing.state === "REDACTED" ? {} : { previous: strip(existing) }) };
  }
  throw new Error(`member for customer ${facts.customerId} of ${shop} could be neither enrolled nor found`);
}

/** customers/redact: personal data goes, the member's ledger amounts stay. `db`: the redaction's transaction. */
export async function redactMember(shop: string, customerId: bigint, db?: Db) {
  const count = await sqlOf(db).execute(
    `UPDATE "Member" SET "email" = NULL, "firstName" = NULL, "lastName" = NULL, "birthday" = NULL, "tags" = '{}',
       "emailMarketingConsent" = false, "state" = 'REDACTED', "updatedAt" = CURRENT_TIMESTAMP
     WHERE "shop" = $1 AND "shopifyCustomerId" = $2::bigint`,
    [shop, customerId],
  );
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
