import type { ActionFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { redeemAnswer, redeemReward, redeemRequestSchema } from "~/services/redemption.server";
import { fieldIssues, readJsonBody } from "~/utils/api.server";
import { authenticateProxyRequest, limitProxyRequest, NO_STORE, PROXY_REDEEM_LIMITS, proxyError } from "~/utils/app-proxy.server";

// POST /apps/loyalnest/redeem: the logged-in shopper spends points on a reward and gets a
// single-use code. The customer is the signed `logged_in_customer_id`, never the body. A retry
// with the same idempotency key returns the same code (extensions/README.md).

const MAX_BODY_BYTES = 4_096;

export async function loader() {
  return proxyError(405, "method_not_allowed", "Use POST", { Allow: "POST" });
}

export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return proxyError(405, "method_not_allowed", "Use POST", { Allow: "POST" });
  const auth = authenticateProxyRequest(request);
  if (!auth.ok) return auth.response;
  const { identity } = auth;
  const limited = await limitProxyRequest(identity, PROXY_REDEEM_LIMITS);
  if (limited) return limited;
  if (identity.customerId === null) return proxyError(401, "not_logged_in", "Log in to redeem your points");
  // A JSON content type cannot be sent cross-site without a CORS preflight: a form on another
  // site cannot make a logged-in shopper redeem.
  if (!/^application\/json\b/i.test(request.headers.get("Content-Type") ?? "")) {
    return proxyError(415, "unsupported_media_type", "Send the body as application/json");
  }
  const read = await readJsonBody(request, MAX_BODY_BYTES);
  if (!read.ok) return read.response;
  const parsed = redeemRequestSchema.safeParse(read.body);
  if (!parsed.success) {
    return json(
      { error: { code: "invalid_fields", message: "Some fields are missing or invalid", fields: fieldIssues(parsed.error) } },
      { status: 422, headers: { "Cache-Control": NO_STORE } },
    );
  }
  const outcome = await redeemReward(identity.shop, {
    ...parsed.data,
    customerId: identity.customerId,
    channel: "storefront",
    actor: `customer:${identity.customerId}`,
    locale: identity.locale ?? undefined,
  });
  const answer = redeemAnswer(outcome);
  return json(answer.body, { status: answer.status, headers: { "Cache-Control": NO_STORE, ...(answer.retryAfter ? { "Retry-After": answer.retryAfter } : {}) } });
}
