import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, randomInt } from "node:crypto";
import { config } from "~/config.server";

// Redemption codes are bearer secrets (whoever holds one spends the points), so they are stored
// encrypted with AES-256-GCM. The stored text names its key, so keys can rotate: the first key of
// REDEMPTION_CODE_KEYS encrypts, every listed key decrypts. Lookups use a hash, never the text.

interface CodeKey {
  id: string;
  key: Buffer;
}

export class CodeCipherError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CodeCipherError";
  }
}

let cachedKeys: { source: string; keys: CodeKey[] } | undefined;

function keys(): CodeKey[] {
  const env = config();
  const source = env.REDEMPTION_CODE_KEYS ?? `dev:${env.SHOPIFY_API_SECRET}`;
  if (cachedKeys?.source === source) return cachedKeys.keys;
  const parsed = env.REDEMPTION_CODE_KEYS
    ? env.REDEMPTION_CODE_KEYS.split(",").map((entry) => {
        const [id, b64] = entry.trim().split(":");
        return { id, key: Buffer.from(b64, "base64") };
      })
    : // Outside production only (config refuses production without keys): stable across restarts.
      [{ id: "dev", key: Buffer.from(hkdfSync("sha256", env.SHOPIFY_API_SECRET, "loyalnest", "redemption-codes", 32)) }];
  cachedKeys = { source, keys: parsed };
  return parsed;
}

const b64 = (buf: Buffer) => buf.toString("base64url");

/** `v1:<key id>:<iv>:<tag>:<ciphertext>`, base64url parts. */
export function encryptCode(code: string): string {
  const { id, key } = keys()[0];
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(id));
  const body = Buffer.concat([cipher.update(code, "utf8"), cipher.final()]);
  return ["v1", id, b64(iv), b64(cipher.getAuthTag()), b64(body)].join(":");
}

export function decryptCode(stored: string): string {
  const [version, id, iv, tag, body] = stored.split(":");
  if (version !== "v1" || !body) throw new CodeCipherError("not an encrypted code");
  const entry = keys().find((k) => k.id === id);
  if (!entry) throw new CodeCipherError(`no key ${id} in REDEMPTION_CODE_KEYS to decrypt a stored code`);
  try {
    const decipher = createDecipheriv("aes-256-gcm", entry.key, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(id));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new CodeCipherError("a stored code failed its integrity check");
  }
}

/** Shopify compares codes case-insensitively; so does the lookup. */
export function codeHash(shop: string, code: string): string {
  return createHash("sha256").update(`${shop}\n${code.trim().toUpperCase()}`).digest("hex");
}

// Crockford's base32 without look-alikes (no I, L, O, U): easy to read out and type.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** `LN-XXXX-XXXX-XX`: 50 random bits, unguessable for a single-use, customer-bound code. */
export function generateCode(): string {
  let chars = "";
  for (let i = 0; i < 10; i++) chars += ALPHABET[randomInt(ALPHABET.length)];
  return `LN-${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`;
}
