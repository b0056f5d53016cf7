import { recordAudit } from "~/models/audit-log.server";
import { deleteSessionsForShop, updateSessionScopes } from "~/models/shop-sessions.server";
import { getShop, markShopUninstalled, updateShopDetails, upsertInstalledShop } from "~/models/shop.server";
import { fetchShopDetails } from "~/shopify/operations/shop-details.server";
import type { AdminGateway } from "~/shopify/gateway.server";

/**
 * Called after OAuth (first install and every re-authorisation). The shop's name, currency and
 * time zone drive earning; the caller has them read from Shopify in the background
 * (afterShopInstalled in app/jobs/sync-shop-details.job.server.ts).
 */
export async function onShopInstalled(shop: string) {
  const before = await getShop(shop);
  await upsertInstalledShop(shop);
  if (!before || before.installState === "UNINSTALLED") {
    await recordAudit(shop, { actor: "system", action: before ? "app.reinstalled" : "app.installed" });
  }
}

export async function syncShopDetails(shop: string, gateway: AdminGateway) {
  const details = await fetchShopDetails(gateway);
  await updateShopDetails(shop, {
    name: details.name,
    email: details.email,
    currencyCode: details.currencyCode,
    ianaTimezone: details.ianaTimezone,
  });
}

/**
 * app/uninstalled: the shop's tokens are revoked, so its sessions go; its loyalty data stays until
 * shop/redact (Shopify sends it 48 hours later) in case the merchant reinstalls. Webhook jobs for
 * an uninstalled shop are skipped from now on.
 */
export async function uninstallShop(shop: string, at: Date) {
  const changed = await markShopUninstalled(shop, at);
  const sessions = await deleteSessionsForShop(shop);
  if (changed) {
    await recordAudit(shop, { actor: "webhook:app/uninstalled", action: "app.uninstalled", details: { sessionsDeleted: sessions } });
  }
}

/** app/scopes_update: the merchant granted or revoked optional scopes. */
export async function syncGrantedScopes(shop: string, scopes: string[]) {
  await updateSessionScopes(shop, scopes.join(","));
}
