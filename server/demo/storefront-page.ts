import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { LiquidRenderer, type Scope } from "./storefront-liquid";

// The demo storefront: a plain page standing in for a Shopify theme, with the widget's REAL block
// files rendered into it (server/demo/storefront-liquid.ts) against the demo shop, and the block
// schemas' scripts and stylesheet loaded the way Shopify injects them. Theme chrome is minimal and
// not the widget's: the widget is what this page exists to show.

export const WIDGET_DIR = path.resolve(process.cwd(), "extensions", "loyalty-widget");

/** The 22 storefront languages the widget is translated into. */
export const STOREFRONT_LOCALES = ["en", "es", "de", "ja", "fr", "pt-BR", "ru", "it", "nl", "pl", "tr", "fa", "zh-CN", "vi", "id", "cs", "ar", "ko", "uk", "hu", "sv", "he"];
const RTL = new Set(["ar", "he", "fa"]);

export interface DemoCustomer {
  id: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  tags: string[];
}

export interface StorefrontPageInput {
  /** e.g. /demo/storefront */
  basePath: string;
  shop: { domain: string; name: string; currencyCode: string };
  locale: string;
  customer: DemoCustomer | null;
  page: "product" | "rewards";
}

/** A product as Liquid's `product` object gives it; prices in hundredths, as Liquid's are. */
export const DEMO_PRODUCT = {
  id: 7_340_000_000_501,
  title: "Merino Crew Sweater",
  handle: "merino-crew-sweater",
  tags: ["Wool", "Autumn"],
  collections: [{ id: 7_340_000_000_601, title: "Knitwear" }],
  "gift_card?": false,
  variants: [
    { id: 7_340_000_000_701, title: "S", price: 8900 },
    { id: 7_340_000_000_702, title: "M", price: 8900 },
    { id: 7_340_000_000_703, title: "XL", price: 9450 },
  ],
};

interface BlockFile {
  source: string;
  schema: { target: string; javascript?: string; stylesheet?: string; settings?: { id?: string; type: string; default?: unknown }[] };
}

async function blockFile(name: string): Promise<BlockFile> {
  const source = await readFile(path.join(WIDGET_DIR, "blocks", `${name}.liquid`), "utf8");
  const json = /\{%-?\s*schema\s*-?%\}([\s\S]*?)\{%-?\s*endschema\s*-?%\}/.exec(source)?.[1];
  if (!json) throw new Error(`blocks/${name}.liquid has no schema`);
  return { source, schema: JSON.parse(json) as BlockFile["schema"] };
}

/** Settings as a merchant who kept every default would have them. */
function defaultSettings(schema: BlockFile["schema"]): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const setting of schema.settings ?? []) {
    if (!setting.id) continue;
    settings[setting.id] = setting.default ?? (setting.type === "checkbox" ? false : "");
  }
  return settings;
}

function translations(locale: string): (key: string) => string {
  const load = (file: string) => JSON.parse(readFileSync(path.join(WIDGET_DIR, "locales", file), "utf8")) as Record<string, unknown>;
  const primary = locale === "en" ? load("en.default.json") : load(`${locale}.json`);
  const fallback = load("en.default.json");
  const lookup = (tree: Record<string, unknown>, key: string) =>
    key.split(".").reduce<unknown>((node, part) => (node && typeof node === "object" ? (node as Record<string, unknown>)[part] : undefined), tree);
  return (key) => {
    const value = lookup(primary, key) ?? lookup(fallback, key);
    // What Shopify prints for a missing key: visible, so a test or a look at the page catches it.
    return typeof value === "string" ? value : `translation missing: ${locale}.${key}`;
  };
}

const assetVersions = new Map<string, string>();
function assetVersion(name: string): string {
  let version = assetVersions.get(name);
  if (!version) {
    version = createHash("sha256").update(readFileSync(path.join(WIDGET_DIR, "assets", name))).digest("hex").slice(0, 10);
    assetVersions.set(name, version);
  }
  return version;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function money(locale: string, currency: string, hundredths: number) {
  return new Intl.NumberFormat(locale, { style: "currency", currency }).format(hundredths / 100);
}

export async function renderStorefrontPage(input: StorefrontPageInput): Promise<string> {
  const { basePath, shop, locale, customer, page } = input;
  const root = locale === "en" ? basePath : `${basePath}/${locale}`;
  const globals: Scope = {
    shop: { name: shop.name, currency: shop.currencyCode, permanent_domain: shop.domain },
    request: { locale: { iso_code: locale }, page_type: page === "product" ? "product" : "page" },
    routes: {
      root_url: root,
      account_login_url: `${basePath}/account/login`,
      account_register_url: `${basePath}/account/register`,
    },
    cart: { currency: { iso_code: shop.currencyCode } },
    customer: customer ? { id: Number(customer.id), first_name: customer.firstName, last_name: customer.lastName, email: customer.email, tags: customer.tags } : null,
    product: page === "product" ? { ...DEMO_PRODUCT, selected_or_first_available_variant: DEMO_PRODUCT.variants[0] } : null,
  };
  const renderer = new LiquidRenderer(
    {
      snippet: (name) => readFileSync(path.join(WIDGET_DIR, "snippets", `${name}.liquid`), "utf8"),
      translate: translations(locale),
      assetUrl: (name) => `${basePath}/assets/${encodeURIComponent(name)}?v=${assetVersion(name)}`,
    },
    globals,
  );
  const blocks = page === "product" ? ["product-points", "loyalty-embed"] : ["loyalty-page", "loyalty-embed"];
  const rendered: Record<string, string> = {};
  const scripts = new Set<string>();
  const styles = new Set<string>();
  for (const name of blocks) {
    const file = await blockFile(name);
    rendered[name] = await renderer.render(file.source, { block: { id: name, settings: defaultSettings(file.schema), shopify_attributes: "" } });
    if (file.schema.javascript) scripts.add(file.schema.javascript);
    if (file.schema.stylesheet) styles.add(file.schema.stylesheet);
  }

  const dir = RTL.has(locale) ? "rtl" : "ltr";
  const languageLinks = STOREFRONT_LOCALES.map((code) => {
    const href = `${code === "en" ? basePath : `${basePath}/${code}`}${page === "rewards" ? "/pages/rewards" : ""}`;
    const name = new Intl.DisplayNames([code], { type: "language" }).of(code) ?? code;
    return `<a href="${href}" hreflang="${code}" lang="${code}"${code === locale ? ' aria-current="page"' : ""}>${escapeHtml(name)}</a>`;
  }).join(" ");
  const who = customer ? escapeHtml([customer.firstName, customer.lastName].filter(Boolean).join(" ") || customer.email || customer.id) : "guest";
  const main =
    page === "product"
      ? `<div class="demo-product">
      <div class="demo-product__media" aria-hidden="true"><svg viewBox="0 0 200 200"><rect width="200" height="200" rx="16" fill="#e9e4dc"/><path d="M60 60l25-15h30l25 15 20 35-20 10-10-15v75H70V90l-10 15-20-10z" fill="#9a8f80"/></svg></div>
      <div class="demo-product__info">
        <h1>${escapeHtml(DEMO_PRODUCT.title)}</h1>
        <p class="demo-price">${escapeHtml(money(locale, shop.currencyCode, DEMO_PRODUCT.variants[0].price))}</p>
        ${rendered["product-points"]}
        <form action="/cart/add" method="post" class="demo-form" onsubmit="return false">
          <label for="demo-variant">Size</label>
          <select id="demo-variant" name="id">${DEMO_PRODUCT.variants.map((v) => `<option value="${v.id}">${escapeHtml(v.title)} — ${escapeHtml(money(locale, shop.currencyCode, v.price))}</option>`).join("")}</select>
          <button type="submit" disabled>Add to cart</button>
        </form>
      </div>
    </div>`
      : // A theme's page template gives the page its <h1> (the merchant's page title); the block is a section under it.
        `<h1 class="demo-page-title">Rewards</h1>\n${rendered["loyalty-page"]}`;

  return `<!doctype html>
<html lang="${locale}" dir="${dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(shop.name)}</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
${[...styles].map((s) => `<link rel="stylesheet" href="${basePath}/assets/${s}?v=${assetVersion(s)}">`).join("\n")}
<style>
  body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans Arabic", "Noto Sans Hebrew", "Noto Sans JP", sans-serif; color: #1a1a1a; background: #fff; }
  .demo-bar { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; padding: 8px 16px; background: #1a1a1a; color: #fff; font-size: 13px; }
  .demo-bar a { color: #fff; }
  .demo-bar nav { display: flex; flex-wrap: wrap; gap: 4px 10px; }
  .demo-bar [aria-current] { font-weight: 700; text-decoration: none; }
  .demo-header { display: flex; justify-content: space-between; align-items: center; padding: 20px 32px; border-bottom: 1px solid #ddd; }
  .demo-header a { color: inherit; }
  .demo-header .demo-logo { font-size: 22px; font-weight: 700; text-decoration: none; }
  .demo-product { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 40px; max-width: 1100px; margin: 40px auto; padding: 0 32px; }
  .demo-product__media svg { width: 100%; height: auto; display: block; }
  .demo-product h1 { margin: 0 0 8px; font-size: 32px; }
  .demo-page-title { max-width: 960px; margin: 32px auto 0; padding: 0 20px; font-size: 16px; font-weight: 600; text-transform: uppercase; letter-spacing: 0.06em; color: #595959; }
  .demo-price { font-size: 20px; margin: 0 0 8px; }
  .demo-form { display: grid; gap: 8px; max-width: 320px; margin-top: 16px; }
  .demo-form select, .demo-form button { font: inherit; padding: 10px 12px; border: 1px solid #767676; border-radius: 6px; background: #fff; color: #1a1a1a; }
  .demo-form button { background: #1a1a1a; color: #fff; }
  @media (max-width: 749px) { .demo-product { grid-template-columns: 1fr; } }
</style>
<script>window.Shopify = ${JSON.stringify({ shop: shop.domain, locale, currency: { active: shop.currencyCode, rate: "1.0" } })};</script>
</head>
<body>
<aside class="demo-bar" aria-label="Demo storefront" lang="en" dir="ltr">
  <strong>LoyalNest demo storefront</strong>
  <span>Signed in as ${who} · <a href="${basePath}/account/login">switch customer</a>${customer ? ` · <a href="${basePath}/account/logout">log out</a>` : ""}</span>
  <nav aria-label="Languages">${languageLinks}</nav>
</aside>
<header class="demo-header">
  <a class="demo-logo" href="${root}">${escapeHtml(shop.name)}</a>
  <nav aria-label="Store"><a href="${root}${page === "product" ? "/pages/rewards" : ""}">${page === "product" ? "Rewards" : escapeHtml(DEMO_PRODUCT.title)}</a></nav>
</header>
<main>
${main}
</main>
${rendered["loyalty-embed"]}
${[...scripts].map((s) => `<script src="${basePath}/assets/${s}?v=${assetVersion(s)}" defer></script>`).join("\n")}
</body>
</html>`;
}

const CONTENT_TYPES: Record<string, string> = { ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8" };

/** An extension asset by file name (only files that exist in assets/, nothing else on disk). */
export async function readWidgetAsset(name: string): Promise<{ body: string; contentType: string } | null> {
  if (!/^[a-z0-9-]+\.(js|css)$/.test(name)) return null;
  try {
    const body = await readFile(path.join(WIDGET_DIR, "assets", name), "utf8");
    return { body, contentType: CONTENT_TYPES[path.extname(name)] };
  } catch {
    return null;
  }
}
