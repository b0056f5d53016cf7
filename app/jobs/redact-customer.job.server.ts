import { redactCustomer } from "~/services/compliance.server";
import { defineWebhookJob } from "./webhook-job.server";

export const redactCustomerJob = defineWebhookJob({
  name: "redact-customer",
  runsForUninstalledShops: true,
  handler: async ({ shop, payload }) => {
    await redactCustomer(shop, payload);
  },
});
