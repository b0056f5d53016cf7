import type { Prisma } from "@prisma/client";
import prisma from "~/db.server";

// The Privacy page's audit log: who changed what and when, filtered and paged by id (newest
// first). Kept apart from audit-log.server.ts, which writes the rows.

export interface AuditLogFilter {
  action?: string;
  actor?: string;
  /** Inclusive lower bound of createdAt. */
  from?: Date;
  /** Exclusive upper bound of createdAt. */
  to?: Date;
}

export interface AuditLogPage {
  entries: Prisma.AuditLogGetPayload<object>[];
  /** Id to pass as `before` for the next (older) page, or null at the end. */
  olderCursor: bigint | null;
  /** Id to pass as `after` for the previous (newer) page, or null on the first page. */
  newerCursor: bigint | null;
}

function whereOf(shop: string, filter: AuditLogFilter): Prisma.AuditLogWhereInput {
  return {
    shop,
    ...(filter.action ? { action: filter.action } : {}),
    ...(filter.actor ? { actor: filter.actor } : {}),
    ...(filter.from || filter.to ? { createdAt: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lt: filter.to } : {}) } } : {}),
  };
}

/** A page of the log: with `before`, the entries older than it; with `after`, the newer ones. */
export async function searchAuditLog(
  shop: string,
  filter: AuditLogFilter,
  { take = 25, before, after }: { take?: number; before?: bigint; after?: bigint } = {},
): Promise<AuditLogPage> {
  const where = whereOf(shop, filter);
  if (after !== undefined) {
    const newer = await prisma.auditLog.findMany({ where: { ...where, id: { gt: after } }, orderBy: { id: "asc" }, take: take + 1 });
    const entries = newer.slice(0, take).reverse();
    return {
      entries,
      newerCursor: newer.length > take && entries.length > 0 ? entries[0].id : null,
      olderCursor: entries.length > 0 ? entries[entries.length - 1].id : after,
    };
  }
  const rows = await prisma.auditLog.findMany({
    where: { ...where, ...(before !== undefined ? { id: { lt: before } } : {}) },
    orderBy: { id: "desc" },
    take: take + 1,
  });
  const entries = rows.slice(0, take);
  return {
    entries,
    olderCursor: rows.length > take ? entries[entries.length - 1].id : null,
    newerCursor: before !== undefined && entries.length > 0 ? entries[0].id : before !== undefined ? before : null,
  };
}

/** The actions and actors present in the shop's log, for the filter menus (at most `limit` each). */
export async function auditLogFacets(shop: string, limit = 200) {
  // SQL DISTINCT: Prisma's `distinct` option would fetch every row and deduplicate in the engine.
  const [actions, actors] = await Promise.all([
    prisma.$queryRaw<{ value: string }[]>`SELECT DISTINCT "action" AS "value" FROM "AuditLog" WHERE "shop" = ${shop} ORDER BY 1 LIMIT ${limit}`,
    prisma.$queryRaw<{ value: string }[]>`SELECT DISTINCT "actor" AS "value" FROM "AuditLog" WHERE "shop" = ${shop} ORDER BY 1 LIMIT ${limit}`,
  ]);
  return { actions: actions.map((a) => a.value), actors: actors.map((a) => a.value) };
}
