import { earnPointsForOrder } from "~/services/order-earning.server";
import { schedulePostings } from "./post-pending-points.job.server";
import { defineWebhookJob } from "./webhook-job.server";

// orders/paid and orders/fulfilled: the service earns only on the shop's configured trigger. One
// transaction: the order's ledger entry and row, and this delivery's processed mark; the posting
// of pending points is scheduled before it commits.
export const earnPointsForOrderJob = defineWebhookJob({
  name: "earn-points-for-order",
  handler: async (delivery) => {
    await earnPointsForOrder(delivery.shop, delivery.payload, delivery.topic === "orders/fulfilled" ? "orders/fulfilled" : "orders/paid", new Date(), {
      shopRow: delivery.shopRow,
      schedulePostings: (postings) => schedulePostings(delivery.shop, postings),
      inTransaction: (tx) => delivery.completeIn(tx),
    });
  },
});
