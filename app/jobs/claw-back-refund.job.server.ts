import { clawBackRefund } from "~/services/order-earning.server";
import { schedulePostings } from "./post-pending-points.job.server";
import { defineWebhookJob } from "./webhook-job.server";

// refunds/create: one transaction with the refund's ledger entries and this delivery's mark.
export const clawBackRefundJob = defineWebhookJob({
  name: "claw-back-refund",
  handler: async (delivery) => {
    await clawBackRefund(delivery.shop, delivery.payload, {
      shopRow: delivery.shopRow,
      schedulePostings: (postings) => schedulePostings(delivery.shop, postings),
      inTransaction: (tx) => delivery.completeIn(tx),
    });
  },
});
