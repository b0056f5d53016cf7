import prisma from "~/db.server";

/** One round trip on the pool most requests use. */
export async function pingDatabase(): Promise<void> {
  await prisma.$queryRaw`SELECT 1`;
}
