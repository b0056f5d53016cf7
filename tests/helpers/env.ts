// The environment every test process sees (vitest.config.ts passes it to the workers).
export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/loyalnest_test";
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379/15";

export const testEnv: Record<string, string> = {
  NODE_ENV: "test",
  SHOPIFY_API_KEY: "test-api-key",
  SHOPIFY_API_SECRET: "test-api-secret",
  SHOPIFY_APP_URL: "https://loyalnest.test",
  SCOPES: "read_customers,write_customers,read_orders,write_discounts,read_themes",
  DATABASE_URL: TEST_DATABASE_URL,
  REDIS_URL: TEST_REDIS_URL,
  LOG_LEVEL: "silent",
};
