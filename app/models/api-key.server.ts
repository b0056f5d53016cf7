import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { Prisma } from "@prisma/client";
import prisma from "~/db.server";
import { recordAudit } from "./audit-log.server";

// Per-shop keys for the public REST API. A token is `lnk_<prefix>_<secret>`: the prefix (16 hex
// characters, unique) finds the row and is what the admin shows; the secret is 32 random bytes in
// base64url. Only sha256(token) is stored, so a database leak gives nobody a working key.

export const MAX_ACTIVE_KEYS_PER_SHOP = 20;
export const MAX_LABEL_LENGTH = 100;
const TOKEN = /^lnk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const LAST_USED_GRANULARITY_MS = 60_000;
// Compared against when the prefix is unknown, so that case costs the same as a wrong secret.
const DUMMY_HASH = sha256Hex("lnk_0000000000000000_unknown");

export type ApiKeyRecord = Prisma.ApiKeyGetPayload<object>;

export interface AuthenticatedApiKey {
  id: string;
  shop: string;
  prefix: string;
}

function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === right.length && timingSafeEqual(left, right);
}

export class ApiKeyLimitError extends Error {
  constructor(readonly limit: number) {
    super(`A shop may have at most ${limit} active API keys`);
    this.name = "ApiKeyLimitError";
  }
}

/**
 * Creates a key and returns its token: the only time it exists outside the caller's hands.
 * Audit-logged in the same transaction.
 */
export async function createApiKey(shop: string, input: { label: string; createdBy: string }): Promise<{ key: ApiKeyRecord; token: string }> {
  const label = input.label.trim();
  if (label === "" || label.length > MAX_LABEL_LENGTH) throw new RangeError(`label must be 1 to ${MAX_LABEL_LENGTH} characters`);
  for (let attempt = 0; ; attempt++) {
    const prefix = randomBytes(8).toString("hex");
    const token = `lnk_${prefix}_${randomBytes(32).toString("base64url")}`;
    try {
      const key = await prisma.$transaction(async (tx) => {
        // Serialises creations per shop so the active-key limit holds under double submits.
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`api-keys:${shop}`}))`;
        const active = await tx.apiKey.count({ where: { shop, revokedAt: null } });
        if (active >= MAX_ACTIVE_KEYS_PER_SHOP) throw new ApiKeyLimitError(MAX_ACTIVE_KEYS_PER_SHOP);
        const created = await tx.apiKey.create({ data: { shop, label, prefix, secretHash: sha256Hex(token), createdBy: input.createdBy } });
        await recordAudit(shop, {
          actor: input.createdBy,
          action: "api_key.created",
          subjectType: "api_key",
          subjectId: created.id,
          details: { label, prefix },
        }, tx);
        return created;
      });
      return { key, token };
    } catch (error) {
      // 64 random bits make a prefix collision all but impossible; if one happens, draw again.
      const collision = error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
      if (!collision || attempt >= 2) throw error;
    }
  }
}

export async function listApiKeys(shop: string): Promise<ApiKeyRecord[]> {
  return prisma.apiKey.findMany({ where: { shop }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
}

/**
 * Revokes the key (from now on it answers 401). Returns null when the shop has no such key;
 * revoking a revoked key changes nothing and is not logged again.
 */
export async function revokeApiKey(shop: string, keyId: string, actor: string, now = new Date()): Promise<ApiKeyRecord | null> {
  return prisma.$transaction(async (tx) => {
    const { count } = await tx.apiKey.updateMany({ where: { shop, id: keyId, revokedAt: null }, data: { revokedAt: now } });
    const key = await tx.apiKey.findUnique({ where: { shop_id: { shop, id: keyId } } });
    if (key && count === 1) {
      await recordAudit(shop, {
        actor,
        action: "api_key.revoked",
        subjectType: "api_key",
        subjectId: key.id,
        details: { label: key.label, prefix: key.prefix },
      }, tx);
    }
    return key;
  });
}

/**
 * The key a bearer token belongs to, or null when the token is malformed, unknown, revoked, or its
 * shop is not installed: callers answer all of these the same way. The token names its shop, so
 * this is the one lookup that does not start from one.
 */
export async function authenticateApiKey(token: string, now = new Date()): Promise<AuthenticatedApiKey | null> {
  const match = TOKEN.exec(token);
  const row = match
    ? await prisma.apiKey.findUnique({
        where: { prefix: match[1] },
        select: { id: true, shop: true, prefix: true, secretHash: true, revokedAt: true, lastUsedAt: true, shopRef: { select: { installState: true } } },
      })
    : null;
  const matches = sameHash(sha256Hex(token), row?.secretHash ?? DUMMY_HASH);
  if (!row || !matches || row.revokedAt !== null || row.shopRef.installState !== "INSTALLED") return null;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_GRANULARITY_MS) {
    // Conditional, so concurrent requests in the same minute write once at most.
    await prisma.apiKey.updateMany({
      where: { shop: row.shop, id: row.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - LAST_USED_GRANULARITY_MS) } }] },
      data: { lastUsedAt: now },
    });
  }
  return { id: row.id, shop: row.shop, prefix: row.prefix };
}
