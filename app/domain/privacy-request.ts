import { z } from "zod";
import { InvalidPayloadError } from "./order-events";
import { exactShopifyId } from "./payload";

// Shopify's mandatory privacy webhooks (customers/data_request, customers/redact), parsed once.

const customerRequest = z.object({
  customer: z.object({ id: z.unknown(), email: z.string().nullish() }),
  orders_requested: z.array(z.unknown()).nullish(),
  orders_to_redact: z.array(z.unknown()).nullish(),
  data_request: z.object({ id: z.unknown() }).nullish(),
});

export interface CustomerPrivacyRequest {
  customerId: bigint;
  email: string | null;
  /** The orders the request names (requested for an export, or to redact); ids that cannot be read are skipped. */
  orderIds: bigint[];
  /** customers/data_request only: Shopify's id of the request. */
  requestId: string | null;
}

export function parseCustomerPrivacyRequest(payload: unknown): CustomerPrivacyRequest {
  const parsed = customerRequest.safeParse(payload);
  if (!parsed.success) throw new InvalidPayloadError(`compliance payload: ${parsed.error.message}`);
  const id = exactShopifyId(parsed.data.customer.id, undefined, "Customer");
  if ("error" in id) throw new InvalidPayloadError(`compliance payload customer.id: ${id.error}`);
  const orderIds = (parsed.data.orders_requested ?? parsed.data.orders_to_redact ?? []).flatMap((o) => {
    const order = exactShopifyId(o, undefined, "Order");
    return "error" in order ? [] : [BigInt(order.id)];
  });
  const requestId = parsed.data.data_request ? String(parsed.data.data_request.id) : null;
  return { customerId: BigInt(id.id), email: parsed.data.customer.email ?? null, orderIds, requestId };
}
