// How a job failure is treated. Terminal: retrying cannot help (bad data, shop uninstalled, 404),
// so the job fails now and stays visible with its reason. Retryable: back to the queue with
// exponential backoff. Anything unclassified is retryable; a failure that should have stopped
// costs a few retries, one that should have retried would lose work.

export class TerminalJobError extends Error {
  readonly retryable = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TerminalJobError";
  }
}

export class RetryableJobError extends Error {
  readonly retryable = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RetryableJobError";
  }
}

/** Thrown by enqueue: the payload is not `{shop, ...ids}` or fails the job's schema. Nothing was enqueued. */
export class InvalidJobPayloadError extends Error {
  constructor(
    readonly jobName: string,
    readonly problems: string[],
  ) {
    super(`Cannot enqueue job "${jobName}": ${problems.join("; ")}`);
    this.name = "InvalidJobPayloadError";
  }
}

/** Thrown by enqueue: what it was given is not a job made by defineJob. Nothing was enqueued. */
export class UnknownJobError extends Error {
  constructor(readonly jobName: string) {
    super(`"${jobName}" is not a job defined with defineJob (app/jobs/registry.server.ts)`);
    this.name = "UnknownJobError";
  }
}

export class JobNotFoundError extends Error {
  constructor(
    readonly queue: string,
    readonly jobId: string,
  ) {
    super(`No job "${jobId}" in queue "${queue}"`);
    this.name = "JobNotFoundError";
  }
}

export type JobErrorClassification = { terminal: boolean; error: Error };

/**
 * Terminal when the error says so: a TerminalJobError, or any error carrying `retryable: false`
 * (the Admin API gateway's typed errors do). The returned error is what the queue records: a
 * terminal one is always a TerminalJobError so the failure reads the same whatever raised it.
 */
export function classifyJobError(thrown: unknown): JobErrorClassification {
  if (thrown instanceof TerminalJobError) return { terminal: true, error: thrown };
  const error = thrown instanceof Error ? thrown : new Error(describeNonError(thrown));
  if ((thrown as { retryable?: unknown } | null)?.retryable === false) {
    return { terminal: true, error: new TerminalJobError(`${error.name}: ${error.message}`, { cause: thrown }) };
  }
  return { terminal: false, error };
}

function describeNonError(value: unknown): string {
  // Objects are not serialised: whatever was thrown may hold data that must not reach Redis.
  return typeof value === "object" && value !== null ? "a non-Error object was thrown" : `non-Error thrown: ${String(value)}`;
}
