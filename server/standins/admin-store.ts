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
  ownerType: "CUSTOMER" | "SHOP" | "DISCOUNT";
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
  /** Orders that used the code; tests set it with recordDiscountUsage. */
  asyncUsageCount: number;
  createdAt: string;
  updatedAt: string;
}

export type StandinDiscountClass = "ORDER" | "PRODUCT" | "SHIPPING";

/** A code discount provided by one of the app's Functions (discountCodeAppCreate). */
export interface StandinAppDiscount {
  id: string;
  redeemCodeId: string;
  code: string;
  title: string;
  startsAt: string;
  endsAt: string | null;
  usageLimit: number | null;
  appliesOncePerCustomer: boolean;
  eligibility: StandinEligibility;
  eligibilityInput: "context" | "customerSelection";
  function: StandinFunction;
  discountClasses: StandinDiscountClass[];
  combinesWith: { orderDiscounts: boolean; productDiscounts: boolean; shippingDiscounts: boolean };
  /** Keys into the shop's metafields (owner = this discount), e.g. the Function's configuration. */
  metafieldKeys: string[];
  asyncUsageCount: number;
  createdAt: string;
  updatedAt: string;
}

/** A Function the app has deployed; app discounts name it by handle (2025-10) or id. */
export interface StandinFunction {
  id: string;
  handle: string;
  apiType: string;
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
  /** Every code discount, basic and app-provided: they share one code space, as on Shopify. */
  discounts: Map<string, StandinCodeDiscount | StandinAppDiscount>;
  products: Map<string, StandinProduct>;
  collections: Map<string, StandinCollection>;
  bucket: CostBucket;
}

export interface StandinState {
  /** Resolves `$app` metafield namespaces to `app--<appId>`. */
  appId: string;
  throttle: { maximumAvailable: number; restoreRate: number };
  /** The app's Functions, keyed by handle. */
  functions: Map<string, StandinFunction>;
  shops: Map<string, StandinShop>;
  tokens: Map<string, string>;
  nextId: bigint;
}

export function createState(options: {
  appId: string;
  throttle: { maximumAvailable: number; restoreRate: number };
  functions?: StandinFunction[];
}): StandinState {
  return {
    appId: options.appId,
    throttle: options.throttle,
    functions: new Map((options.functions ?? []).map((f) => [f.handle, f])),
    shops: new Map(),
    tokens: new Map(),
    // Shopify's numeric ids are 13+ digits on real shops; starting there catches code that treats them as small numbers.
    nextId: 7_340_000_000_000n,
  };
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
