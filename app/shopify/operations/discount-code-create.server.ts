import { AdminApiGraphQLError } from "../errors";
import type { AdminGateway } from "../gateway.server";
import { toGid } from "../gid";
import { defineAdminOperation } from "../operation";

// A points redemption becomes a single-use amount-off code that only the redeeming customer can
// apply, on the whole order (items: all → Shopify files it in the ORDER discount class).
// Eligibility uses `context`, which replaces the deprecated `customerSelection` as of 2025-10.

interface DiscountCodeBasicInput {
  title: string;
  code: string;
  startsAt: string;
  endsAt: string | null;
  context: { customers: { add: string[] } };
  customerGets: {
    value: { discountAmount: { amount: string; appliesOnEachItem: boolean } } | { percentage: number };
    items: { all: true };
  };
  appliesOncePerCustomer: true;
  usageLimit: 1;
  combinesWith: { orderDiscounts: boolean; productDiscounts: boolean; shippingDiscounts: boolean };
  minimumRequirement?: { subtotal: { greaterThanOrEqualToSubtotal: string } };
}

interface CreatedCodeDiscount {
  id: string;
  codeDiscount: { __typename: string; codes?: { nodes: { code: string }[] } };
}

export const RedemptionDiscountCodeCreateMutation = defineAdminOperation<
  {
    discountCodeBasicCreate: {
      codeDiscountNode: CreatedCodeDiscount | null;
      userErrors: { field: string[] | null; message: string; code: string | null }[];
    } | null;
  },
  { basicCodeDiscount: DiscountCodeBasicInput }
>({
  name: "RedemptionDiscountCodeCreate",
  expectedCost: 15,
  userErrorsPath: ["discountCodeBasicCreate", "userErrors"],
  query: /* GraphQL */ `mutation RedemptionDiscountCodeCreate($basicCodeDiscount: DiscountCodeBasicInput!) {
  discountCodeBasicCreate(basicCodeDiscount: $basicCodeDiscount) {
    codeDiscountNode {
      id
      codeDiscount {
        __typename
        ... on DiscountCodeBasic { codes(first: 1) { nodes { code } } }
      }
    }
    userErrors { field message code extraInfo }
  }
}`,
});

export type RedemptionDiscountValue =
  /** Money off in the shop's currency, as a decimal string ("5.00"): never a float. */
  | { kind: "fixedAmount"; amount: string }
  /** A fraction of the order, 0 < percentage ≤ 1 (0.1 is 10 % off). */
  | { kind: "percentage"; percentage: number };

export interface RedemptionDiscountCodeInput {
  customerId: string | number | bigint;
  code: string;
  /** What the merchant sees in Shopify admin and the customer sees at checkout. */
  title: string;
  value: RedemptionDiscountValue;
  startsAt?: Date;
  endsAt?: Date | null;
  /** Decimal string: the order subtotal the code needs, if the reward has one. */
  minimumSubtotal?: string;
  combinesWith?: Partial<DiscountCodeBasicInput["combinesWith"]>;
}

const DECIMAL = /^\d+(\.\d+)?$/;

export function buildRedemptionDiscountInput(input: RedemptionDiscountCodeInput): DiscountCodeBasicInput {
  const { value } = input;
  let customerGetsValue: DiscountCodeBasicInput["customerGets"]["value"];
  if (value.kind === "fixedAmount") {
    if (!DECIMAL.test(value.amount) || Number(value.amount) <= 0) {
      throw new RangeError(`Discount amount must be a positive decimal string, got "${value.amount}"`);
    }
    customerGetsValue = { discountAmount: { amount: value.amount, appliesOnEachItem: false } };
  } else {
    if (!(value.percentage > 0 && value.percentage <= 1)) {
      throw new RangeError(`Discount percentage must be in (0, 1], got ${value.percentage}`);
    }
    customerGetsValue = { percentage: value.percentage };
  }
  if (input.minimumSubtotal !== undefined && !DECIMAL.test(input.minimumSubtotal)) {
    throw new RangeError(`Minimum subtotal must be a decimal string, got "${input.minimumSubtotal}"`);
  }
  return {
    title: input.title,
    code: input.code,
    startsAt: (input.startsAt ?? new Date()).toISOString(),
    endsAt: input.endsAt ? input.endsAt.toISOString() : null,
    context: { customers: { add: [toGid("Customer", input.customerId)] } },
    customerGets: { value: customerGetsValue, items: { all: true } },
    appliesOncePerCustomer: true,
    usageLimit: 1,
    // Loyalty rewards stack with free shipping but not with other order-level discounts by default.
    combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: true, ...input.combinesWith },
    ...(input.minimumSubtotal !== undefined
      ? { minimumRequirement: { subtotal: { greaterThanOrEqualToSubtotal: input.minimumSubtotal } } }
      : {}),
  };
}

/** Creates the customer's single-use redemption code; Shopify's refusals surface as AdminApiUserError. */
export async function createRedemptionDiscountCode(
  gateway: AdminGateway,
  input: RedemptionDiscountCodeInput,
): Promise<{ id: string; code: string }> {
  const data = await gateway.request(RedemptionDiscountCodeCreateMutation, {
    basicCodeDiscount: buildRedemptionDiscountInput(input),
  });
  const node = data.discountCodeBasicCreate?.codeDiscountNode;
  if (!node) {
    throw new AdminApiGraphQLError([{ message: "discountCodeBasicCreate returned no discount and no user errors" }], {
      shop: gateway.shop,
      operationName: RedemptionDiscountCodeCreateMutation.name,
    });
  }
  return { id: node.id, code: node.codeDiscount.codes?.nodes[0]?.code ?? input.code };
}
