import { z } from "zod";
import type { Logger } from "~/utils/logger.server";
import { TerminalJobError, classifyJobError } from "./errors";
import { getJob } from "./registry.server";
import type { JobContext, JobRunner, RunnableJob } from "./types";

/**
 * Runs one delivery of a job: finds its definition, re-checks the payload, calls the handler and
 * turns its failure into the queue's decision. A terminal failure discards the job (no attempts
 * left to spend) and rethrows, so the queue records it as failed with its reason.
 */
export function createJobRunner(logger: Logger, deps: Pick<JobContext, "gatewayForShop">): JobRunner {
  return async (job: RunnableJob) => {
    const shop = typeof (job.data as { shop?: unknown } | null)?.shop === "string" ? (job.data as { shop: string }).shop : undefined;
    const attempt = job.attemptsMade + 1;
    const log = logger.child({ jobId: job.id, job: job.name, queue: job.queue, shop, attempt });
    const startedAt = performance.now();

    const definition = getJob(job.name);
    if (!definition) {
      // Retryable on purpose: during a rolling deploy an old worker may meet a job added by new code.
      log.error({ maxAttempts: job.maxAttempts }, "job failed: no handler registered for this job in this worker");
      throw new Error(`No handler registered for job "${job.name}" in this worker`);
    }

    const parsed = definition.schema.safeParse(job.data);
    if (!parsed.success) {
      job.discard();
      const reason = `payload no longer matches the job's schema: ${z.prettifyError(parsed.error).replace(/\n\s*/g, " ")}`;
      log.error({ terminal: true }, `job failed: ${reason}`);
      throw new TerminalJobError(reason);
    }

    try {
      await definition.handler(parsed.data, { jobId: job.id, attempt, maxAttempts: job.maxAttempts, logger: log, gatewayForShop: deps.gatewayForShop });
    } catch (thrown) {
      const { terminal, error } = classifyJobError(thrown);
      const durationMs = Math.round(performance.now() - startedAt);
      if (terminal) {
        job.discard();
        log.warn({ terminal: true, durationMs, err: error }, "job failed terminally: not retried");
      } else {
        const willRetry = attempt < job.maxAttempts;
        log[willRetry ? "warn" : "error"]({ terminal: false, willRetry, durationMs, err: error }, willRetry ? "job failed: will retry with backoff" : "job failed: attempts exhausted");
      }
      throw error;
    }
    log.debug({ durationMs: Math.round(performance.now() - startedAt) }, "job completed");
  };
}
