import { localDateKey } from "~/domain/time";
import { installedShopsForSchedule } from "~/models/shop.server";
import { shopsWithRedemptionsToSettle, STUCK_AFTER_MS } from "~/services/redemption-settlement.server";
import { logger } from "~/utils/logger.server";
import { awardBirthdayPointsJob } from "./award-birthday-points.job.server";
import { enqueue } from "./queue.server";
import { settleRedemptionsJob } from "./settle-redemptions.job.server";

// Daily work per shop. Every worker process runs this hourly; the job id names the shop and its
// local date, so however many workers run it, each shop gets one run per local day.
export async function enqueueDailyJobs(now = new Date()): Promise<number> {
  let enqueued = 0;
  for (const shop of await installedShopsForSchedule()) {
    const day = localDateKey(now, shop.ianaTimezone);
    const { duplicate } = await enqueue(awardBirthdayPointsJob, { shop: shop.domain }, { jobId: `${shop.domain}:${day}` });
    if (!duplicate) enqueued++;
  }
  return enqueued;
}

/** Hourly: each shop with expired codes or stuck reservations gets one settlement run per hour. */
export async function enqueueHourlyJobs(now = new Date()): Promise<number> {
  let enqueued = 0;
  const hour = now.toISOString().slice(0, 13);
  for (const shop of await shopsWithRedemptionsToSettle(now, new Date(now.getTime() - STUCK_AFTER_MS))) {
    const { duplicate } = await enqueue(settleRedemptionsJob, { shop }, { jobId: `${shop}:${hour}` });
    if (!duplicate) enqueued++;
  }
  return enqueued;
}

export function startDailyScheduler(intervalMs = 60 * 60 * 1000): () => void {
  const tick = () =>
    Promise.all([enqueueDailyJobs(), enqueueHourlyJobs()])
      .catch((err: unknown) => logger.error({ err }, "could not enqueue the scheduled jobs; next try in an hour"));
  void tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
