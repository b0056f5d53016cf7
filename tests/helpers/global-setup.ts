import pg from "pg";
import { applyMigrations } from "../../server/apply-migrations";
import { TEST_DATABASE_URL } from "./env";

// One fresh database per test run: dropped, created and migrated before any test file starts.
// Test files isolate themselves by using their own shop domains.
export default async function setup() {
  const url = new URL(TEST_DATABASE_URL);
  const dbName = url.pathname.slice(1);
  const admin = new URL(TEST_DATABASE_URL);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    if (process.env.TEST_DATABASE_KEEP !== "1") {
      await client.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
      await client.query(`CREATE DATABASE "${dbName}"`);
    } else {
      const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [dbName]);
      if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${dbName}"`);
    }
  } finally {
    await client.end();
  }
  await applyMigrations(TEST_DATABASE_URL);
}
