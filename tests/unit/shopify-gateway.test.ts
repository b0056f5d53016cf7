import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resetConfigForTests } from "~/config.server";
import { ADMIN_API_VERSION } from "~/shopify/api-version";
import {
  AdminApiAuthError,
  AdminApiGraphQLError,
  AdminApiHttpError,
  AdminApiNetworkError,
  AdminApiThrottledError,
  AdminApiUserError,
  isRetryableAdminError,
} from "~/shopify/errors";
import { adminGatewayForSession, createAdminGateway, type AdminGatewayOptions } from "~/shopify/gateway.server";
import { defineAdminOperation } from "~/shopify/operation";
import { fetchCustomerById, CustomerByIdQuery } from "~/shopify/operations/customer-by-id.server";
import { CustomerLoyaltyMetafieldsSetMutation, setCustomerLoyaltyMetafields } from "~/shopify/operations/customer-metafields-set.server";
import { createRedemptionDiscountCode } from "~/shopify/operations/discount-code-create.server";
import { deleteDiscountCode } from "~/shopify/operations/discount-code-delete.server";
import { fetchShopDetails } from "~/shopify/operations/shop-details.server";
import { CostBuckets } from "~/shopify/throttle.server";
import { type AdminStandin, startAdminStandin } from "../../server/standins/shopify-admin";

// The gateway against the real stand-in over HTTP. Time is fake and shared: the gateway's sleep
// advances the stand-in's clock, so a computed wait is proven sufficient by the next request.

let clock = Date.parse("2026-03-01T12:00:00Z");
let standin: AdminStandin;
let sleeps: number[];

beforeAll(async () => {
  standin = await startAdminStandin({ now: () => clock, throttle: { maximumAvailable: 1000, restoreRate: 50 } });
});
afterAll(() => standin.close());
beforeEach(() => {
  sleeps = [];
});

function newShop(details: Parameters<AdminStandin["addShop"]>[2] = {}) {
  const domain = `gw-${randomBytes(4).toString("hex")}.myshopify.com`;
  const accessToken = `shpat_${randomBytes(8).toString("hex")}`;
  standin.addShop(domain, accessToken, details);
  return { domain, accessToken };
}

function gatewayFor(shop: { domain: string; accessToken: string }, options: Partial<AdminGatewayOptions> = {}) {
  return createAdminGateway({
    shop: shop.domain,
    accessToken: shop.accessToken,
    origin: standin.url,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    now: () => clock,
    random: () => 0.5,
    costBuckets: new CostBuckets(),
    ...options,
  });
}

function shopState(domain: string) {
  const shop = standin.state.shops.get(domain);
  if (!shop) throw new Error(`${domain} is not in the stand-in`);
  return shop;
}

const callsFor = (domain: string) => standin.calls.filter((c) => c.shop === domain);

describe("Admin gateway: success path", () => {
  it("sends the named operation with the access token to the configured API version and returns typed data", async () => {
    const shop = newShop({ name: "Maple & Co", currencyCode: "CAD", ianaTimezone: "America/Toronto" });
    const details = await fetchShopDetails(gatewayFor(shop));

    expect(details).toMatchObject({
      name: "Maple & Co",
      currencyCode: "CAD",
      ianaTimezone: "America/Toronto",
      myshopifyDomain: shop.domain,
      primaryDomain: { url: `https://${shop.domain}` },
      plan: { partnerDevelopment: true },
    });
    expect(details.id).toMatch(/^gid:\/\/shopify\/Shop\/\d+$/);
    const [call] = callsFor(shop.domain);
    expect(call).toMatchObject({ operationName: "ShopDetails", apiVersion: ADMIN_API_VERSION, status: 200 });
    expect(sleeps).toEqual([]);
  });

  it("reads a customer by numeric or global id and returns null for one Shopify does not have", async () => {
    const shop = newShop();
    const customer = standin.addCustomer(shop.domain, { email: "ada@example.com", firstName: "Ada", tags: ["vip"], emailMarketingState: "SUBSCRIBED" });
    const gateway = gatewayFor(shop);

    const byGid = await fetchCustomerById(gateway, customer.id);
    expect(byGid).toEqual({
      id: customer.id,
      email: "ada@example.com",
      firstName: "Ada",
      lastName: null,
      tags: ["vip"],
      emailMarketingConsent: { marketingState: "SUBSCRIBED" },
      createdAt: customer.createdAt,
    });
    const numericId = customer.id.slice(customer.id.lastIndexOf("/") + 1);
    expect((await fetchCustomerById(gateway, numericId))?.id).toBe(customer.id);
    expect(await fetchCustomerById(gateway, "999")).toBeNull();
  });

  it("writes the balance and tier metafields in the app namespace with integer and text types", async () => {
    const shop = newShop();
    const customer = standin.addCustomer(shop.domain);
    const gateway = gatewayFor(shop);

    const written = await setCustomerLoyaltyMetafields(gateway, { customerId: customer.id, balance: 1250, tier: "Gold" });
    expect(written.map((m) => [m.key, m.type, m.value])).toEqual([
      ["balance", "number_integer", "1250"],
      ["tier", "single_line_text_field", "Gold"],
    ]);
    expect(written[0].namespace).toBe(`app--${standin.state.appId}--loyalty`);

    // A later balance-only update leaves the tier alone.
    await setCustomerLoyaltyMetafields(gateway, { customerId: customer.id, balance: 900 });
    const stored = [...shopState(shop.domain).metafields.values()].map((m) => [m.ownerId, m.key, m.value]);
    expect(stored).toEqual([
      [customer.id, "balance", "900"],
      [customer.id, "tier", "Gold"],
    ]);
  });

  it("refuses a fractional balance before calling Shopify", async () => {
    const shop = newShop();
    const customer = standin.addCustomer(shop.domain);
    await expect(setCustomerLoyaltyMetafields(gatewayFor(shop), { customerId: customer.id, balance: 10.5 })).rejects.toThrow(TypeError);
    expect(callsFor(shop.domain)).toHaveLength(0);
  });

  it("creates a single-use order discount limited to the customer, and deletes it", async () => {
    const shop = newShop();
    const customer = standin.addCustomer(shop.domain);
    const gateway = gatewayFor(shop);

    const created = await createRedemptionDiscountCode(gateway, {
      customerId: customer.id,
      code: "LOYAL-5OFF-A1B2",
      title: "Loyalty reward: $5 off",
      value: { kind: "fixedAmount", amount: "5.00" },
      startsAt: new Date(clock),
    });
    expect(created).toEqual({ id: expect.stringMatching(/^gid:\/\/shopify\/DiscountCodeNode\/\d+$/), code: "LOYAL-5OFF-A1B2" });

    const stored = shopState(shop.domain).discounts.get(created.id);
    expect(stored).toMatchObject({
      usageLimit: 1,
      appliesOncePerCustomer: true,
      eligibility: { kind: "customers", customerIds: [customer.id] },
      eligibilityInput: "context",
      value: { kind: "amount", amount: "5.00", appliesOnEachItem: false },
      items: { all: true },
      combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: true },
    });

    expect(await deleteDiscountCode(gateway, created.id)).toBe(created.id);
    expect(shopState(shop.domain).discounts.has(created.id)).toBe(false);
  });

  it("keeps integers beyond 2^53 as exact strings instead of rounding them", async () => {
    const shop = newShop();
    standin.setNextResponse({ status: 200, body: '{"data":{"shop":{"legacyId":12345678901234567890,"orders":42,"ratio":0.25}}}' });
    const op = defineAdminOperation<{ shop: { legacyId: unknown; orders: unknown; ratio: unknown } }>({ name: "Big", query: "query Big { shop { id } }" });

    const data = await gatewayFor(shop).request(op);
    expect(data.shop).toEqual({ legacyId: "12345678901234567890", orders: 42, ratio: 0.25 });
  });

  it("sends requests to SHOPIFY_ADMIN_API_ORIGIN when no origin is given", async () => {
    const shop = newShop();
    process.env.SHOPIFY_ADMIN_API_ORIGIN = standin.url;
    resetConfigForTests();
    try {
      const details = await fetchShopDetails(gatewayFor(shop, { origin: undefined }));
      expect(details.myshopifyDomain).toBe(shop.domain);
    } finally {
      delete process.env.SHOPIFY_ADMIN_API_ORIGIN;
      resetConfigForTests();
    }
  });
});

describe("Admin gateway: userErrors", () => {
  it("turns a duplicate discount code into AdminApiUserError carrying Shopify's fields, without retrying", async () => {
    const shop = newShop();
    const customer = standin.addCustomer(shop.domain);
    const gateway = gatewayFor(shop);
    const input = { customerId: customer.id, code: "DUPLICATE-1", title: "Reward", value: { kind: "percentage" as const, percentage: 0.1 } };
    await createRedemptionDiscountCode(gateway, input);

    const error = await createRedemptionDiscountCode(gateway, input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdminApiUserError);
    const userError = error as AdminApiUserError;
    expect(userError.retryable).toBe(false);
    expect(userError.operationName).toBe("RedemptionDiscountCodeCreate");
    expect(userError.userErrors).toEqual([
      expect.objectContaining({ field: ["basicCodeDiscount", "code"], code: "TAKEN", message: expect.stringMatching(/must be unique/) }),
    ]);
    expect(callsFor(shop.domain)).toHaveLength(2);
    expect(sleeps).toEqual([]);
  });

  it("reports which metafield element Shopify refused", async () => {
    const shop = newShop();
    const customer = standin.addCustomer(shop.domain);
    const error = await gatewayFor(shop)
      .request(CustomerLoyaltyMetafieldsSetMutation, {
        metafields: [{ ownerId: customer.id, namespace: "$app:loyalty", key: "balance", type: "number_integer", value: "12.5" }],
      })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AdminApiUserError);
    expect((error as AdminApiUserError).userErrors).toEqual([
      expect.objectContaining({ field: ["metafields", "0", "value"], code: "INVALID_VALUE" }),
    ]);
  });

  it("surfaces deleting an unknown discount as a user error", async () => {
    const shop = newShop();
    const error = await deleteDiscountCode(gatewayFor(shop), "gid://shopify/DiscountCodeNode/1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdminApiUserError);
    expect((error as AdminApiUserError).userErrors[0].field).toEqual(["id"]);
  });
});

describe("Admin gateway: throttling", () => {
  it("waits ceil((requested - available) / restoreRate) seconds after THROTTLED, then succeeds", async () => {
    const shop = newShop();
    const customer = standin.addCustomer(shop.domain);
    standin.setAvailablePoints(shop.domain, 0);

    await setCustomerLoyaltyMetafields(gatewayFor(shop), { customerId: customer.id, balance: 10 });

    // A mutation costs 10 and the bucket restores 50/s: ceil((10 - 0) / 50) = 1 s.
    expect(sleeps).toEqual([1000]);
    expect(callsFor(shop.domain).map((c) => c.status)).toEqual([200, 200]);
    expect(shopState(shop.domain).metafields.size).toBe(1);
  });

  it("waits for the bucket before sending when the last known status cannot afford the operation", async () => {
    const shop = newShop();
    const customer = standin.addCustomer(shop.domain);
    const gateway = gatewayFor(shop);
    await fetchShopDetails(gateway); // learns the bucket: 1000 - 3
    standin.setAvailablePoints(shop.domain, 2);
    await fetchShopDetails(gateway); // learns the bucket: 2 - 3 → throttled, waits 1 s, then 52 - 3 = 49
    sleeps = [];
    standin.setAvailablePoints(shop.domain, 4);
    await fetchShopDetails(gateway); // 49 known, affordable: 4 - 3 = 1 left
    const callsBefore = callsFor(shop.domain).length;

    await setCustomerLoyaltyMetafields(gateway, { customerId: customer.id, balance: 1 });

    // 1 point known, mutation expects 10 at 50/s: wait ceil(9 / 50) = 1 s before sending, and
    // Shopify is asked exactly once.
    expect(sleeps).toEqual([1000]);
    expect(callsFor(shop.domain).slice(callsBefore).map((c) => c.operationName)).toEqual(["CustomerLoyaltyMetafieldsSet"]);
  });

  it("gives up with a retryable AdminApiThrottledError when the bucket never restores in time", async () => {
    const shop = newShop();
    const customer = standin.addCustomer(shop.domain);
    const gateway = gatewayFor(shop, {
      maxRetries: 2,
      // Time does not pass for the stand-in, so every attempt is throttled.
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    standin.setAvailablePoints(shop.domain, 0);

    const error = await setCustomerLoyaltyMetafields(gateway, { customerId: customer.id, balance: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdminApiThrottledError);
    expect(isRetryableAdminError(error)).toBe(true);
    expect((error as AdminApiThrottledError).retryAfterMs).toBe(1000);
    expect(callsFor(shop.domain)).toHaveLength(3);
  });
});

describe("Admin gateway: transient failures", () => {
  it("retries 5xx answers with exponential backoff and jitter, then succeeds", async () => {
    const shop = newShop();
    standin.failNext(2, 503);
    const details = await fetchShopDetails(gatewayFor(shop));

    expect(details.myshopifyDomain).toBe(shop.domain);
    // random() = 0.5 → half the ceiling plus a quarter: 500 ms then 1000 ms ceilings.
    expect(sleeps).toEqual([375, 750]);
    expect(standin.calls.slice(-3).map((c) => c.status)).toEqual([503, 503, 200]);
  });

  it("honours Retry-After on 429", async () => {
    const shop = newShop();
    standin.failNext(1, 429, { retryAfter: "2.0" });
    await fetchShopDetails(gatewayFor(shop));
    expect(sleeps).toEqual([2000]);
  });

  it("retries a dropped connection", async () => {
    const shop = newShop();
    standin.failNext(1, "network");
    await fetchShopDetails(gatewayFor(shop));
    expect(sleeps).toEqual([375]);
    expect(standin.calls.slice(-2).map((c) => c.status)).toEqual([0, 200]);
  });

  it("throws a retryable AdminApiHttpError when retries are exhausted", async () => {
    const shop = newShop();
    standin.failNext(3, 500);
    const error = await fetchShopDetails(gatewayFor(shop, { maxRetries: 2 })).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AdminApiHttpError);
    expect((error as AdminApiHttpError).status).toBe(500);
    expect((error as AdminApiHttpError).retryable).toBe(true);
    expect(sleeps).toHaveLength(2);
  });

  it("throws a retryable AdminApiNetworkError when the connection keeps dropping", async () => {
    const shop = newShop();
    standin.failNext(2, "network");
    const error = await fetchShopDetails(gatewayFor(shop, { maxRetries: 1 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdminApiNetworkError);
    expect(isRetryableAdminError(error)).toBe(true);
  });
});

describe("Admin gateway: terminal failures", () => {
  it("throws AdminApiAuthError on 401 without retrying", async () => {
    const shop = newShop();
    const error = await fetchShopDetails(gatewayFor({ ...shop, accessToken: "shpat_revoked" })).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AdminApiAuthError);
    expect((error as AdminApiAuthError).status).toBe(401);
    expect((error as AdminApiAuthError).retryable).toBe(false);
    expect(sleeps).toEqual([]);
    expect(standin.calls.at(-1)).toMatchObject({ shop: null, status: 401 });
  });

  it("throws AdminApiAuthError on 403 without retrying", async () => {
    const shop = newShop();
    standin.setNextResponse({ status: 403, body: { errors: "Forbidden" } });
    await expect(fetchShopDetails(gatewayFor(shop))).rejects.toBeInstanceOf(AdminApiAuthError);
    expect(sleeps).toEqual([]);
  });

  it("treats 404 as terminal", async () => {
    const shop = newShop();
    let requests = 0;
    const countingFetch: typeof fetch = (input, init) => {
      requests += 1;
      return fetch(input, init);
    };
    const error = await fetchShopDetails(gatewayFor(shop, { apiVersion: "not-a-version", fetch: countingFetch })).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AdminApiHttpError);
    expect((error as AdminApiHttpError).status).toBe(404);
    expect((error as AdminApiHttpError).retryable).toBe(false);
    expect(requests).toBe(1);
  });

  it("throws AdminApiGraphQLError for a query Shopify rejects, without retrying", async () => {
    const shop = newShop();
    const invalid = defineAdminOperation<{ shop: { loyaltyPoints: number } }>({
      name: "InvalidField",
      query: "query InvalidField { shop { loyaltyPoints } }",
    });
    const error = await gatewayFor(shop).request(invalid).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AdminApiGraphQLError);
    const graphQLError = error as AdminApiGraphQLError;
    expect(graphQLError.retryable).toBe(false);
    expect(graphQLError.errors[0]).toMatchObject({
      message: "Field 'loyaltyPoints' doesn't exist on type 'Shop'",
      extensions: { code: "undefinedField" },
    });
    expect(callsFor(shop.domain)).toHaveLength(1);
  });

  it("refuses to build a gateway from a session without an access token", () => {
    expect(() => adminGatewayForSession({ shop: "no-token.myshopify.com" })).toThrow(AdminApiAuthError);
  });

  it("types operations so required variables cannot be forgotten", async () => {
    const shop = newShop();
    const gateway = gatewayFor(shop);
    // @ts-expect-error CustomerById needs { id }
    const missing = gateway.request(CustomerByIdQuery).catch((e: unknown) => e);
    expect(await missing).toBeInstanceOf(AdminApiGraphQLError);
  });
});
