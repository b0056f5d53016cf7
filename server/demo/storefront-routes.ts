import { config } from "../../app/config.server";
import { findMemberByCustomerId, listMembers } from "../../app/models/member.server";
import { getShop } from "../../app/models/shop.server";
import { readWidgetAsset, renderStorefrontPage, STOREFRONT_LOCALES, type DemoCustomer } from "./storefront-page";
import { signProxyUrl } from "./storefront-signing";

// /demo/storefront/*: a stand-in for the demo shop's Shopify storefront, in demo mode only (DEMO=1,
// which the config allows only on a loopback address and never in production).
//   /demo/storefront[/<locale>][/pages/rewards]   a product page / the loyalty page, with the widget
//   /demo/storefront/assets/<file>                 the extension's assets (Shopify's CDN)
//   /demo/storefront[/<locale>]/apps/loyalnest/*   Shopify's app proxy: signs and forwards to /proxy/*
//   /demo/storefront/account/login|register|logout choose which demo customer is "logged in"
// Shopify's proxy adds shop, logged_in_customer_id (from the storefront session: here a cookie),
// path_prefix, timestamp and signature; so does this one, with the app's secret.

export const BASE_PATH = "/demo/storefront";
const COOKIE = "loyalnest_demo_customer";
const PROXY_PREFIX = "apps/loyalnest";

function notFound() {
  return new Response("Not Found", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

function html(body: string, status = 200) {
  return new Response(body, { status, headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" } });
}

function cookieCustomer(request: Request): string | null {
  const match = new RegExp(`(?:^|;\\s*)${COOKIE}=(\\d{1,19})(?:;|$)`).exec(request.headers.get("Cookie") ?? "");
  return match ? match[1] : null;
}

async function customerOf(shop: string, id: string | null): Promise<DemoCustomer | null> {
  if (!id) return null;
  const member = await findMemberByCustomerId(shop, BigInt(id));
  return { id, firstName: member?.firstName ?? null, lastName: member?.lastName ?? null, email: member?.email ?? null, tags: member?.tags ?? [] };
}

/** Shopify's app proxy for the demo: the request as Shopify would forward it to the app. */
async function forwardToProxy(request: Request, shop: string, rest: string): Promise<Response> {
  const incoming = new URL(request.url);
  const env = config();
  const target = new URL(`/proxy/${rest}`, `http://127.0.0.1:${env.PORT}`);
  for (const [key, value] of incoming.searchParams) target.searchParams.append(key, value);
  const signed = signProxyUrl({ url: target, shop, customerId: cookieCustomer(request), secret: env.SHOPIFY_API_SECRET });
  const headers = new Headers({ "User-Agent": request.headers.get("User-Agent") ?? "Mozilla/5.0", "X-Forwarded-For": "127.0.0.1" });
  const contentType = request.headers.get("Content-Type");
  if (contentType) headers.set("Content-Type", contentType);
  const response = await fetch(signed, {
    method: request.method,
    headers,
    body: request.method === "GET" || request.method === "HEAD" ? undefined : await request.text(),
    redirect: "manual",
  });
  // Shopify passes the app's answer through (not its cookies).
  const passed = new Headers();
  for (const name of ["Content-Type", "Cache-Control", "Retry-After", "Vary", "Allow"]) {
    const value = response.headers.get(name);
    if (value) passed.set(name, value);
  }
  return new Response(await response.arrayBuffer(), { status: response.status, headers: passed });
}

async function accountPage(request: Request, shop: string, action: string): Promise<Response> {
  const url = new URL(request.url);
  if (action === "logout") {
    return new Response(null, { status: 303, headers: { Location: BASE_PATH, "Set-Cookie": `${COOKIE}=; Path=${BASE_PATH}; Max-Age=0; HttpOnly; SameSite=Lax` } });
  }
  const chosen = url.searchParams.get("customer");
  if (chosen !== null) {
    const back = url.searchParams.get("return_to") ?? BASE_PATH;
    const location = back.startsWith(`${BASE_PATH}`) ? back : BASE_PATH;
    const cookie = /^\d{1,19}$/.test(chosen) ? `${COOKIE}=${chosen}; Path=${BASE_PATH}; HttpOnly; SameSite=Lax` : `${COOKIE}=; Path=${BASE_PATH}; Max-Age=0; HttpOnly; SameSite=Lax`;
    return new Response(null, { status: 303, headers: { Location: location, "Set-Cookie": cookie } });
  }
  const { members } = await listMembers(shop, { balanceMin: 1 }, { take: 100 });
  const shown = members.filter((m) => m.state === "ACTIVE").sort((a, b) => b.pointsAvailable - a.pointsAvailable).slice(0, 8);
  const back = encodeURIComponent(request.headers.get("Referer")?.replace(/^https?:\/\/[^/]+/, "") ?? BASE_PATH);
  const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const items = shown
    .map((m) => {
      const name = [m.firstName, m.lastName].filter(Boolean).join(" ") || m.email || String(m.shopifyCustomerId);
      return `<li><a href="${BASE_PATH}/account/login?customer=${m.shopifyCustomerId}&amp;return_to=${back}">${escape(name)}</a> — ${m.pointsAvailable} points available</li>`;
    })
    .join("\n");
  return html(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Demo customers</title><link rel="icon" href="/favicon.svg" type="image/svg+xml">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:640px;margin:40px auto;padding:0 20px;color:#1a1a1a}a{color:#0b57d0}li{margin:6px 0}</style></head>
<body><main><h1>Log in as a demo customer</h1>
<p>The demo storefront has no real accounts: pick a member of the demo shop, or continue as a guest.</p>
<ul>${items}</ul>
<p><a href="${BASE_PATH}/account/login?customer=guest&amp;return_to=${back}">Continue as a guest</a></p></main></body></html>`);
}

/** Everything under /demo/storefront (`rest` is the path after it, without a leading slash). */
export async function handleStorefrontRequest(request: Request, rest: string): Promise<Response> {
  const env = config();
  if (!env.DEMO) return notFound();
  const shopRow = await getShop(env.DEMO_SHOP);
  if (!shopRow) return notFound();
  const segments = rest.split("/").filter(Boolean);

  if (segments[0] === "assets" && segments.length === 2) {
    const asset = await readWidgetAsset(segments[1]);
    if (!asset) return notFound();
    return new Response(asset.body, { headers: { "Content-Type": asset.contentType, "Cache-Control": "public, max-age=31536000, immutable" } });
  }
  if (segments[0] === "account" && segments.length === 2 && ["login", "register", "logout"].includes(segments[1])) {
    return accountPage(request, shopRow.domain, segments[1]);
  }

  const locale = STOREFRONT_LOCALES.includes(segments[0]) ? (segments.shift() as string) : "en";
  const path = segments.join("/");
  if (path === PROXY_PREFIX || path.startsWith(`${PROXY_PREFIX}/`)) return forwardToProxy(request, shopRow.domain, path.slice(PROXY_PREFIX.length + 1));
  if (request.method !== "GET") return notFound();
  if (path !== "" && path !== "pages/rewards") return notFound();
  const customer = await customerOf(shopRow.domain, cookieCustomer(request));
  return html(
    await renderStorefrontPage({
      basePath: BASE_PATH,
      shop: { domain: shopRow.domain, name: shopRow.name ?? shopRow.domain, currencyCode: shopRow.currencyCode },
      locale,
      customer,
      page: path === "" ? "product" : "rewards",
    }),
  );
}
