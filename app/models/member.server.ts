import prisma from "~/db.server";

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
