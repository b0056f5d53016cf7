import { reverseCancelledOrder } from "~/services/order-earning.server";
import { defineWebhookJob } from "./webhook-job.server";

export const reverseCancelledOrderJob = defineWebhookJob({
  name: "reverse-cancelled-order",
  handler: async ({ shop, payload }) => {
    await reverseCancelledOrder(shop, payload);
  },
});
