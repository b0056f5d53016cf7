import type { PrismaClient } from "@prisma/client";
import { Session } from "@shopify/shopify-api";
import { starterCatalog } from "../../app/domain/rewards";
import { PrismaSessionStorage } from "../../app/models/session-storage.server";

// Installing the demo shop is what Shopify's OAuth would leave behind: the Shop row and the
// offline session holding the Admin API token. Idempotent: a second run reinstalls the same shop
// without touching anything the merchant changed or the program's data.

export const DEMO_SHOP_PROFILE = {
  name: "LoyalNest Demo Store",
  email: "owner@demo-loyalnest.example",
  currencyCode: "USD",
  ianaTimezone: "America/New_York",
} as const;

export interface DemoInstall {
  shop: string;
  accessToken: string;
  /** Comma-separated, as granted by Shopify. */
  scopes: string;
}

export function offlineSessionId(shop: string): string {
  return `offline_${shop}`;
}

export async function installDemoShop(prisma: PrismaClient, install: DemoInstall): Promise<{ created: boolean }> {
  const existing = await prisma.shop.findUnique({ where: { domain: install.shop }, select: { id: true } });
  await prisma.shop.upsert({
    where: { domain: install.shop },
    create: { domain: install.shop, installState: "INSTALLED", ...DEMO_SHOP_PROFILE },
    update: { installState: "INSTALLED", uninstalledAt: null },
  });
  // Written through the app's own session storage so the row has exactly the shape it loads.
  await new PrismaSessionStorage(prisma).storeSession(
    new Session({
      id: offlineSessionId(install.shop),
      shop: install.shop,
      state: "",
      isOnline: false,
      scope: install.scopes,
      accessToken: install.accessToken,
    }),
  );
  // A new demo shop starts with the starter rewards a merchant is offered at onboarding.
  if (!existing && (await prisma.reward.count({ where: { shop: install.shop } })) === 0) {
    await prisma.reward.createMany({ data: starterCatalog(DEMO_SHOP_PROFILE.currencyCode).map((r) => ({ ...r, shop: install.shop })) });
  }
  return { created: !existing };
}

/**
 * A Prisma client of its own on `databaseUrl`, loaded only after the client has been generated
 * (a static import would fail before `prisma generate` on a fresh checkout).
 */
export async function withPrisma<T>(databaseUrl: string, fn: (prisma: PrismaClient) => Promise<T>): Promise<T> {
  const [{ PrismaClient: Client }, { PrismaPg }] = await Promise.all([import("@prisma/client"), import("@prisma/adapter-pg")]);
  const prisma = new Client({ adapter: new PrismaPg({ connectionString: databaseUrl, max: 1 }) });
  try {
    return await fn(prisma);
  } finally {
    await prisma.$disconnect();
  }
}
