import { isInteger, isSafeNumber, parse as parseLosslessJson } from "lossless-json";
import { config } from "~/config.server";
import { logger as appLogger } from "~/utils/logger.server";
import { ADMIN_API_VERSION } from "./api-version";
import {
  AdminApiAuthError,
  AdminApiError,
  AdminApiGraphQLError,
  AdminApiHttpError,
  AdminApiNetworkError,
  AdminApiThrottledError,
  AdminApiUserError,
  type AdminGraphQLErrorEntry,
  type AdminUserError,
} from "./errors";
import type { AdminOperation } from "./operation";
import { type CostBuckets, sharedCostBuckets, type ThrottleStatus, throttledWaitMs } from "./throttle.server";

// The one place that talks to Shopify's Admin GraphQL API. Services receive an AdminGateway as a
// parameter and call the typed wrappers in ./operations; nothing else builds Admin API requests.

export interface GatewayLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface AdminGatewayOptions {
  shop: string;
  accessToken: string;
  apiVersion?: string;
  /** Where requests go instead of https://<shop>; defaults to SHOPIFY_ADMIN_API_ORIGIN (tests, demo). */
  origin?: string;
  fetch?: typeof fetch;
  logger?: GatewayLogger;
  /** Retries after the first attempt, shared by throttling, 429, 5xx and network failures. */
  maxRetries?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
  /** Per attempt; a hung connection must not hold a job forever. */
  timeoutMs?: number;
  /** Upper bound for any single wait (throttle, Retry-After, backoff). */
  maxWaitMs?: number;
  costBuckets?: CostBuckets;
}

type AnyOperation = AdminOperation<unknown, Record<string, unknown>>;

type VariablesArg<TVars> = [keyof TVars] extends [never] ? [variables?: TVars] : [variables: TVars];

export interface AdminGateway {
  readonly shop: string;
  request<TData, TVars extends Record<string, unknown>>(
    operation: AdminOperation<TData, TVars>,
    ...variables: VariablesArg<TVars>
  ): Promise<TData>;
}

interface GraphQLResponseBody {
  data?: Record<string, unknown> | null;
  errors?: AdminGraphQLErrorEntry[] | string | Record<string, unknown>;
  extensions?: {
    cost?: {
      requestedQueryCost?: number;
      actualQueryCost?: number | null;
      throttleStatus?: ThrottleStatus;
    };
  };
}

const DEFAULT_MAX_RETRIES = 5;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_WAIT_MS = 60_000;
const BACKOFF_BASE_MS = 500;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * JSON.parse would silently round integers above 2^53; such numbers come back as strings so an id
 * or a BigInt/UnsignedInt64 value is never corrupted. Everything else parses as usual.
 */
export function parseAdminResponse(text: string): unknown {
  return parseLosslessJson(text, null, (digits) =>
    isInteger(digits) && !isSafeNumber(digits) ? digits : Number(digits),
  );
}

export function createAdminGateway(options: AdminGatewayOptions): AdminGateway {
  const {
    shop,
    accessToken,
    apiVersion = ADMIN_API_VERSION,
    fetch: doFetch = globalThis.fetch,
    maxRetries = DEFAULT_MAX_RETRIES,
    sleep = defaultSleep,
    now = Date.now,
    random = Math.random,
    timeoutMs = DEFAULT_TIMEOUT_MS,
    maxWaitMs = DEFAULT_MAX_WAIT_MS,
    costBuckets = sharedCostBuckets,
  } = options;
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/i.test(shop)) throw new TypeError(`Invalid shop domain: ${shop}`);
  if (!accessToken) throw new AdminApiAuthError(401, `No Admin API access token for ${shop}`, { shop });

  const origin = (options.origin ?? config().SHOPIFY_ADMIN_API_ORIGIN ?? `https://${shop}`).replace(/\/+$/, "");
  const endpoint = `${origin}/admin/api/${apiVersion}/graphql.json`;
  const log = options.logger ?? appLogger.child({ component: "admin-gateway", shop });
  const bounded = (ms: number) => Math.min(Math.max(0, ms), maxWaitMs);

  function backoffMs(retry: number): number {
    // Equal jitter: at least half the exponential delay, so retries from many jobs spread out.
    const ceiling = Math.min(maxWaitMs, BACKOFF_BASE_MS * 2 ** retry);
    return Math.round(ceiling / 2 + random() * (ceiling / 2));
  }

  async function send(operation: AnyOperation, variables: unknown) {
    try {
      return await doFetch(endpoint, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-Shopify-Access-Token": accessToken,
        },
        body: JSON.stringify({ query: operation.query, variables: variables ?? {}, operationName: operation.name }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new AdminApiNetworkError(`Admin API request failed: ${(error as Error).message}`, {
        shop,
        operationName: operation.name,
        cause: error,
      });
    }
  }

  async function attemptOnce<TData>(operation: AnyOperation, variables: unknown): Promise<TData> {
    const response = await send(operation, variables);
    const requestId = response.headers.get("x-request-id");
    const ctx = { shop, operationName: operation.name, requestId };
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw new AdminApiNetworkError(`Admin API response was cut off: ${(error as Error).message}`, { ...ctx, cause: error });
    }

    if (response.status === 401 || response.status === 403) {
      throw new AdminApiAuthError(response.status, `Admin API refused the access token for ${shop} (HTTP ${response.status})`, ctx);
    }
    if (response.status === 429) {
      const error = new AdminApiHttpError(429, "Admin API rate limit hit (HTTP 429)", ctx);
      const retryAfter = parseRetryAfterMs(response.headers.get("retry-after"), now());
      if (retryAfter !== null) requestedWaits.set(error, bounded(retryAfter));
      throw error;
    }
    if (!response.ok) {
      throw new AdminApiHttpError(response.status, `Admin API answered HTTP ${response.status}${describeBody(text)}`, ctx);
    }

    let body: GraphQLResponseBody;
    try {
      body = parseAdminResponse(text) as GraphQLResponseBody;
    } catch (error) {
      throw new AdminApiNetworkError("Admin API returned a malformed JSON body", { ...ctx, cause: error });
    }
    if (body === null || typeof body !== "object") {
      throw new AdminApiNetworkError("Admin API returned a body that is not a GraphQL response", ctx);
    }

    const cost = body.extensions?.cost;
    if (cost?.throttleStatus) costBuckets.record(shop, cost.throttleStatus, now());

    const errors = normaliseErrors(body.errors);
    if (errors.some((e) => e.extensions?.code === "THROTTLED")) {
      const status = cost?.throttleStatus;
      const requested = cost?.requestedQueryCost ?? operation.expectedCost;
      const waitMs = status && requested !== undefined ? bounded(throttledWaitMs(requested, status)) : null;
      const error = new AdminApiThrottledError(waitMs, ctx);
      if (waitMs !== null) requestedWaits.set(error, waitMs);
      throw error;
    }
    if (errors.length > 0 || !body.data) throw new AdminApiGraphQLError(errors, ctx);

    if (operation.userErrorsPath) {
      const userErrors = readUserErrors(body.data, operation.userErrorsPath, ctx);
      if (userErrors.length > 0) throw new AdminApiUserError(userErrors, ctx);
    }
    log.debug({ operation: operation.name, cost: cost?.actualQueryCost, requestId }, "Admin API call succeeded");
    return body.data as TData;
  }

  async function request<TData, TVars extends Record<string, unknown>>(
    operation: AdminOperation<TData, TVars>,
    ...[variables]: VariablesArg<TVars>
  ): Promise<TData> {
    const op = operation as AnyOperation;
    for (let attempt = 0; ; attempt += 1) {
      const preWait = bounded(costBuckets.waitBeforeMs(shop, op.expectedCost, now()));
      if (preWait > 0) {
        log.debug({ operation: op.name, waitMs: preWait }, "waiting for the query-cost bucket to restore");
        await sleep(preWait);
      }

      let failure: AdminApiError;
      try {
        return await attemptOnce<TData>(op, variables);
      } catch (error) {
        if (!(error instanceof AdminApiError) || !error.retryable || attempt >= maxRetries) throw error;
        failure = error;
      }
      const waitMs = requestedWaits.get(failure) ?? bounded(backoffMs(attempt));
      log.warn(
        {
          operation: op.name,
          attempt: attempt + 1,
          error: failure.name,
          status: failure instanceof AdminApiHttpError ? failure.status : undefined,
          requestId: failure.requestId,
          waitMs,
        },
        "Admin API call failed; retrying",
      );
      await sleep(waitMs);
    }
  }

  return { shop, request };
}

/** Builds a gateway from a stored Shopify session (the offline session jobs load by shop). */
export function adminGatewayForSession(
  session: { shop: string; accessToken?: string },
  options: Omit<AdminGatewayOptions, "shop" | "accessToken"> = {},
): AdminGateway {
  if (!session.accessToken) {
    throw new AdminApiAuthError(401, `The stored session for ${session.shop} has no access token`, { shop: session.shop });
  }
  return createAdminGateway({ ...options, shop: session.shop, accessToken: session.accessToken });
}

/** How long Shopify asked us to wait before retrying a given failure (Retry-After, throttle status). */
const requestedWaits = new WeakMap<AdminApiError, number>();

function parseRetryAfterMs(header: string | null, now: number): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds * 1000));
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

function normaliseErrors(errors: GraphQLResponseBody["errors"]): AdminGraphQLErrorEntry[] {
  if (!errors) return [];
  if (typeof errors === "string") return [{ message: errors }];
  if (Array.isArray(errors)) return errors;
  return [{ message: JSON.stringify(errors) }];
}

function readUserErrors(data: Record<string, unknown>, path: readonly string[], ctx: { shop: string; operationName: string }): AdminUserError[] {
  let node: unknown = data;
  for (const key of path) {
    if (node === null || typeof node !== "object") {
      throw new AdminApiGraphQLError([{ message: `Response has no ${path.join(".")}` }], ctx);
    }
    node = (node as Record<string, unknown>)[key];
  }
  if (!Array.isArray(node)) {
    throw new AdminApiGraphQLError([{ message: `Response has no ${path.join(".")} list` }], ctx);
  }
  return node as AdminUserError[];
}

function describeBody(text: string): string {
  const trimmed = text.trim().slice(0, 200);
  return trimmed ? `: ${trimmed}` : "";
}
