import type { Prisma } from "@prisma/client";
import prisma from "~/db.server";
import { sqlOf, type Db } from "./sql.server";

// Exports made for customers/data_request (app/services/compliance.server.ts writes them): the
// merchant lists and downloads them from the Privacy page to send on to the customer.

export interface CustomerDataExportSummary {
  id: string;
  customerId: bigint;
  dataRequestId: string | null;
  createdAt: Date;
}

/** Newest first, `take` at a time; `before` is the id of the last row of the previous page. */
export async function listCustomerDataExports(shop: string, { take = 20, before }: { take?: number; before?: string } = {}) {
  const cursor = before ? await prisma.customerDataExport.findFirst({ where: { shop, id: before }, select: { id: true, createdAt: true } }) : null;
  const rows: CustomerDataExportSummary[] = await prisma.customerDataExport.findMany({
    where: {
      shop,
      ...(cursor ? { OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }] } : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: take + 1,
    select: { id: true, customerId: true, dataRequestId: true, createdAt: true },
  });
  return { exports: rows.slice(0, take), nextCursor: rows.length > take ? rows[take - 1].id : null };
}

/** One export with its document, only if it belongs to `shop`. */
export async function getCustomerDataExport(shop: string, exportId: string) {
  if (exportId.length === 0 || exportId.length > 64) return null;
  return prisma.customerDataExport.findFirst({ where: { shop, id: exportId } });
}

/** Stores the document made for a customers/data_request. */
export async function createCustomerDataExport(shop: string, data: { customerId: bigint; dataRequestId: string | null; document: Prisma.InputJsonValue }) {
  return prisma.customerDataExport.create({ data: { shop, ...data } });
}

/** customers/redact: the exports made for the customer hold the very data being erased. */
export async function deleteCustomerDataExports(shop: string, customerId: bigint, db?: Db): Promise<void> {
  await sqlOf(db).execute(`DELETE FROM "CustomerDataExport" WHERE "shop" = $1 AND "customerId" = $2::bigint`, [shop, customerId]);
}
