import { createHmac, timingSafeEqual } from "node:crypto";
import { json } from "@remix-run/node";
import { config } from "~/config.server";
import { rateLimiter, type RateLimitRule, type RateLimitSubject } from "./rate-limit.server";

// The storefront door: Shopify forwards /apps/loyalnest/* to /proxy/* and signs the query
// (shop, logged_in_customer_id, path_prefix, timestamp, signature). The signature is the ONLY
// source of identity: a customer id from anywhere else (body, cookie, header) is never read.
// Every refusal is `{error: {code, message}}` and happens before anything is read or written.

/** Shopify signs each forwarded request; an older signature may be a captured URL replayed. */
export const PROXY_SIGNATURE_MAX_AGE_SECONDS = 90;

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;
// Shopify customer ids are positive 64-bit integers.
const CUSTOMER_ID = /^[1-9]\d{0,18}$/;
const LOCALE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$/;

export const NO_STORE = "private, no-store";

export interface ProxyIdentity {
  shop: string;
  /** From the signed `logged_in_customer_id`; null for a guest. */
  customerId: bigint | null;
  /** The shopper's address as Shopify's proxy reports it (first X-Forwarded-For entry). */
  clientIp: string | null;
  /** The storefront language the widget asked for (`locale`), when well-formed. */
  locale: string | null;
}

export type ProxyAuthResult = { ok: true; identity: ProxyIdentity } | { ok: false; response: Response };

export function proxyError(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return json({ error: { code, message } }, { status, headers: { "Cache-Control": NO_STORE, ...headers } });
}

const unauthorized = (message: string) => ({ ok: false as const, response: proxyError(401, "unauthorized", message) });

function clientIpOf(request: Request): string | null {
  const first = request.headers.get("X-Forwarded-For")?.split(",")[0]?.trim();
  return first && first.length <= 64 ? first : null;
}

// Shopify's app-proxy signature (https://shopify.dev/docs/apps/build/online-store/app-proxies/authenticate-app-proxies):
// hex HMAC-SHA256, with the app secret, of every query parameter but `signature` as `key=value`
// (repeated keys joined by commas), sorted by key and concatenated. Checked here exactly as
// @shopify/shopify-app-remix's authenticate.public.appProxy checks it (tests/routes/proxy.test.ts
// compares the two), without the offline-session read that call makes on every request and that
// the storefront never uses.
const SINGLE_VALUE_PARAMS = new Set(["hmac", "shop", "signature", "timestamp"]);

function validProxySignature(params: URLSearchParams, secret: string): boolean {
  const values = new Map<string, string>();
  // As the library does: `index` (Remix's index-route marker) is left out when its first value is empty.
  const dropIndex = !params.get("index");
  for (const [key, value] of params) {
    if (key === "index" && dropIndex) continue;
    const previous = values.get(key);
    if (previous === undefined) values.set(key, value);
    else if (SINGLE_VALUE_PARAMS.has(key)) return false;
    else values.set(key, `${previous},${value}`);
  }
  const signature = values.get("signature");
  if (!signature || !/^[0-9a-f]{64}$/i.test(signature)) return false;
  values.delete("signature");
  values.delete("hmac");
  const message = [...values].sort(([a], [b]) => a.localeCompare(b)).map(([key, value]) => `${key}=${value}`).join("");
  const expected = createHmac("sha256", secret).update(message).digest();
  return timingSafeEqual(Buffer.from(signature.toLowerCase(), "hex"), expected);
}

/**
 * Verifies Shopify's app-proxy signature and its age, and reads who is asking. A forged,
 * tampered or stale request gets 401 with nothing read.
 */
export function authenticateProxyRequest(request: Request, nowMs: number = Date.now()): ProxyAuthResult {
  const params = new URL(request.url).searchParams;
  const timestamp = params.get("timestamp") ?? "";
  const age = Math.trunc(nowMs / 1000) - Number(timestamp);
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(age) > PROXY_SIGNATURE_MAX_AGE_SECONDS || !validProxySignature(params, config().SHOPIFY_API_SECRET)) {
    return unauthorized("The request is not signed by Shopify, or its signature has expired");
  }
  const shop = params.get("shop") ?? "";
  const customer = params.get("logged_in_customer_id") ?? "";
  if (!SHOP_DOMAIN.test(shop) || (customer !== "" && !CUSTOMER_ID.test(customer))) {
    return unauthorized("The request is not signed by Shopify, or its signature has expired");
  }
  const locale = params.get("locale");
  return {
    ok: true,
    identity: {
      shop,
      customerId: customer === "" ? null : BigInt(customer),
      clientIp: clientIpOf(request),
      locale: locale && LOCALE.test(locale) ? locale : null,
    },
  };
}

/** Reads: generous, a shopper opening the panel makes two requests. */
export const PROXY_READ_LIMITS = {
  perCustomer: { name: "proxy-read-customer", limit: 120, windowMs: 60_000 },
  perIp: { name: "proxy-read-ip", limit: 300, windowMs: 60_000 },
} satisfies Record<string, RateLimitRule>;

/** Redeeming creates a code in Shopify: a few a minute is plenty for a person. */
export const PROXY_REDEEM_LIMITS = {
  perCustomer: { name: "proxy-redeem-customer", limit: 10, windowMs: 60_000 },
  perIp: { name: "proxy-redeem-ip", limit: 30, windowMs: 60_000 },
} satisfies Record<string, RateLimitRule>;

/** Counts the request per customer and per IP; a 429 response with Retry-After when over. */
export async function limitProxyRequest(
  identity: ProxyIdentity,
  limits: { perCustomer: RateLimitRule; perIp: RateLimitRule },
): Promise<Response | null> {
  const subjects: RateLimitSubject[] = [];
  if (identity.customerId !== null) subjects.push({ rule: limits.perCustomer, id: `${identity.shop}:${identity.customerId}` });
  if (identity.clientIp !== null) subjects.push({ rule: limits.perIp, id: `${identity.shop}:${identity.clientIp}` });
  const decision = await rateLimiter().hit(subjects);
  if (decision.allowed) return null;
  return proxyError(429, "rate_limited", "Too many requests; try again shortly", { "Retry-After": String(decision.retryAfterSeconds) });
}
