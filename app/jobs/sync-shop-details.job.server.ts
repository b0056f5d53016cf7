import { z } from "zod";
import { isShopInstalled } from "~/models/shop.server";
import { onShopInstalled, syncShopDetails } from "~/services/shop-lifecycle.server";
import { enqueue } from "./queue.server";
import { defineJob } from "./registry.server";

export const syncShopDetailsJob = defineJob({
  name: "sync-shop-details",
  schema: z.object({ shop: z.string() }),
  handler: async ({ shop }, ctx) => {
    if (!(await isShopInstalled(shop))) return;
    await syncShopDetails(shop, await ctx.gatewayForShop(shop));
  },
});

/** After OAuth (app/shopify.server.ts): the shop is installed, and its details are read from Shopify in the background. */
export async function afterShopInstalled(shop: string, now = new Date()): Promise<void> {
  await onShopInstalled(shop);
  await enqueue(syncShopDetailsJob, { shop }, { jobId: `${shop}:${now.getTime()}` });
}
