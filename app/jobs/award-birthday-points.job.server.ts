import { z } from "zod";
import { awardBirthdayPoints } from "~/services/members.server";
import { defineJob } from "./registry.server";

// Enqueued once per shop per shop-local day by the scheduler (app/jobs/scheduler.server.ts).
export const awardBirthdayPointsJob = defineJob({
  name: "award-birthday-points",
  queue: "bulk",
  schema: z.object({ shop: z.string() }),
  handler: async ({ shop }, ctx) => {
    const granted = await awardBirthdayPoints(shop);
    if (granted > 0) ctx.logger.info({ granted }, "birthday points granted");
  },
});
