import prisma from "~/db.server";

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
