import { z } from "zod";
import { settleRedemptions } from "~/services/redemption-settlement.server";
import { defineJob } from "./registry.server";

// Enqueued hourly per shop that has expired codes or stuck reservations (app/jobs/scheduler.server.ts).
export const settleRedemptionsJob = defineJob({
  name: "settle-redemptions",
  queue: "bulk",
  schema: z.object({ shop: z.string() }),
  handler: async ({ shop }, ctx) => {
    const result = await settleRedemptions(shop);
    if (result.expired + result.issued + result.failed + result.awaitingOrder > 0) ctx.logger.info(result, "redemptions settled");
  },
});
