import { z } from "zod";
import { postPendingPoints } from "~/services/order-earning.server";
import { defineJob } from "./registry.server";

// Delayed until the order's pending period ends (enqueued when the order earns).
export const postPendingPointsJob = defineJob({
  name: "post-pending-points",
  schema: z.object({ shop: z.string(), orderId: z.string().regex(/^\d{1,20}$/) }),
  handler: async ({ shop, orderId }) => {
    await postPendingPoints(shop, BigInt(orderId));
  },
});
