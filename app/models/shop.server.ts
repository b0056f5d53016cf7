import type { Prisma } from "@prisma/client";
import prisma from "~/db.server";
import { sqlOf, type Db } from "./sql.server";

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

/**
 * SQL, not a model call: every job reads its shop first, and the query compiler cost more than the
 * query. `db`: on the caller's connection (a webhook job reads its delivery and its shop together).
 */
export async function getShop(shop: string, db?: Db): Promise<ShopRecord | null> {
  const [row] = await sqlOf(db).rows<ShopRecord>(`SELECT * FROM "Shop" WHERE "domain" = $1`, [shop]);
  return row ?? null;
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

/**
 * shop/redact: the shop's row (every table that references it goes with it), its sessions and its
 * audit log, in the erasure's transaction. The ledger must be purged first (ledger.purgeShopLedger):
 * its append-only triggers refuse a cascade.
 */
export async function deleteShopRecords(shop: string, db: Db): Promise<void> {
  const sql = sqlOf(db);
  await sql.execute(`DELETE FROM "Shop" WHERE "domain" = $1`, [shop]);
  await sql.execute(`DELETE FROM "Session" WHERE "shop" = $1`, [shop]);
  await sql.execute(`DELETE FROM "AuditLog" WHERE "shop" = $1`, [shop]);
}
