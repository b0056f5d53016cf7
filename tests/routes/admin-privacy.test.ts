import { describe, expect, it } from "vitest";
import { recordAudit } from "~/models/audit-log.server";
import { loader as downloadLoader } from "~/routes/app.privacy.exports.$exportId";
import { loader } from "~/routes/app.privacy";
import { createTestShop, prisma } from "../helpers/db";
import { adminRequest, bodyOf, callRoute, installOfflineSession, sessionToken } from "../helpers/admin-request";

// /app/privacy and its export download with real session tokens: a shop sees and downloads only
// its own customer data exports, each download is audit-logged with the staff user, and the
// audit log filters by action, actor and shop-local dates and pages by id.

async function shopWithSession() {
  const { domain } = await createTestShop({ ianaTimezone: "America/New_York" });
  await installOfflineSession(domain);
  return { shop: domain, token: await sessionToken(domain, { userId: "55001" }) };
}

async function exportFor(shop: string, customerId: bigint, createdAt = new Date()) {
  return prisma.customerDataExport.create({
    data: { shop, customerId, dataRequestId: `req-${customerId}`, createdAt, document: { customerId: customerId.toString(), member: { email: "ada@example.com" }, pointsHistory: [{ points: 50 }] } },
  });
}

interface PrivacyBody {
  exports: { id: string; customerId: string }[];
  exportsNextCursor: string | null;
  audit: { id: string; actor: string; action: string; createdAt: string }[];
  auditOlderCursor: string | null;
  auditNewerCursor: string | null;
  facets: { actions: string[]; actors: string[] };
  ignored: string[];
}

const page = async (token: string, query = "") => {
  const response = await callRoute(loader, adminRequest({ path: `/app/privacy${query}`, token }));
  expect(response.status).toBe(200);
  return bodyOf<PrivacyBody>(response);
};
const download = (token: string | null, exportId: string) =>
  callRoute(downloadLoader, adminRequest({ path: `/app/privacy/exports/${exportId}`, token }), { exportId });

describe("customer data exports", () => {
  it("lists only the shop's exports, newest first, and pages them", async () => {
    const a = await shopWithSession();
    const b = await shopWithSession();
    const older = await exportFor(a.shop, 1001n, new Date(Date.now() - 86_400_000));
    const newer = await exportFor(a.shop, 1002n);
    await exportFor(b.shop, 2001n);
    const body = await page(a.token);
    expect(body.exports.map((e) => e.id)).toEqual([newer.id, older.id]);
    expect(body.exports.map((e) => e.customerId)).toEqual(["1002", "1001"]);
    expect(body.exportsNextCursor).toBeNull();

    for (let i = 0; i < 21; i++) await exportFor(a.shop, BigInt(3000 + i), new Date(Date.now() - (i + 2) * 86_400_000));
    const first = await page(a.token);
    expect(first.exports).toHaveLength(20);
    const second = await page(a.token, `?exportsBefore=${first.exportsNextCursor}`);
    expect(second.exports).toHaveLength(3);
    expect(new Set([...first.exports, ...second.exports].map((e) => e.id)).size).toBe(23);
  });

  it("downloads an export as a JSON attachment and audit-logs who downloaded it", async () => {
    const { shop, token } = await shopWithSession();
    const saved = await exportFor(shop, 4242n);
    const response = await download(token, saved.id);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toMatch(/^attachment; filename="loyalnest-customer-4242-\d{4}-\d{2}-\d{2}\.json"$/);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    expect(await response.json()).toEqual(saved.document);
    const audits = await prisma.auditLog.findMany({ where: { shop, action: "customer.data_export_downloaded" } });
    expect(audits).toEqual([expect.objectContaining({ actor: "staff:55001", subjectType: "customer", subjectId: "4242", details: { exportId: saved.id, dataRequestId: "req-4242" } })]);
  });

  it("refuses another shop's export (404, nothing logged) and any request without a valid session token", async () => {
    const a = await shopWithSession();
    const b = await shopWithSession();
    const theirs = await exportFor(b.shop, 5151n);
    const response = await download(a.token, theirs.id);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain("ada@example.com");
    expect(await download(a.token, "x".repeat(65)).then((r) => r.status)).toBe(404);
    for (const token of [null, await sessionToken(b.shop, { secret: "not-the-secret" })]) {
      const refused = await download(token, theirs.id);
      expect(refused.status).not.toBe(200);
      expect(await refused.text()).not.toContain("ada@example.com");
    }
    expect(await prisma.auditLog.count({ where: { action: "customer.data_export_downloaded", shop: { in: [a.shop, b.shop] } } })).toBe(0);
  });
});

describe("the audit log", () => {
  it("filters by action, actor and shop-local dates, and pages older and newer", async () => {
    const { shop, token } = await shopWithSession();
    const other = await shopWithSession();
    await recordAudit(other.shop, { actor: "staff:1", action: "program.updated" });
    // 30 entries, one every hour from 2026-11-10 00:30 New York time (05:30 UTC).
    const start = Date.parse("2026-11-10T05:30:00Z");
    for (let i = 0; i < 30; i++) {
      const entry = await recordAudit(shop, { actor: i % 3 === 0 ? "staff:9" : "system", action: i % 2 === 0 ? "program.updated" : "points.adjusted" });
      await prisma.auditLog.update({ where: { id: entry.id }, data: { createdAt: new Date(start + i * 3_600_000) } });
    }
    const all = await page(token);
    expect(all.audit).toHaveLength(25);
    expect(all.facets).toEqual({ actions: ["points.adjusted", "program.updated"], actors: ["staff:9", "system"] });
    expect(all.auditNewerCursor).toBeNull();
    const older = await page(token, `?before=${all.auditOlderCursor}`);
    expect(older.audit).toHaveLength(5);
    expect(older.auditOlderCursor).toBeNull();
    const newer = await page(token, `?after=${older.auditNewerCursor}`);
    expect(newer.audit.map((e) => e.id)).toEqual(all.audit.map((e) => e.id));
    expect(newer.auditNewerCursor).toBeNull();

    const staffUpdates = await page(token, "?action=program.updated&actor=staff%3A9");
    // i even and divisible by 3: 0, 6, 12, 18, 24.
    expect(staffUpdates.audit).toHaveLength(5);
    expect(staffUpdates.audit.every((e) => e.actor === "staff:9" && e.action === "program.updated")).toBe(true);

    // 2026-11-10 in New York (EST) is 05:00 UTC to 05:00 UTC the next day: entries 0..23
    // (00:30 to 23:30 local); "to" includes its whole day. Entries 24..29 are on the 11th.
    const firstDay = await page(token, "?from=2026-11-10&to=2026-11-10");
    expect(firstDay.audit).toHaveLength(24);
    const secondDay = await page(token, "?from=2026-11-11");
    expect(secondDay.audit).toHaveLength(6);

    // A bad date is ignored (and named), not an error page.
    const bad = await page(token, "?from=2026-02-30&action=points.adjusted");
    expect(bad.ignored).toEqual(["from"]);
    expect(bad.audit).toHaveLength(15);
  });

  it("shows nothing of another shop's log", async () => {
    const a = await shopWithSession();
    const b = await shopWithSession();
    await recordAudit(b.shop, { actor: "staff:2", action: "program.launched" });
    const body = await page(a.token);
    expect(body.audit).toEqual([]);
    expect(body.facets).toEqual({ actions: [], actors: [] });
  });
});
