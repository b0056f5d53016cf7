import { earnPointsForOrder } from "~/services/order-earning.server";
import { defineWebhookJob } from "./webhook-job.server";

// orders/paid and orders/fulfilled: the service earns only on the shop's configured trigger.
export const earnPointsForOrderJob = defineWebhookJob({
  name: "earn-points-for-order",
  handler: async ({ shop, topic, payload, shopRow }) => {
    await earnPointsForOrder(shop, payload, topic === "orders/fulfilled" ? "orders/fulfilled" : "orders/paid", new Date(), { shopRow });
  },
});
