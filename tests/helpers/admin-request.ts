import { randomBytes } from "node:crypto";
import { Session } from "@shopify/shopify-api";
import { getJwt } from "@shopify/shopify-api/test-helpers";
import { PrismaSessionStorage } from "~/models/session-storage.server";
import { prisma } from "./db";
import { testEnv } from "./env";

// Requests to the embedded admin's loaders and actions as App Bridge sends them: a session token
// (a JWT signed with the app's secret, naming the shop and the staff user) in the Authorization
// header, for a shop whose offline session is stored. `authenticate.admin` then runs for real —
// signature, audience, expiry, session lookup — with no network.

export const BROWSER_USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const APP_URL = "https://loyalnest.test";

/** Stores the shop's offline session, as OAuth would have. */
export async function installOfflineSession(shop: string): Promise<void> {
  await new PrismaSessionStorage(prisma).storeSession(
    new Session({
      id: `offline_${shop}`,
      shop,
      state: "",
      isOnline: false,
      scope: testEnv.SCOPES,
      accessToken: `shpat_${randomBytes(16).toString("hex")}`,
    }),
  );
}

/** A session token for `shop`'s admin, for the staff user `userId` (the token's `sub`). */
export async function sessionToken(shop: string, options: { userId?: string; secret?: string } = {}): Promise<string> {
  const store = shop.replace(/\.myshopify\.com$/, "");
  const { token } = await getJwt(store, testEnv.SHOPIFY_API_KEY, options.secret ?? testEnv.SHOPIFY_API_SECRET, { sub: options.userId ?? "84001" });
  return token;
}

export interface AdminCall {
  path: string;
  token?: string | null;
  method?: "GET" | "POST";
  json?: unknown;
  form?: Record<string, string>;
}

/** A fetch-style request of the admin (Remix data requests carry the token the same way). */
export function adminRequest({ path, token, method = "GET", json, form }: AdminCall): Request {
  const headers = new Headers({ "User-Agent": BROWSER_USER_AGENT, Accept: "application/json" });
  if (token) headers.set("Authorization", `Bearer ${token}`);
  let body: BodyInit | undefined;
  if (json !== undefined) {
    headers.set("Content-Type", "application/json");
    body = JSON.stringify(json);
  } else if (form) {
    body = new URLSearchParams(form);
  }
  return new Request(new URL(path, APP_URL), { method, headers, body });
}

type Handler = (args: { request: Request; params: Record<string, string>; context: Record<string, unknown> }) => Promise<Response> | Response;

/** Runs a loader or action; a thrown Response (authentication, 404) is returned like any other. */
export async function callRoute(handler: Handler, request: Request, params: Record<string, string> = {}): Promise<Response> {
  try {
    return await handler({ request, params, context: {} });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

/** The JSON body of a route answer (Remix's json() Response). */
export async function bodyOf<T = Record<string, unknown>>(response: Response): Promise<T> {
  return (await response.json()) as T;
}
