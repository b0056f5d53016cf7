import { enrollCustomer } from "~/services/members.server";
import { defineWebhookJob } from "./webhook-job.server";

export const enrollCustomerJob = defineWebhookJob({
  name: "enroll-customer",
  handler: async ({ shop, payload }) => {
    await enrollCustomer(shop, payload);
  },
});
