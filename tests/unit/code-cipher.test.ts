import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { resetConfigForTests } from "~/config.server";
import { codeHash, CodeCipherError, decryptCode, encryptCode, generateCode } from "~/utils/code-cipher.server";

// Stored redemption codes: AES-256-GCM with the key id in the stored text, so keys rotate.

const key = () => randomBytes(32).toString("base64");
function useKeys(value: string | undefined) {
  if (value === undefined) delete process.env.REDEMPTION_CODE_KEYS;
  else process.env.REDEMPTION_CODE_KEYS = value;
  resetConfigForTests();
}

afterEach(() => useKeys(undefined));

describe("redemption code encryption", () => {
  it("round-trips, never stores the code in clear, and differs on every encryption", () => {
    useKeys(`k1:${key()}`);
    const code = generateCode();
    const a = encryptCode(code);
    const b = encryptCode(code);
    expect(a).toMatch(/^v1:k1:/);
    expect(a).not.toContain(code);
    expect(a).not.toBe(b);
    expect(decryptCode(a)).toBe(code);
  });

  it("keeps decrypting old codes after a rotation, and refuses codes whose key is gone or whose text was altered", () => {
    const old = key();
    useKeys(`k1:${old}`);
    const before = encryptCode("LN-AAAA-BBBB-CC");
    useKeys(`k2:${key()},k1:${old}`);
    const after = encryptCode("LN-DDDD-EEEE-FF");
    expect(after).toMatch(/^v1:k2:/);
    expect(decryptCode(before)).toBe("LN-AAAA-BBBB-CC");
    expect(decryptCode(after)).toBe("LN-DDDD-EEEE-FF");
    const parts = after.split(":");
    parts[4] = Buffer.from("LN-XXXX-XXXX-XX").toString("base64url");
    expect(() => decryptCode(parts.join(":"))).toThrow(CodeCipherError);
    useKeys(`k2:${key()}`);
    expect(() => decryptCode(before)).toThrow(/no key k1/);
  });

  it("finds a code whatever its case, per shop", () => {
    expect(codeHash("a.myshopify.com", "ln-abcd-efgh-jk ")).toBe(codeHash("a.myshopify.com", "LN-ABCD-EFGH-JK"));
    expect(codeHash("a.myshopify.com", "LN-ABCD-EFGH-JK")).not.toBe(codeHash("b.myshopify.com", "LN-ABCD-EFGH-JK"));
  });

  it("makes readable, unguessable codes", () => {
    const codes = new Set(Array.from({ length: 2000 }, generateCode));
    expect(codes.size).toBe(2000);
    for (const code of codes) expect(code).toMatch(/^LN-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{2}$/);
  });

  it("refuses malformed key lists at boot", async () => {
    const { parseConfig } = await import("~/config.server");
    const base = { SHOPIFY_API_KEY: "k", SHOPIFY_API_SECRET: "s", SHOPIFY_APP_URL: "https://a.example", SCOPES: "x", DATABASE_URL: "postgresql://u@h/db" };
    expect(() => parseConfig({ ...base, REDEMPTION_CODE_KEYS: "k1:short" })).toThrow(/REDEMPTION_CODE_KEYS key k1 must be 32 bytes/);
    expect(() => parseConfig({ ...base, REDEMPTION_CODE_KEYS: `k1:${key()},k1:${key()}` })).toThrow(/twice/);
    expect(() => parseConfig({ ...base, NODE_ENV: "production", REDIS_URL: "redis://h:6379" })).toThrow(/REDEMPTION_CODE_KEYS is required in production/);
    expect(parseConfig({ ...base, REDEMPTION_CODE_KEYS: `k1:${key()}` }).REDEMPTION_CODE_KEYS).toMatch(/^k1:/);
  });
});
