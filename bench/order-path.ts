import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { applyMigrations } from "../server/apply-migrations";
import { createShopifyEventGenerator } from "../server/simulate/shopify-events";
import { backendCpuDelta, backendCpuMs } from "./support/cpu";
import { dropDatabase, recreateDatabase } from "./support/postgres";

// bench/order-path — the worker's path for one order, one order at a time: N orders/paid
// deliveries are stored, then the earn-points-for-order job runs on each in turn, in this process,
// with one database connection. With nothing running concurrently, the CPU of that connection's
// PostgreSQL backend and of this process, per order, is what the order path costs, free of the
// queueing and scheduling noise of bench/ingest (which measures the whole pipeline under load).
//   npx tsx bench/order-path.ts [--orders 1500] [--warmup 200]
// Needs PostgreSQL (BENCH_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/postgres) and
// Redis (BENCH_REDIS_URL, database 13): pending points schedule their posting job there.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/13";
const DB = "loyalnest_bench_order_path";
const SHOP = "order-path-bench.myshopify.com";

const { values } = parseArgs({ options: { orders: { type: "string" }, warmup: { type: "string" } } });
const orders = Number(values.orders ?? 1500);
const warmup = Number(values.warmup ?? 200);
if (!Number.isInteger(orders) || orders < 1 || !Number.isInteger(warmup) || warmup < 0) throw new Error("--orders and --warmup must be whole numbers");

const url = await recreateDatabase(POSTGRES_URL, DB);
const monitor = new pg.Pool({ connectionString: url, max: 1 });
try {
  await applyMigrations(url, path.join(ROOT, "prisma", "migrations"));
  await monitor.query(
    `INSERT INTO "Shop" ("id", "domain", "name", "currencyCode", "ianaTimezone", "pendingDays", "updatedAt") VALUES ($1, $2, 'Order path', 'USD', 'America/New_York', 14, now())`,
    [`bench${randomBytes(6).toString("hex")}`, SHOP],
  );
  // The app's modules read their configuration on first use: one connection, this database.
  Object.assign(process.env, {
    NODE_ENV: "production", DATABASE_URL: url, DATABASE_POOL_MAX: "1", REDIS_URL, BULL_PREFIX: `lnpath-${randomBytes(4).toString("hex")}`,
    LOG_LEVEL: "warn", SHOPIFY_API_KEY: "order-path", SHOPIFY_API_SECRET: randomBytes(16).toString("hex"), SHOPIFY_APP_URL: "https://order-path.invalid",
    SCOPES: "read_orders", REDEMPTION_CODE_KEYS: `bench:${randomBytes(32).toString("base64")}`,
  });
  const { recordWebhookDelivery } = await import("../app/models/webhook-delivery.server");
  const { earnPointsForOrderJob } = await import("../app/jobs/earn-points-for-order.job.server");
  const { closeQueues } = await import("../app/jobs/queue.server");
  const { closeSqlPool } = await import("../app/models/sql.server");
  const { logger } = await import("../app/utils/logger.server");
  const { gatewayForShop } = await import("../app/services/shop-gateway.server");

  const generator = createShopifyEventGenerator({ shop: SHOP, seed: "order-path", customers: Math.max(500, orders / 2) });
  const webhookIds: string[] = [];
  for (let i = 0; i < warmup + orders; i++) {
    const webhookId = randomUUID();
    await recordWebhookDelivery(SHOP, { webhookId, topic: "orders/paid", eventId: webhookId, body: generator.orderPaid().webhook.body });
    webhookIds.push(webhookId);
  }
  const run = (webhookId: string) => earnPointsForOrderJob.handler({ shop: SHOP, webhookId }, { jobId: webhookId, attempt: 1, maxAttempts: 1, logger, gatewayForShop });
  for (const webhookId of webhookIds.slice(0, warmup)) await run(webhookId);
  await monitor.query("ANALYZE");

  const pgBefore = await backendCpuMs(monitor, DB);
  const nodeBefore = process.cpuUsage();
  const started = performance.now();
  for (const webhookId of webhookIds.slice(warmup)) await run(webhookId);
  const wallMs = performance.now() - started;
  const node = process.cpuUsage(nodeBefore);
  const pgMs = backendCpuDelta(pgBefore, await backendCpuMs(monitor, DB));
  const per = (ms: number) => (ms / orders).toFixed(3);
  console.log(`${orders} orders one at a time: PostgreSQL backend ${per(pgMs)} ms, this process (job + models + Redis client) ${per((node.user + node.system) / 1000)} ms, wall ${per(wallMs)} ms per order`);
  await Promise.allSettled([closeQueues(), closeSqlPool()]);
} finally {
  await monitor.end();
  await dropDatabase(POSTGRES_URL, DB);
}
process.exit(0);
