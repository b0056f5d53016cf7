import { uninstallShop } from "~/services/shop-lifecycle.server";
import { defineWebhookJob } from "./webhook-job.server";

export const uninstallShopJob = defineWebhookJob({
  name: "uninstall-shop",
  runsForUninstalledShops: true,
  handler: async ({ shop, receivedAt }) => {
    await uninstallShop(shop, receivedAt);
  },
});
