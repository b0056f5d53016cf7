import { markIssued, redemptionsToSettle, releaseRedemption, shopsWithRedemptionsToSettle } from "~/models/redemption.server";
import { findCodeDiscountByCode } from "~/shopify/operations/code-discount-by-code.server";
import { deleteDiscountCode } from "~/shopify/operations/discount-code-delete.server";
import type { AdminGateway } from "~/shopify/gateway.server";
import { decryptCode } from "~/utils/code-cipher.server";
import { gatewayForShop } from "./shop-gateway.server";

// The hourly settlement of redemptions nobody else will finish: codes that expired unused give
// their points back (after the code is removed from Shopify), and reservations left ISSUING by a
// crash or a timeout are resolved by asking Shopify whether the code exists.

/** A reservation younger than this may still be in flight in a request: leave it alone. */
export const STUCK_AFTER_MS = 10 * 60 * 1000;

export interface SettlementResult {
  expired: number;
  issued: number;
  failed: number;
  /** Expired codes Shopify counts as used: their order's webhook will capture them. */
  awaitingOrder: number;
}

export async function settleRedemptions(shop: string, now = new Date(), gateway?: AdminGateway): Promise<SettlementResult> {
  const result: SettlementResult = { expired: 0, issued: 0, failed: 0, awaitingOrder: 0 };
  const due = await redemptionsToSettle(shop, now, new Date(now.getTime() - STUCK_AFTER_MS));
  if (due.length === 0) return result;
  const admin = gateway ?? (await gatewayForShop(shop));
  for (const redemption of due) {
    const found = await findCodeDiscountByCode(admin, decryptCode(redemption.codeCipher));
    if (redemption.status === "ISSUING") {
      if (found) {
        await markIssued(shop, redemption.id, found.id);
        result.issued++;
      } else {
        await releaseRedemption(shop, redemption.id, { status: "FAILED", failure: "Shopify never created the code", actor: "system:settlement", now });
        result.failed++;
      }
      continue;
    }
    if (found && found.asyncUsageCount > 0) {
      result.awaitingOrder++;
      continue;
    }
    // Removed first: a code must never be usable once its points are back.
    if (found) await deleteDiscountCode(admin, found.id);
    if (await releaseRedemption(shop, redemption.id, { status: "EXPIRED", actor: "system:settlement", now })) result.expired++;
  }
  return result;
}

export { shopsWithRedemptionsToSettle };
