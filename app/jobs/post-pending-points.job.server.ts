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
    // Run early (a clock skew, a manual retry), it schedules the order's posting again, under an
    // id of its own: this job's id is still taken while it runs.
    const now = new Date();
    await postPendingPoints(shop, BigInt(orderId), now, { schedulePostings: (postings) => schedulePostings(shop, postings, { now, rescheduled: true }) });
  },
});

/**
 * One delayed job per order: its pending period is the same whichever pending entry it holds by
 * then, so a refund's reissued entry is posted by the job the earning scheduled (scheduling it
 * again is the same job). The queue is told not to report duplicates: one less round trip.
 */
export async function schedulePostings(
  shop: string,
  postings: readonly PendingPosting[],
  { now = new Date(), rescheduled = false }: { now?: Date; rescheduled?: boolean } = {},
): Promise<void> {
  await Promise.all(postings.map((p) => enqueue(postPendingPointsJob, { shop, orderId: p.orderId.toString() }, {
    jobId: rescheduled ? `${shop}:${p.orderId}:again:${now.getTime()}` : `${shop}:${p.orderId}`,
    delayMs: Math.max(0, p.availableAt.getTime() - now.getTime()),
    reportDuplicate: false,
  })));
}
