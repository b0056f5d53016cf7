import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { closeSqlPool, sqlOf, transaction, withConnection } from "~/models/sql.server";
import { createTestShop, prisma } from "../helpers/db";

// The pipelined executor the order events run on (app/models/sql.server.ts): rows typed exactly as
// Prisma's raw queries type them, one transaction whatever the pipelining, and a rolled-back
// COMMIT that reports the statement that failed.

afterAll(closeSqlPool);

const TYPED = `SELECT 820982911946154508::bigint AS "big", '2026-11-22 10:00:00.123'::timestamp(3) AS "at",
  '2026-02-28'::date AS "day", 12.345::numeric(20,3) AS "amount", '{"id": "1", "n": 2}'::jsonb AS "doc",
  ARRAY['a','b']::text[] AS "tags", 7::int AS "count", true AS "yes", NULL::text AS "none"`;

describe("the SQL executor", () => {
  it("types rows as Prisma's raw queries do: bigint, UTC timestamps and dates, Decimal, parsed JSON", async () => {
    const [ours] = await sqlOf().rows<Record<string, unknown>>(TYPED);
    const [prismas] = await prisma.$queryRawUnsafe<Record<string, unknown>[]>(TYPED);
    expect(ours).toEqual(prismas);
    expect(ours.big).toBe(820982911946154508n);
    expect((ours.at as Date).toISOString()).toBe("2026-11-22T10:00:00.123Z");
    expect(String(ours.amount)).toBe("12.345");
  });

  it("sends dates as UTC and bigints exactly", async () => {
    const at = new Date("2026-03-08T07:30:00.250Z");
    const [row] = await sqlOf().rows<{ at: Date; id: bigint }>(`SELECT $1::timestamp(3) AS "at", $2::bigint AS "id"`, [at, 987654321987654321n]);
    expect(row).toEqual({ at, id: 987654321987654321n });
  });

  it("commits the statements of a transaction together, sent at once or not", async () => {
    const { domain: shop } = await createTestShop();
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    await transaction(async (tx) => {
      await tx.execute(`INSERT INTO "AuditLog" ("shop", "actor", "action") VALUES ($1, 'test', $2)`, [shop, ids[0]]);
      await Promise.all(ids.slice(1).map((id) => tx.execute(`INSERT INTO "AuditLog" ("shop", "actor", "action") VALUES ($1, 'test', $2)`, [shop, id])));
    });
    expect(await prisma.auditLog.count({ where: { shop, action: { in: ids } } })).toBe(3);
  });

  it("a failing statement sent with COMMIT rolls everything back, and the error is that statement's", async () => {
    const { domain: shop } = await createTestShop();
    const action = randomUUID();
    const attempt = transaction(async (tx) => {
      await tx.execute(`INSERT INTO "AuditLog" ("shop", "actor", "action") VALUES ($1, 'test', $2)`, [shop, action]);
      await Promise.all([
        tx.execute(`INSERT INTO "AuditLog" ("shop", "actor", "action") VALUES ($1, 'test', $2)`, [shop, action]),
        tx.rows(`SELECT 1 / 0 AS "boom"`),
        tx.commit(),
      ]);
    });
    await expect(attempt).rejects.toThrow(/division by zero/);
    expect(await prisma.auditLog.count({ where: { shop, action } })).toBe(0);
    // The connection went back to the pool clean: the next transaction on it works.
    await transaction(async (tx) => tx.execute(`INSERT INTO "AuditLog" ("shop", "actor", "action") VALUES ($1, 'test', $2)`, [shop, action]));
    expect(await prisma.auditLog.count({ where: { shop, action } })).toBe(1);
  });

  it("an error thrown by the caller rolls back what it had written", async () => {
    const { domain: shop } = await createTestShop();
    const action = randomUUID();
    await expect(transaction(async (tx) => {
      await tx.execute(`INSERT INTO "AuditLog" ("shop", "actor", "action") VALUES ($1, 'test', $2)`, [shop, action]);
      throw new Error("the caller changed its mind");
    })).rejects.toThrow("the caller changed its mind");
    expect(await prisma.auditLog.count({ where: { shop, action } })).toBe(0);
  });

  it("runs in a Prisma transaction when given one, and rolls back with it", async () => {
    const { domain: shop } = await createTestShop();
    const action = randomUUID();
    await expect(prisma.$transaction(async (tx) => {
      await sqlOf(tx).execute(`INSERT INTO "AuditLog" ("shop", "actor", "action") VALUES ($1, 'test', $2)`, [shop, action]);
      expect(await tx.auditLog.count({ where: { shop, action } })).toBe(1);
      throw new Error("roll back");
    })).rejects.toThrow("roll back");
    expect(await prisma.auditLog.count({ where: { shop, action } })).toBe(0);
  });

  it("reads sent together on one connection come back to their own callers", async () => {
    const results = await withConnection((sql) => Promise.all([1, 2, 3, 4].map((n) => sql.rows<{ n: number }>(`SELECT $1::int * 10 AS "n"`, [n]))));
    expect(results.map(([row]) => row.n)).toEqual([10, 20, 30, 40]);
  });
});
