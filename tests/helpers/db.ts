import { randomBytes } from "node:crypto";
import prisma from "~/db.server";

export { prisma };

/** A fresh, installed shop with its own domain: tests never share rows. */
export async function createTestShop(overrides: Partial<{ domain: string; currencyCode: string; ianaTimezone: string }> = {}) {
  const domain = overrides.domain ?? `test-${randomBytes(5).toString("hex")}.myshopify.com`;
  return prisma.shop.create({
    data: {
      domain,
      name: domain.split(".")[0],
      currencyCode: overrides.currencyCode ?? "USD",
      ianaTimezone: overrides.ianaTimezone ?? "America/New_York",
    },
  });
}
