import { randomBytes, randomInt } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createApiKey } from "~/models/api-key.server";
import { getBalance, reconcileBalances } from "~/models/ledger.server";
import { action as redeemApi } from "~/routes/api.v1.redemptions";
import { earnPointsForOrder, reverseCancelledOrder } from "~/services/order-earning.server";
import { redeemReward } from "~/services/redemption.server";
import { settleRedemptions } from "~/services/redemption-settlement.server";
import { starterCatalog } from "~/domain/rewards";
import { createAdminGateway } from "~/shopify/gateway.server";
import { codeHash } from "~/utils/code-cipher.server";
import { enqueueHourlyJobs } from "~/jobs/scheduler.server";
import { connectShopToStandin, useAdminStandin } from "../helpers/admin-standin";
import { useIsolatedJobQueue } from "../helpers/jobs";
import { createTestShop, prisma } from "../helpers/db";
import { orderPayload } from "../unit/domain/support";

// Redemption end to end on real PostgreSQL, with codes created in the Admin API stand-in (which
// validates every operation against the Admin schema): the public API door, the ledger hold,
// stock, limits, capture by the paid order, return on cancel, and the hourly settlement.

const admin = useAdminStandin();

interface ShopSetup {
  shop: string;
  token: string;
  accessToken: string;
}

async function redeemShop(): Promise<ShopSetup> {
  const { domain: shop } = await createTestShop();
  await prisma.shop.update({ where: { domain: shop }, data: { pendingDays: 0 } });
  const accessToken = await connectShopToStandin(admin.standin, shop, "write_discounts,read_discounts");
  const { token } = await createApiKey(shop, { label: "POS", createdBy: "staff:1" });
  return { shop, token, accessToken };
}

/** A member who is also a customer in the stand-in (Shopify refuses codes for unknown customers). */
async function memberWith(shop: string, points: number) {
  const customerId = BigInt(admin.standin.addCustomer(shop).id.split("/").pop() ?? "0");
  const member = await prisma.member.create({ data: { shop, shopifyCustomerId: customerId, email: `m${customerId}@example.com` } });
  if (points > 0) {
    const { credit } = await import("~/models/ledger.server");
    await credit(shop, member.id, { kind: "ADJUST", points, idempotencyKey: `seed:${member.id}`, reason: "seed", actor: "test" });
  }
  return member;
}

type RewardOverrides = Partial<ReturnType<typeof starterCatalog>[number]>;

async function reward(shop: string, index: number, overrides: RewardOverrides = {}) {
  const data = { ...starterCatalog("USD")[index], ...overrides };
  return prisma.reward.create({ data: { ...data, shop } });
}
const fixedReward = (shop: string, o: RewardOverrides = {}) => reward(shop, 0, o); // 500 points → 5.00 off
const sliderReward = (shop: string, o: RewardOverrides = {}) => reward(shop, 3, o); // 100 points = 1.00, 100..5000 step 100

const key = () => randomBytes(12).toString("hex");

async function post(token: string, body: unknown) {
  const request = new Request("https://loyalnest.test/api/v1/redemptions", {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const response = await redeemApi({ request, params: {}, context: {} });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: response.status, body: (await response.json()) as any };
}

function standinDiscounts(shop: string) {
  const state = admin.standin.state.shops.get(shop);
  if (!state) throw new Error(`no stand-in shop ${shop}`);
  return [...state.discounts.values()];
}

/** Everything a refusal must leave untouched. */
async function snapshot(shop: string) {
  return {
    entries: await prisma.ledgerEntry.count({ where: { shop, kind: { in: ["REDEEM_HOLD", "REDEEM_VOID", "REDEEM_CAPTURE"] } } }),
    redemptions: await prisma.redemption.count({ where: { shop } }),
    issued: (await prisma.reward.findMany({ where: { shop }, select: { issuedCount: true } })).map((r) => r.issuedCount),
    discounts: standinDiscounts(shop).length,
  };
}

function paidOrderWithCode(customerId: bigint, code: string, orderId = BigInt(randomInt(1, 2 ** 47))) {
  const payload = orderPayload({ id: orderId.toString(), customer: { id: customerId.toString() }, lines: [{ price: "40.00" }] });
  return { orderId, payload: { ...payload, discount_codes: [{ code, amount: "5.00", type: "fixed_amount" }] } };
}

describe("redeeming through the public API", () => {
  it("holds the points, creates a single-use code for that customer, stores it encrypted, and answers a retry with the same code", async () => {
    const { shop, token } = await redeemShop();
    const m = await memberWith(shop, 1200);
    const r = await fixedReward(shop, { perCustomerLimit: 5 });
    const idempotencyKey = key();

    const first = await post(token, { customerId: m.shopifyCustomerId.toString(), rewardId: r.id, idempotencyKey });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      replayed: false,
      balance: { available: 700, pending: 0 },
      redemption: { rewardId: r.id, points: 500, status: "ISSUED", value: { v: 1, kind: "fixed_amount", amount: "5.00" } },
    });
    const code: string = first.body.redemption.code;
    expect(code).toMatch(/^LN-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}$/);

    const [discount] = standinDiscounts(shop);
    expect(standinDiscounts(shop)).toHaveLength(1);
    expect(discount).toMatchObject({ code, usageLimit: 1, appliesOncePerCustomer: true });
    expect(JSON.stringify(discount)).toContain(`gid://shopify/Customer/${m.shopifyCustomerId}`);

    const row = await prisma.redemption.findFirstOrThrow({ where: { shop } });
    expect(row.codeCipher).not.toContain(code);
    expect(row.codeHash).toBe(codeHash(shop, code));
    expect(row.discountId).toBe(discount.id);
    const hold = await prisma.ledgerEntry.findUniqueOrThrow({ where: { shop_id: { shop, id: row.holdEntryId } } });
    expect([hold.kind, hold.status, hold.points, hold.redemptionId]).toEqual(["REDEEM_HOLD", "PENDING", -500, row.id]);
    // Without stock the reward's row is not a counter (redemptions of it do not queue on it).
    expect((await prisma.reward.findUniqueOrThrow({ where: { id: r.id } })).issuedCount).toBe(0);

    const again = await post(token, { customerId: m.shopifyCustomerId.toString(), rewardId: r.id, idempotencyKey });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ replayed: true, redemption: { id: row.id, code }, balance: { available: 700 } });
    expect(standinDiscounts(shop)).toHaveLength(1);
    expect(await prisma.redemption.count({ where: { shop } })).toBe(1);

    const otherReward = await post(token, { customerId: m.shopifyCustomerId.toString(), rewardId: (await sliderReward(shop)).id, points: 100, idempotencyKey });
    expect(otherReward).toMatchObject({ status: 422, body: { error: { code: "idempotency_conflict" } } });
    expect(await reconcileBalances(shop)).toEqual([]);
  });

  it("redeems a slider for the chosen points at their exact value", async () => {
    const { shop, token } = await redeemShop();
    const m = await memberWith(shop, 1000);
    const r = await sliderReward(shop);
    const ok = await post(token, { customerId: String(m.shopifyCustomerId), rewardId: r.id, points: 700, idempotencyKey: key() });
    expect(ok.status).toBe(201);
    expect(ok.body.redemption).toMatchObject({ points: 700, value: { kind: "fixed_amount", amount: "7.00" } });
    expect(ok.body.balance.available).toBe(300);
    const off = await post(token, { customerId: String(m.shopifyCustomerId), rewardId: r.id, points: 150, idempotencyKey: key() });
    expect(off).toMatchObject({ status: 422, body: { error: { code: "invalid_fields" } } });
  });

  it("refuses with a distinct code and changes nothing", async () => {
    const { shop, token } = await redeemShop();
    const m = await memberWith(shop, 600);
    const customerId = String(m.shopifyCustomerId);
    const cheap = await fixedReward(shop, { pointsCost: 100, perCustomerLimit: 1, stockTotal: 10 });
    expect((await post(token, { customerId, rewardId: cheap.id, idempotencyKey: key() })).status).toBe(201);
    const before = await snapshot(shop);
    const refusals: [unknown, number, string][] = [
      [{ rewardId: (await fixedReward(shop, { pointsCost: 900 })).id }, 409, "insufficient_points"],
      [{ rewardId: cheap.id }, 409, "customer_limit"],
      [{ rewardId: (await fixedReward(shop, { enabled: false })).id }, 409, "reward_unavailable"],
      [{ rewardId: (await fixedReward(shop, { startsAt: new Date(Date.now() + 86_400_000) })).id }, 409, "reward_unavailable"],
      [{ rewardId: (await fixedReward(shop, { endsAt: new Date(Date.now() - 1000) })).id }, 409, "reward_unavailable"],
      [{ rewardId: (await fixedReward(shop, { stockTotal: 0 })).id }, 409, "out_of_stock"],
      [{ rewardId: "no-such-reward" }, 409, "reward_unavailable"],
      [{ rewardId: cheap.id, points: 50 }, 422, "invalid_fields"],
    ];
    const after = await snapshot(shop);
    for (const [body, status, code] of refusals) {
      const answer = await post(token, { customerId, idempotencyKey: key(), ...(body as object) });
      expect([answer.status, answer.body.error?.code]).toEqual([status, code]);
    }
    const afterRefusals = await snapshot(shop);
    expect({ ...afterRefusals, issued: afterRefusals.issued.slice(0, 1) }).toEqual({ ...before, issued: before.issued.slice(0, 1) });
    expect(afterRefusals.issued).toEqual(after.issued);
    expect((await getBalance(shop, m.id)).available).toBe(500);

    await prisma.shop.update({ where: { domain: shop }, data: { programEnabled: false } });
    expect((await post(token, { customerId, rewardId: (await fixedReward(shop)).id, idempotencyKey: key() })).body.error.code).toBe("program_paused");
    expect((await post(token, { customerId: "abc", rewardId: cheap.id, idempotencyKey: "short" })).body.error).toMatchObject({
      code: "invalid_fields", fields: { customerId: expect.any(String), idempotencyKey: expect.any(String) },
    });
    await prisma.shop.update({ where: { domain: shop }, data: { programEnabled: true, installState: "UNINSTALLED" } });
    expect((await post(token, { customerId, rewardId: cheap.id, idempotencyKey: key() })).status).toBe(401);
  });

  it("never redeems another shop's reward or member", async () => {
    const a = await redeemShop();
    const b = await redeemShop();
    const memberB = await memberWith(b.shop, 1000);
    const rewardB = await fixedReward(b.shop);
    const viaA = await post(a.token, { customerId: String(memberB.shopifyCustomerId), rewardId: rewardB.id, idempotencyKey: key() });
    expect(viaA.status).toBe(409);
    expect(await prisma.redemption.count({ where: { shop: { in: [a.shop, b.shop] } } })).toBe(0);
    expect((await getBalance(b.shop, memberB.id)).available).toBe(1000);
  });
});

describe("redemptions under concurrency", () => {
  it("100 parallel redemptions against a balance that covers 10 give exactly 10 codes", async () => {
    const { shop, token } = await redeemShop();
    const m = await memberWith(shop, 5_000);
    const r = await fixedReward(shop); // 500 points
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => post(token, { customerId: String(m.shopifyCustomerId), rewardId: r.id, idempotencyKey: key() })),
    );
    const byStatus = answers.reduce<Record<number, number>>((acc, a) => ({ ...acc, [a.status]: (acc[a.status] ?? 0) + 1 }), {});
    expect(byStatus).toEqual({ 201: 10, 409: 90 });
    expect(answers.filter((a) => a.status === 409).every((a) => a.body.error.code === "insufficient_points")).toBe(true);
    expect(new Set(answers.filter((a) => a.status === 201).map((a) => a.body.redemption.code)).size).toBe(10);
    expect(standinDiscounts(shop)).toHaveLength(10);
    expect(await getBalance(shop, m.id)).toMatchObject({ available: 0 });
    expect(await prisma.redemption.count({ where: { shop, status: "ISSUED" } })).toBe(10);
    expect(await reconcileBalances(shop)).toEqual([]);
  });

  it("never oversells stock when many members redeem at once, and a merchant can then raise it", async () => {
    const { shop, token } = await redeemShop();
    const r = await fixedReward(shop, { stockTotal: 5 });
    const members = await Promise.all(Array.from({ length: 20 }, () => memberWith(shop, 500)));
    const answers = await Promise.all(members.map((m) => post(token, { customerId: String(m.shopifyCustomerId), rewardId: r.id, idempotencyKey: key() })));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(5);
    expect(answers.filter((a) => a.status === 409).every((a) => a.body.error.code === "out_of_stock")).toBe(true);
    expect((await prisma.reward.findUniqueOrThrow({ where: { id: r.id } })).issuedCount).toBe(5);
    expect(await prisma.ledgerEntry.count({ where: { shop, kind: "REDEEM_HOLD" } })).toBe(5);
    expect(await reconcileBalances(shop)).toEqual([]);
    // Stock set on a reward that had none starts from the codes already out.
    const open = await fixedReward(shop);
    const late = members[19];
    expect((await post(token, { customerId: String(late.shopifyCustomerId), rewardId: open.id, idempotencyKey: key() })).status).toBe(201);
    const { updateReward } = await import("~/models/reward.server");
    const { normalizeRewardInput, rewardInputSchema } = await import("~/domain/rewards");
    const limited = normalizeRewardInput(rewardInputSchema.parse({ type: "FIXED_AMOUNT", pointsCost: "500", amount: "5", stockTotal: "1", title: { en: "x" } }));
    await updateReward(shop, open.id, limited, "staff:1");
    expect((await prisma.reward.findUniqueOrThrow({ where: { id: open.id } })).issuedCount).toBe(1);
    const soldOut = await post(token, { customerId: String(members[18].shopifyCustomerId), rewardId: open.id, idempotencyKey: key() });
    expect(soldOut.body.error.code).toBe("out_of_stock");
  });

  it("a double click (the same key twice at once) makes one code", async () => {
    const { shop, token } = await redeemShop();
    const m = await memberWith(shop, 5_000);
    const r = await fixedReward(shop);
    const idempotencyKey = key();
    const answers = await Promise.all(Array.from({ length: 5 }, () => post(token, { customerId: String(m.shopifyCustomerId), rewardId: r.id, idempotencyKey })));
    expect(new Set(answers.map((a) => a.body.redemption?.code)).size).toBe(1);
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(standinDiscounts(shop)).toHaveLength(1);
    expect((await getBalance(shop, m.id)).available).toBe(4_500);
  });
});

describe("when Shopify fails", () => {
  it("a refusal voids the hold at once; a retry with the same key starts afresh", async () => {
    const { shop, token } = await redeemShop();
    const m = await memberWith(shop, 1000);
    const r = await fixedReward(shop, { stockTotal: 1 });
    const idempotencyKey = key();
    admin.standin.setNextResponse({ status: 200, body: { data: { discountCodeAppCreate: { codeAppDiscount: null, userErrors: [{ field: ["codeAppDiscount", "functionHandle"], message: "Function not found", code: "INVALID" }] } } } });
    const refused = await post(token, { customerId: String(m.shopifyCustomerId), rewardId: r.id, idempotencyKey });
    expect(refused).toMatchObject({ status: 503, body: { error: { code: "shopify_unavailable" } } });
    expect((await getBalance(shop, m.id)).available).toBe(1000);
    expect((await prisma.reward.findUniqueOrThrow({ where: { id: r.id } })).issuedCount).toBe(0);
    const failed = await prisma.redemption.findFirstOrThrow({ where: { shop } });
    expect(failed.status).toBe("FAILED");
    expect(await prisma.ledgerEntry.count({ where: { shop, kind: "REDEEM_VOID", pendingId: failed.holdEntryId } })).toBe(1);

    const retry = await post(token, { customerId: String(m.shopifyCustomerId), rewardId: r.id, idempotencyKey });
    expect(retry.status).toBe(201);
    expect((await getBalance(shop, m.id)).available).toBe(500);
    expect(await reconcileBalances(shop)).toEqual([]);
  });

  it("an unknown outcome is settled by asking Shopify: a code it made is kept, never refunded", async () => {
    const { shop, accessToken } = await redeemShop();
    const m = await memberWith(shop, 1000);
    const r = await fixedReward(shop);
    // The create reaches Shopify but its answer is lost (a timeout): the lookup finds the code.
    let dropped = false;
    const gateway = async () => createAdminGateway({
      shop, accessToken, origin: admin.standin.url, maxRetries: 0,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        if (!dropped && String(init?.body).includes("discountCodeAppCreate")) {
          dropped = true;
          throw new TypeError("socket hang up");
        }
        return response;
      },
    });
    const outcome = await redeemReward(shop, { customerId: m.shopifyCustomerId, rewardId: r.id, idempotencyKey: key(), channel: "api", actor: "test" }, { gateway });
    expect(dropped).toBe(true);
    expect(outcome).toMatchObject({ ok: true, redemption: { status: "ISSUED" } });
    expect(standinDiscounts(shop)).toHaveLength(1);
    expect((await getBalance(shop, m.id)).available).toBe(500);
  });

  it("when Shopify cannot even be asked, the points stay held until the settlement resolves it", async () => {
    const { shop, accessToken } = await redeemShop();
    const m = await memberWith(shop, 1000);
    const r = await fixedReward(shop);
    const down = async () => createAdminGateway({ shop, accessToken, origin: "http://127.0.0.1:9", maxRetries: 0, timeoutMs: 500 });
    const outcome = await redeemReward(shop, { customerId: m.shopifyCustomerId, rewardId: r.id, idempotencyKey: key(), channel: "api", actor: "test" }, { gateway: down });
    expect(outcome).toMatchObject({ ok: false, status: 503, code: "shopify_unavailable" });
    const row = await prisma.redemption.findFirstOrThrow({ where: { shop } });
    expect(row.status).toBe("ISSUING");
    expect((await getBalance(shop, m.id)).available).toBe(500);

    const gateway = createAdminGateway({ shop, accessToken, origin: admin.standin.url, maxRetries: 0 });
    // Too young to settle: a request may still be issuing it.
    expect(await settleRedemptions(shop, new Date(), gateway)).toMatchObject({ failed: 0, issued: 0 });
    expect(await settleRedemptions(shop, new Date(Date.now() + 11 * 60_000), gateway)).toMatchObject({ failed: 1 });
    expect((await prisma.redemption.findFirstOrThrow({ where: { shop } })).status).toBe("FAILED");
    expect((await getBalance(shop, m.id)).available).toBe(1000);
    expect(await reconcileBalances(shop)).toEqual([]);
  });
});

describe("a code's life after it is issued", () => {
  async function issued(points = 1000) {
    const setup = await redeemShop();
    const m = await memberWith(setup.shop, points);
    const r = await fixedReward(setup.shop, { stockTotal: 3 });
    const answer = await post(setup.token, { customerId: String(m.shopifyCustomerId), rewardId: r.id, idempotencyKey: key() });
    expect(answer.status).toBe(201);
    return { ...setup, m, r, code: answer.body.redemption.code as string, id: answer.body.redemption.id as string };
  }

  it("the paid order that used the code captures the hold, once, on that order; its cancellation gives the points back", async () => {
    const { shop, m, r, code, id } = await issued();
    const { orderId, payload } = paidOrderWithCode(m.shopifyCustomerId, code.toLowerCase());
    await earnPointsForOrder(shop, payload, "orders/paid");
    await earnPointsForOrder(shop, payload, "orders/paid");
    const used = await prisma.redemption.findUniqueOrThrow({ where: { id } });
    expect([used.status, used.orderId]).toEqual(["USED", orderId]);
    const captures = await prisma.ledgerEntry.findMany({ where: { shop, kind: "REDEEM_CAPTURE" } });
    expect(captures.map((c) => [c.orderId, c.pendingId])).toEqual([[orderId, used.holdEntryId]]);
    const earned = (await prisma.orderEarning.findUniqueOrThrow({ where: { shop_orderId: { shop, orderId } } })).points;
    expect(earned).toBeGreaterThan(0);
    expect((await getBalance(shop, m.id)).available).toBe(500 + earned);

    await reverseCancelledOrder(shop, { ...payload, cancelled_at: new Date().toISOString() });
    await reverseCancelledOrder(shop, { ...payload, cancelled_at: new Date().toISOString() });
    expect((await prisma.redemption.findUniqueOrThrow({ where: { id } })).status).toBe("RETURNED");
    expect(await prisma.ledgerEntry.count({ where: { shop, kind: "REDEEM_RETURN" } })).toBe(1);
    expect((await getBalance(shop, m.id)).available).toBe(1000);
    expect((await prisma.reward.findUniqueOrThrow({ where: { id: r.id } })).issuedCount).toBe(0);
    expect(await reconcileBalances(shop)).toEqual([]);
  });

  it("a cancellation delivered before the paid order still gives the points back", async () => {
    const { shop, m, code, id } = await issued();
    const { payload } = paidOrderWithCode(m.shopifyCustomerId, code);
    await reverseCancelledOrder(shop, { ...payload, cancelled_at: new Date().toISOString() });
    await earnPointsForOrder(shop, payload, "orders/paid");
    expect((await prisma.redemption.findUniqueOrThrow({ where: { id } })).status).toBe("RETURNED");
    expect((await getBalance(shop, m.id)).available).toBe(1000);
  });

  it("captures on orders/paid even when the shop earns on fulfilment", async () => {
    const { shop, m, code, id } = await issued();
    await prisma.shop.update({ where: { domain: shop }, data: { earnTrigger: "ORDER_FULFILLED" } });
    const { payload } = paidOrderWithCode(m.shopifyCustomerId, code);
    expect(await earnPointsForOrder(shop, payload, "orders/paid")).toBeNull();
    expect((await prisma.redemption.findUniqueOrThrow({ where: { id } })).status).toBe("USED");
  });

  it("an expired, unused code is removed from Shopify and its points come back; a used one waits for its order", async () => {
    const first = await issued(2000);
    const { shop, m, accessToken } = first;
    const second = await post(first.token, { customerId: String(m.shopifyCustomerId), rewardId: first.r.id, idempotencyKey: key() });
    const gateway = createAdminGateway({ shop, accessToken, origin: admin.standin.url, maxRetries: 0 });
    // The second code was used at checkout; its orders/paid has not arrived yet.
    const usedDiscount = standinDiscounts(shop).find((d) => d.code === second.body.redemption.code);
    if (!usedDiscount) throw new Error("second code missing from the stand-in");
    admin.standin.markCodeUsed(shop, usedDiscount.code);
    const later = new Date(Date.now() + 31 * 86_400_000);
    expect(await settleRedemptions(shop, later, gateway)).toMatchObject({ expired: 1, awaitingOrder: 1 });
    expect(await settleRedemptions(shop, later, gateway)).toMatchObject({ expired: 0, awaitingOrder: 1 });
    expect((await prisma.redemption.findUniqueOrThrow({ where: { id: first.id } })).status).toBe("EXPIRED");
    expect(standinDiscounts(shop).map((d) => d.code)).toEqual([second.body.redemption.code]);
    expect((await getBalance(shop, m.id)).available).toBe(1500);
    expect((await prisma.reward.findUniqueOrThrow({ where: { id: first.r.id } })).issuedCount).toBe(1);
    expect(await reconcileBalances(shop)).toEqual([]);
  });
});

describe("the hourly settlement schedule", () => {
  const queue = useIsolatedJobQueue();

  it("enqueues one settlement per hour for each shop with an expired code, and none for others", async () => {
    const setup = await redeemShop();
    const idle = await redeemShop();
    const m = await memberWith(setup.shop, 1000);
    const r = await fixedReward(setup.shop, { codeExpiryDays: 1 });
    expect((await post(setup.token, { customerId: String(m.shopifyCustomerId), rewardId: r.id, idempotencyKey: key() })).status).toBe(201);
    const later = new Date(Date.now() + 2 * 86_400_000);
    const hour = later.toISOString().slice(0, 13);

    await enqueueHourlyJobs(later);
    expect((await queue().getJobStatus("bulk", `settle-redemptions:${setup.shop}:${hour}`))?.state).toBe("waiting");
    expect(await queue().getJobStatus("bulk", `settle-redemptions:${idle.shop}:${hour}`)).toBeNull();
    // Another worker's tick in the same hour adds nothing.
    const waiting = (await queue().queueCounts()).bulk.waiting;
    await enqueueHourlyJobs(later);
    expect((await queue().queueCounts()).bulk.waiting).toBe(waiting);
    // Nothing is due now: the code has a day left.
    await enqueueHourlyJobs(new Date());
    expect(await queue().getJobStatus("bulk", `settle-redemptions:${setup.shop}:${new Date().toISOString().slice(0, 13)}`)).toBeNull();
  });
});
