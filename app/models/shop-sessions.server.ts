import prisma from "~/db.server";

// A shop's sessions as the lifecycle webhooks change them. Apart from session-storage.server.ts,
// which the demo's installer loads before the app's configuration exists.

/** On uninstall the shop's tokens are dead: keep none of them. */
export async function deleteSessionsForShop(shop: string) {
  const { count } = await prisma.session.deleteMany({ where: { shop } });
  return count;
}

export async function updateSessionScopes(shop: string, scope: string) {
  const { count } = await prisma.session.updateMany({ where: { shop }, data: { scope } });
  return count;
}
