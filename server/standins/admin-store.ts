// The stand-in's in-memory Shopify: one record per shop, everything else nested inside it, so a
// token can only ever reach its own shop's data (as on Shopify).

export interface StandinShopDetails {
  id: string;
  name: string;
  email: string;
  contactEmail: string;
  currencyCode: string;
  ianaTimezone: string;
  myshopifyDomain: string;
  primaryDomainUrl: string;
  planDisplayName: string;
  partnerDevelopment: boolean;
  shopifyPlus: boolean;
  createdAt: string;
}

export type EmailMarketingState = "INVALID" | "NOT_SUBSCRIBED" | "PENDING" | "REDACTED" | "SUBSCRIBED" | "UNSUBSCRIBED";

export interface StandinCustomer {
  id: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  tags: string[];
  emailMarketingState: EmailMarketingState | null;
  createdAt: string;
  updatedAt: string;
}

export interface StandinMetafield {
  id: string;
  ownerId: string;
  ownerType: "CUSTOMER" | "SHOP";
  namespace: string;
  key: string;
  type: string;
  value: string;
  compareDigest: string;
  createdAt: string;
  updatedAt: string;
}

export type StandinDiscountValue =
  | { kind: "amount"; amount: string; appliesOnEachItem: boolean }
  | { kind: "percentage"; percentage: number };

export type StandinEligibility =
  | { kind: "all" }
  | { kind: "customers"; customerIds: string[] }
  | { kind: "segments"; segmentIds: string[] };

export interface StandinCodeDiscount {
  id: string;
  redeemCodeId: string;
  code: string;
  title: string;
  startsAt: string;
  endsAt: string | null;
  usageLimit: number | null;
  appliesOncePerCustomer: boolean;
  eligibility: StandinEligibility;
  /** How eligibility was sent: the deprecated `customerSelection` or 2025-10's `context`. */
  eligibilityInput: "context" | "customerSelection";
  value: StandinDiscountValue;
  items: { all: true } | { all: false; productIds: string[]; collectionIds: string[] };
  combinesWith: { orderDiscounts: boolean; productDiscounts: boolean; shippingDiscounts: boolean };
  minimumRequirement: { subtotal: string } | { quantity: string } | null;
  createdAt: string;
  updatedAt: string;
}

export interface StandinCollection {
  id: string;
  title: string;
  handle: string;
}

export interface StandinProduct {
  id: string;
  title: string;
  handle: string;
  status: "ACTIVE" | "ARCHIVED" | "DRAFT";
  tags: string[];
  /** Collection gids the product is in (manual membership; the stand-in has no smart rules). */
  collectionIds: string[];
  createdAt: string;
  updatedAt: string;
}

export interface CostBucket {
  available: number;
  updatedAt: number;
}

export interface StandinShop {
  domain: string;
  accessToken: string;
  details: StandinShopDetails;
  customers: Map<string, StandinCustomer>;
  /** Keyed by `${ownerId}|${namespace}|${key}`. */
  metafields: Map<string, StandinMetafield>;
  discounts: Map<string, StandinCodeDiscount>;
  products: Map<string, StandinProduct>;
  collections: Map<string, StandinCollection>;
  bucket: CostBucket;
}

export interface StandinState {
  /** Resolves `$app` metafield namespaces to `app--<appId>`. */
  appId: string;
  throttle: { maximumAvailable: number; restoreRate: number };
  shops: Map<string, StandinShop>;
  tokens: Map<string, string>;
  nextId: bigint;
}

export function createState(options: { appId: string; throttle: { maximumAvailable: number; restoreRate: number } }): StandinState {
  // Shopify's numeric ids are 13+ digits on real shops; starting there catches code that treats them as small numbers.
  return { appId: options.appId, throttle: options.throttle, shops: new Map(), tokens: new Map(), nextId: 7_340_000_000_000n };
}

export function nextGid(state: StandinState, resource: string): string {
  state.nextId += 1n;
  return `gid://shopify/${resource}/${state.nextId}`;
}

export function metafieldKey(ownerId: string, namespace: string, key: string): string {
  return `${ownerId}|${namespace}|${key}`;
}

/** Refills the shop's bucket for the time elapsed; Shopify's leaky bucket, restored continuously. */
export function refillBucket(state: StandinState, shop: StandinShop, now: number): number {
  const { maximumAvailable, restoreRate } = state.throttle;
  const elapsed = Math.max(0, now - shop.bucket.updatedAt) / 1000;
  shop.bucket.available = Math.min(maximumAvailable, shop.bucket.available + elapsed * restoreRate);
  shop.bucket.updatedAt = now;
  return shop.bucket.available;
}
