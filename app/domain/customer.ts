import { createHash } from "node:crypto";
import { parseTagList } from "./order";
import { exactShopifyId } from "./payload";

// A Shopify customer as the customers/* webhooks and an order's `customer` describe one: parsed
// once, here, into the facts a member is enrolled or refreshed with.

/** What Shopify tells us about a customer (customers/* webhooks, or an order's customer). */
export interface CustomerFacts {
  customerId: bigint;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  tags?: string[];
  /** Calendar date (UTC midnight), from Shopify's standard `facts.birth_date` customer metafield. */
  birthday?: Date | null;
  /** true = subscribed to email marketing; undefined = not stated by this source. */
  emailMarketingConsent?: boolean;
}

/**
 * A guest order is remembered by a hash of the shop and the normalised email, never the email
 * itself: enough to recognise the customer who signs up later, useless to anyone reading the table.
 */
export function guestEmailHash(shop: string, email: string): string {
  return createHash("sha256").update(`${shop}\n${email.trim().toLowerCase()}`).digest("hex");
}

type CustomerJson = {
  id?: unknown;
  admin_graphql_api_id?: unknown;
  email?: unknown;
  first_name?: unknown;
  last_name?: unknown;
  tags?: unknown;
  email_marketing_consent?: { state?: unknown } | null;
  accepts_marketing?: unknown;
  metafields?: { namespace?: unknown; key?: unknown; value?: unknown }[] | null;
};

/** Shopify's standard customer birthday definition is the `facts.birth_date` metafield (a date). */
function birthdayFromMetafields(metafields: CustomerJson["metafields"]): Date | null | undefined {
  if (!Array.isArray(metafields)) return undefined;
  const field = metafields.find((m) => m?.namespace === "facts" && m?.key === "birth_date");
  if (!field) return undefined;
  if (typeof field.value !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(field.value)) return null;
  const date = new Date(`${field.value}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== field.value ? null : date;
}

const text = (v: unknown) => (typeof v === "string" ? v : v === null ? null : undefined);

/** The facts a customers/* payload or an order's `customer` states; null without a usable id. */
export function customerFactsFromPayload(json: unknown): CustomerFacts | null {
  if (!json || typeof json !== "object") return null;
  const c = json as CustomerJson;
  const id = exactShopifyId(c.id, c.admin_graphql_api_id, "Customer");
  if ("error" in id) return null;
  const facts: CustomerFacts = { customerId: BigInt(id.id) };
  const email = text(c.email);
  if (email !== undefined) facts.email = email;
  const first = text(c.first_name);
  if (first !== undefined) facts.firstName = first;
  const last = text(c.last_name);
  if (last !== undefined) facts.lastName = last;
  if (typeof c.tags === "string" || Array.isArray(c.tags)) facts.tags = parseTagList(c.tags as string | string[]);
  const birthday = birthdayFromMetafields(c.metafields);
  if (birthday !== undefined) facts.birthday = birthday;
  const state = c.email_marketing_consent?.state;
  if (typeof state === "string") facts.emailMarketingConsent = state.toLowerCase() === "subscribed";
  else if (typeof c.accepts_marketing === "boolean") facts.emailMarketingConsent = c.accepts_marketing;
  return facts;
}

/** Shopify's consent state string, for the newsletter rule (null when the payload does not say). */
export function marketingStateFromPayload(json: unknown): string | null {
  if (!json || typeof json !== "object") return null;
  const c = json as CustomerJson;
  const state = c.email_marketing_consent?.state;
  if (typeof state === "string") return state.toLowerCase();
  if (typeof c.accepts_marketing === "boolean") return c.accepts_marketing ? "subscribed" : "not_subscribed";
  return null;
}
