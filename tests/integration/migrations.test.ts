import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { TEST_DATABASE_URL } from "../helpers/env";

// `prisma migrate diff --from-migrations … --to-schema … --exit-code` replays the committed
// migrations into a shadow database and compares the result with schema.prisma: exit 0 = same,
// 2 = they differ. Where Prisma's native engine cannot be downloaded, .ci/prisma-engine.sh
// provides the WebAssembly stand-in.
function prismaEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: TEST_DATABASE_URL, CHECKPOINT_DISABLE: "1" };
  if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
    const binary = execFileSync("bash", ["-c", "source .ci/prisma-engine.sh >/dev/null && printf %s \"${PRISMA_SCHEMA_ENGINE_BINARY:-}\""], {
      encoding: "utf8",
    });
    if (binary) env.PRISMA_SCHEMA_ENGINE_BINARY = binary;
  }
  return env;
}

function migrateDiff(schemaPath: string) {
  return spawnSync(
    "npx",
    ["prisma", "migrate", "diff", "--from-migrations", "prisma/migrations", "--to-schema", schemaPath, "--exit-code"],
    { env: prismaEnv(), encoding: "utf8", timeout: 120_000 },
  );
}

describe("migrations", () => {
  it("reproduce schema.prisma exactly", () => {
    const result = migrateDiff("prisma/schema.prisma");
    expect(result.stdout + result.stderr).toContain("No difference detected");
    expect(result.status).toBe(0);
  }, 150_000);

  it("the check fails when the schema and the migrations differ", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "loyalnest-schema-"));
    const schema = path.join(dir, "schema.prisma");
    copyFileSync("prisma/schema.prisma", schema);
    writeFileSync(schema, readFileSync(schema, "utf8").replace("model AuditLog {", "model AuditLog {\n  undeclaredColumn String?"));
    const result = migrateDiff(schema);
    expect(result.status).toBe(2);
  }, 150_000);
});
