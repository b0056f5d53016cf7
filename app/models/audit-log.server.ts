import type { Prisma } from "@prisma/client";
import prisma from "~/db.server";

export interface AuditEntry {
  actor: string; // "staff:<shopify user id>", "system", "webhook:<topic>", "platform:<admin id>"
  action: string; // dotted verb, e.g. "app.installed", "points.adjusted"
  subjectType?: string;
  subjectId?: string;
  details?: Prisma.InputJsonValue;
}

export async function recordAudit(shop: string, entry: AuditEntry, tx: Prisma.TransactionClient = prisma) {
  return tx.auditLog.create({
    data: {
      shop,
      actor: entry.actor,
      action: entry.action,
      subjectType: entry.subjectType,
      subjectId: entry.subjectId,
      details: entry.details ?? {},
    },
  });
}

export async function listAuditLog(shop: string, { take = 50, cursor }: { take?: number; cursor?: bigint } = {}) {
  return prisma.auditLog.findMany({
    where: { shop, ...(cursor ? { id: { lt: cursor } } : {}) },
    orderBy: { id: "desc" },
    take,
  });
}
