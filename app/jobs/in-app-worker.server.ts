import { config } from "~/config.server";
import { logger } from "~/utils/logger.server";
import { jobQueue } from "./queue.server";
import { startDailyScheduler } from "./scheduler.server";
import { startWorker } from "./worker.server";

declare global {
  var __loyalnestInAppWorker: Promise<unknown> | undefined;
}

/**
 * The local demo without Redis keeps its jobs in the web process's memory, so that process must
 * run them too. With Redis (every real deployment) this does nothing: `npm run worker` does.
 */
export function startInAppWorkerIfNeeded(): void {
  const { REDIS_URL, DEMO } = config();
  if (REDIS_URL || !DEMO || jobQueue().kind !== "in-process") return;
  global.__loyalnestInAppWorker ??= startWorker().then(() => startDailyScheduler()).catch((err: unknown) => {
    logger.error({ err }, "the in-process job worker could not start");
  });
}
