import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { matchStorefrontLocale } from "~/i18n/storefront-locales";
import { rewardsForCustomer } from "~/services/redemption.server";
import { apiError, NO_STORE } from "~/utils/api.server";
import { authenticateCheckout } from "~/utils/checkout-auth.server";

// GET /api/checkout/rewards — the checkout extension's view: balance and rewards the shopper can redeem.
export async function loader({ request }: LoaderFunctionArgs) {
  const auth = await authenticateCheckout(request);
  if (!auth.ok) return auth.response;
  const locale = matchStorefrontLocale(new URL(request.url).searchParams.get("locale"));
  const view = await rewardsForCustomer(auth.shop, auth.customerId, locale);
  if (!view) return auth.cors(apiError(401, "shop_uninstalled", "The shop is not installed"));
  return auth.cors(json(view, { headers: NO_STORE }));
}
