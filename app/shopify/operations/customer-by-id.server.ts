import type { AdminGateway } from "../gateway.server";
import { toGid } from "../gid";
import { defineAdminOperation } from "../operation";

export type CustomerEmailMarketingState =
  | "INVALID"
  | "NOT_SUBSCRIBED"
  | "PENDING"
  | "REDACTED"
  | "SUBSCRIBED"
  | "UNSUBSCRIBED";

export interface AdminCustomer {
  id: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  tags: string[];
  emailMarketingConsent: { marketingState: CustomerEmailMarketingState } | null;
  createdAt: string;
}

export const CustomerByIdQuery = defineAdminOperation<{ customer: AdminCustomer | null }, { id: string }>({
  name: "CustomerById",
  expectedCost: 2,
  query: /* GraphQL */ `query CustomerById($id: ID!) {
  customer(id: $id) {
    id
    email
    firstName
    lastName
    tags
    emailMarketingConsent { marketingState }
    createdAt
  }
}`,
});

/** The customer, or null when Shopify no longer has it (deleted, or redacted after a GDPR request). */
export async function fetchCustomerById(gateway: AdminGateway, customerId: string | number | bigint): Promise<AdminCustomer | null> {
  const data = await gateway.request(CustomerByIdQuery, { id: toGid("Customer", customerId) });
  return data.customer;
}
