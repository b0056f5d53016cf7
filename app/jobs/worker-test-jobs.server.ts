import { z } from "zod";
import { recordAudit } from "~/models/audit-log.server";
import { defineJob } from "./registry.server";

// A job that exists only for the worker's own integration test (graceful SIGTERM in a real child
// process). index.server.ts registers it only when NODE_ENV=test and LOYALNEST_WORKER_TEST_JOBS=1.
// It sleeps, then writes one audit row per run: counting rows proves each job ran exactly once.

export const WORKER_TEST_MARKER_ACTION = "worker-test.job.completed";

export const workerTestSlowJob = defineJob({
  name: "worker-test.slow-marker",
  queue: "default",
  schema: z.object({
    shop: z.string(),
    markerId: z.string().regex(/^[a-z0-9-]{1,64}$/),
    sleepMs: z.number().int().min(0).max(10_000),
  }),
  attempts: 3,
  backoff: { type: "exponential", delayMs: 100 },
  handler: async ({ shop, markerId, sleepMs }, { jobId }) => {
    await new Promise((resolve) => setTimeout(resolve, sleepMs));
    await recordAudit(shop, { actor: "system", action: WORKER_TEST_MARKER_ACTION, subjectType: "job", subjectId: markerId, details: { jobId } });
  },
});
