import { config } from "~/config.server";
import { registerJob } from "./registry.server";
import type { AnyJobDefinition } from "./types";
import { workerTestSlowJob } from "./worker-test-jobs.server";

// Every job the app can enqueue and the worker can run. Add a job: write
// app/jobs/<name>.job.server.ts exporting `defineJob({...})`, import it here and add it to the list.
const appJobs: AnyJobDefinition[] = [];

for (const job of appJobs) registerJob(job);

// The worker's child-process test needs a job in this very registry; nowhere else may it exist.
if (config().NODE_ENV === "test" && process.env.LOYALNEST_WORKER_TEST_JOBS === "1") {
  registerJob(workerTestSlowJob);
}
