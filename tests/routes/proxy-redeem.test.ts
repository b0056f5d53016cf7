import { randomBytes, randomInt } from "node:crypto";
import type { ActionFunctionArgs } from "@remix-run/node";
import { afterAll, describe, expect, it } from "vitest";
import { starterCatalog } from "~/domain/rewards";
import { credit, getBalance } from "~/models/ledger.server";
import { loader as memberLoader } from "~/routes/proxy.member";
import { loader as programLoader } from "~/routes/proxy.program";
import { action as redeemAction, loader as redeemLoader } from "~/routes/proxy.redeem";
import { PROXY_REDEEM_LIMITS } from "~/utils/app-proxy.server";
import { closeRateLimiter } from "~/utils/rate-limit.server";
import { signProxyUrl } from "../../server/demo/storefront-signing";
import { connectShopToStandin, useAdminStandin } from "../helpers/admin-standin";
import { createTestShop, prisma } from "../helpers/db";
import { testEnv } from "../helpers/env";

// Redeeming from the storefront door: a request signed as Shopify's proxy signs it → the redeem
// service holds the points → the Admin API stand-in creates the code → the balance is lower, and
// the widget's member answer lists the code. Refusals hold nothing.

const admin = useAdminStandin();
afterAll(() => closeRateLimiter());

const APP = "https://loyalnest.test";
type Args = ActionFunctionArgs;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Answer = { status: number; headers: Headers; body: any };

function signed(path: string, shop: string, customerId: bigint | null, init: { method?: string; body?: unknown; contentType?: string; secret?: string } = {}) {
  const url = signProxyUrl({ url: `${APP}${path}`, shop, customerId, secret: init.secret ?? testEnv.SHOPIFY_API_SECRET });
  return new Request(url, {
    method: init.method ?? "GET",
    headers: { "X-Forwarded-For": `198.51.100.${randomInt(1, 254)}`, "Content-Type": init.contentType ?? "application/json" },
    body: init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body),
  });
}

async function run(handler: (args: Args) => Promise<Response>, request: Request): Promise<Answer> {
  const response = await handler({ request, params: {}, context: {} });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

const redeem = (shop: string, customerId: bigint | null, body: unknown, init: { contentType?: string; secret?: string; locale?: string } = {}) =>
  run(redeemAction, signed(`/proxy/redeem?locale=${init.locale ?? "en"}`, shop, customerId, { method: "POST", body, ...init }));

const key = () => randomBytes(12).toString("hex");

async function storefrontShop(points = 800) {
  const { domain: shop } = await createTestShop();
  await connectShopToStandin(admin.standin, shop, "write_discounts,read_discounts");
  const catalog = starterCatalog("USD");
  const fixed = await prisma.reward.create({ data: { ...catalog[0], shop } }); // 500 points → 5.00 off
  const shipping = await prisma.reward.create({ data: { ...catalog[1], shop } }); // 750
  const slider = await prisma.reward.create({ data: { ...catalog[3], shop } }); // 100–5000 in steps of 100
  const customerId = BigInt(admin.standin.addCustomer(shop).id.split("/").pop() ?? "0");
  const member = await prisma.member.create({ data: { shop, shopifyCustomerId: customerId } });
  await credit(shop, member.id, { kind: "ADJUST", points, idempotencyKey: `seed:${member.id}`, reason: "seed", actor: "test" });
  return { shop, fixed, shipping, slider, customerId, member };
}

describe("rewards through the proxy", () => {
  it("the program lists the rewards in the shopper's language, with no affordability for anyone", async () => {
    const { shop, customerId } = await storefrontShop();
    const program = await run(programLoader, signed("/proxy/program?locale=fr", shop, customerId));
    expect(program.status).toBe(200);
    expect(program.body.rewards.map((r: { title: string; pointsCost: number; affordable: null }) => [r.title, r.pointsCost, r.affordable])).toEqual([
      ["Utilisez vos points", 100, null],
      ["5.00 USD de réduction", 500, null],
      ["Livraison offerte", 750, null],
    ]);
  });

  it("the member answer says which rewards the balance affords", async () => {
    const { shop, customerId } = await storefrontShop(600);
    const member = await run(memberLoader, signed("/proxy/member?locale=en", shop, customerId));
    expect(member.body).toMatchObject({ available: 600, codes: [] });
    expect(member.body.rewards.map((r: { pointsCost: number; affordable: boolean }) => [r.pointsCost, r.affordable])).toEqual([
      [100, true],
      [500, true],
      [750, false],
    ]);
  });
});

describe("POST /proxy/redeem", () => {
  it("issues a code in Shopify for the signed-in customer, lowers the balance, and shows the code in the member answer", async () => {
    const { shop, fixed, customerId, member } = await storefrontShop();
    const idempotencyKey = key();
    // A customer id in the body is not read: only the signature says who is asking.
    const first = await redeem(shop, customerId, { rewardId: fixed.id, idempotencyKey, customerId: "1" }, { locale: "ar" });
    expect(first.status).toBe(201);
    expect(first.headers.get("Cache-Control")).toBe("private, no-store");
    expect(first.body).toMatchObject({ replayed: false, balance: { available: 300 }, redemption: { points: 500, status: "ISSUED", title: "خصم 5.00 USD" } });
    const code: string = first.body.redemption.code;
    const discount = admin.standin.findCodeDiscount(shop, code);
    expect(discount).toBeDefined();
    expect(JSON.stringify(discount)).toContain(`gid://shopify/Customer/${customerId}`);
    expect((await getBalance(shop, member.id)).available).toBe(300);
    const row = await prisma.redemption.findFirstOrThrow({ where: { shop } });
    expect([row.channel, row.memberId]).toEqual(["storefront", member.id]);

    const again = await redeem(shop, customerId, { rewardId: fixed.id, idempotencyKey });
    expect(again).toMatchObject({ status: 200, body: { replayed: true, redemption: { code } } });
    expect((await getBalance(shop, member.id)).available).toBe(300);

    const view = await run(memberLoader, signed("/proxy/member", shop, customerId));
    expect(view.body.available).toBe(300);
    expect(view.body.codes).toEqual([expect.objectContaining({ code, status: "ISSUED", points: 500 })]);
    expect(view.body.history[0]).toMatchObject({ type: "redeemed", points: -500 });
  });

  it("the member answer lists only codes still usable, soonest to expire first, and none once the member is redacted", async () => {
    const { shop, slider, customerId, member } = await storefrontShop();
    const codes: string[] = [];
    for (const points of [100, 200, 300, 100]) {
      const answer = await redeem(shop, customerId, { rewardId: slider.id, points, idempotencyKey: key() });
      expect(answer.status).toBe(201);
      codes.push(answer.body.redemption.code);
    }
    expect(new Set(codes).size).toBe(4);
    const [first, second, third, fourth] = await prisma.redemption.findMany({ where: { shop }, orderBy: { createdAt: "asc" } });
    const day = 86_400_000;
    await prisma.redemption.update({ where: { id: first.id }, data: { expiresAt: new Date(Date.now() - 1000) } }); // expired, not yet settled
    await prisma.redemption.update({ where: { id: second.id }, data: { status: "USED" } });
    await prisma.redemption.update({ where: { id: third.id }, data: { expiresAt: new Date(Date.now() + 20 * day) } });
    await prisma.redemption.update({ where: { id: fourth.id }, data: { expiresAt: new Date(Date.now() + 10 * day) } });

    const view = await run(memberLoader, signed("/proxy/member", shop, customerId));
    expect(view.body.codes.map((c: { points: number }) => c.points)).toEqual([100, 300]);
    expect(view.body.codes.map((c: { id: string }) => c.id)).toEqual([fourth.id, third.id]);

    await prisma.member.update({ where: { id: member.id }, data: { state: "REDACTED" } });
    const redacted = await run(memberLoader, signed("/proxy/member", shop, customerId));
    expect(redacted.body).toMatchObject({ enrolled: false, codes: [], history: [] });
  });

  it("redeems a chosen number of points on a slider reward", async () => {
    const { shop, slider, customerId, member } = await storefrontShop();
    const answer = await redeem(shop, customerId, { rewardId: slider.id, points: 300, idempotencyKey: key() });
    expect(answer).toMatchObject({ status: 201, body: { redemption: { points: 300 }, balance: { available: 500 } } });
    expect((await getBalance(shop, member.id)).available).toBe(500);
  });

  it("refuses what the shopper cannot have, holding nothing", async () => {
    const { shop, fixed, shipping, customerId, member } = await storefrontShop(600);
    expect(await redeem(shop, customerId, { rewardId: shipping.id, idempotencyKey: key() })).toMatchObject({ status: 409, body: { error: { code: "insufficient_points" } } });
    expect(await redeem(shop, customerId, { rewardId: "no-such-reward", idempotencyKey: key() })).toMatchObject({ status: 409, body: { error: { code: "reward_unavailable" } } });
    await prisma.reward.update({ where: { id: fixed.id }, data: { enabled: false } });
    expect(await redeem(shop, customerId, { rewardId: fixed.id, idempotencyKey: key() })).toMatchObject({ status: 409, body: { error: { code: "reward_unavailable" } } });
    expect(await prisma.redemption.count({ where: { shop } })).toBe(0);
    expect((await getBalance(shop, member.id)).available).toBe(600);
  });

  it("refuses guests, forged signatures, other content types, bad bodies and GET, before holding anything", async () => {
    const { shop, fixed, customerId, member } = await storefrontShop();
    const valid = () => ({ rewardId: fixed.id, idempotencyKey: key() });
    expect(await redeem(shop, null, valid())).toMatchObject({ status: 401, body: { error: { code: "not_logged_in" } } });
    expect(await redeem(shop, customerId, valid(), { secret: "forged" })).toMatchObject({ status: 401, body: { error: { code: "unauthorized" } } });
    // A cross-site form post arrives as form data or text: refused.
    expect(await redeem(shop, customerId, `rewardId=${fixed.id}&idempotencyKey=${key()}`, { contentType: "application/x-www-form-urlencoded" })).toMatchObject({ status: 415 });
    expect(await redeem(shop, customerId, JSON.stringify(valid()), { contentType: "text/plain" })).toMatchObject({ status: 415 });
    expect(await redeem(shop, customerId, "{not json")).toMatchObject({ status: 400, body: { error: { code: "invalid_json" } } });
    const invalid = await redeem(shop, customerId, { rewardId: fixed.id, idempotencyKey: "short" });
    expect(invalid).toMatchObject({ status: 422, body: { error: { code: "invalid_fields", fields: { idempotencyKey: expect.any(String) } } } });
    expect(await redeem(shop, customerId, { rewardId: fixed.id, idempotencyKey: key(), points: -5 })).toMatchObject({ status: 422 });
    expect(await redeem(shop, customerId, { ...valid(), padding: "x".repeat(5000) })).toMatchObject({ status: 413 });
    const get = await redeemLoader();
    expect(get.status).toBe(405);
    expect(get.headers.get("Allow")).toBe("POST");
    expect(await prisma.redemption.count({ where: { shop } })).toBe(0);
    expect((await getBalance(shop, member.id)).available).toBe(800);
  });

  it("limits a customer to a few redeem attempts a minute (429 with Retry-After)", async () => {
    const { shop, customerId } = await storefrontShop();
    for (let i = 0; i < PROXY_REDEEM_LIMITS.perCustomer.limit; i++) {
      expect((await redeem(shop, customerId, { rewardId: "x", idempotencyKey: "bad" })).status, `attempt ${i + 1}`).toBe(422);
    }
    const refused = await redeem(shop, customerId, { rewardId: "x", idempotencyKey: "bad" });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
  });
});
