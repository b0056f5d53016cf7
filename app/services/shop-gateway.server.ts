import { SessionNotFoundError } from "@shopify/shopify-app-remix/server";
import { TerminalJobError } from "~/jobs/errors";
import { adminGatewayForSession, type AdminGateway } from "~/shopify/gateway.server";
import { unauthenticated } from "~/shopify.server";

/**
 * The Admin API gateway for background work on a shop, from its offline session.
 * `unauthenticated.admin` refreshes an expiring offline token first when it is due; a failed
 * refresh (network) stays retryable, a missing session does not.
 */
export async function gatewayForShop(shop: string): Promise<AdminGateway> {
  try {
    const { session } = await unauthenticated.admin(shop);
    return adminGatewayForSession(session);
  } catch (error) {
    if (error instanceof SessionNotFoundError) {
      throw new TerminalJobError(`no offline session for ${shop}`, { cause: error });
    }
    throw error;
  }
}
