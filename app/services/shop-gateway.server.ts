import { SessionNotFoundError } from "@shopify/shopify-app-remix/server";
import { adminGatewayForSession, type AdminGateway, type AdminGatewayOptions } from "~/shopify/gateway.server";
import { unauthenticated } from "~/shopify.server";

/** The shop has no offline session (uninstalled, or never finished OAuth): no retry will find one. */
export class NoOfflineSessionError extends Error {
  readonly retryable = false;

  constructor(shop: string, cause: unknown) {
    super(`no offline session for ${shop}`, { cause });
    this.name = "NoOfflineSessionError";
  }
}

/**
 * The Admin API gateway for background work on a shop, from its offline session.
 * `unauthenticated.admin` refreshes an expiring offline token first when it is due; a failed
 * refresh (network) stays retryable, a missing session does not.
 */
export async function gatewayForShop(
  shop: string,
  options: Omit<AdminGatewayOptions, "shop" | "accessToken"> = {},
): Promise<AdminGateway> {
  try {
    const { session } = await unauthenticated.admin(shop);
    return adminGatewayForSession(session, options);
  } catch (error) {
    if (error instanceof SessionNotFoundError) {
      throw new NoOfflineSessionError(shop, error);
    }
    throw error;
  }
}

/** For a shopper who is waiting on the answer: few, short retries instead of the jobs' minutes. */
export function interactiveGatewayForShop(shop: string): Promise<AdminGateway> {
  return gatewayForShop(shop, { maxRetries: 2, timeoutMs: 8_000, maxWaitMs: 2_000 });
}
