import type { ActionFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { matchStorefrontLocale } from "~/i18n/storefront-locales";
import { redeemAnswer, redeemReward, redeemRequestSchema } from "~/services/redemption.server";
import { apiError, fieldIssues, methodNotAllowed, NO_STORE, readJsonBody } from "~/utils/api.server";
import { authenticateCheckout } from "~/utils/checkout-auth.server";

// POST /api/checkout/redeem — the checkout extension redeems a reward for the logged-in shopper.
export async function loader({ request }: ActionFunctionArgs) {
  const auth = await authenticateCheckout(request);
  if (!auth.ok) return auth.response;
  return auth.cors(methodNotAllowed());
}

export async function action({ request }: ActionFunctionArgs) {
  const auth = await authenticateCheckout(request);
  if (!auth.ok) return auth.response;
  if (request.method !== "POST") return auth.cors(methodNotAllowed());
  if (auth.customerId === null) return auth.cors(apiError(401, "not_logged_in", "Log in to redeem your points"));
  const read = await readJsonBody(request, 4_096);
  if (!read.ok) return auth.cors(read.response);
  const parsed = redeemRequestSchema.safeParse(read.body);
  if (!parsed.success) return auth.cors(apiError(422, "invalid_fields", "Some fields are missing or invalid", { fields: fieldIssues(parsed.error) }));
  const outcome = await redeemReward(auth.shop, {
    ...parsed.data,
    customerId: auth.customerId,
    channel: "checkout",
    actor: `customer:${auth.customerId}`,
    locale: matchStorefrontLocale(new URL(request.url).searchParams.get("locale")),
  });
  const answer = redeemAnswer(outcome);
  return auth.cors(json(answer.body, { status: answer.status, headers: { ...NO_STORE, ...(answer.retryAfter ? { "Retry-After": answer.retryAfter } : {}) } }));
}
