import { reverseCancelledOrder } from "~/services/order-earning.server";
import { defineWebhookJob } from "./webhook-job.server";

// orders/cancelled: one transaction with the reversal, the redemptions given back and this delivery's mark.
export const reverseCancelledOrderJob = defineWebhookJob({
  name: "reverse-cancelled-order",
  handler: async (delivery) => {
    await reverseCancelledOrder(delivery.shop, delivery.payload, new Date(), {
      shopRow: delivery.shopRow,
      inTransaction: (tx) => delivery.completeIn(tx),
    });
  },
});
