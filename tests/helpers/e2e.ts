import AxeBuilder from "@axe-core/playwright";
import pg from "pg";
import type { Page } from "playwright-core";
import { expect } from "vitest";
import { TEST_DATABASE_URL } from "./env";

// What the browser tests on the demo share: a database of their own on the test server, and axe.

/** A database of the test file's own beside the test database: its demo runs on it instead of PGlite. */
export function e2eDatabaseUrl(suffix: string): string {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `${url.pathname.slice(1)}_${suffix}`;
  return url.toString();
}

export async function recreateDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

export async function expectNoAxeViolations(page: Page, what: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const summary = violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
  expect(summary, what).toEqual([]);
}
