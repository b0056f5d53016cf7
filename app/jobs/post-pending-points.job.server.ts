import { z } from "zod";
import { postPendingPoints, type PendingPosting } from "~/services/order-earning.server";
import { enqueue } from "./queue.server";
import { defineJob } from "./registry.server";

// Delayed until the order's pending period ends. Scheduled by the order events that leave points
// pending (an order earning, a refund reissuing what is left), before their transaction commits.
export const postPendingPointsJob = defineJob({
  name: "post-pending-points",
  schema: z.object({ shop: z.string(), orderId: z.string().regex(/^\d{1,20}$/) }),
  handler: async ({ shop, orderId }) => {
    // Run early (a clock skew, a manual retry), it schedules itself again for the right time.
    await postPendingPoints(shop, BigInt(orderId), new Date(), { schedulePostings: (postings) => schedulePostings(shop, postings) });
  },
});

/** One delayed job per pending entry (a replay of the same entry's schedule is the same job). */
export async function schedulePostings(shop: string, postings: readonly PendingPosting[], now = new Date()): Promise<void> {
  await Promise.all(postings.map((p) => enqueue(postPendingPointsJob, { shop, orderId: p.orderId.toString() }, {
    jobId: `${shop}:${p.orderId}:${p.entryId}`,
    delayMs: Math.max(0, p.availableAt.getTime() - now.getTime()),
  })));
}
