import { describe, expect, it } from "vitest";
import { action, loader } from "~/routes/app.program";
import { parseEarningProgram } from "~/domain/program";
import { createTestShop, prisma } from "../helpers/db";
import { adminRequest, bodyOf, callRoute, installOfflineSession, sessionToken } from "../helpers/admin-request";
import { useIsolatedJobQueue } from "../helpers/jobs";
import { deliver, orderPayload, shopifyId } from "../helpers/pipeline";
import { orderFixture } from "../helpers/webhook-fixtures";

// /app/program through its loader and action with real session tokens: the engine's schema
// judges every save (one message per field, nothing saved on any error), each change is one
// audited transaction naming the staff user, and the preview recomputes with the engine itself.

useIsolatedJobQueue();

async function shopWithSession() {
  const { domain } = await createTestShop();
  await installOfflineSession(domain);
  return { shop: domain, token: await sessionToken(domain, { userId: "91001" }) };
}

const load = (token: string | null) => callRoute(loader, adminRequest({ path: "/app/program", token }));
const post = (token: string | null, json: unknown) => callRoute(action, adminRequest({ path: "/app/program", token, method: "POST", json }));

interface EditorBody {
  program: ReturnType<typeof parseEarningProgram>;
  settings: { earnTrigger: string; pendingDays: number; pointsName: string };
  version: number;
  previewOrders: { orderId: string; points: number }[];
}

async function editor(token: string) {
  const response = await load(token);
  expect(response.status).toBe(200);
  return bodyOf<EditorBody>(response);
}

async function shopState(shop: string) {
  const row = await prisma.shop.findUniqueOrThrow({ where: { domain: shop } });
  const audits = await prisma.auditLog.findMany({ where: { shop }, orderBy: { id: "asc" } });
  return { rules: row.earningRules, version: row.programVersion, pendingDays: row.pendingDays, pointsName: row.pointsName, earnTrigger: row.earnTrigger, audits };
}

describe("GET /app/program", () => {
  it("answers the shop's program with the schema's defaults, its settings and version", async () => {
    const { shop, token } = await shopWithSession();
    await prisma.shop.update({ where: { domain: shop }, data: { earningRules: { purchase: { pointsPerUnit: "3" } }, pendingDays: 7 } });
    const body = await editor(token);
    expect(body.program.purchase).toMatchObject({ pointsPerUnit: "3", rounding: "floor", subtractDiscounts: true, enabled: true });
    expect(body.program.actions.signup).toEqual({ enabled: false, points: 100 });
    expect(body.settings).toEqual({ earnTrigger: "ORDER_PAID", pendingDays: 7, pointsName: "points" });
    expect(body.version).toBe(0);
  });

  it("refuses a request without a session token, or with one signed by another secret", async () => {
    const { shop } = await shopWithSession();
    const forged = await sessionToken(shop, { secret: "not-the-app-secret" });
    for (const token of [null, forged, "not-a-jwt"]) {
      const response = await load(token);
      expect(response.status, String(token)).not.toBe(200);
      expect(await response.text()).not.toContain('"program"');
    }
  });
});

describe("POST /app/program (save)", () => {
  it("saves the whole program in one transaction and audit-logs the staff user with a diff", async () => {
    const { shop, token } = await shopWithSession();
    const current = await editor(token);
    const program = {
      ...current.program,
      purchase: { ...current.program.purchase, pointsPerUnit: "7", includeShipping: true, minimumOrder: "20" },
      conditions: { ...current.program.conditions, customerTags: { include: [], exclude: ["wholesale"] } },
      caps: { perOrderCap: 5000 },
      multipliers: {
        ...current.program.multipliers,
        campaigns: [{ id: "bf", name: "Black Friday", enabled: true, multiplier: "2", startsAt: "2026-11-27", endsAt: "2026-11-30", timeWindows: [] }],
      },
      actions: { ...current.program.actions, birthday: { enabled: true, points: 250 } },
    };
    const response = await post(token, { intent: "save", version: current.version, program, settings: { earnTrigger: "ORDER_FULFILLED", pendingDays: 30, pointsName: "stars" } });
    expect(response.status).toBe(200);
    expect(await bodyOf(response)).toMatchObject({ ok: true, version: 1 });

    const after = await shopState(shop);
    const saved = parseEarningProgram(after.rules);
    expect(saved.purchase).toMatchObject({ pointsPerUnit: "7", includeShipping: true, minimumOrder: "20" });
    expect(saved.conditions.customerTags.exclude).toEqual(["wholesale"]);
    expect(saved.multipliers.campaigns[0]).toMatchObject({ id: "bf", multiplier: "2", endsAt: "2026-11-30" });
    expect(after).toMatchObject({ version: 1, pendingDays: 30, pointsName: "stars", earnTrigger: "ORDER_FULFILLED" });

    expect(after.audits).toHaveLength(1);
    const audit = after.audits[0];
    expect(audit).toMatchObject({ actor: "staff:91001", action: "program.updated", subjectType: "program", subjectId: "1" });
    const changes = (audit.details as { changes: { path: string; from: unknown; to: unknown }[] }).changes;
    expect(changes).toEqual(expect.arrayContaining([
      { path: "program.purchase.pointsPerUnit", from: "1", to: "7" },
      { path: "program.purchase.includeShipping", from: false, to: true },
      { path: "program.purchase.minimumOrder", from: null, to: "20" },
      { path: "program.caps.perOrderCap", from: null, to: 5000 },
      { path: "program.actions.birthday.points", from: 100, to: 250 },
      { path: "settings.pendingDays", from: 14, to: 30 },
      { path: "settings.pointsName", from: "points", to: "stars" },
      { path: "settings.earnTrigger", from: "ORDER_PAID", to: "ORDER_FULFILLED" },
    ]));
    expect(changes.some((c) => c.path.startsWith("program.multipliers.campaigns.0"))).toBe(true);
    // Only what changed is listed.
    expect(changes.some((c) => c.path === "program.purchase.rounding")).toBe(false);

    // Saving the same again changes nothing and logs nothing.
    const again = await post(token, { intent: "save", version: 1, program: saved, settings: { earnTrigger: "ORDER_FULFILLED", pendingDays: 30, pointsName: "stars" } });
    expect(await bodyOf(again)).toMatchObject({ ok: true, version: 1, changed: 0 });
    expect((await shopState(shop)).audits).toHaveLength(1);
  });

  it("answers 422 with one translatable issue per bad field and saves nothing, settings included", async () => {
    const { shop, token } = await shopWithSession();
    const current = await editor(token);
    const before = await shopState(shop);
    const program = {
      ...current.program,
      purchase: { ...current.program.purchase, pointsPerUnit: "abc", rounding: "sideways" },
      conditions: {
        ...current.program.conditions,
        products: { include: ["123"], exclude: ["gid://shopify/Product/123"] },
        collections: { include: ["55", "gid://shopify/Product/9"], exclude: [] },
        timeWindows: [{ days: [], start: "25:00", end: "19:00" }],
        dateRange: { start: "2026-12-31", end: "2026-12-01" },
      },
      caps: { perOrderCap: 0 },
      actions: { ...current.program.actions, signup: { enabled: true, points: "lots" } },
    };
    const response = await post(token, {
      intent: "save", version: current.version, program,
      // Valid settings: they must not be saved either when the program is refused.
      settings: { earnTrigger: "ORDER_PAID", pendingDays: 400, pointsName: "" },
    });
    expect(response.status).toBe(422);
    const body = await bodyOf<{ ok: boolean; issues: { path: string; code: string; params: Record<string, unknown> }[] }>(response);
    expect(body.ok).toBe(false);
    const byPath = Object.fromEntries(body.issues.map((i) => [i.path, i]));
    expect(byPath["program.purchase.pointsPerUnit"]).toMatchObject({ code: "decimal", params: { example: "1" } });
    expect(byPath["program.purchase.rounding"]).toMatchObject({ code: "oneOf", params: { values: "floor, half_up, ceil" } });
    expect(byPath["program.conditions.collections.include.1"]).toMatchObject({ code: "collectionId" });
    expect(byPath["program.conditions.products.exclude"]).toMatchObject({ code: "includedAndExcluded", params: { value: "123" } });
    expect(byPath["program.conditions.timeWindows.0.days"]).toMatchObject({ code: "days" });
    expect(byPath["program.conditions.timeWindows.0.start"]).toMatchObject({ code: "clock" });
    expect(byPath["program.conditions.dateRange.end"]).toMatchObject({ code: "afterStart" });
    expect(byPath["program.caps.perOrderCap"]).toMatchObject({ code: "min", params: { minimum: 1 } });
    expect(byPath["program.actions.signup.points"]).toMatchObject({ code: "wholeNumber" });
    expect(byPath["settings.pendingDays"]).toMatchObject({ code: "max", params: { maximum: 365 } });
    expect(byPath["settings.pointsName"]).toMatchObject({ code: "empty" });

    expect(await shopState(shop)).toEqual(before);
  });

  it("refuses a save made from an older version (409) so a colleague's change is not overwritten", async () => {
    const { shop, token } = await shopWithSession();
    const current = await editor(token);
    const settings = { earnTrigger: "ORDER_PAID", pendingDays: 14, pointsName: "points" };
    const first = await post(token, { intent: "save", version: 0, program: { ...current.program, purchase: { ...current.program.purchase, pointsPerUnit: "2" } }, settings });
    expect(first.status).toBe(200);
    const stale = await post(token, { intent: "save", version: 0, program: { ...current.program, purchase: { ...current.program.purchase, pointsPerUnit: "9" } }, settings });
    expect(stale.status).toBe(409);
    expect(await bodyOf(stale)).toMatchObject({ ok: false, error: "conflict", version: 1 });
    expect(parseEarningProgram((await shopState(shop)).rules).purchase.pointsPerUnit).toBe("2");
    expect((await shopState(shop)).audits).toHaveLength(1);
  });

  it("a shop's token changes only that shop's program", async () => {
    const a = await shopWithSession();
    const b = await shopWithSession();
    const beforeB = await shopState(b.shop);
    const current = await editor(a.token);
    const response = await post(a.token, {
      intent: "save", version: current.version,
      program: { ...current.program, purchase: { ...current.program.purchase, pointsPerUnit: "11" } },
      settings: { earnTrigger: "ORDER_PAID", pendingDays: 14, pointsName: "points" },
    });
    expect(response.status).toBe(200);
    expect(parseEarningProgram((await shopState(a.shop)).rules).purchase.pointsPerUnit).toBe("11");
    expect(await shopState(b.shop)).toEqual(beforeB);
  });

  it("answers 400 to a body that is not JSON or names no intent, and refuses it unauthenticated", async () => {
    const { shop, token } = await shopWithSession();
    const before = await shopState(shop);
    const notJson = await callRoute(action, new Request("https://loyalnest.test/app/program", {
      method: "POST", body: "{", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", "User-Agent": "Mozilla/5.0 Chrome/131.0" },
    }));
    expect(notJson.status).toBe(400);
    expect((await post(token, { intent: "delete" })).status).toBe(400);
    const unauthenticated = await post(null, { intent: "save", version: 0, program: {}, settings: {} });
    expect(unauthenticated.status).not.toBe(200);
    expect(await shopState(shop)).toEqual(before);
  });
});

describe("POST /app/program (preview)", () => {
  async function shopWithOrder() {
    const s = await shopWithSession();
    const orderId = shopifyId();
    const customerId = shopifyId();
    await deliver(s.shop, "orders/paid", orderPayload({ id: orderId, customer: { id: customerId, tags: "vip" }, processedAt: new Date(Date.now() - 3_600_000) }));
    return { ...s, orderId, customerId };
  }

  async function counts(shop: string) {
    const [ledger, earnings, audits, shopRow] = await Promise.all([
      prisma.ledgerEntry.count({ where: { shop } }),
      prisma.orderEarning.findMany({ where: { shop }, select: { orderId: true, points: true, status: true } }),
      prisma.auditLog.count({ where: { shop } }),
      prisma.shop.findUniqueOrThrow({ where: { domain: shop } }),
    ]);
    return { ledger, earnings, audits, rules: shopRow.earningRules, version: shopRow.programVersion };
  }

  it("recomputes a past order under unsaved rules with the engine's trace, and writes nothing", async () => {
    const { shop, token, orderId } = await shopWithOrder();
    const current = await editor(token);
    // The fixture order: five lines, 414.95 of goods; the saved program earns 414.
    expect(current.previewOrders).toEqual([expect.objectContaining({ orderId: orderId.toString(), points: 414 })]);
    const before = await counts(shop);
    const program = {
      ...current.program,
      purchase: { ...current.program.purchase, pointsPerUnit: "3", rounding: "half_up" },
      multipliers: { ...current.program.multipliers, segments: [{ customerTag: "VIP", multiplier: "1.5" }] },
    };
    const response = await post(token, { intent: "preview", program, source: { kind: "order", orderId: orderId.toString() } });
    expect(response.status).toBe(200);
    const { preview } = await bodyOf<{ preview: { points: number; base: string; trace: { code: string; params: Record<string, unknown>; pointsAfter?: number }[]; earnedBefore: unknown } }>(response);
    // 414.95 × 3 = 1244.85 → 1245 (half up); × 1.5 for the vip tag = 1867.5 → 1868.
    expect(preview.points).toBe(1868);
    expect(preview.base).toBe("414.95");
    expect(preview.earnedBefore).toEqual({ points: 414, status: "PENDING" });
    expect(preview.trace.map((s) => s.code)).toEqual(expect.arrayContaining(["base.computed", "rate.applied", "multiplier.segment", "multiplier.applied"]));
    expect(preview.trace.find((s) => s.code === "rate.applied")).toMatchObject({ params: { pointsPerUnit: "3", rounding: "half_up" }, pointsAfter: 1245 });
    expect(await counts(shop)).toEqual(before);
  });

  it("previews a pasted order JSON (bare or wrapped as the REST API returns it), with exact ids", async () => {
    const { token } = await shopWithSession();
    const current = await editor(token);
    const json = orderFixture("orders-paid-exact-ids.json");
    for (const text of [json, `{"order": ${json}}`]) {
      const response = await post(token, { intent: "preview", program: current.program, source: { kind: "json", json: text } });
      expect(response.status).toBe(200);
      const { preview } = await bodyOf<{ preview: { points: number; base: string; earnedBefore: unknown } }>(response);
      expect(preview).toMatchObject({ points: 414, base: "414.95", earnedBefore: null });
    }
  });

  it("answers 422 to text that is not JSON or not an order, and to an invalid program (no computation)", async () => {
    const { token } = await shopWithSession();
    const current = await editor(token);
    const notJson = await post(token, { intent: "preview", program: current.program, source: { kind: "json", json: "{ nope" } });
    expect(notJson.status).toBe(422);
    expect(await bodyOf(notJson)).toMatchObject({ error: "invalid_json" });
    const notOrder = await post(token, { intent: "preview", program: current.program, source: { kind: "json", json: '{"id": 1, "line_items": "x"}' } });
    expect(notOrder.status).toBe(422);
    const problems = (await bodyOf<{ error: string; problems: string[] }>(notOrder));
    expect(problems.error).toBe("invalid_order");
    expect(problems.problems.length).toBeGreaterThan(0);
    const badProgram = await post(token, { intent: "preview", program: { purchase: { pointsPerUnit: "-1" } }, source: { kind: "json", json: orderFixture("orders-paid-exact-ids.json") } });
    expect(badProgram.status).toBe(422);
    expect(await bodyOf(badProgram)).toMatchObject({ issues: [{ path: "program.purchase.pointsPerUnit", code: "decimal" }] });
  });

  it("cannot preview another shop's order: 404, as for an order that does not exist", async () => {
    const a = await shopWithSession();
    const b = await shopWithOrder();
    const current = await editor(a.token);
    const response = await post(a.token, { intent: "preview", program: current.program, source: { kind: "order", orderId: b.orderId.toString() } });
    expect(response.status).toBe(404);
    expect(await bodyOf(response)).toEqual({ intent: "preview", status: 404, ok: false, error: "order_not_found" });
    expect((await editor(a.token)).previewOrders).toEqual([]);
  });
});
