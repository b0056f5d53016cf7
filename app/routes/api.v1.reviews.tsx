import type { ActionFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { authenticateApiKey } from "~/models/api-key.server";
import { creditReview, reviewRequestIssues, reviewRequestSchema } from "~/services/review-points.server";
import { parseExactJson } from "~/utils/json.server";

// POST /api/v1/reviews — a reviews app tells us a customer wrote a review (README: Public API).
// Authenticate the key → parse the JSON exactly (18-digit ids) → validate → credit → answer.

const MAX_BODY_BYTES = 16_384;
const NO_STORE = { "Cache-Control": "no-store" };

function apiError(status: number, code: string, message: string, extra: { fields?: Record<string, string> } = {}, headers: Record<string, string> = {}) {
  return json({ error: { code, message, ...extra } }, { status, headers: { ...NO_STORE, ...headers } });
}

const unauthorized = () =>
  apiError(401, "unauthorized", "Send a valid API key as `Authorization: Bearer <key>`", {}, { "WWW-Authenticate": 'Bearer realm="LoyalNest"' });

const methodNotAllowed = () => apiError(405, "method_not_allowed", "Use POST", {}, { Allow: "POST" });

function bearerToken(request: Request): string {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("Authorization") ?? "");
  return match ? match[1] : "";
}

type BodyResult = { ok: true; body: unknown } | { ok: false; response: Response };

async function readJsonBody(request: Request): Promise<BodyResult> {
  const tooLarge = () => ({ ok: false as const, response: apiError(413, "payload_too_large", `The body must be at most ${MAX_BODY_BYTES} bytes`) });
  if (Number(request.headers.get("Content-Length") ?? 0) > MAX_BODY_BYTES) return tooLarge();
  const raw = await request.text();
  if (Buffer.byteLength(raw) > MAX_BODY_BYTES) return tooLarge();
  try {
    return { ok: true, body: parseExactJson(raw) };
  } catch {
    return { ok: false, response: apiError(400, "invalid_json", "The body is not valid JSON") };
  }
}

export async function loader() {
  return methodNotAllowed();
}

export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return methodNotAllowed();
  const key = await authenticateApiKey(bearerToken(request));
  if (!key) return unauthorized();
  const read = await readJsonBody(request);
  if (!read.ok) return read.response;
  const parsed = reviewRequestSchema.safeParse(read.body);
  if (!parsed.success) {
    return apiError(422, "invalid_fields", "Some fields are missing or invalid", { fields: reviewRequestIssues(parsed.error) });
  }
  const outcome = await creditReview(key.shop, parsed.data, `api_key:${key.prefix}`);
  if (!outcome.ok) {
    switch (outcome.code) {
      case "shop_not_installed":
        return unauthorized();
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
