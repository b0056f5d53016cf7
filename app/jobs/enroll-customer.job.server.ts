import { enrollCustomer } from "~/services/members.server";
import { schedulePostings } from "./post-pending-points.job.server";
import { defineWebhookJob } from "./webhook-job.server";

export const enrollCustomerJob = defineWebhookJob({
  name: "enroll-customer",
  handler: async ({ shop, payload }) => {
    // Guest orders credited at signup may leave points pending: scheduled before each commits.
    await enrollCustomer(shop, payload, new Date(), { schedulePostings: (postings) => schedulePostings(shop, postings) });
  },
});
