import type { ActionFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { authenticateApiKey } from "~/models/api-key.server";
import { creditReview, reviewRequestIssues, reviewRequestSchema } from "~/services/review-points.server";
import { apiError, apiKeyUnauthorized, bearerToken, methodNotAllowed, NO_STORE, readJsonBody } from "~/utils/api.server";

// POST /api/v1/reviews — a reviews app tells us a customer wrote a review (README: Public API).
// Authenticate the key → parse the JSON exactly (18-digit ids) → validate → credit → answer.

const MAX_BODY_BYTES = 16_384;

export async function loader() {
  return methodNotAllowed();
}

export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return methodNotAllowed();
  const key = await authenticateApiKey(bearerToken(request));
  if (!key) return apiKeyUnauthorized();
  const read = await readJsonBody(request, MAX_BODY_BYTES);
  if (!read.ok) return read.response;
  const parsed = reviewRequestSchema.safeParse(read.body);
  if (!parsed.success) {
    return apiError(422, "invalid_fields", "Some fields are missing or invalid", { fields: reviewRequestIssues(parsed.error) });
  }
  const outcome = await creditReview(key.shop, parsed.data, `api_key:${key.prefix}`);
  if (!outcome.ok) {
    switch (outcome.code) {
      case "shop_not_installed":
        return apiKeyUnauthorized();
      case "member_not_found":
        return apiError(404, outcome.code, outcome.message);
      case "shopify_unavailable":
      case "program_unavailable":
        return apiError(503, outcome.code, outcome.message, {}, { "Retry-After": "30" });
    }
  }
  const created = outcome.credit.status === "granted" && !outcome.credit.replayed;
  return json(outcome.credit, { status: created ? 201 : 200, headers: NO_STORE });
}
