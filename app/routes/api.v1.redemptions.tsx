import type { ActionFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { z } from "zod";
import { shopifyIdSchema } from "~/domain/payload";
import { authenticateApiKey } from "~/models/api-key.server";
import { redeemAnswer, redeemReward, redeemRequestSchema } from "~/services/redemption.server";
import { apiError, apiKeyUnauthorized, bearerToken, fieldIssues, methodNotAllowed, NO_STORE, readJsonBody } from "~/utils/api.server";

// POST /api/v1/redemptions — an integration (a POS, a helpdesk, a Flow) redeems a reward for a
// customer with the shop's API key. Same service and answers as the checkout and the widget.

const requestSchema = redeemRequestSchema.extend({ customerId: shopifyIdSchema("Customer"), locale: z.string().max(16).optional() });

export async function loader() {
  return methodNotAllowed();
}

export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return methodNotAllowed();
  const key = await authenticateApiKey(bearerToken(request));
  if (!key) return apiKeyUnauthorized();
  const read = await readJsonBody(request, 4_096);
  if (!read.ok) return read.response;
  const parsed = requestSchema.safeParse(read.body);
  if (!parsed.success) return apiError(422, "invalid_fields", "Some fields are missing or invalid", { fields: fieldIssues(parsed.error) });
  const outcome = await redeemReward(key.shop, { ...parsed.data, channel: "api", actor: `api_key:${key.prefix}` });
  if (!outcome.ok && outcome.code === "shop_uninstalled") return apiKeyUnauthorized();
  const answer = redeemAnswer(outcome);
  return json(answer.body, { status: answer.status, headers: { ...NO_STORE, ...(answer.retryAfter ? { "Retry-After": answer.retryAfter } : {}) } });
}
