import { config } from "~/config.server";
import prisma from "~/db.server";
import { closeQueues } from "~/jobs/queue.server";
import { closeSqlPool } from "~/models/sql.server";
import { closeAdvisoryLocks } from "./advisory-lock.server";
import { logger } from "./logger.server";
import { closeRateLimiter } from "./rate-limit.server";

// The web server (server/serve.ts, or remix-serve) answers SIGTERM/SIGINT by closing its HTTP
// server, but the process only exits once nothing else holds it open: PostgreSQL pools and Redis
// connections would keep it running until the orchestrator's SIGKILL. After a grace period for in-flight requests, close them.

declare global {
  var __loyalnestShutdownHook: boolean | undefined;
}

/**
 * Called from entry.server.tsx. A function, not an import for its side effect: the package is
 * `sideEffects: false`, so the build drops bare imports (it did, and the web process never exited).
 */
export function installShutdownHook(): void {
  if (global.__loyalnestShutdownHook) return;
  global.__loyalnestShutdownHook = true;
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      const GRACE_MS = config().SHUTDOWN_GRACE_MS;
      logger.info({ signal, graceMs: GRACE_MS }, "shutting down: closing connections after in-flight requests");
      setTimeout(() => {
        void Promise.allSettled([prisma.$disconnect(), closeSqlPool(), closeQueues(), closeAdvisoryLocks(), closeRateLimiter()]);
      }, GRACE_MS).unref();
    });
  }
}
