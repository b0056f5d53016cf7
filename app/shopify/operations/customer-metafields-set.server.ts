import type { AdminGateway } from "../gateway.server";
import { toGid } from "../gid";
import { defineAdminOperation } from "../operation";

// App-owned namespace: only LoyalNest can write it, and the storefront widget and checkout
// extension read it (`$app:loyalty` resolves to `app--<app id>--loyalty` on Shopify's side).
export const LOYALTY_METAFIELD_NAMESPACE = "$app:loyalty";
export const LOYALTY_BALANCE_KEY = "balance";
export const LOYALTY_TIER_KEY = "tier";

interface MetafieldsSetInput {
  ownerId: string;
  namespace: string;
  key: string;
  type: string;
  value: string;
}

export interface SetMetafield {
  id: string;
  namespace: string;
  key: string;
  type: string;
  value: string;
  updatedAt: string;
}

export const CustomerLoyaltyMetafieldsSetMutation = defineAdminOperation<
  { metafieldsSet: { metafields: SetMetafield[] | null; userErrors: { field: string[] | null; message: string; code: string | null }[] } | null },
  { metafields: MetafieldsSetInput[] }
>({
  name: "CustomerLoyaltyMetafieldsSet",
  expectedCost: 10,
  userErrorsPath: ["metafieldsSet", "userErrors"],
  query: /* GraphQL */ `mutation CustomerLoyaltyMetafieldsSet($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { id namespace key type value updatedAt }
    userErrors { field message code elementIndex }
  }
}`,
});

export interface CustomerLoyaltyMetafields {
  customerId: string | number | bigint;
  /** Spendable points: an integer, written as Shopify's number_integer. */
  balance: number;
  /** Omit to leave the stored tier untouched (a balance change that did not move the tier). */
  tier?: string;
}

/** Mirrors a member's balance (and tier) onto the Shopify customer for the storefront and checkout. */
export async function setCustomerLoyaltyMetafields(
  gateway: AdminGateway,
  { customerId, balance, tier }: CustomerLoyaltyMetafields,
): Promise<SetMetafield[]> {
  if (!Number.isSafeInteger(balance)) throw new TypeError(`Points balance must be an integer, got ${balance}`);
  const ownerId = toGid("Customer", customerId);
  const metafields: MetafieldsSetInput[] = [
    { ownerId, namespace: LOYALTY_METAFIELD_NAMESPACE, key: LOYALTY_BALANCE_KEY, type: "number_integer", value: String(balance) },
  ];
  if (tier !== undefined) {
    metafields.push({ ownerId, namespace: LOYALTY_METAFIELD_NAMESPACE, key: LOYALTY_TIER_KEY, type: "single_line_text_field", value: tier });
  }
  const data = await gateway.request(CustomerLoyaltyMetafieldsSetMutation, { metafields });
  return data.metafieldsSet?.metafields ?? [];
}
