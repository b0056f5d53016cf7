import { createHash, randomInt } from "node:crypto";
import { describe, expect, it } from "vitest";
import { localDateKey, localDayBounds } from "~/domain/time";
import { createApiKey, MAX_ACTIVE_KEYS_PER_SHOP, revokeApiKey } from "~/models/api-key.server";
import { getBalance, reconcileBalances } from "~/models/ledger.server";
import { action } from "~/routes/api.v1.reviews";
import { connectShopToStandin, useAdminStandin } from "../helpers/admin-standin";
import { createTestShop, prisma } from "../helpers/db";

// Review points end to end on real PostgreSQL: the API route with a real key, the service, the
// member lock and the ledger; customers from before the install come from the Admin stand-in.

const admin = useAdminStandin();

const REVIEW_RULES = (perDayLimit = 1, points = 25) => ({ actions: { review: { enabled: true, points, perDayLimit } } });

/** An installed shop with an offline session the Admin stand-in accepts, and an API key. */
async function reviewShop(rules: object = REVIEW_RULES(), ianaTimezone = "America/New_York") {
  const { domain: shop } = await createTestShop({ ianaTimezone });
  await prisma.shop.update({ where: { domain: shop }, data: { earningRules: rules } });
  await connectShopToStandin(admin.standin, shop, "read_customers");
  const { key, token } = await createApiKey(shop, { label: "Judge.me", createdBy: "staff:1" });
  return { shop, token, key };
}

async function member(shop: string, customerId = BigInt(randomInt(1, 2 ** 47))) {
  return prisma.member.create({ data: { shop, shopifyCustomerId: customerId, email: `m${customerId}@example.com` } });
}

async function post(token: string, body: unknown) {
  const request = new Request("https://loyalnest.test/api/v1/reviews", {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const response = await action({ request, params: {}, context: {} });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: response.status, body: (await response.json()) as any };
}

const review = (customerId: bigint | string, reviewId: string, extra: object = {}) => ({ customerId: String(customerId), reviewId, ...extra });

describe("review points through the API", () => {
  it("credits a review once: 201, then the same entry on a replay, even after the points changed", async () => {
    const { shop, token, key } = await reviewShop(REVIEW_RULES(3));
    const m = await member(shop);

    const first = await post(token, review(m.shopifyCustomerId, "jm-1001", { productId: "gid://shopify/Product/8123", rating: 5 }));
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      status: "granted", replayed: false, points: 25, customerId: m.shopifyCustomerId.toString(), reviewId: "jm-1001",
      enrolled: false, balance: { available: 25, pending: 0 },
    });
    expect(first.body.entryId).toMatch(/^\d+$/);
    const entry = await prisma.ledgerEntry.findFirstOrThrow({ where: { shop, memberId: m.id } });
    expect([entry.id.toString(), entry.kind, entry.status, entry.points, entry.reason, entry.actor, entry.idempotencyKey]).toEqual([
      first.body.entryId, "EARN", "POSTED", 25, "review", `api_key:${key.prefix}`, `customer:${m.shopifyCustomerId}:review:jm-1001`,
    ]);
    expect((await prisma.apiKey.findUniqueOrThrow({ where: { id: key.id } })).lastUsedAt).not.toBeNull();

    const again = await post(token, review(m.shopifyCustomerId, "jm-1001"));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: "granted", replayed: true, points: 25, entryId: first.body.entryId, balance: { available: 25 } });

    // The merchant doubles review points: the review was paid at the old rate, and stays paid once.
    await prisma.shop.update({ where: { domain: shop }, data: { earningRules: REVIEW_RULES(3, 50) } });
    const later = await post(token, review(m.shopifyCustomerId, "jm-1001"));
    expect(later.body).toMatchObject({ replayed: true, points: 25, entryId: first.body.entryId });
    // …and through a second key of the same shop too.
    const other = await createApiKey(shop, { label: "Flow", createdBy: "staff:1" });
    expect((await post(other.token, review(m.shopifyCustomerId, "jm-1001"))).body).toMatchObject({ replayed: true, entryId: first.body.entryId });

    expect(await prisma.ledgerEntry.count({ where: { shop } })).toBe(1);
    expect((await getBalance(shop, m.id)).available).toBe(25);
    expect(await reconcileBalances(shop)).toEqual([]);
  });

  it("reads an 18-digit customer id sent as a JSON number without losing digits, and pays a 255-character review id once", async () => {
    const { shop, token } = await reviewShop(REVIEW_RULES(5));
    const m = await member(shop, 115310627314723954n);
    const raw = `{"customerId": 115310627314723954, "reviewId": "exact-1"}`;
    const first = await post(token, raw);
    expect(first.status).toBe(201);
    expect(first.body.customerId).toBe("115310627314723954");
    const longId = "r".repeat(255);
    const long = await post(token, review(m.shopifyCustomerId, longId));
    expect(long.status).toBe(201);
    expect((await post(token, review(m.shopifyCustomerId, longId))).body).toMatchObject({ replayed: true, entryId: long.body.entryId });
    const stored = await prisma.ledgerEntry.findUniqueOrThrow({ where: { shop_id: { shop, id: BigInt(long.body.entryId) } } });
    expect(stored.idempotencyKey).toBe(`customer:115310627314723954:review:sha256:${createHash("sha256").update(longId).digest("hex")}`);
    expect((await getBalance(shop, m.id)).available).toBe(50);
  });

  it("keeps the per-day limit of the shop-local day: 200 daily_limit with 0 points, nothing written", async () => {
    const timeZone = "Pacific/Auckland";
    const { shop, token } = await reviewShop(REVIEW_RULES(2), timeZone);
    const m = await member(shop);
    const { start } = localDayBounds(localDateKey(new Date(), timeZone), timeZone);
    // Reviews paid just before local midnight belong to yesterday; one paid at midnight counts today.
    // (Written directly: the ledger API stamps entries with the current time.)
    for (const [id, at] of [["yesterday-1", new Date(start.getTime() - 1000)], ["yesterday-2", new Date(start.getTime() - 60_000)], ["today-0", start]] as const) {
      await prisma.ledgerEntry.create({
        data: { shop, memberId: m.id, kind: "EARN", status: "POSTED", points: 25, reason: "review", contentHash: "seed", createdAt: at,
          idempotencyKey: `customer:${m.shopifyCustomerId}:review:${id}` },
      });
    }
    expect((await post(token, review(m.shopifyCustomerId, "today-1"))).status).toBe(201);
    const refused = await post(token, review(m.shopifyCustomerId, "today-2"));
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({ status: "daily_limit", replayed: false, points: 0, entryId: null });
    expect(await prisma.ledgerEntry.count({ where: { shop, memberId: m.id } })).toBe(4);
    // Other kinds of points do not use up the review limit.
    const other = await member(shop);
    await prisma.ledgerEntry.create({
      data: { shop, memberId: other.id, kind: "EARN", status: "POSTED", points: 10, reason: "order", contentHash: "seed", idempotencyKey: `order:${randomInt(1, 2 ** 40)}:earn` },
    });
    expect((await post(token, review(other.shopifyCustomerId, "o-1"))).status).toBe(201);
    expect((await post(token, review(other.shopifyCustomerId, "o-2"))).status).toBe(201);
    expect((await post(token, review(other.shopifyCustomerId, "o-3"))).body.status).toBe("daily_limit");
  });

  it("grants exactly min(N, limit) for N parallel different reviews, and one entry for one review sent in parallel", async () => {
    const { shop, token } = await reviewShop(REVIEW_RULES(3, 40));
    const m = await member(shop);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => post(token, review(m.shopifyCustomerId, `par-${i}`))));
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    expect(results.filter((r) => r.status === 200 && r.body.status === "daily_limit")).toHaveLength(5);
    expect(await prisma.ledgerEntry.count({ where: { shop, memberId: m.id } })).toBe(3);
    expect((await getBalance(shop, m.id)).available).toBe(120);

    const n = await member(shop);
    const same = await Promise.all(Array.from({ length: 6 }, () => post(token, review(n.shopifyCustomerId, "same-review"))));
    expect(same.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    expect(new Set(same.map((r) => r.body.entryId)).size).toBe(1);
    expect(same.filter((r) => r.body.replayed)).toHaveLength(5);
    expect(await prisma.ledgerEntry.count({ where: { shop, memberId: n.id } })).toBe(1);
    expect(await reconcileBalances(shop)).toEqual([]);
  });

  it("a shop's key cannot credit another shop's member", async () => {
    const a = await reviewShop();
    const b = await reviewShop();
    const customerOfB = admin.standin.addCustomer(b.shop, { email: "only-b@example.com" });
    const memberOfB = await member(b.shop, BigInt(customerOfB.id.replace("gid://shopify/Customer/", "")));
    const response = await post(a.token, review(memberOfB.shopifyCustomerId, "cross-1"));
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe("member_not_found");
    expect(await prisma.ledgerEntry.count({ where: { shop: { in: [a.shop, b.shop] } } })).toBe(0);
    expect(await prisma.member.count({ where: { shop: a.shop } })).toBe(0);
  });

  it("answers 401 to a revoked key or an uninstalled shop, and writes nothing", async () => {
    const { shop, token, key } = await reviewShop();
    const m = await member(shop);
    expect(await revokeApiKey(shop, key.id, "staff:2")).toMatchObject({ id: key.id });
    const revoked = await post(token, review(m.shopifyCustomerId, "after-revoke"));
    expect(revoked.status).toBe(401);
    expect(revoked.body.error.code).toBe("unauthorized");

    const live = await createApiKey(shop, { label: "Okendo", createdBy: "staff:1" });
    await prisma.shop.update({ where: { domain: shop }, data: { installState: "UNINSTALLED" } });
    expect((await post(live.token, review(m.shopifyCustomerId, "after-uninstall"))).status).toBe(401);
    expect(await prisma.ledgerEntry.count({ where: { shop } })).toBe(0);
    expect((await prisma.apiKey.findUniqueOrThrow({ where: { id: live.key.id } })).lastUsedAt).toBeNull();
  });

  it("credits nothing when the review rule is off or the program is paused", async () => {
    const off = await reviewShop({ actions: { review: { enabled: false, points: 25 } } });
    const m = await member(off.shop);
    const response = await post(off.token, review(m.shopifyCustomerId, "off-1"));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: "disabled", points: 0, entryId: null, replayed: false, balance: { available: 0 } });

    const paused = await reviewShop();
    await prisma.shop.update({ where: { domain: paused.shop }, data: { programEnabled: false } });
    const p = await member(paused.shop);
    expect((await post(paused.token, review(p.shopifyCustomerId, "paused-1"))).body).toMatchObject({ status: "disabled", points: 0 });
    expect(await prisma.ledgerEntry.count({ where: { shop: { in: [off.shop, paused.shop] } } })).toBe(0);
  });

  it("answers 503 program_unavailable, writing nothing, when the stored program is damaged", async () => {
    const { shop, token } = await reviewShop();
    const m = await member(shop);
    await prisma.shop.update({ where: { domain: shop }, data: { earningRules: { actions: { review: { enabled: true, points: -5 } } } } });
    const response = await post(token, review(m.shopifyCustomerId, "damaged-1"));
    expect(response).toMatchObject({ status: 503, body: { error: { code: "program_unavailable" } } });
    expect(await prisma.ledgerEntry.count({ where: { shop } })).toBe(0);
  });

  it("enrolls a customer from before the install (Admin API) and credits the review, without signup points", async () => {
    const { shop, token } = await reviewShop({ actions: { review: { enabled: true, points: 30 }, signup: { enabled: true, points: 500 } } });
    const customer = admin.standin.addCustomer(shop, { email: "Ada@Example.com", firstName: "Ada", lastName: "Lovelace", tags: ["vip"], emailMarketingState: "SUBSCRIBED" });
    const response = await post(token, review(customer.id, "old-customer-1"));
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ enrolled: true, points: 30, balance: { available: 30 } });
    const enrolled = await prisma.member.findFirstOrThrow({ where: { shop } });
    expect(enrolled.shopifyCustomerId.toString()).toBe(customer.id.split("/").pop());
    expect([enrolled.email, enrolled.firstName, enrolled.lastName, enrolled.tags, enrolled.emailMarketingConsent]).toEqual([
      "ada@example.com", "Ada", "Lovelace", ["vip"], true,
    ]);
    expect(await prisma.ledgerEntry.count({ where: { shop } })).toBe(1);
    expect(admin.standin.calls.filter((c) => c.shop === shop && c.operationName === "CustomerById")).toHaveLength(1);
    // A member now: the next review does not ask Shopify again.
    expect((await post(token, review(customer.id, "old-customer-2"))).body).toMatchObject({ enrolled: false, status: "daily_limit" });
    expect(admin.standin.calls.filter((c) => c.shop === shop && c.operationName === "CustomerById")).toHaveLength(1);
  });

  it("answers 404 for a customer Shopify does not know, 503 when Shopify cannot be asked, and writes nothing", async () => {
    const { shop, token } = await reviewShop();
    const unknown = await post(token, review("9999999999", "ghost-1"));
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: { code: "member_not_found", message: expect.stringContaining("9999999999") } });
    admin.standin.failNext(1, 401);
    const down = await post(token, review("8888888888", "ghost-2"));
    expect(down.status).toBe(503);
    expect(down.body.error.code).toBe("shopify_unavailable");
    expect(await prisma.member.count({ where: { shop } })).toBe(0);
    expect(await prisma.ledgerEntry.count({ where: { shop } })).toBe(0);
  });

  it("does not credit a redacted member", async () => {
    const { shop, token } = await reviewShop();
    const m = await prisma.member.create({ data: { shop, shopifyCustomerId: BigInt(randomInt(1, 2 ** 47)), state: "REDACTED" } });
    expect((await post(token, review(m.shopifyCustomerId, "redacted-1"))).status).toBe(404);
    expect(await prisma.ledgerEntry.count({ where: { shop } })).toBe(0);
  });
});

describe("API keys", () => {
  it("keeps only a hash of the token, shows the prefix, and audit-logs creation and revocation once", async () => {
    const { domain: shop } = await createTestShop();
    const { key, token } = await createApiKey(shop, { label: "  Yotpo  ", createdBy: "staff:77" });
    expect(token).toMatch(/^lnk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(token.startsWith(`lnk_${key.prefix}_`)).toBe(true);
    const row = await prisma.apiKey.findUniqueOrThrow({ where: { id: key.id } });
    expect([row.label, row.createdBy, row.secretHash]).toEqual(["Yotpo", "staff:77", createHash("sha256").update(token).digest("hex")]);
    expect(JSON.stringify(row)).not.toContain(token.split("_").slice(2).join("_"));

    const { domain: otherShop } = await createTestShop();
    expect(await revokeApiKey(otherShop, key.id, "staff:9")).toBeNull();
    expect((await prisma.apiKey.findUniqueOrThrow({ where: { id: key.id } })).revokedAt).toBeNull();

    expect((await revokeApiKey(shop, key.id, "staff:78"))?.revokedAt).not.toBeNull();
    await revokeApiKey(shop, key.id, "staff:78");
    const audit = await prisma.auditLog.findMany({ where: { shop }, orderBy: { id: "asc" } });
    expect(audit.map((a) => [a.action, a.actor, a.subjectId, (a.details as { prefix: string }).prefix])).toEqual([
      ["api_key.created", "staff:77", key.id, key.prefix],
      ["api_key.revoked", "staff:78", key.id, key.prefix],
    ]);
    expect(JSON.stringify(audit.map((a) => a.details))).not.toContain(token.slice(-20));
    expect(await prisma.auditLog.count({ where: { shop: otherShop } })).toBe(0);
  });

  it(`allows at most ${MAX_ACTIVE_KEYS_PER_SHOP} active keys per shop, even when created in parallel`, async () => {
    const { domain: shop } = await createTestShop();
    const results = await Promise.allSettled(
      Array.from({ length: MAX_ACTIVE_KEYS_PER_SHOP + 5 }, (_, i) => createApiKey(shop, { label: `key ${i}`, createdBy: "staff:1" })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(MAX_ACTIVE_KEYS_PER_SHOP);
    expect(results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason.name)).toEqual(Array(5).fill("ApiKeyLimitError"));
    expect(await prisma.apiKey.count({ where: { shop } })).toBe(MAX_ACTIVE_KEYS_PER_SHOP);
    const first = await prisma.apiKey.findFirstOrThrow({ where: { shop } });
    await revokeApiKey(shop, first.id, "staff:1");
    await expect(createApiKey(shop, { label: "replacement", createdBy: "staff:1" })).resolves.toBeDefined();
  });
});
