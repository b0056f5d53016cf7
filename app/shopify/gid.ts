// Shopify global ids. Numeric ids stay strings end to end: they exceed 2^53 on large shops.

const GID = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)(?:\?.*)?$/;

export type ShopifyResource = "Customer" | "Order" | "DiscountCodeNode" | "Shop" | "Metafield" | "Product" | "ProductVariant";

/** `toGid("Customer", "7421")` → `gid://shopify/Customer/7421`; a gid of that type passes through. */
export function toGid(resource: ShopifyResource, id: string | number | bigint): string {
  const text = String(id);
  if (text.startsWith("gid://")) {
    const parsed = parseGid(text);
    if (parsed.resource !== resource) throw new TypeError(`Expected a ${resource} id, got ${text}`);
    return text;
  }
  if (typeof id === "number" && !Number.isSafeInteger(id)) {
    throw new TypeError(`Shopify id ${text} lost precision; pass it as a string`);
  }
  if (!/^\d+$/.test(text)) throw new TypeError(`Not a Shopify id: ${text}`);
  return `gid://shopify/${resource}/${text}`;
}

export function parseGid(gid: string): { resource: string; id: string } {
  const match = GID.exec(gid);
  if (!match) throw new TypeError(`Not a Shopify global id: ${gid}`);
  return { resource: match[1], id: match[2] };
}
