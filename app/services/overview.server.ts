import { recentLedgerActivity } from "~/models/activity.server";
import { memberStats } from "~/models/member.server";
import { getShop } from "~/models/shop.server";

export async function getProgramOverview(shop: string) {
  const [shopRow, stats, activity] = await Promise.all([getShop(shop), memberStats(shop), recentLedgerActivity(shop)]);
  if (!shopRow) throw new Response("Shop not found", { status: 404 });
  return {
    shop: {
      domain: shopRow.domain,
      name: shopRow.name ?? shopRow.domain,
      programEnabled: shopRow.programEnabled,
      pointsName: shopRow.pointsName,
      currencyCode: shopRow.currencyCode,
      earnTrigger: shopRow.earnTrigger,
      pendingDays: shopRow.pendingDays,
    },
    stats,
    activity,
  };
}
