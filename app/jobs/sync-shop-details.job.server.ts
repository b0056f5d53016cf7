import { z } from "zod";
import { isShopInstalled } from "~/models/shop.server";
import { gatewayForShop } from "~/services/shop-gateway.server";
import { syncShopDetails } from "~/services/shop-lifecycle.server";
import { defineJob } from "./registry.server";

export const syncShopDetailsJob = defineJob({
  name: "sync-shop-details",
  schema: z.object({ shop: z.string() }),
  handler: async ({ shop }) => {
    if (!(await isShopInstalled(shop))) return;
    await syncShopDetails(shop, await gatewayForShop(shop));
  },
});
