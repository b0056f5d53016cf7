import { AdminApiGraphQLError } from "../errors";
import type { AdminGateway } from "../gateway.server";
import { defineAdminOperation } from "../operation";

// Looks a code up by its text. Used to recover after a crash between creating a redemption code
// and recording its id, and by the settlement job to learn whether an expired code was used
// before deleting it. Every code discount type answers, so a code the app did not make is seen
// for what it is (`type`).

export type CodeDiscountStatus = "ACTIVE" | "EXPIRED" | "SCHEDULED";

type CodeDiscountFields = { status: CodeDiscountStatus; asyncUsageCount: number; endsAt: string | null };

export const CodeDiscountByCodeQuery = defineAdminOperation<
  {
    codeDiscountNodeByCode: {
      id: string;
      codeDiscount: { __typename: string } & Partial<CodeDiscountFields>;
    } | null;
  },
  { code: string }
>({
  name: "CodeDiscountByCode",
  expectedCost: 2,
  query: /* GraphQL */ `query CodeDiscountByCode($code: String!) {
  codeDiscountNodeByCode(code: $code) {
    id
    codeDiscount {
      __typename
      ... on DiscountCodeApp { status asyncUsageCount endsAt }
      ... on DiscountCodeBasic { status asyncUsageCount endsAt }
      ... on DiscountCodeBxgy { status asyncUsageCount endsAt }
      ... on DiscountCodeFreeShipping { status asyncUsageCount endsAt }
    }
  }
}`,
});

export interface CodeDiscountSummary {
  /** The DiscountCodeNode gid, what deleteDiscountCode takes. */
  id: string;
  status: CodeDiscountStatus;
  /** Orders that used the code; Shopify updates it asynchronously, shortly after checkout. */
  asyncUsageCount: number;
  endsAt: Date | null;
  /** The GraphQL type, "DiscountCodeApp" for the codes this app makes. */
  type: string;
}

/** The code discount with this code (Shopify matches codes case-insensitively), or null. */
export async function findCodeDiscountByCode(gateway: AdminGateway, code: string): Promise<CodeDiscountSummary | null> {
  const data = await gateway.request(CodeDiscountByCodeQuery, { code });
  const node = data.codeDiscountNodeByCode;
  if (!node) return null;
  const { __typename, status, asyncUsageCount, endsAt } = node.codeDiscount;
  if (status === undefined || asyncUsageCount === undefined) {
    // A code discount type this query does not know yet: better to stop than to guess it unused.
    throw new AdminApiGraphQLError([{ message: `codeDiscountNodeByCode returned an unknown discount type ${__typename}` }], {
      shop: gateway.shop,
      operationName: CodeDiscountByCodeQuery.name,
    });
  }
  return { id: node.id, status, asyncUsageCount, endsAt: endsAt ? new Date(endsAt) : null, type: __typename };
}
