import type pg from "pg";

// Seeds one shop with members, a year of orders and the ledger entries they leave, straight in
// SQL (a million rows in seconds; the webhook pipeline would take hours). For the admin pages'
// benchmark and for filling the demo: the shapes are those the app writes (two-phase pending
// earnings, voids for cancellations, reversals for refunds, redemption holds captured or voided,
// expiries), the amounts are plausible, and everything is deterministic for a given seed.
// Balances are recomputed from the seeded entries at the end (clamped at zero: a seeded
// redemption may exceed what a member had, which the real ledger would have refused).

export interface AdminSeedOptions {
  shop: string;
  members: number;
  /** The instant the data ends at ("now" for the pages that read it). */
  now: Date;
  /** Orders are spread over this many days before `now` (default 365). */
  orderDays?: number;
  /** Prefix of member ids, order ids and idempotency keys, so seeds can sit beside real data. */
  prefix?: string;
  /** First Shopify customer and order id; ids are consecutive from there. */
  idBase?: bigint;
  seed?: number;
}

export interface AdminSeedCounts {
  members: number;
  orders: number;
  ledgerEntries: number;
}

const FIRST_NAMES = ["Amina", "Bruno", "Chloé", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Inès", "Jonas", "Karim", "Lena", "Mateo", "Nora", "Omar", "Priya", "Quentin", "Rosa", "Sami", "Tess"];
const LAST_NAMES = ["Almeida", "Bennani", "Chen", "Dubois", "Eriksen", "Fischer", "García", "Haddad", "Ito", "Jensen", "Kowalski", "Laurent", "Moreau", "Nakamura", "Okafor", "Petit", "Rossi", "Schmidt", "Tanaka", "Weber"];

/** Seeds the shop (which must exist). Runs in one transaction on `client`. */
export async function seedAdminData(client: pg.Client | pg.PoolClient, options: AdminSeedOptions): Promise<AdminSeedCounts> {
  const prefix = options.prefix ?? "seed";
  if (!/^[a-z0-9-]{1,20}$/.test(prefix)) throw new Error(`prefix must be 1–20 of [a-z0-9-], got ${prefix}`);
  const idBase = options.idBase ?? 9_000_000_000_000n;
  const params = {
    shop: options.shop,
    now: options.now.toISOString(),
    orderDays: options.orderDays ?? 365,
    prefix,
    idBase: idBase.toString(),
  };
  const q = (sql: string, values: unknown[] = []) => client.query(sql, values);

  await q("BEGIN");
  try {
    // Row triggers off for the bulk load (the member-activity triggers would update each member
    // once per order); lastActivityAt is computed once at the end, as the migration's backfill does.
    await q("SET LOCAL session_replication_role = replica");
    await q("SELECT setseed($1)", [((options.seed ?? 42) % 1000) / 1000]);
    await q(
      `INSERT INTO "Member" ("id", "shop", "shopifyCustomerId", "email", "firstName", "lastName", "enrolledAt", "createdAt", "updatedAt")
       SELECT $2 || '-m' || i, $1, $3::bigint + i, $2 || '.shopper' || i || '@example.com',
              ($5::text[])[1 + i % 20], ($6::text[])[1 + (i * 7 + i / 20) % 20],
              $4::timestamp - random() * interval '730 days', $4::timestamp, $4::timestamp
       FROM generate_series(1, $7::int) i`,
      [params.shop, prefix, params.idBase, params.now, FIRST_NAMES, LAST_NAMES, options.members],
    );

    // 0–6 orders per member (3 on average), 15 % more from guests; 4 % cancelled; orders younger
    // than the 14-day pending period are still pending.
    await q(`CREATE TEMP TABLE seed_orders ON COMMIT DROP AS
      WITH placed AS (
        SELECT m."id" AS member_id, m."shopifyCustomerId" AS customer_id,
               $3::timestamp - random() * $4::int * interval '1 day' AS ordered_at,
               round((15 + random() * 250)::numeric, 2) AS total, random() AS fate
        FROM "Member" m
        CROSS JOIN LATERAL generate_series(1, abs(hashtext(m."id")) % 7) k
        WHERE m."shop" = $1 AND m."id" LIKE $2 || '-m%'
        UNION ALL
        SELECT NULL, NULL, $3::timestamp - random() * $4::int * interval '1 day',
               round((15 + random() * 250)::numeric, 2), random()
        FROM generate_series(1, (SELECT count(*) * 45 / 100 FROM "Member" WHERE "shop" = $1 AND "id" LIKE $2 || '-m%')::int)
      )
      SELECT row_number() OVER (ORDER BY ordered_at) AS n, *,
        CASE
          WHEN member_id IS NULL THEN (CASE WHEN fate < 0.5 THEN 'GUEST' ELSE 'NO_POINTS' END)
          WHEN fate < 0.04 THEN 'CANCELLED'
          WHEN ordered_at > $3::timestamp - interval '14 days' THEN 'PENDING'
          ELSE 'POSTED'
        END AS status
      FROM placed`, [params.shop, prefix, params.now, params.orderDays]);

    await q(
      `INSERT INTO "OrderEarning" ("shop", "orderId", "orderName", "customerId", "memberId", "status", "orderedAt", "currencyCode",
         "eligibleBase", "points", "orderTotal", "availableAt", "cancelledAt", "createdAt", "updatedAt")
       SELECT $1, $2::bigint + n, '#S' || n, customer_id, member_id, status::"OrderEarningStatus", ordered_at, 'USD',
              CASE WHEN member_id IS NULL THEN '0' ELSE total::text END,
              CASE WHEN member_id IS NULL THEN 0 ELSE floor(total)::int END,
              total, ordered_at + interval '14 days',
              CASE WHEN status = 'CANCELLED' THEN ordered_at + interval '2 days' END,
              ordered_at + interval '1 minute', ordered_at + interval '1 minute'
       FROM seed_orders`,
      [params.shop, params.idBase],
    );

    // Every entry with a key; ids are assigned in recording order below, as the sequence would.
    await q(`CREATE TEMP TABLE seed_entries (
      key text PRIMARY KEY, member_id text NOT NULL, kind text NOT NULL, status text NOT NULL, points int NOT NULL,
      order_id bigint, created_at timestamp NOT NULL, pending_key text, reverses_key text) ON COMMIT DROP`);
    // $2 is the first order id in every statement that reads these.
    const orderEntries = `SELECT o.*, floor(o.total)::int AS pts, $2::bigint + o.n AS order_id FROM seed_orders o WHERE o.member_id IS NOT NULL`;
    await q(
      `INSERT INTO seed_entries
       SELECT $2 || ':signup:' || m."id", m."id", 'EARN', 'POSTED', 100, NULL::bigint, m."enrolledAt", NULL, NULL
       FROM "Member" m WHERE m."shop" = $1 AND m."id" LIKE $2 || '-m%'`,
      [params.shop, prefix],
    );
    await q(
      `INSERT INTO seed_entries
       SELECT $3 || ':order:' || order_id || ':earn', member_id, 'EARN', 'PENDING', pts, order_id, ordered_at + interval '1 minute', NULL, NULL
       FROM (${orderEntries}) o WHERE pts > 0
       UNION ALL
       SELECT $3 || ':order:' || order_id || ':post', member_id, 'EARN', 'POSTED', pts, order_id, ordered_at + interval '14 days',
              $3 || ':order:' || order_id || ':earn', NULL
       FROM (${orderEntries}) o WHERE pts > 0 AND status = 'POSTED'
       UNION ALL
       SELECT $3 || ':order:' || order_id || ':cancel', member_id, 'EARN', 'VOIDED', pts, order_id,
              least(ordered_at + interval '2 days', $1::timestamp), $3 || ':order:' || order_id || ':earn', NULL
       FROM (${orderEntries}) o WHERE pts > 0 AND status = 'CANCELLED'`,
      [params.now, params.idBase, prefix],
    );
    // Refunds of half the points on 6 % of posted orders, 20 days after the order.
    await q(
      `INSERT INTO seed_entries
       SELECT $3 || ':order:' || order_id || ':refund', member_id, 'REVERSAL', 'POSTED', -(pts / 2), order_id,
              ordered_at + interval '20 days', NULL, $3 || ':order:' || order_id || ':post'
       FROM (${orderEntries}) o
       WHERE pts > 1 AND status = 'POSTED' AND fate > 0.94 AND ordered_at + interval '20 days' < $1::timestamp`,
      [params.now, params.idBase, prefix],
    );
    // A fifth of the members redeem 500 points once; 80 % of codes are used, the rest expire unused
    // after 30 days (voided) — or are still open when that is in the future.
    await q(
      `CREATE TEMP TABLE seed_redemptions ON COMMIT DROP AS
       SELECT m."id" AS member_id, greatest(m."enrolledAt", $2::timestamp - interval '365 days') + random() * interval '365 days' AS held_at, random() AS fate
       FROM "Member" m WHERE m."shop" = $1 AND m."id" LIKE $3 || '-m%' AND abs(hashtext(m."id" || 'r')) % 5 = 0`,
      [params.shop, params.now, prefix],
    );
    await q(
      `INSERT INTO seed_entries
       SELECT $2 || ':redeem:' || member_id || ':hold', member_id, 'REDEEM_HOLD', 'PENDING', -500, NULL::bigint, held_at, NULL, NULL
       FROM seed_redemptions WHERE held_at < $1::timestamp
       UNION ALL
       SELECT $2 || ':redeem:' || member_id || ':capture', member_id, 'REDEEM_CAPTURE', 'POSTED', -500, NULL::bigint, held_at + interval '1 day',
              $2 || ':redeem:' || member_id || ':hold', NULL
       FROM seed_redemptions WHERE fate < 0.8 AND held_at + interval '1 day' < $1::timestamp
       UNION ALL
       SELECT $2 || ':redeem:' || member_id || ':void', member_id, 'REDEEM_VOID', 'VOIDED', 500, NULL::bigint, held_at + interval '30 days',
              $2 || ':redeem:' || member_id || ':hold', NULL
       FROM seed_redemptions WHERE fate >= 0.8 AND held_at + interval '30 days' < $1::timestamp`,
      [params.now, prefix],
    );
    // Expiry of 50 points for 3 % of members.
    await q(
      `INSERT INTO seed_entries
       SELECT $3 || ':expire:' || m."id", m."id", 'EXPIRE', 'POSTED', -50, NULL::bigint, $2::timestamp - random() * interval '365 days', NULL, NULL
       FROM "Member" m WHERE m."shop" = $1 AND m."id" LIKE $3 || '-m%' AND abs(hashtext(m."id" || 'x')) % 33 = 0`,
      [params.shop, params.now, prefix],
    );

    const { rows: [{ base }] } = await q(`SELECT coalesce(max("id"), 0)::bigint AS base FROM "LedgerEntry"`);
    await q(`CREATE TEMP TABLE seed_ids ON COMMIT DROP AS
      SELECT key, $1::bigint + row_number() OVER (ORDER BY created_at, key) AS id FROM seed_entries`, [base]);
    await q(`CREATE UNIQUE INDEX ON seed_ids (key)`);
    await q(
      `INSERT INTO "LedgerEntry" ("id", "shop", "memberId", "kind", "status", "points", "idempotencyKey", "contentHash",
         "orderId", "pendingId", "reversesId", "reason", "actor", "createdAt")
       SELECT i.id, $1, e.member_id, e.kind::"LedgerKind", e.status::"LedgerStatus", e.points, e.key, 'seed',
              e.order_id, p.id, r.id, 'seed', 'system:seed', e.created_at
       FROM seed_entries e JOIN seed_ids i ON i.key = e.key
       LEFT JOIN seed_ids p ON p.key = e.pending_key
       LEFT JOIN seed_ids r ON r.key = e.reverses_key
       ORDER BY i.id`,
      [params.shop],
    );
    await q(`SELECT setval(pg_get_serial_sequence('"LedgerEntry"', 'id'), (SELECT max("id") FROM "LedgerEntry"))`);

    // The cached balances, from the entries (the ledger's sign convention; see ledger.server.ts).
    await q(
      `UPDATE "Member" m SET
         "pointsAvailable" = greatest(0, b.available), "pointsPending" = greatest(0, b.pending), "lifetimeEarned" = greatest(0, b.lifetime)
       FROM (
         SELECT e."memberId",
           sum(CASE WHEN e."kind" = 'EARN' AND e."status" = 'POSTED' THEN e."points"
                    WHEN e."kind" IN ('EXPIRE', 'REVERSAL', 'REDEEM_HOLD', 'REDEEM_VOID') THEN e."points" ELSE 0 END) AS available,
           sum(CASE WHEN e."kind" = 'EARN' AND e."status" = 'PENDING' THEN e."points"
                    WHEN e."kind" = 'EARN' AND e."pendingId" IS NOT NULL THEN -e."points" ELSE 0 END) AS pending,
           sum(CASE WHEN e."kind" = 'EARN' AND e."status" = 'POSTED' THEN e."points"
                    WHEN e."kind" = 'REVERSAL' THEN e."points" ELSE 0 END) AS lifetime
         FROM "LedgerEntry" e WHERE e."shop" = $1 AND e."memberId" LIKE $2 || '-m%'
         GROUP BY e."memberId"
       ) b
       WHERE m."shop" = $1 AND m."id" = b."memberId"`,
      [params.shop, prefix],
    );
    await q(
      `UPDATE "Member" m SET "lastActivityAt" = a.at
       FROM (
         SELECT "memberId", max(at) AS at FROM (
           SELECT "memberId", "orderedAt" AS at FROM "OrderEarning" WHERE "shop" = $1 AND "memberId" LIKE $2 || '-m%'
           UNION ALL
           SELECT "memberId", "createdAt" FROM "LedgerEntry" WHERE "shop" = $1 AND "kind" = 'REDEEM_HOLD' AND "memberId" LIKE $2 || '-m%'
         ) activity GROUP BY "memberId"
       ) a
       WHERE m."shop" = $1 AND m."id" = a."memberId"`,
      [params.shop, prefix],
    );
    const counts = await q(
      `SELECT (SELECT count(*) FROM seed_orders)::int AS orders, (SELECT count(*) FROM seed_entries)::int AS entries`,
    );
    await q("COMMIT");
    return { members: options.members, orders: counts.rows[0].orders, ledgerEntries: counts.rows[0].entries };
  } catch (error) {
    await q("ROLLBACK");
    throw error;
  }
}
