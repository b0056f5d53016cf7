import { syncCustomer } from "~/services/members.server";
import { schedulePostings } from "./post-pending-points.job.server";
import { defineWebhookJob } from "./webhook-job.server";

export const syncCustomerJob = defineWebhookJob({
  name: "sync-customer",
  handler: async ({ shop, payload }) => {
    // A new email may credit guest orders, whose pending points are scheduled before each commits.
    await syncCustomer(shop, payload, new Date(), { schedulePostings: (postings) => schedulePostings(shop, postings) });
  },
});
