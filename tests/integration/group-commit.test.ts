import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it, vi } from "vitest";
import { closeSqlPool, groupTransaction, type SqlTransaction } from "~/models/sql.server";
import { createTestShop, prisma } from "../helpers/db";

// Group commit (app/models/sql.server.ts): events that arrive together share one transaction, and
// each still gets exactly the outcome it would have had alone. Told apart here by the transaction
// id each member sees (txid_current()) and by what is left in the table afterwards.

afterAll(closeSqlPool);

const insert = (tx: SqlTransaction, shop: string, action: string) =>
  tx.execute(`INSERT INTO "AuditLog" ("shop", "actor", "action") VALUES ($1, 'group-test', $2)`, [shop, action]);
const txid = async (tx: SqlTransaction) => (await tx.rows<{ id: string }>(`SELECT txid_current()::text AS "id"`))[0].id;
const rowsOf = (shop: string) => prisma.auditLog.findMany({ where: { shop }, select: { action: true } }).then((rows) => rows.map((r) => r.action).sort());

/** Transaction ids each member ran in, in order of its runs. */
type Seen = Record<string, string[]>;

/** A member the way an order event is written: statements, then its last write with commit(). */
function member(shop: string, action: string, seen: Seen, options: { fail?: "throw" | "sql" } = {}) {
  return async (tx: SqlTransaction) => {
    (seen[action] ??= []).push(await txid(tx));
    await insert(tx, shop, `${action}:first`);
    if (options.fail === "throw") throw new Error(`refused ${action}`);
    await Promise.all([insert(tx, shop, `${action}:last`), ...(options.fail === "sql" ? [tx.rows("SELECT 1 / 0")] : []), tx.commit()]);
    return action;
  };
}

describe("group commit", () => {
  it("events that arrive together share one transaction and all commit", async () => {
    const { domain: shop } = await createTestShop();
    const seen: Seen = {};
    const names = Array.from({ length: 6 }, (_, i) => `order-${i}`);
    const results = await Promise.all(names.map((name) => groupTransaction([`order:${shop}:${name}`], member(shop, name, seen))));
    expect(results).toEqual(names);
    expect(new Set(Object.values(seen).flat()).size).toBe(1);
    expect(await rowsOf(shop)).toEqual(names.flatMap((n) => [`${n}:first`, `${n}:last`]).sort());
  });

  it("an event whose key is already in the forming group gets a transaction of its own", async () => {
    const { domain: shop } = await createTestShop();
    const seen: Seen = {};
    const key = `customer:${shop}:42`;
    await Promise.all([
      groupTransaction([`order:${shop}:a`, key], member(shop, "a", seen)),
      groupTransaction([`order:${shop}:b`], member(shop, "b", seen)),
      groupTransaction([`order:${shop}:c`, key], member(shop, "c", seen)),
    ]);
    expect(seen.a).toEqual(seen.b);
    expect(seen.c).toHaveLength(1);
    expect(seen.c[0]).not.toBe(seen.a[0]);
    expect(await rowsOf(shop)).toHaveLength(6);
  });

  it.each([
    { failure: "throw" as const, title: "a member that throws fails alone", error: /refused b/ },
    { failure: "sql" as const, title: "a failing statement aborts the shared transaction for everyone", error: /division by zero/ },
  ])("$title: the group rolls back, then each member runs on its own, once", async ({ failure, error }) => {
    const { domain: shop } = await createTestShop();
    const seen: Seen = {};
    const outcomes = await Promise.allSettled([
      groupTransaction([`order:${shop}:a`], member(shop, "a", seen)),
      groupTransaction([`order:${shop}:b`], member(shop, "b", seen, { fail: failure })),
      groupTransaction([`order:${shop}:c`], member(shop, "c", seen)),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(error);
    // First together, then each alone.
    expect(new Set([seen.a[0], seen.b[0], seen.c[0]]).size).toBe(1);
    expect(new Set([seen.a[1], seen.b[1], seen.c[1], seen.a[0]]).size).toBe(4);
    expect(await rowsOf(shop)).toEqual(["a:first", "a:last", "c:first", "c:last"]);
  });

  it("a member that returns without commit() is committed with the group", async () => {
    const { domain: shop } = await createTestShop();
    const action = randomUUID();
    const seen: Seen = {};
    await Promise.all([
      groupTransaction([`order:${shop}:a`], async (tx) => {
        seen.a = [await txid(tx)];
        await insert(tx, shop, action);
      }),
      groupTransaction([`order:${shop}:b`], member(shop, "b", seen)),
    ]);
    expect(seen.a).toEqual(seen.b);
    expect(await rowsOf(shop)).toEqual([action, "b:first", "b:last"].sort());
  });

  it("when the group cannot get a connection, each member runs on its own and nothing is lost", async () => {
    const { domain: shop } = await createTestShop();
    const seen: Seen = {};
    const refused = vi.spyOn(pg.Pool.prototype, "connect").mockImplementationOnce(() => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:5432")));
    try {
      const results = await Promise.all(["a", "b", "c"].map((n) => groupTransaction([`order:${shop}:${n}`], member(shop, n, seen))));
      expect(results).toEqual(["a", "b", "c"]);
      // The group's connection was refused, then one for each member.
      expect(refused).toHaveBeenCalledTimes(4);
    } finally {
      refused.mockRestore();
    }
    expect(new Set([seen.a[0], seen.b[0], seen.c[0]]).size).toBe(3);
    expect(await rowsOf(shop)).toEqual(["a:first", "a:last", "b:first", "b:last", "c:first", "c:last"]);
  });

  it("events arriving while a group runs form the next group; one alone is not held back", async () => {
    const { domain: shop } = await createTestShop();
    const seen: Seen = {};
    // While the first group runs, two more arrive: they wait for it, then share the next one.
    const first = groupTransaction([`order:${shop}:first`], async (tx) => {
      const result = await member(shop, "first", seen)(tx);
      return result;
    });
    await new Promise((resolve) => setImmediate(resolve));
    const late = Promise.all(["x", "y"].map((n) => groupTransaction([`order:${shop}:${n}`], member(shop, n, seen))));
    expect(await first).toBe("first");
    expect(await late).toEqual(["x", "y"]);
    expect(seen.x).toEqual(seen.y);
    expect(seen.x[0]).not.toBe(seen.first[0]);
  });
});
