import { randomBytes } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import { resetConfigForTests } from "~/config.server";
import { startAdminStandin, type AdminStandin, type StartAdminStandinOptions } from "../../server/standins/shopify-admin";
import { prisma } from "./db";

/**
 * Starts the Admin API stand-in for the file's tests and points the app's gateway at it
 * (SHOPIFY_ADMIN_API_ORIGIN); stops it and restores the config after. Read `.standin` inside tests.
 */
export function useAdminStandin(options: StartAdminStandinOptions = {}): { readonly standin: AdminStandin } {
  let standin: AdminStandin | undefined;
  beforeAll(async () => {
    standin = await startAdminStandin({ port: 0, ...options });
    process.env.SHOPIFY_ADMIN_API_ORIGIN = standin.url;
    resetConfigForTests();
  });
  afterAll(async () => {
    delete process.env.SHOPIFY_ADMIN_API_ORIGIN;
    resetConfigForTests();
    await standin?.close();
  });
  return {
    get standin() {
      if (!standin) throw new Error("the Admin stand-in is not running (use it inside a test)");
      return standin;
    },
  };
}

/**
 * Gives an installed shop what jobs need to call the Admin API: the shop in the stand-in and the
 * offline session holding its token. Returns the token.
 */
export async function connectShopToStandin(standin: AdminStandin, shop: string, scope: string, accessToken = `shpat_${randomBytes(8).toString("hex")}`) {
  standin.addShop(shop, accessToken);
  await prisma.session.create({ data: { id: `offline_${shop}`, shop, state: "state", isOnline: false, accessToken, scope } });
  return accessToken;
}
