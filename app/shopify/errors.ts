// Typed failures of Admin API calls. Job code classifies them by `retryable`: terminal errors stop a
// job (the token is gone, the input is wrong), retryable ones go back to the queue with backoff.
// No `.server` suffix: jobs, the stand-in and tests import these without pulling in the gateway.

export interface AdminUserError {
  field: string[] | null;
  message: string;
  code?: string | null;
}

export interface AdminGraphQLErrorEntry {
  message: string;
  locations?: { line: number; column: number }[];
  path?: (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

export interface AdminApiErrorContext {
  shop?: string;
  operationName?: string;
  /** Shopify's X-Request-Id: what Shopify support asks for. */
  requestId?: string | null;
  cause?: unknown;
}

export abstract class AdminApiError extends Error {
  abstract readonly retryable: boolean;
  readonly shop?: string;
  readonly operationName?: string;
  readonly requestId?: string | null;

  constructor(message: string, context: AdminApiErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = new.target.name;
    this.shop = context.shop;
    this.operationName = context.operationName;
    this.requestId = context.requestId;
  }
}

/** The mutation ran and Shopify refused the input; retrying the same input cannot succeed. */
export class AdminApiUserError extends AdminApiError {
  readonly retryable = false;

  constructor(
    readonly userErrors: AdminUserError[],
    context: AdminApiErrorContext = {},
  ) {
    super(
      `${context.operationName ?? "Admin API mutation"} returned user errors: ${userErrors
        .map((e) => (e.field?.length ? `${e.field.join(".")}: ${e.message}` : e.message))
        .join("; ")}`,
      context,
    );
  }
}

/** The shop's query-cost bucket stayed empty through every retry; try again later. */
export class AdminApiThrottledError extends AdminApiError {
  readonly retryable = true;

  constructor(
    /** How long Shopify's last throttle status says to wait before the op can be afforded. */
    readonly retryAfterMs: number | null,
    context: AdminApiErrorContext = {},
  ) {
    super(`${context.operationName ?? "Admin API call"} was throttled by Shopify and retries were exhausted`, context);
  }
}

/** A non-2xx HTTP answer. 5xx and 429 are retryable; other 4xx (404 unknown shop/version, 402 frozen shop, 423 locked) are not. */
export class AdminApiHttpError extends AdminApiError {
  readonly retryable: boolean;

  constructor(
    readonly status: number,
    message: string,
    context: AdminApiErrorContext = {},
  ) {
    super(message, context);
    this.retryable = status === 429 || status >= 500;
  }
}

/** 401/403: the token was revoked, expired or the app was uninstalled. Terminal until the shop re-authenticates. */
export class AdminApiAuthError extends AdminApiError {
  readonly retryable = false;

  constructor(
    readonly status: number,
    message: string,
    context: AdminApiErrorContext = {},
  ) {
    super(message, context);
  }
}

/** GraphQL-level `errors` other than throttling: an invalid query, a missing scope, an unknown id. */
export class AdminApiGraphQLError extends AdminApiError {
  readonly retryable: boolean;

  constructor(
    readonly errors: AdminGraphQLErrorEntry[],
    context: AdminApiErrorContext = {},
  ) {
    super(
      `${context.operationName ?? "Admin API call"} failed: ${errors.map((e) => e.message).join("; ") || "no data in response"}`,
      context,
    );
    // Shopify reports its own transient failures inside a 200 response with this code.
    this.retryable = errors.some((e) => e.extensions?.code === "INTERNAL_SERVER_ERROR");
  }
}

/** The request never got a usable answer: connection refused/reset, timeout, or a truncated body. */
export class AdminApiNetworkError extends AdminApiError {
  readonly retryable = true;
}

export function isRetryableAdminError(error: unknown): boolean {
  return error instanceof AdminApiError && error.retryable;
}
