import type { AdminGateway } from "../gateway.server";
import { defineAdminOperation } from "../operation";

export interface ShopDetails {
  id: string;
  name: string;
  email: string;
  currencyCode: string;
  ianaTimezone: string;
  myshopifyDomain: string;
  primaryDomain: { url: string };
  plan: { displayName: string; partnerDevelopment: boolean };
}

export const ShopDetailsQuery = defineAdminOperation<{ shop: ShopDetails }>({
  name: "ShopDetails",
  expectedCost: 3,
  query: /* GraphQL */ `query ShopDetails {
  shop {
    id
    name
    email
    currencyCode
    ianaTimezone
    myshopifyDomain
    primaryDomain { url }
    plan { displayName partnerDevelopment }
  }
}`,
});

/** The shop's identity, currency and timezone: read on install and whenever shop/update arrives. */
export async function fetchShopDetails(gateway: AdminGateway): Promise<ShopDetails> {
  const data = await gateway.request(ShopDetailsQuery);
  return data.shop;
}
