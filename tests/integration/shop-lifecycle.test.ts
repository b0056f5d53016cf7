import { gatewayForShop } from "~/services/shop-gateway.server";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import "~/jobs/index.server";
import { getJob } from "~/jobs/registry.server";
import type { JobContext } from "~/jobs/types";
import { recordWebhookDelivery } from "~/models/webhook-delivery.server";
import { afterShopInstalled } from "~/jobs/sync-shop-details.job.server";
import { logger } from "~/utils/logger.server";
import { parseExactJson } from "~/utils/json.server";
import { useAdminStandin } from "../helpers/admin-standin";
import { createTestShop, prisma } from "../helpers/db";
import { useIsolatedJobQueue } from "../helpers/jobs";

const queue = useIsolatedJobQueue();
const admin = useAdminStandin();

const ctx = (jobId: string): JobContext => ({ jobId, attempt: 1, maxAttempts: 1, logger, gatewayForShop });

async function runJob(name: string, payload: Record<string, unknown>) {
  const job = getJob(name);
  if (!job) throw new Error(`no job ${name}`);
  await job.handler(job.schema.parse(payload), ctx(randomUUID()));
}

async function deliver(shop: string, topic: string, body: unknown) {
  const webhookId = randomUUID();
  await recordWebhookDelivery(shop, { webhookId, topic, eventId: null, body: JSON.stringify(body) });
  return webhookId;
}

async function installOfflineSession(shop: string, accessToken: string) {
  await prisma.session.create({
    data: { id: `offline_${shop}`, shop, state: "state", isOnline: false, accessToken, scope: "read_orders" },
  });
}

describe("shop lifecycle", () => {
  it("installs the shop, audits it and reads its name, currency and time zone from the Admin API", async () => {
    const shop = `life-${randomUUID().slice(0, 8)}.myshopify.com`;
    admin.standin.addShop(shop, "shpat_lifecycle", { name: "Maple & Co", currencyCode: "CAD", ianaTimezone: "America/Toronto", email: "owner@maple.test" });
    await installOfflineSession(shop, "shpat_lifecycle");

    await afterShopInstalled(shop, new Date("2026-11-22T10:00:00Z"));
    const row = await prisma.shop.findUniqueOrThrow({ where: { domain: shop } });
    expect(row.installState).toBe("INSTALLED");
    expect(await prisma.auditLog.count({ where: { shop, action: "app.installed" } })).toBe(1);
    const status = await queue().getJobStatus("default", `sync-shop-details:${shop}:${new Date("2026-11-22T10:00:00Z").getTime()}`);
    expect(status?.state).toBe("waiting");

    await runJob("sync-shop-details", { shop });
    const synced = await prisma.shop.findUniqueOrThrow({ where: { domain: shop } });
    expect([synced.name, synced.currencyCode, synced.ianaTimezone]).toEqual(["Maple & Co", "CAD", "America/Toronto"]);
    expect(admin.standin.calls.some((c) => c.operationName === "ShopDetails")).toBe(true);
  });

  it("app/uninstalled marks the shop uninstalled, drops its sessions, and stops its webhook jobs", async () => {
    const { domain: shop } = await createTestShop();
    await installOfflineSession(shop, "shpat_gone");
    const uninstall = await deliver(shop, "app/uninstalled", { id: 1, domain: shop });
    await runJob("uninstall-shop", { shop, webhookId: uninstall });
    const row = await prisma.shop.findUniqueOrThrow({ where: { domain: shop } });
    expect(row.installState).toBe("UNINSTALLED");
    expect(row.uninstalledAt).not.toBeNull();
    expect(await prisma.session.count({ where: { shop } })).toBe(0);
    expect(await prisma.auditLog.count({ where: { shop, action: "app.uninstalled" } })).toBe(1);

    const order = parseExactJson(readFileSync("tests/fixtures/orders/orders-paid-exact-ids.json", "utf8"));
    const paid = await deliver(shop, "orders/paid", order);
    await runJob("earn-points-for-order", { shop, webhookId: paid });
    expect(await prisma.orderEarning.count({ where: { shop } })).toBe(0);
    expect(await prisma.member.count({ where: { shop } })).toBe(0);
    const delivery = await prisma.processedWebhook.findUniqueOrThrow({ where: { shop_webhookId: { shop, webhookId: paid } } });
    expect(delivery.processedAt).not.toBeNull();
    expect(delivery.payload).toBeNull();

    // Reinstalling brings the shop back with its data.
    await afterShopInstalled(shop);
    expect((await prisma.shop.findUniqueOrThrow({ where: { domain: shop } })).installState).toBe("INSTALLED");
    expect(await prisma.auditLog.count({ where: { shop, action: "app.reinstalled" } })).toBe(1);
  });

  it("app/scopes_update keeps the stored session's scopes current", async () => {
    const { domain: shop } = await createTestShop();
    await installOfflineSession(shop, "shpat_scopes");
    const id = await deliver(shop, "app/scopes_update", { id: 1, previous: ["read_orders"], current: ["read_orders", "write_customers"], updated_at: "2026-11-22T00:00:00Z" });
    await runJob("update-session-scopes", { shop, webhookId: id });
    expect((await prisma.session.findUniqueOrThrow({ where: { id: `offline_${shop}` } })).scope).toBe("read_orders,write_customers");
  });
});
