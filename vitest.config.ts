import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { testEnv } from "./tests/helpers/env";

export default defineConfig({
  resolve: {
    alias: { "~": fileURLToPath(new URL("./app", import.meta.url)) },
  },
  test: {
    include: ["tests/**/*.test.{ts,tsx}", "extensions/*/tests/**/*.test.{ts,tsx}"],
    globalSetup: ["tests/helpers/global-setup.ts"],
    env: testEnv,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // The UI-extension tester imports the extension module itself; inlined, that import goes through Vite (TSX, Preact JSX).
    server: { deps: { inline: ["@shopify/ui-extensions-tester"] } },
  },
});
