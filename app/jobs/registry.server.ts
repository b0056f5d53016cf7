import type { z } from "zod";
import { JOB_DEFAULTS, QUEUE_NAMES, type AnyJobDefinition, type JobContext, type JobDefinition, type JobPayload, type QueueName } from "./types";

// Job definitions and the registry the worker runs from. Enqueuing takes a definition itself (its
// name, queue, schema and retry policy travel with it), so the enqueue side needs no registry;
// the worker looks each job's name up here to find its handler. Job files only define;
// app/jobs/index.server.ts registers them all.

const JOB_NAME = /^[a-z][a-z0-9]*(?:[.-][a-z0-9]+)*$/;
const MAX_ATTEMPTS = 50;
const MAX_BACKOFF_DELAY_MS = 60 * 60 * 1000;

export interface DefineJobInput<S extends z.ZodType<JobPayload>> {
  /** Lowercase words joined by `.` or `-`, e.g. `orders.paid` or `customers-redact`. */
  name: string;
  queue?: QueueName;
  /** The payload: `{shop, ...ids}` only. Also re-checked when the job runs. */
  schema: S;
  /** Total runs including the first. Default 8. */
  attempts?: number;
  backoff?: { type: "exponential"; delayMs?: number };
  handler: (payload: z.output<S>, ctx: JobContext) => Promise<void>;
}

export function defineJob<S extends z.ZodType<JobPayload>>(input: DefineJobInput<S>): JobDefinition<z.input<S>, z.output<S>> {
  if (!JOB_NAME.test(input.name)) {
    throw new Error(`Job name "${input.name}" must be lowercase words joined by "." or "-"`);
  }
  const queue = input.queue ?? JOB_DEFAULTS.queue;
  if (!(QUEUE_NAMES as readonly string[]).includes(queue)) {
    throw new Error(`Job "${input.name}": unknown queue "${queue}" (one of ${QUEUE_NAMES.join(", ")})`);
  }
  const attempts = input.attempts ?? JOB_DEFAULTS.attempts;
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > MAX_ATTEMPTS) {
    throw new Error(`Job "${input.name}": attempts must be an integer from 1 to ${MAX_ATTEMPTS}`);
  }
  const delayMs = input.backoff?.delayMs ?? JOB_DEFAULTS.backoffDelayMs;
  if (!Number.isInteger(delayMs) || delayMs < 0 || delayMs > MAX_BACKOFF_DELAY_MS) {
    throw new Error(`Job "${input.name}": backoff.delayMs must be an integer from 0 to ${MAX_BACKOFF_DELAY_MS}`);
  }
  const definition = Object.freeze({
    name: input.name,
    queue,
    // Every S is such a ZodType; TypeScript cannot see it through the generic.
    schema: input.schema as unknown as z.ZodType<z.output<S>, z.input<S>>,
    attempts,
    backoff: Object.freeze({ type: "exponential" as const, delayMs }),
    handler: input.handler,
  });
  defined.add(definition);
  return definition;
}

const defined = new WeakSet<AnyJobDefinition>();

/** True for a definition made by defineJob (anything else cannot be enqueued). */
export function isJobDefinition(value: unknown): value is AnyJobDefinition {
  return typeof value === "object" && value !== null && defined.has(value as AnyJobDefinition);
}

const definitions = new Map<string, AnyJobDefinition>();

/** Read-only view of every registered job, by name. */
export const jobRegistry: ReadonlyMap<string, AnyJobDefinition> = definitions;

/** Registering the same definition again is a no-op (module reloads); another one under a taken name throws. */
export function registerJob<D extends AnyJobDefinition>(definition: D): D {
  const existing = definitions.get(definition.name);
  if (existing && existing !== definition) {
    throw new Error(`Two different jobs are registered as "${definition.name}"`);
  }
  definitions.set(definition.name, definition);
  return definition;
}

export function getJob(name: string): AnyJobDefinition | undefined {
  return definitions.get(name);
}

/** The queues that have at least one registered job: the ones a worker needs to consume. */
export function registeredQueues(): QueueName[] {
  const used = new Set([...definitions.values()].map((d) => d.queue));
  return QUEUE_NAMES.filter((q) => used.has(q));
}
