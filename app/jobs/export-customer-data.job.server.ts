import { exportCustomerData } from "~/services/compliance.server";
import { defineWebhookJob } from "./webhook-job.server";

export const exportCustomerDataJob = defineWebhookJob({
  name: "export-customer-data",
  runsForUninstalledShops: true,
  handler: async ({ shop, payload }) => {
    await exportCustomerData(shop, payload);
  },
});
