import { clawBackRefund } from "~/services/order-earning.server";
import { defineWebhookJob } from "./webhook-job.server";

export const clawBackRefundJob = defineWebhookJob({
  name: "claw-back-refund",
  handler: async ({ shop, payload }) => {
    await clawBackRefund(shop, payload);
  },
});
