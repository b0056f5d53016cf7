import prisma from "~/db.server";

// Read-only view of the ledger for dashboards; writes go through ledger.server.ts only.
export async function recentLedgerActivity(shop: string, take = 10) {
  const rows = await prisma.ledgerEntry.findMany({
    where: { shop },
    orderBy: { id: "desc" },
    take,
    select: {
      id: true, kind: true, status: true, points: true, createdAt: true, orderId: true, reason: true,
      member: { select: { id: true, firstName: true, lastName: true, shopifyCustomerId: true, state: true } },
    },
  });
  return rows.map((r) => ({
    id: r.id.toString(),
    kind: r.kind,
    status: r.status,
    points: r.points,
    createdAt: r.createdAt.toISOString(),
    orderId: r.orderId?.toString() ?? null,
    reason: r.reason,
    member: {
      id: r.member.id,
      name: r.member.state === "REDACTED" ? null : [r.member.firstName, r.member.lastName].filter(Boolean).join(" ") || null,
      customerId: r.member.shopifyCustomerId.toString(),
    },
  }));
}
