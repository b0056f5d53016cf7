import { randomInt } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createApiKey, revokeApiKey } from "~/models/api-key.server";
import { action, loader } from "~/routes/api.v1.reviews";
import { createTestShop, prisma } from "../helpers/db";

// The public review endpoint's HTTP contract, through its loader and action with real Requests:
// every refusal is `{error: {code, message}}` and writes nothing.

const URL_ = "https://loyalnest.test/api/v1/reviews";

async function call(request: Request): Promise<{ status: number; headers: Headers; body: { error: { code: string; message: string; fields?: Record<string, string> } } }> {
  const args = { request, params: {}, context: {} };
  const response = request.method === "GET" || request.method === "HEAD" ? await loader() : await action(args);
  return { status: response.status, headers: response.headers, body: await response.json() };
}

function postRequest(body: string, headers: Record<string, string> = {}, method = "POST") {
  return new Request(URL_, { method, headers: { "Content-Type": "application/json", ...headers }, body });
}

async function shopWithMember() {
  const { domain: shop } = await createTestShop();
  await prisma.shop.update({ where: { domain: shop }, data: { earningRules: { actions: { review: { enabled: true, points: 25 } } } } });
  const member = await prisma.member.create({ data: { shop, shopifyCustomerId: BigInt(randomInt(1, 2 ** 47)) } });
  const { key, token } = await createApiKey(shop, { label: "Judge.me", createdBy: "staff:1" });
  return { shop, member, key, token, auth: { Authorization: `Bearer ${token}` } };
}

async function nothingWritten(shop: string, memberCount = 1) {
  expect(await prisma.ledgerEntry.count({ where: { shop } })).toBe(0);
  expect(await prisma.member.count({ where: { shop } })).toBe(memberCount);
}

describe("POST /api/v1/reviews", () => {
  it("answers other methods with 405 and an Allow header", async () => {
    for (const request of [new Request(URL_), postRequest("{}", {}, "PUT"), postRequest("{}", {}, "DELETE"), postRequest("{}", {}, "PATCH")]) {
      const response = await call(request);
      expect(response.status, request.method).toBe(405);
      expect(response.headers.get("Allow")).toBe("POST");
      expect(response.body).toEqual({ error: { code: "method_not_allowed", message: expect.any(String) } });
    }
  });

  it("answers 401 the same way to a missing, malformed, unknown, wrong or revoked key, before reading the body", async () => {
    const { shop, member, key, token } = await shopWithMember();
    const { token: revokedToken, key: revokedKey } = await createApiKey(shop, { label: "old", createdBy: "staff:1" });
    await revokeApiKey(shop, revokedKey.id, "staff:1");
    const [, prefix, secret] = /^lnk_([0-9a-f]{16})_(.+)$/.exec(token) ?? [];
    const flipped = secret.slice(0, -1) + (secret.endsWith("A") ? "B" : "A");
    const body = JSON.stringify({ customerId: member.shopifyCustomerId.toString(), reviewId: "r-1" });
    const attempts: Record<string, string> = {};
    const variants: [string, Record<string, string>][] = [
      ["missing", {}],
      ["basic", { Authorization: `Basic ${Buffer.from("a:b").toString("base64")}` }],
      ["empty bearer", { Authorization: "Bearer " }],
      ["malformed", { Authorization: "Bearer lnk_nothex_x" }],
      ["unknown prefix", { Authorization: `Bearer lnk_${"0".repeat(16)}_${secret}` }],
      ["wrong secret", { Authorization: `Bearer lnk_${prefix}_${flipped}` }],
      ["revoked", { Authorization: `Bearer ${revokedToken}` }],
    ];
    for (const [name, headers] of variants) {
      const response = await call(postRequest(body, headers));
      expect(response.status, name).toBe(401);
      expect(response.headers.get("WWW-Authenticate"), name).toMatch(/^Bearer/);
      attempts[name] = JSON.stringify(response.body);
    }
    expect(new Set(Object.values(attempts)).size).toBe(1);
    expect(JSON.parse(attempts.missing)).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
    // Unauthenticated callers learn nothing about the body either.
    expect((await call(postRequest("not json"))).status).toBe(401);
    await nothingWritten(shop);
    expect((await prisma.apiKey.findUniqueOrThrow({ where: { id: key.id } })).lastUsedAt).toBeNull();
  });

  it("answers 400 to a body that is not JSON, and 413 to one that is too large", async () => {
    const { shop, auth } = await shopWithMember();
    for (const raw of ["", "{", "customerId=1&reviewId=2", '{"customerId": 1,}']) {
      const response = await call(postRequest(raw, auth));
      expect(response.status, raw).toBe(400);
      expect(response.body).toEqual({ error: { code: "invalid_json", message: expect.any(String) } });
    }
    const huge = await call(postRequest(JSON.stringify({ customerId: "1", reviewId: "x", padding: "p".repeat(20_000) }), auth));
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe("payload_too_large");
    await nothingWritten(shop);
  });

  it("answers 422 with one message per invalid field", async () => {
    const { shop, member, auth } = await shopWithMember();
    const customerId = member.shopifyCustomerId.toString();
    const fieldsOf = async (body: unknown) => {
      const response = await call(postRequest(JSON.stringify(body), auth));
      expect(response.status, JSON.stringify(body)).toBe(422);
      expect(response.body.error.code).toBe("invalid_fields");
      expect(response.body.error.message).toEqual(expect.any(String));
      return response.body.error.fields ?? {};
    };
    expect(await fieldsOf({})).toEqual({ customerId: "is required", reviewId: "is required" });
    expect(Object.keys(await fieldsOf([1, 2]))).toEqual(["body"]);
    expect(Object.keys(await fieldsOf("a string"))).toEqual(["body"]);
    for (const bad of ["abc", "1234567890123456789", "gid://shopify/Order/123", "0", -5, 1.5, true, "12 34"]) {
      expect(Object.keys(await fieldsOf({ customerId: bad, reviewId: "r" })), String(bad)).toEqual(["customerId"]);
    }
    for (const bad of ["", "   ", "x".repeat(256), "line\nbreak", { id: 1 }, -1]) {
      expect(Object.keys(await fieldsOf({ customerId, reviewId: bad })), JSON.stringify(bad)).toEqual(["reviewId"]);
    }
    for (const rating of [0, 6, 4.5, "5", null]) {
      expect(await fieldsOf({ customerId, reviewId: "r", rating }), String(rating)).toEqual({ rating: "must be a whole number from 1 to 5" });
    }
    expect(Object.keys(await fieldsOf({ customerId, reviewId: "r", productId: "gid://shopify/Customer/1" }))).toEqual(["productId"]);
    await nothingWritten(shop);
  });

  it("accepts the documented forms of a valid body", async () => {
    const { shop, member, auth } = await shopWithMember();
    const id = member.shopifyCustomerId.toString();
    const response = await call(postRequest(JSON.stringify({ customerId: `gid://shopify/Customer/${id}`, reviewId: 123456, productId: 987, rating: 4 }), auth));
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ status: "granted", points: 25, reviewId: "123456", customerId: id, balance: { available: 25 } });
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    expect(await prisma.ledgerEntry.count({ where: { shop } })).toBe(1);
  });
});
