import { describe, expect, it } from "vitest";
import { starterCatalog } from "~/domain/rewards";
import { action as editorAction, loader as editorLoader } from "~/routes/app.rewards.$rewardId";
import { action as listAction, loader as listLoader } from "~/routes/app.rewards._index";
import { adminRequest, bodyOf, callRoute, installOfflineSession, sessionToken } from "../helpers/admin-request";
import { createTestShop, prisma } from "../helpers/db";

// /app/rewards and its editor with real session tokens: a merchant creates, edits, disables and
// deletes rewards of their own shop only; bad input is answered field by field and saves nothing;
// every change is audit-logged with the staff user.

async function merchant(currencyCode = "USD") {
  const { domain } = await createTestShop({ currencyCode });
  await installOfflineSession(domain);
  return { shop: domain, token: await sessionToken(domain, { userId: "77001" }) };
}

const form = (fields: Record<string, string>) => ({
  intent: "save", type: "FIXED_AMOUNT", pointsCost: "400", amount: "4", codeExpiryDays: "30",
  enabled: "true", combinesWithOrder: "false", combinesWithProduct: "false", combinesWithShipping: "true",
  title: JSON.stringify({ en: "$4 off", fr: "4 $ de réduction" }), description: "{}", ...fields,
});

const save = (token: string, rewardId: string, fields: Record<string, string>) =>
  callRoute(editorAction, adminRequest({ path: `/app/rewards/${rewardId}`, method: "POST", token, form: form(fields) }), { rewardId });

describe("the rewards editor", () => {
  it("creates and edits a reward, audit-logged with the staff user", async () => {
    const { shop, token } = await merchant();
    const created = await save(token, "new", {});
    expect([created.status, created.headers.get("Location")]).toEqual([302, "/app/rewards"]);
    const reward = await prisma.reward.findFirstOrThrow({ where: { shop } });
    expect(reward).toMatchObject({ type: "FIXED_AMOUNT", pointsCost: 400, amount: "4", title: { en: "$4 off", fr: "4 $ de réduction" } });

    const edited = await save(token, reward.id, { pointsCost: "450", stockTotal: "20", perCustomerLimit: "2" });
    expect(edited.status).toBe(302);
    expect(await prisma.reward.findUniqueOrThrow({ where: { id: reward.id } })).toMatchObject({ pointsCost: 450, stockTotal: 20, perCustomerLimit: 2 });
    const audit = await prisma.auditLog.findMany({ where: { shop, subjectId: reward.id }, orderBy: { id: "asc" } });
    expect(audit.map((a) => [a.action, a.actor])).toEqual([["reward.created", "staff:77001"], ["reward.updated", "staff:77001"]]);

    const page = await bodyOf<{ reward: { pointsCost: string; title: Record<string, string> } }>(
      await callRoute(editorLoader, adminRequest({ path: `/app/rewards/${reward.id}`, token }), { rewardId: reward.id }),
    );
    expect(page.reward).toMatchObject({ pointsCost: "450", title: { en: "$4 off" } });
  });

  it("answers bad input field by field and saves nothing", async () => {
    const { shop, token } = await merchant("JPY");
    const refused = await save(token, "new", { pointsCost: "-3", amount: "4.50", title: JSON.stringify({ en: "" }) });
    expect(refused.status).toBe(422);
    expect((await bodyOf<{ errors: Record<string, string> }>(refused)).errors).toEqual({ pointsCost: "tooSmall", title: "titleRequired" });
    const yen = await save(token, "new", { amount: "4.50" });
    expect((await bodyOf<{ errors: Record<string, string> }>(yen)).errors).toEqual({ amount: "currencyDecimals" });
    const slider = await save(token, "new", { type: "POINTS_SLIDER", sliderPointsPerUnit: "100", sliderUnitAmount: "100", sliderMin: "100", sliderMax: "1000", sliderStep: "250" });
    expect((await bodyOf<{ errors: Record<string, string> }>(slider)).errors).toEqual({ sliderStep: "sliderStep" });
    expect(await prisma.reward.count({ where: { shop } })).toBe(0);
  });

  it("keeps stock at or above the codes already issued", async () => {
    const { shop, token } = await merchant();
    const reward = await prisma.reward.create({ data: { ...starterCatalog("USD")[0], shop } });
    const member = await prisma.member.create({ data: { shop, shopifyCustomerId: 4242n } });
    for (let i = 0; i < 5; i++) {
      await prisma.redemption.create({
        data: {
          id: `held-${shop}-${i}`, shop, memberId: member.id, rewardId: reward.id, requestKey: `k${i}`, channel: "api", points: 10,
          status: i % 2 ? "USED" : "ISSUED", discountConfig: {}, title: "t", codeHash: `h${i}`, codeCipher: "c", holdEntryId: BigInt(i + 1), expiresAt: new Date(),
        },
      });
    }
    const refused = await save(token, reward.id, { stockTotal: "4" });
    expect((await bodyOf<{ errors: Record<string, string> }>(refused)).errors).toEqual({ stockTotal: "stockBelowIssued" });
    expect((await prisma.reward.findUniqueOrThrow({ where: { id: reward.id } })).stockTotal).toBeNull();
    expect((await save(token, reward.id, { stockTotal: "5" })).status).toBe(302);
    expect(await prisma.reward.findUniqueOrThrow({ where: { id: reward.id } })).toMatchObject({ stockTotal: 5, issuedCount: 5 });
  });

  it("never shows or changes another shop's reward", async () => {
    const a = await merchant();
    const b = await merchant();
    const theirs = await prisma.reward.create({ data: { ...starterCatalog("USD")[0], shop: b.shop } });
    const read = await callRoute(editorLoader, adminRequest({ path: `/app/rewards/${theirs.id}`, token: a.token }), { rewardId: theirs.id });
    expect(read.status).toBe(404);
    expect((await save(a.token, theirs.id, { pointsCost: "1" })).status).toBe(404);
    const toggle = await callRoute(listAction, adminRequest({ path: "/app/rewards", method: "POST", token: a.token, form: { intent: "toggle", rewardId: theirs.id, enabled: "false" } }));
    expect(toggle.status).toBe(404);
    const list = await bodyOf<{ rewards: unknown[] }>(await callRoute(listLoader, adminRequest({ path: "/app/rewards", token: a.token })));
    expect(list.rewards).toEqual([]);
    expect(await prisma.reward.findUniqueOrThrow({ where: { id: theirs.id } })).toMatchObject({ enabled: true, pointsCost: 500 });
    // No session token: Shopify's auth answers with a redirect or a 401, never the list.
    expect([302, 401]).toContain((await callRoute(listLoader, adminRequest({ path: "/app/rewards", token: null }))).status);
  });
});

describe("the rewards list", () => {
  it("installs the starter catalog once, disables a reward, and deletes only a reward nobody redeemed", async () => {
    const { shop, token } = await merchant();
    const post = (fields: Record<string, string>) => callRoute(listAction, adminRequest({ path: "/app/rewards", method: "POST", token, form: fields }));
    expect(await bodyOf(await post({ intent: "starter" }))).toMatchObject({ ok: true, count: 4 });
    expect(await bodyOf(await post({ intent: "starter" }))).toMatchObject({ ok: true, count: 0 });
    const list = await bodyOf<{ rewards: { id: string; state: string; cost: number }[] }>(await callRoute(listLoader, adminRequest({ path: "/app/rewards", token })));
    expect(list.rewards.map((r) => r.cost).sort((x, y) => x - y)).toEqual([100, 500, 750, 1500]);

    const [first, second] = list.rewards;
    await post({ intent: "toggle", rewardId: first.id, enabled: "false" });
    expect((await prisma.reward.findUniqueOrThrow({ where: { id: first.id } })).enabled).toBe(false);

    // A reward with a redemption is kept (disable it instead); an unused one can go.
    await prisma.reward.update({ where: { id: second.id }, data: { issuedCount: 1 } });
    const member = await prisma.member.create({ data: { shop, shopifyCustomerId: 42n } });
    await prisma.redemption.create({
      data: {
        id: "r-kept", shop, memberId: member.id, rewardId: second.id, requestKey: "k", channel: "api", points: 10, status: "EXPIRED",
        discountConfig: {}, title: "t", codeHash: "h", codeCipher: "c", holdEntryId: 1n, expiresAt: new Date(),
      },
    });
    const refused = await callRoute(editorAction, adminRequest({ path: `/app/rewards/${second.id}`, method: "POST", token, form: { intent: "delete" } }), { rewardId: second.id });
    expect(refused.status).toBe(409);
    const deleted = await callRoute(editorAction, adminRequest({ path: `/app/rewards/${first.id}`, method: "POST", token, form: { intent: "delete" } }), { rewardId: first.id });
    expect(deleted.status).toBe(302);
    expect(await prisma.reward.count({ where: { shop } })).toBe(3);
  });
});
