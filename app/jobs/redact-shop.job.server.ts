import { redactShop } from "~/services/compliance.server";
import { defineWebhookJob } from "./webhook-job.server";

export const redactShopJob = defineWebhookJob({
  name: "redact-shop",
  runsForUninstalledShops: true,
  handler: async ({ shop }) => {
    await redactShop(shop);
  },
});
