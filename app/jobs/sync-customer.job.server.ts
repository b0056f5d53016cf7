import { syncCustomer } from "~/services/members.server";
import { defineWebhookJob } from "./webhook-job.server";

export const syncCustomerJob = defineWebhookJob({
  name: "sync-customer",
  handler: async ({ shop, payload }) => {
    await syncCustomer(shop, payload);
  },
});
