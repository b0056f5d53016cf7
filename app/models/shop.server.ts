import type { Prisma } from "@prisma/client";
import prisma from "~/db.server";

export type ShopRecord = Prisma.ShopGetPayload<object>;

/** Creates the shop on first install; on a re-install marks it installed again, keeping its data. */
export async function upsertInstalledShop(shop: string) {
  return prisma.shop.upsert({
    where: { domain: shop },
    // A new shop's program starts paused: the onboarding's last step launches it.
    create: { domain: shop, installState: "INSTALLED", programEnabled: false },
    update: { installState: "INSTALLED", uninstalledAt: null },
  });
}

export async function markShopUninstalled(shop: string, at = new Date()) {
  const result = await prisma.shop.updateMany({
    where: { domain: shop, installState: "INSTALLED" },
    data: { installState: "UNINSTALLED", uninstalledAt: at },
  });
  return result.count === 1;
}

/** SQL, not a model call: every job reads its shop first, and the query compiler cost more than the query. */
export async function getShop(shop: string): Promise<ShopRecord | null> {
  const rows = await prisma.$queryRaw<ShopRecord[]>`SELECT * FROM "Shop" WHERE "domain" = ${shop}`;
  return rows[0] ?? null;
}

export async function isShopInstalled(shop: string) {
  const row = await prisma.shop.findUnique({ where: { domain: shop }, select: { installState: true } });
  return row?.installState === "INSTALLED";
}

export async function updateShopDetails(
  shop: string,
  details: { name?: string; email?: string | null; currencyCode?: string; ianaTimezone?: string; primaryLocale?: string },
) {
  return prisma.shop.update({ where: { domain: shop }, data: details });
}

/** Installed shops with a running program: what the daily scheduler visits. */
export async function installedShopsForSchedule() {
  return prisma.shop.findMany({
    where: { installState: "INSTALLED", programEnabled: true },
    select: { domain: true, ianaTimezone: true },
    orderBy: { domain: "asc" },
  });
}
