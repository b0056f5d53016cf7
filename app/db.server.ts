import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@prisma/client";
import { config } from "./config.server";

declare global {
  // Survives Remix dev reloads so connections are not leaked on every rebuild.
  var __loyalnestPrisma: PrismaClient | undefined;
}

function createClient() {
  const adapter = new PrismaPg({ connectionString: config().DATABASE_URL, max: config().DATABASE_POOL_MAX });
  return new PrismaClient({ adapter });
}

const prisma: PrismaClient = global.__loyalnestPrisma ?? createClient();
if (config().NODE_ENV !== "production") global.__loyalnestPrisma = prisma;

export default prisma;
