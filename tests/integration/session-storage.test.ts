import { randomUUID } from "node:crypto";
import { Session } from "@shopify/shopify-api";
import { describe, expect, it } from "vitest";
import { PrismaSessionStorage } from "~/models/session-storage.server";
import { prisma } from "../helpers/db";

const storage = new PrismaSessionStorage(prisma);

describe("PrismaSessionStorage", () => {
  it("stores, loads, finds by shop and deletes offline and online sessions", async () => {
    const shop = `sess-${randomUUID().slice(0, 8)}.myshopify.com`;
    const offline = new Session({
      id: `offline_${shop}`, shop, state: "s1", isOnline: false, scope: "read_orders,write_customers",
      accessToken: "shpat_offline", refreshToken: "shprt_1", refreshTokenExpires: new Date("2027-01-01T00:00:00Z"),
      expires: new Date("2026-12-01T00:00:00Z"),
    });
    const online = new Session({ id: `${shop}_42`, shop, state: "s2", isOnline: true, scope: "read_orders", accessToken: "shpua_online" });
    online.onlineAccessInfo = {
      expires_in: 86400, associated_user_scope: "read_orders",
      associated_user: { id: 42, first_name: "Ada", last_name: "Admin", email: "ada@shop.test", email_verified: true, account_owner: true, locale: "fr", collaborator: false },
    };
    expect(await storage.storeSession(offline)).toBe(true);
    expect(await storage.storeSession(online)).toBe(true);

    const loaded = await storage.loadSession(offline.id);
    expect(loaded?.accessToken).toBe("shpat_offline");
    expect(loaded?.refreshToken).toBe("shprt_1");
    expect(loaded?.expires?.toISOString()).toBe("2026-12-01T00:00:00.000Z");
    expect(loaded?.isOnline).toBe(false);
    const loadedOnline = await storage.loadSession(online.id);
    expect(loadedOnline?.onlineAccessInfo?.associated_user).toMatchObject({ id: 42, first_name: "Ada", account_owner: true, locale: "fr" });

    // Re-storing updates in place.
    offline.accessToken = "shpat_rotated";
    await storage.storeSession(offline);
    expect((await storage.loadSession(offline.id))?.accessToken).toBe("shpat_rotated");

    expect((await storage.findSessionsByShop(shop)).map((s) => s.id).sort()).toEqual([offline.id, online.id].sort());
    expect(await storage.deleteSessions([online.id])).toBe(true);
    expect(await storage.loadSession(online.id)).toBeUndefined();
    expect(await storage.deleteSession(offline.id)).toBe(true);
    expect(await storage.findSessionsByShop(shop)).toEqual([]);
  });
});
