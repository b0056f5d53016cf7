import { randomInt } from "node:crypto";
import { RequestType, setUpValidRequest } from "@shopify/shopify-api/test-helpers";
import { Redis } from "ioredis";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { afterAll, describe, expect, it, vi } from "vitest";
import * as ledger from "~/models/ledger.server";
import { loader as memberLoader, action as memberAction } from "~/routes/proxy.member";
import { loader as programLoader, action as programAction } from "~/routes/proxy.program";
import { loader as unknownLoader } from "~/routes/proxy.$";
import { authenticate } from "~/shopify.server";
import { authenticateProxyRequest, PROXY_READ_LIMITS } from "~/utils/app-proxy.server";
import { forgetStorefrontShopData, SHOP_DATA_TTL_MS } from "~/services/storefront.server";
import { closeRateLimiter } from "~/utils/rate-limit.server";
import { proxySignature, signProxyUrl } from "../../server/demo/storefront-signing";
import { createTestShop, prisma } from "../helpers/db";
import { TEST_REDIS_URL, testEnv } from "../helpers/env";

// The storefront door through its loaders, with requests signed exactly as Shopify's app proxy
// signs them (and, once, by Shopify's own test helper). Every refusal is a 401 that reads and
// writes nothing: no member is created, no ledger entry, not even a rate-limit counter.

const APP = "https://loyalnest.test";
const SECRET = testEnv.SHOPIFY_API_SECRET;
type Json = Record<string, unknown> & { error?: { code: string; message: string } };

const redis = new Redis(TEST_REDIS_URL);
afterAll(async () => {
  await closeRateLimiter();
  redis.disconnect();
});

function signed(path: string, shop: string, customerId: bigint | null, options: { timestamp?: number; secret?: string; ip?: string; method?: string } = {}) {
  const url = signProxyUrl({ url: `${APP}${path}`, shop, customerId, secret: options.secret ?? SECRET, timestamp: options.timestamp });
  return new Request(url, { method: options.method ?? "GET", headers: { "X-Forwarded-For": options.ip ?? `203.0.113.${randomInt(1, 254)}, 10.0.0.1` } });
}

async function call(loader: (args: LoaderFunctionArgs) => Promise<Response>, request: Request) {
  const response = await loader({ request, params: {}, context: {} });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Json };
}

async function shopWithMember(rules: object = {}) {
  const { domain: shop } = await createTestShop();
  await prisma.shop.update({ where: { domain: shop }, data: { earningRules: rules, pointsName: "stars" } });
  const customerId = BigInt(randomInt(1, 2 ** 47));
  const member = await prisma.member.create({ data: { shop, shopifyCustomerId: customerId, email: "shopper@example.com" } });
  return { shop, customerId, member };
}

async function rateKeysFor(shop: string) {
  return redis.keys(`*:ratelimit:*${shop}*`);
}

describe("proxy signature", () => {
  it("accepts a request signed by Shopify's own test helper and by our signer alike", async () => {
    const { shop } = await shopWithMember();
    const store = shop.replace(".myshopify.com", "");
    const viaHelper = await setUpValidRequest({ type: RequestType.Public, store, apiSecretKey: SECRET }, new Request(`${APP}/proxy/program?locale=fr`));
    const response = await call(programLoader, viaHelper);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ shop, locale: "fr" });
    // Our signer computes the helper's signature for the same parameters.
    const params = new URL(viaHelper.url).searchParams;
    expect(proxySignature(params, SECRET)).toBe(params.get("signature"));
  });

  it("answers 401 to forged, tampered, stale, future-dated and unsigned requests, and changes nothing", async () => {
    const { shop, customerId, member } = await shopWithMember();
    const other = await shopWithMember();
    const now = Math.trunc(Date.now() / 1000);
    const good = signed("/proxy/member", shop, customerId);
    const tamper = (mutate: (url: URL) => void) => {
      const url = new URL(good.url);
      mutate(url);
      return new Request(url, { headers: good.headers });
    };
    const attempts: [string, Request][] = [
      ["forged (another secret)", signed("/proxy/member", shop, customerId, { secret: "not-the-app-secret" })],
      ["another customer's id", tamper((u) => u.searchParams.set("logged_in_customer_id", String(other.customerId)))],
      ["customer id added to a guest request", (() => {
        const guest = new URL(signed("/proxy/member", shop, null).url);
        guest.searchParams.set("logged_in_customer_id", String(customerId));
        return new Request(guest);
      })()],
      ["another shop", tamper((u) => u.searchParams.set("shop", other.shop))],
      ["second shop parameter", tamper((u) => u.searchParams.append("shop", other.shop))],
      ["timestamp moved", tamper((u) => u.searchParams.set("timestamp", String(now + 5)))],
      ["signature removed", tamper((u) => u.searchParams.delete("signature"))],
      ["signature emptied", tamper((u) => u.searchParams.set("signature", ""))],
      ["stale by 91 s", signed("/proxy/member", shop, customerId, { timestamp: now - 91 })],
      ["dated 91 s ahead", signed("/proxy/member", shop, customerId, { timestamp: now + 91 })],
      ["timestamp not a number", signed("/proxy/member", shop, customerId, { timestamp: Number.NaN })],
      ["no query at all", new Request(`${APP}/proxy/member`)],
    ];
    const bodies = new Set<string>();
    for (const [name, request] of attempts) {
      const response = await call(memberLoader, request);
      expect(response.status, name).toBe(401);
      expect(response.body.error?.code, name).toBe("unauthorized");
      expect(response.headers.get("Cache-Control"), name).toBe("private, no-store");
      bodies.add(JSON.stringify(response.body));
      const program = await call(programLoader, new Request(request.url.replace("/proxy/member", "/proxy/program"), { headers: request.headers }));
      expect(program.status, `program: ${name}`).toBe(401);
    }
    expect(bodies.size).toBe(1);
    // Within 90 s either way is accepted (clock skew between Shopify and the app).
    expect((await call(memberLoader, signed("/proxy/member", shop, customerId, { timestamp: now - 85 }))).status).toBe(200);
    expect((await call(memberLoader, signed("/proxy/member", shop, customerId, { timestamp: now + 85 }))).status).toBe(200);

    expect(await prisma.member.count({ where: { shop } })).toBe(1);
    expect(await prisma.ledgerEntry.count({ where: { shop } })).toBe(0);
    expect((await prisma.member.findUniqueOrThrow({ where: { id: member.id } })).updatedAt).toEqual(member.updatedAt);
    expect(await rateKeysFor(other.shop)).toEqual([]);
  });

  it("accepts exactly what Shopify's library accepts, on 300 random queries (repeated keys, commas, Unicode, tampering)", async () => {
    const { shop, customerId } = await shopWithMember();
    const keys = ["locale", "path_prefix", "extra", "a_b", "Zeta", "ünï", "index", "hmac", "shop", "timestamp", "signature"];
    const values = ["", "fr", "a,b", "x y", "é✓", "1", "="];
    const pick = <T,>(items: readonly T[]) => items[randomInt(items.length)];
    const now = Math.trunc(Date.now() / 1000);
    let accepted = 0;
    for (let i = 0; i < 300; i++) {
      const url = new URL(`${APP}/proxy/member`);
      for (let k = randomInt(4); k > 0; k--) url.searchParams.append(pick(keys.slice(0, 7)), pick(values));
      url.searchParams.set("logged_in_customer_id", String(customerId));
      const secret = i % 10 === 0 ? "not-the-app-secret" : SECRET;
      const signedUrl = signProxyUrl({ url, shop, customerId, secret, timestamp: now - randomInt(60) });
      // Keys added after signing: some only repeat a value-joined key, some are single-value keys.
      if (i % 3 === 0) signedUrl.searchParams.append(pick(keys), pick(values));
      const request = new Request(signedUrl);
      const ours = authenticateProxyRequest(request).ok;
      const theirs = await authenticate.public.appProxy(request).then(
        () => true,
        (thrown: unknown) => {
          if (thrown instanceof Response) return false;
          throw thrown;
        },
      );
      expect(ours, signedUrl.search).toBe(theirs);
      if (ours) accepted++;
    }
    // Both outcomes were exercised.
    expect(accepted).toBeGreaterThan(100);
    expect(accepted).toBeLessThan(300);
  });

  it("refuses a signed request for a shop that is not installed", async () => {
    const { shop, customerId } = await shopWithMember();
    await prisma.shop.update({ where: { domain: shop }, data: { installState: "UNINSTALLED" } });
    expect((await call(programLoader, signed("/proxy/program", shop, null))).status).toBe(401);
    expect((await call(memberLoader, signed("/proxy/member", shop, customerId))).status).toBe(401);
    const unknown = await call(programLoader, signed("/proxy/program", "never-installed.myshopify.com", null));
    expect(unknown.status).toBe(401);
  });
});

describe("GET /proxy/program", () => {
  it("publishes ways to earn and the purchase rule, cacheable for a minute", async () => {
    const { shop } = await shopWithMember({
      purchase: { pointsPerUnit: "2", rounding: "half_up", minimumOrder: "20" },
      conditions: { products: { exclude: ["111"] }, productTags: { include: ["loyalty"] } },
      actions: { signup: { enabled: true, points: 150 }, review: { enabled: true, points: 0 }, birthday: { enabled: true } },
      multipliers: {
        campaigns: [
          { id: "now", name: "Double days", multiplier: "2", scope: { productTags: ["sale"] } },
          { id: "later", name: "Next year", multiplier: "3", startsAt: "2099-01-01" },
          { id: "off", name: "Off", multiplier: "5", enabled: false },
        ],
        segments: [{ customerTag: "vip", multiplier: "1.5" }],
      },
      caps: { perOrderCap: 5000 },
    });
    const response = await call(programLoader, signed("/proxy/program?locale=ja", shop, null));
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("public, max-age=60, stale-while-revalidate=300");
    expect(response.headers.get("Vary")).toBe("Accept-Encoding");
    expect(response.body).toEqual({
      shop,
      locale: "ja",
      programEnabled: true,
      pointsName: "stars",
      currency: "USD",
      pendingDays: 14,
      purchase: {
        pointsPerUnit: "2",
        rounding: "half_up",
        currencyExponent: 2,
        minimumOrder: "20",
        includeGiftCards: false,
        activeNow: true,
        eligibleCustomersOnly: false,
        products: { include: [], exclude: ["111"] },
        collections: { include: [], exclude: [] },
        productTags: { include: ["loyalty"], exclude: [] },
        campaigns: [{ multiplier: "2", productIds: [], collectionIds: [], productTags: ["sale"] }],
        perOrderCap: 5000,
      },
      // Zero-point and disabled actions are not ways to earn; segments (customer tags) stay private.
      actions: [
        { action: "signup", points: 150 },
        { action: "birthday", points: 100 },
      ],
      rewards: [],
    });
    expect(JSON.stringify(response.body)).not.toContain("vip");
  });

  it("is the same for a logged-in shopper, and says so when the program is paused or outside its dates", async () => {
    const { shop, customerId } = await shopWithMember({ conditions: { dateRange: { end: "2001-01-01" }, customerTags: { exclude: ["staff"] } } });
    const asGuest = await call(programLoader, signed("/proxy/program", shop, null));
    const asMember = await call(programLoader, signed("/proxy/program", shop, customerId));
    expect(asMember.body).toEqual(asGuest.body);
    expect(asGuest.body).toMatchObject({ locale: "en", purchase: { activeNow: false, eligibleCustomersOnly: true } });

    await prisma.shop.update({ where: { domain: shop }, data: { programEnabled: false } });
    forgetStorefrontShopData();
    expect((await call(programLoader, signed("/proxy/program", shop, null))).body).toMatchObject({ programEnabled: false });
  });

  it("shares a shop's settings and catalog between requests for a few seconds, never balances", async () => {
    const { shop, customerId, member } = await shopWithMember();
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      expect((await call(programLoader, signed("/proxy/program", shop, null))).body).toMatchObject({ pointsName: "stars" });
      await prisma.shop.update({ where: { domain: shop }, data: { pointsName: "coins" } });
      await ledger.credit(shop, member.id, { kind: "ADJUST", points: 42, idempotencyKey: "fresh" });
      expect((await call(programLoader, signed("/proxy/program", shop, null))).body).toMatchObject({ pointsName: "stars" });
      expect((await call(memberLoader, signed("/proxy/member", shop, customerId))).body).toMatchObject({ available: 42 });
      vi.setSystemTime(Date.now() + SHOP_DATA_TTL_MS + 1);
      expect((await call(programLoader, signed("/proxy/program", shop, null))).body).toMatchObject({ pointsName: "coins" });
    } finally {
      vi.useRealTimers();
    }
  });

  it("falls back to the shop's language for a malformed locale and answers 405 to other methods", async () => {
    const { shop } = await shopWithMember();
    await prisma.shop.update({ where: { domain: shop }, data: { primaryLocale: "de" } });
    for (const locale of ["<script>", "english-please-now", "e"]) {
      const response = await call(programLoader, signed(`/proxy/program?locale=${encodeURIComponent(locale)}`, shop, null));
      expect(response.body.locale, locale).toBe("de");
    }
    expect((await call(programLoader, signed("/proxy/program?locale=pt-BR", shop, null))).body.locale).toBe("pt-BR");
    const post = await programAction();
    expect(post.status).toBe(405);
    expect(post.headers.get("Allow")).toBe("GET");
    expect((await memberAction()).status).toBe(405);
  });
});

describe("GET /proxy/member", () => {
  it("shows the signed-in member's balances and history, privately", async () => {
    const { shop, customerId, member } = await shopWithMember();
    await ledger.earn(shop, member.id, { points: 120, status: "POSTED", idempotencyKey: "k-signup", reason: "signup" });
    const pending = await ledger.earn(shop, member.id, { points: 40, status: "PENDING", orderId: 1001n, idempotencyKey: "k-order", reason: "order" });
    await ledger.credit(shop, member.id, { kind: "ADJUST", points: 5, idempotencyKey: "k-adjust", reason: "Private note about this customer" });
    const response = await call(memberLoader, signed("/proxy/member", shop, customerId));
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("private, no-store");
    expect(response.body).toMatchObject({ customerId: customerId.toString(), enrolled: true, available: 125, pending: 40, lifetimeEarned: 125 });
    expect((response.body.history as { type: string; points: number; status: string }[]).map(({ type, points, status }) => ({ type, points, status }))).toEqual([
      { type: "adjustment", points: 5, status: "posted" },
      { type: "purchase", points: 40, status: "pending" },
      { type: "signup", points: 120, status: "posted" },
    ]);
    expect(JSON.stringify(response.body)).not.toMatch(/Private note|shopper@example\.com/);

    // Once the pending points post, the same row says so (one row, not two).
    await ledger.postPending(shop, pending.entry.id, { idempotencyKey: "k-post" });
    const after = await call(memberLoader, signed("/proxy/member", shop, customerId));
    expect(after.body).toMatchObject({ available: 165, pending: 0 });
    expect((after.body.history as { type: string; status: string }[]).filter((h) => h.type === "purchase")).toEqual([
      expect.objectContaining({ points: 40, status: "posted" }),
    ]);
  });

  it("answers 401 not_logged_in to a guest", async () => {
    const { shop } = await shopWithMember();
    const response = await call(memberLoader, signed("/proxy/member", shop, null));
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ error: { code: "not_logged_in", message: expect.any(String) } });
  });

  it("shows a logged-in customer without a member row zero balances, and does not enroll them", async () => {
    const { shop } = await shopWithMember();
    const newcomer = BigInt(randomInt(1, 2 ** 47));
    const response = await call(memberLoader, signed("/proxy/member", shop, newcomer));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ customerId: newcomer.toString(), enrolled: false, available: 0, pending: 0, lifetimeEarned: 0, history: [], rewards: [], codes: [] });
    expect(await prisma.member.count({ where: { shop, shopifyCustomerId: newcomer } })).toBe(0);
  });

  it("reads only the signing shop's member: the same customer id in another shop is another member", async () => {
    const a = await shopWithMember();
    const { domain: shopB } = await createTestShop();
    const memberB = await prisma.member.create({ data: { shop: shopB, shopifyCustomerId: a.customerId } });
    await ledger.credit(a.shop, a.member.id, { kind: "ADJUST", points: 700, idempotencyKey: "a-credit" });
    await ledger.credit(shopB, memberB.id, { kind: "ADJUST", points: 3, idempotencyKey: "b-credit" });
    expect((await call(memberLoader, signed("/proxy/member", a.shop, a.customerId))).body).toMatchObject({ available: 700 });
    expect((await call(memberLoader, signed("/proxy/member", shopB, a.customerId))).body).toMatchObject({ available: 3 });
  });
});

describe("rate limits", () => {
  it("answers 429 with Retry-After once a customer is over the per-customer limit", async () => {
    const { shop, customerId } = await shopWithMember();
    const limit = PROXY_READ_LIMITS.perCustomer.limit;
    for (let i = 0; i < limit; i++) {
      // A new address each time: only the customer's counter can trip.
      const response = await memberLoader({ request: signed("/proxy/member", shop, customerId, { ip: `198.51.100.${i % 250}` }), params: {}, context: {} });
      expect(response.status, `request ${i + 1}`).toBe(200);
    }
    const refused = await call(memberLoader, signed("/proxy/member", shop, customerId, { ip: "192.0.2.200" }));
    expect(refused.status).toBe(429);
    expect(refused.body.error?.code).toBe("rate_limited");
    const retryAfter = Number(refused.headers.get("Retry-After"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Another customer of the same shop is not affected.
    expect((await call(memberLoader, signed("/proxy/member", shop, BigInt(randomInt(1, 2 ** 47))))).status).toBe(200);
  });

  it("answers 429 once one address is over the per-IP limit, whoever is logged in", async () => {
    const { shop } = await shopWithMember();
    const limit = PROXY_READ_LIMITS.perIp.limit;
    const ip = "203.0.113.77";
    for (let i = 0; i < limit; i++) {
      const response = await programLoader({ request: signed("/proxy/program", shop, i % 2 ? null : BigInt(1000 + i), { ip }), params: {}, context: {} });
      expect(response.status, `request ${i + 1}`).toBe(200);
    }
    const refused = await call(programLoader, signed("/proxy/program", shop, null, { ip }));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect((await call(programLoader, signed("/proxy/program", shop, null, { ip: "203.0.113.78" }))).status).toBe(200);
  });
});

describe("other paths", () => {
  it("answers a signed request for an unknown path 404, an unsigned one 401", async () => {
    const { shop } = await shopWithMember();
    expect((await call(unknownLoader, signed("/proxy/admin", shop, null))).status).toBe(404);
    expect((await call(unknownLoader, new Request(`${APP}/proxy/admin`))).status).toBe(401);
  });
});
