import { randomBytes } from "node:crypto";
import { getJwt } from "@shopify/shopify-api/test-helpers";
import { describe, expect, it } from "vitest";
import { starterCatalog } from "~/domain/rewards";
import { credit, getBalance } from "~/models/ledger.server";
import { action as redeemAction, loader as redeemLoader } from "~/routes/api.checkout.redeem";
import { loader as rewardsLoader } from "~/routes/api.checkout.rewards";
import { connectShopToStandin, useAdminStandin } from "../helpers/admin-standin";
import { createTestShop, prisma } from "../helpers/db";
import { testEnv } from "../helpers/env";

// The checkout extension's door: Shopify's checkout session token (signed with the app secret)
// names the shop (`dest`) and, when the shopper is logged in, the customer (`sub`).

const admin = useAdminStandin();
const UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
const ORIGIN = "https://extensions.shopifycdn.com";

async function token(shop: string, customerId: bigint | null, secret = testEnv.SHOPIFY_API_SECRET) {
  const overrides = { dest: `https://${shop}`, iss: `https://${shop}/checkouts`, sub: customerId === null ? undefined : `gid://shopify/Customer/${customerId}` };
  return (await getJwt(shop.replace(".myshopify.com", ""), testEnv.SHOPIFY_API_KEY, secret, overrides)).token;
}

function request(path: string, init: { method?: string; token?: string; body?: unknown } = {}) {
  return new Request(`https://loyalnest.test${path}`, {
    method: init.method ?? "GET",
    headers: {
      "User-Agent": UA,
      Origin: ORIGIN,
      "Content-Type": "application/json",
      ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function read(response: Response): Promise<{ status: number; cors: string | null; body: any }> {
  return { status: response.status, cors: response.headers.get("Access-Control-Allow-Origin"), body: response.status === 204 ? null : await response.json() };
}

async function checkoutShop() {
  const { domain: shop } = await createTestShop();
  await connectShopToStandin(admin.standin, shop, "write_discounts");
  const catalog = starterCatalog("USD");
  const fixed = await prisma.reward.create({ data: { ...catalog[0], shop } });
  await prisma.reward.create({ data: { ...catalog[2], shop } }); // 1500 points
  const customerId = BigInt(admin.standin.addCustomer(shop).id.split("/").pop() ?? "0");
  const member = await prisma.member.create({ data: { shop, shopifyCustomerId: customerId } });
  await credit(shop, member.id, { kind: "ADJUST", points: 800, idempotencyKey: `seed:${member.id}`, reason: "seed", actor: "test" });
  return { shop, fixed, customerId, member };
}

describe("GET /api/checkout/rewards", () => {
  it("shows a logged-in shopper their balance and which rewards they can afford, in their language, with CORS", async () => {
    const { shop, customerId } = await checkoutShop();
    const answer = await read(await rewardsLoader({ request: request("/api/checkout/rewards?locale=fr-CA", { token: await token(shop, customerId) }), params: {}, context: {} }));
    expect(answer.status).toBe(200);
    expect(answer.cors).toBe("*");
    expect(answer.body).toMatchObject({ loggedIn: true, balance: { available: 800, pending: 0 }, member: { available: 800 }, pointsName: "points", currencyCode: "USD" });
    const byCost = Object.fromEntries(answer.body.rewards.map((r: { pointsCost: number; affordable: boolean; title: string }) => [r.pointsCost, [r.affordable, r.title]]));
    expect(byCost).toEqual({ 500: [true, "5.00 USD de réduction"], 1500: [false, "10 % de réduction"] });
  });

  it("a guest gets the catalog without affordability; a forged or missing token gets a JSON 401 the extension can read", async () => {
    const { shop } = await checkoutShop();
    const guest = await read(await rewardsLoader({ request: request("/api/checkout/rewards", { token: await token(shop, null) }), params: {}, context: {} }));
    expect(guest.body).toMatchObject({ loggedIn: false, member: null, balance: null });
    expect(guest.body.rewards.every((r: { affordable: unknown }) => r.affordable === null)).toBe(true);

    const forged = await read(await rewardsLoader({ request: request("/api/checkout/rewards", { token: await token(shop, 1n, "not-the-secret") }), params: {}, context: {} }));
    expect(forged).toMatchObject({ status: 401, cors: "*", body: { error: { code: "unauthorized" } } });
    const missing = await read(await rewardsLoader({ request: request("/api/checkout/rewards"), params: {}, context: {} }));
    expect(missing.status).toBe(401);
  });

  it("answers the CORS preflight", async () => {
    const response = await rewardsLoader({ request: request("/api/checkout/rewards", { method: "OPTIONS" }), params: {}, context: {} });
    expect(response.status).toBe(204);
    expect(response.headers.get("Access-Control-Allow-Headers")).toContain("Authorization");
  });
});

describe("POST /api/checkout/redeem", () => {
  it("redeems for the customer named by the token, once per idempotency key", async () => {
    const { shop, fixed, customerId, member } = await checkoutShop();
    const body = { rewardId: fixed.id, idempotencyKey: randomBytes(10).toString("hex") };
    const first = await read(await redeemAction({ request: request("/api/checkout/redeem?locale=ar", { method: "POST", token: await token(shop, customerId), body }), params: {}, context: {} }));
    expect(first).toMatchObject({ status: 201, cors: "*", body: { replayed: false, balance: { available: 300 }, redemption: { points: 500, status: "ISSUED", title: "خصم 5.00 USD" } } });
    const again = await read(await redeemAction({ request: request("/api/checkout/redeem", { method: "POST", token: await token(shop, customerId), body }), params: {}, context: {} }));
    expect(again).toMatchObject({ status: 200, body: { replayed: true, redemption: { code: first.body.redemption.code } } });
    expect((await getBalance(shop, member.id)).available).toBe(300);
    const redemption = await prisma.redemption.findFirstOrThrow({ where: { shop } });
    expect([redemption.channel, redemption.memberId]).toEqual(["checkout", member.id]);
  });

  it("refuses guests, bad bodies and other shops' tokens without holding anything", async () => {
    const { shop, fixed, customerId, member } = await checkoutShop();
    const other = await createTestShop();
    const post = async (tok: string, body: unknown) =>
      read(await redeemAction({ request: request("/api/checkout/redeem", { method: "POST", token: tok, body }), params: {}, context: {} }));
    const valid = () => ({ rewardId: fixed.id, idempotencyKey: randomBytes(10).toString("hex") });
    expect(await post(await token(shop, null), valid())).toMatchObject({ status: 401, body: { error: { code: "not_logged_in" } } });
    expect(await post(await token(shop, customerId), { rewardId: fixed.id })).toMatchObject({ status: 422, body: { error: { code: "invalid_fields", fields: { idempotencyKey: expect.any(String) } } } });
    // The same customer id in another shop: that shop has no such member and no such reward.
    expect((await post(await token(other.domain, customerId), valid())).status).toBe(409);
    const get = await read(await redeemLoader({ request: request("/api/checkout/redeem", { token: await token(shop, customerId) }), params: {}, context: {} }));
    expect(get.status).toBe(405);
    expect(await prisma.redemption.count({ where: { shop: { in: [shop, other.domain] } } })).toBe(0);
    expect((await getBalance(shop, member.id)).available).toBe(800);
  });
});
