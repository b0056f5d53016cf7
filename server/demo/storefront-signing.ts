import { createHmac } from "node:crypto";

// Signs an app-proxy request the way Shopify's proxy does before forwarding it to the app: the
// query gets shop, logged_in_customer_id, path_prefix and timestamp, then `signature`, the
// hex HMAC-SHA256 (app secret) of every parameter as `key=value` sorted by key and concatenated
// with nothing between (a repeated key's values joined with commas). Used by the demo storefront,
// the route tests and the proxy benchmark.

export interface ProxySignatureInput {
  /** The app's URL for the proxied path, e.g. http://127.0.0.1:3000/proxy/member?locale=en. */
  url: string | URL;
  shop: string;
  /** Shopify customer id of the logged-in shopper; null or undefined for a guest. */
  customerId?: bigint | string | null;
  secret: string;
  pathPrefix?: string;
  /** Seconds since the epoch; defaults to now. */
  timestamp?: number;
}

export function proxySignature(params: URLSearchParams, secret: string): string {
  const grouped = new Map<string, string[]>();
  for (const [key, value] of params) {
    if (key === "signature") continue;
    grouped.set(key, [...(grouped.get(key) ?? []), value]);
  }
  const message = [...grouped.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, values]) => `${key}=${values.join(",")}`)
    .join("");
  return createHmac("sha256", secret).update(message).digest("hex");
}

/** The URL Shopify would forward, signed. */
export function signProxyUrl(input: ProxySignatureInput): URL {
  const url = new URL(input.url);
  url.searchParams.set("shop", input.shop);
  url.searchParams.set("logged_in_customer_id", input.customerId == null ? "" : String(input.customerId));
  url.searchParams.set("path_prefix", input.pathPrefix ?? "/apps/loyalnest");
  url.searchParams.set("timestamp", String(input.timestamp ?? Math.trunc(Date.now() / 1000)));
  url.searchParams.delete("signature");
  url.searchParams.set("signature", proxySignature(url.searchParams, input.secret));
  return url;
}
