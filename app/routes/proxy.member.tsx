import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { storefrontMember } from "~/services/storefront.server";
import { authenticateProxyRequest, limitProxyRequest, NO_STORE, PROXY_READ_LIMITS, proxyError } from "~/utils/app-proxy.server";

// GET /apps/loyalnest/member: the logged-in shopper's balances, history, affordable rewards and
// codes. Who is asking comes only from the signed `logged_in_customer_id`; the answer is private
// and never stored.

export async function loader({ request }: LoaderFunctionArgs) {
  const auth = authenticateProxyRequest(request);
  if (!auth.ok) return auth.response;
  const { identity } = auth;
  const limited = await limitProxyRequest(identity, PROXY_READ_LIMITS);
  if (limited) return limited;
  if (identity.customerId === null) return proxyError(401, "not_logged_in", "Log in to see your points");
  const member = await storefrontMember(identity.shop, identity.customerId, identity.locale);
  if (!member) return proxyError(401, "unauthorized", "The shop has not installed LoyalNest");
  return json(member, { headers: { "Cache-Control": NO_STORE } });
}

export async function action() {
  return proxyError(405, "method_not_allowed", "Use GET", { Allow: "GET" });
}
