import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "~/config.server";

const valid = {
  NODE_ENV: "development",
  SHOPIFY_API_KEY: "key",
  SHOPIFY_API_SECRET: "secret",
  SHOPIFY_APP_URL: "https://app.example.com",
  SCOPES: "read_orders",
  DATABASE_URL: "postgresql://u@localhost:5432/db",
  REDIS_URL: "redis://localhost:6379",
};

function problems(env: Record<string, string | undefined>) {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

describe("parseConfig", () => {
  it("accepts a complete environment and applies defaults", () => {
    const cfg = parseConfig(valid);
    expect(cfg.PORT).toBe(3000);
    expect(cfg.DEMO).toBe(false);
    expect(cfg.LOG_LEVEL).toBe("info");
  });

  it("names a missing variable", () => {
    expect(problems({ ...valid, SHOPIFY_API_SECRET: undefined })).toEqual(["SHOPIFY_API_SECRET is missing"]);
  });

  it("names malformed variables", () => {
    const found = problems({ ...valid, DATABASE_URL: "mysql://x@y/z", PORT: "eighty", SHOPIFY_APP_URL: "not a url" });
    expect(found.some((p) => p.startsWith("DATABASE_URL"))).toBe(true);
    expect(found.some((p) => p.startsWith("PORT"))).toBe(true);
    expect(found.some((p) => p.startsWith("SHOPIFY_APP_URL"))).toBe(true);
  });

  it("refuses the demo mode and a missing Redis in production", () => {
    const found = problems({ ...valid, NODE_ENV: "production", DEMO: "1", REDIS_URL: undefined });
    expect(found).toContain("DEMO the demo mode cannot run with NODE_ENV=production");
    expect(found).toContain("REDIS_URL is required in production");
  });
});
