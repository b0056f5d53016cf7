import type { AdminGateway } from "../gateway.server";
import { toGid } from "../gid";
import { defineAdminOperation } from "../operation";

export const DiscountCodeDeleteMutation = defineAdminOperation<
  {
    discountCodeDelete: {
      deletedCodeDiscountId: string | null;
      userErrors: { field: string[] | null; message: string; code: string | null }[];
    } | null;
  },
  { id: string }
>({
  name: "DiscountCodeDelete",
  expectedCost: 10,
  userErrorsPath: ["discountCodeDelete", "userErrors"],
  query: /* GraphQL */ `mutation DiscountCodeDelete($id: ID!) {
  discountCodeDelete(id: $id) {
    deletedCodeDiscountId
    userErrors { field message code extraInfo }
  }
}`,
});

/** Voids an unused redemption code so it can no longer be applied at checkout. */
export async function deleteDiscountCode(gateway: AdminGateway, discountId: string | number | bigint): Promise<string | null> {
  const data = await gateway.request(DiscountCodeDeleteMutation, { id: toGid("DiscountCodeNode", discountId) });
  return data.discountCodeDelete?.deletedCodeDiscountId ?? null;
}
