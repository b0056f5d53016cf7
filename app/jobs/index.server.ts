import { config } from "~/config.server";
import { registerJob } from "./registry.server";
import { awardBirthdayPointsJob } from "./award-birthday-points.job.server";
import { clawBackRefundJob } from "./claw-back-refund.job.server";
import { earnPointsForOrderJob } from "./earn-points-for-order.job.server";
import { enrollCustomerJob } from "./enroll-customer.job.server";
import { exportCustomerDataJob } from "./export-customer-data.job.server";
import { postPendingPointsJob } from "./post-pending-points.job.server";
import { redactCustomerJob } from "./redact-customer.job.server";
import { redactShopJob } from "./redact-shop.job.server";
import { reverseCancelledOrderJob } from "./reverse-cancelled-order.job.server";
import { settleRedemptionsJob } from "./settle-redemptions.job.server";
import { syncCustomerJob } from "./sync-customer.job.server";
import { syncShopDetailsJob } from "./sync-shop-details.job.server";
import type { AnyJobDefinition } from "./types";
import { uninstallShopJob } from "./uninstall-shop.job.server";
import { updateSessionScopesJob } from "./update-session-scopes.job.server";
import { workerTestSlowJob } from "./worker-test-jobs.server";

// Every job the worker can run. Add a job: write app/jobs/<name>.job.server.ts exporting
// `defineJob({...})`, import it here and add it to the list. The worker imports this list
// (app/jobs/worker.server.ts); the enqueue side needs only the definitions themselves.
export const appJobs: readonly AnyJobDefinition[] = [
  syncShopDetailsJob,
  uninstallShopJob,
  updateSessionScopesJob,
  earnPointsForOrderJob,
  reverseCancelledOrderJob,
  clawBackRefundJob,
  postPendingPointsJob,
  enrollCustomerJob,
  syncCustomerJob,
  exportCustomerDataJob,
  redactCustomerJob,
  redactShopJob,
  awardBirthdayPointsJob,
  settleRedemptionsJob,
];

for (const job of appJobs) registerJob(job);

// The worker's child-process test needs a job in this very registry; nowhere else may it exist.
if (config().NODE_ENV === "test" && process.env.LOYALNEST_WORKER_TEST_JOBS === "1") {
  registerJob(workerTestSlowJob);
}
