import { recordAudit } from "~/models/audit-log.server";
import { getShop, upsertInstalledShop } from "~/models/shop.server";

/** Called after OAuth (first install and every re-authorisation). */
export async function onShopInstalled(shop: string) {
  const before = await getShop(shop);
  await upsertInstalledShop(shop);
  if (!before || before.installState === "UNINSTALLED") {
    await recordAudit(shop, { actor: "system", action: before ? "app.reinstalled" : "app.installed" });
  }
}
