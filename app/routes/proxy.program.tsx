import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { storefrontProgram } from "~/services/storefront.server";
import { authenticateProxyRequest, limitProxyRequest, PROXY_READ_LIMITS, proxyError } from "~/utils/app-proxy.server";

// GET /apps/loyalnest/program (Shopify → /proxy/program): ways to earn, the purchase rule for
// product estimates, and rewards. The same for every shopper of a shop and language (the locale
// is in the URL), so browsers may keep it for a minute and use a stale copy while refreshing.

const PROGRAM_CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=300";

export async function loader({ request }: LoaderFunctionArgs) {
  const auth = authenticateProxyRequest(request);
  if (!auth.ok) return auth.response;
  const limited = await limitProxyRequest(auth.identity, PROXY_READ_LIMITS);
  if (limited) return limited;
  const program = await storefrontProgram(auth.identity.shop, auth.identity.locale);
  if (!program) return proxyError(401, "unauthorized", "The shop has not installed LoyalNest");
  return json(program, { headers: { "Cache-Control": PROGRAM_CACHE_CONTROL, Vary: "Accept-Encoding" } });
}

export async function action() {
  return proxyError(405, "method_not_allowed", "Use GET", { Allow: "GET" });
}
