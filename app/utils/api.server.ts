import { json } from "@remix-run/node";
import { parseExactJson } from "./json.server";

// The JSON API conventions every public door shares: `{error: {code, message}}` bodies, no caching,
// bounded bodies parsed exactly (18-digit ids survive).

export const NO_STORE = { "Cache-Control": "no-store" } as const;

export function apiError(
  status: number,
  code: string,
  message: string,
  extra: { fields?: Record<string, string> } = {},
  headers: Record<string, string> = {},
) {
  return json({ error: { code, message, ...extra } }, { status, headers: { ...NO_STORE, ...headers } });
}

export type BodyResult = { ok: true; body: unknown } | { ok: false; response: Response };

export async function readJsonBody(request: Request, maxBytes: number): Promise<BodyResult> {
  const tooLarge = () => ({ ok: false as const, response: apiError(413, "payload_too_large", `The body must be at most ${maxBytes} bytes`) });
  if (Number(request.headers.get("Content-Length") ?? 0) > maxBytes) return tooLarge();
  const raw = await request.text();
  if (Buffer.byteLength(raw) > maxBytes) return tooLarge();
  try {
    return { ok: true, body: parseExactJson(raw) };
  } catch {
    return { ok: false, response: apiError(400, "invalid_json", "The body is not valid JSON") };
  }
}

/** zod issues as `{field: message}` for a 422 answer. */
export function fieldIssues(error: { issues: { path: PropertyKey[]; message: string }[] }): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) fields[issue.path.map(String).join(".") || "body"] ??= issue.message;
  return fields;
}

export function bearerToken(request: Request): string {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("Authorization") ?? "");
  return match ? match[1] : "";
}

/** An API key door's 401: missing, unknown or revoked key, or an uninstalled shop. */
export const apiKeyUnauthorized = () =>
  apiError(401, "unauthorized", "Send a valid API key as `Authorization: Bearer <key>`", {}, { "WWW-Authenticate": 'Bearer realm="LoyalNest"' });

export const methodNotAllowed = (allow = "POST") => apiError(405, "method_not_allowed", `Use ${allow}`, {}, { Allow: allow });
