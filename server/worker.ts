import path from "node:path";
import { pathToFileURL } from "node:url";
import { config } from "~/config.server";
import prisma from "~/db.server";
import { closeSqlPool } from "~/models/sql.server";
import { closeQueues } from "~/jobs/queue.server";
import { startDailyScheduler } from "~/jobs/scheduler.server";
import { startWorker } from "~/jobs/worker.server";
import { logger as rootLogger } from "~/utils/logger.server";

export { startWorker, type RunningWorker, type StartWorkerOptions } from "~/jobs/worker.server";

// The background worker (`npm run worker`): consumes every queue that has registered jobs, with
// the same registry the app enqueues from. On SIGTERM/SIGINT it takes no new jobs, lets running
// ones finish (bounded by WORKER_SHUTDOWN_TIMEOUT_MS), closes Redis and PostgreSQL and exits 0.
// A job still running at the deadline keeps its Redis lock until it expires; Bull's stalled-job
// check then hands it to another worker, so nothing is lost (handlers are idempotent).

async function main(): Promise<void> {
  const cfg = config();
  if (!cfg.REDIS_URL) {
    console.error("The worker needs REDIS_URL. In the local demo (no Redis) jobs run inside the app process instead.");
    process.exit(1);
  }
  const log = rootLogger.child({ pid: process.pid });
  let shuttingDown = false;

  const shutdown = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      log.warn({ signal }, "second signal during shutdown: exiting now");
      process.exit(1);
    }
    shuttingDown = true;
    log.info({ signal }, "shutdown requested");
    void (async () => {
      let exitCode = 0;
      try {
        // A signal during startup still waits for the worker to exist, so it can be stopped cleanly.
        await (await starting).stop();
      } catch (err) {
        log.error({ err }, "error while stopping the worker");
        exitCode = 1;
      }
      await Promise.allSettled([closeQueues(), prisma.$disconnect(), closeSqlPool()]);
      log.info({ exitCode }, "worker exited");
      process.exit(exitCode);
    })();
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);

  // Handlers run on a later tick, by which time `starting` exists.
  const starting = startWorker({ logger: log });
  await starting;
  // Birthday points and other daily work (one run per shop per local day, whatever the workers).
  startDailyScheduler();
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (invokedDirectly) {
  main().catch((err: unknown) => {
    console.error("worker failed to start:", err);
    process.exit(1);
  });
}
