import {
  discountClassFor,
  type DiscountClass,
  LOYALTY_DISCOUNT_FUNCTION_HANDLE,
  parseRedemptionDiscountConfig,
  REDEMPTION_DISCOUNT_METAFIELD,
  type RedemptionDiscountConfigInput,
} from "~/domain/redemption-discount";
import { AdminApiGraphQLError, AdminApiUserError } from "../errors";
import type { AdminGateway } from "../gateway.server";
import { toGid } from "../gid";
import { defineAdminOperation } from "../operation";

// A redemption becomes a single-use code backed by the loyalty-discount Function: only the
// redeeming customer can apply it, once, and the Function reads what it is worth from the
// discount's configuration metafield. As of 2025-10 an app discount names its Function by handle
// (stable across deploys, unlike the function id), its classes by `discountClasses`, and its
// buyers by `context` (which replaces the deprecated `customerSelection`).

interface DiscountCodeAppInput {
  title: string;
  code: string;
  startsAt: string;
  endsAt: string;
  functionHandle: string;
  context: { customers: { add: string[] } };
  discountClasses: DiscountClass[];
  combinesWith: RedemptionCombinesWith;
  usageLimit: 1;
  appliesOncePerCustomer: true;
  metafields: { namespace: string; key: string; type: string; value: string }[];
}

export interface RedemptionCombinesWith {
  orderDiscounts: boolean;
  productDiscounts: boolean;
  shippingDiscounts: boolean;
}

export const RedemptionAppDiscountCodeCreateMutation = defineAdminOperation<
  {
    discountCodeAppCreate: {
      codeAppDiscount: { discountId: string; codes: { nodes: { code: string }[] } } | null;
      userErrors: { field: string[] | null; message: string; code: string | null }[];
    } | null;
  },
  { codeAppDiscount: DiscountCodeAppInput }
>({
  name: "RedemptionAppDiscountCodeCreate",
  expectedCost: 10,
  userErrorsPath: ["discountCodeAppCreate", "userErrors"],
  query: /* GraphQL */ `mutation RedemptionAppDiscountCodeCreate($codeAppDiscount: DiscountCodeAppInput!) {
  discountCodeAppCreate(codeAppDiscount: $codeAppDiscount) {
    codeAppDiscount {
      discountId
      codes(first: 1) { nodes { code } }
    }
    userErrors { field message code extraInfo }
  }
}`,
});

export interface RedemptionAppDiscountCodeInput {
  customerId: string | number | bigint;
  code: string;
  /** What the merchant sees in Shopify admin. */
  title: string;
  /** What the code is worth (shop currency); checked with parseRedemptionDiscountConfig. */
  config: RedemptionDiscountConfigInput;
  startsAt?: Date;
  endsAt: Date;
  combinesWith: RedemptionCombinesWith;
}

const MAX_TEXT_LENGTH = 255;

/**
 * The mutation's input. Throws RangeError (InvalidRedemptionDiscountConfigError for the
 * configuration) before anything is sent, so bad input never reaches Shopify.
 */
export function buildRedemptionAppDiscountInput(input: RedemptionAppDiscountCodeInput, now = new Date()): DiscountCodeAppInput {
  const config = parseRedemptionDiscountConfig(input.config);
  const code = input.code.trim();
  if (code === "" || code.length > MAX_TEXT_LENGTH || /[\r\n]/.test(code)) {
    throw new RangeError(`A discount code must be 1–${MAX_TEXT_LENGTH} characters on one line, got ${JSON.stringify(input.code)}`);
  }
  const title = input.title.trim();
  if (title === "" || title.length > MAX_TEXT_LENGTH) {
    throw new RangeError(`A discount title must be 1–${MAX_TEXT_LENGTH} characters, got ${JSON.stringify(input.title)}`);
  }
  const startsAt = input.startsAt ?? now;
  if (Number.isNaN(startsAt.getTime()) || Number.isNaN(input.endsAt.getTime()) || input.endsAt <= startsAt) {
    throw new RangeError(`A discount code must end after it starts (${String(startsAt)} → ${String(input.endsAt)})`);
  }
  return {
    title,
    code,
    startsAt: startsAt.toISOString(),
    endsAt: input.endsAt.toISOString(),
    functionHandle: LOYALTY_DISCOUNT_FUNCTION_HANDLE,
    context: { customers: { add: [toGid("Customer", input.customerId)] } },
    discountClasses: [discountClassFor(config.kind)],
    combinesWith: { ...input.combinesWith },
    usageLimit: 1,
    appliesOncePerCustomer: true,
    metafields: [{ ...REDEMPTION_DISCOUNT_METAFIELD, value: JSON.stringify(config) }],
  };
}

/**
 * Creates the customer's single-use code. Shopify's refusals surface as AdminApiUserError; one
 * saying the code already exists is recognised by isCodeTakenError.
 */
export async function createRedemptionAppDiscountCode(
  gateway: AdminGateway,
  input: RedemptionAppDiscountCodeInput,
): Promise<{ id: string; code: string }> {
  const codeAppDiscount = buildRedemptionAppDiscountInput(input);
  const data = await gateway.request(RedemptionAppDiscountCodeCreateMutation, { codeAppDiscount });
  const created = data.discountCodeAppCreate?.codeAppDiscount;
  if (!created) {
    throw new AdminApiGraphQLError([{ message: "discountCodeAppCreate returned no discount and no user errors" }], {
      shop: gateway.shop,
      operationName: RedemptionAppDiscountCodeCreateMutation.name,
    });
  }
  return { id: created.discountId, code: created.codes.nodes[0]?.code ?? codeAppDiscount.code };
}

/**
 * Shopify refused the code because a discount with it already exists (code TAKEN on the `code`
 * field). After a crash between creating a code and recording it, a retry with the same code ends
 * here: the caller then looks the code up instead of giving the points back.
 */
export function isCodeTakenError(error: unknown): boolean {
  if (!(error instanceof AdminApiUserError)) return false;
  return error.userErrors.some(
    (e) => e.field?.at(-1) === "code" && (e.code === "TAKEN" || (e.code == null && /must be unique|already been taken/i.test(e.message))),
  );
}
