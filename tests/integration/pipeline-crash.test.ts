import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { reconcileBalances } from "~/models/ledger.server";
import { startPipeline, type PipelineHarness } from "../helpers/app-server";
import { createTestShop, prisma } from "../helpers/db";
import { expectedPointsOfVariant, paidOrderVariant, type PaidOrderVariant } from "../helpers/webhook-fixtures";

// The worker dies (SIGKILL) or is stopped (SIGTERM) in the middle of a batch of order webhooks
// that arrived over HTTP. Whatever was running when it died, a restarted worker finishes the
// batch and every order earns exactly once. Bull's lock is 2 s and its stalled check runs every
// second here (production: 30 s each), so a killed worker's jobs come back within seconds.

const SIGKILL_BATCH = 200;
const SIGTERM_BATCH = 100;
const HTTP_CONCURRENCY = 25;

let pipeline: PipelineHarness;

beforeAll(async () => {
  pipeline = await startPipeline({ workerConcurrency: 8, lockDurationMs: 2_000, stalledIntervalMs: 1_000, shutdownTimeoutMs: 20_000 });
}, 180_000);

// Each test fills the queue while no worker runs, then starts one: the batch is then in progress
// for long enough to be interrupted.
beforeEach(async () => {
  if (!pipeline.workerRunning()) return;
  const exit = await pipeline.stopWorker("SIGTERM");
  expect(exit, exit.output).toMatchObject({ code: 0, signal: null });
}, 60_000);

afterAll(async () => {
  await pipeline?.stop();
}, 60_000);

interface BatchOrder extends PaidOrderVariant {
  customerId: bigint;
  points: number;
}

/** Distinct orders of distinct customers, 18-digit ids, 1 to 5 lines and 1 to 3 of the first. */
function orderBatch(size: number, seed: bigint): BatchOrder[] {
  return Array.from({ length: size }, (_, i) => {
    const variant = { lineCount: 1 + (i % 5), firstLineQuantity: 1 + (i % 3) };
    return {
      ...variant,
      orderId: 820982911946000000n + seed + BigInt(i),
      customerId: 115310627314000000n + seed + BigInt(i),
      email: `crash-${seed}-${i}@example.com`,
      points: expectedPointsOfVariant(variant),
    };
  });
}

async function postBatch(shop: string, orders: BatchOrder[]) {
  const statuses: number[] = [];
  for (let start = 0; start < orders.length; start += HTTP_CONCURRENCY) {
    const slice = orders.slice(start, start + HTTP_CONCURRENCY);
    const results = await Promise.all(slice.map((order) => pipeline.postWebhook("orders/paid", shop, paidOrderVariant(order))));
    statuses.push(...results.map((r) => r.status));
  }
  expect(statuses.filter((s) => s !== 200)).toEqual([]);
  expect(await prisma.processedWebhook.count({ where: { shop, processedAt: null } })).toBe(orders.length);
}

const processedCount = (shop: string) => prisma.processedWebhook.count({ where: { shop, processedAt: { not: null } } });

async function waitUntilAllProcessed(shop: string, total: number) {
  await pipeline.waitUntil(async () => (await processedCount(shop)) === total, {
    what: `all ${total} deliveries of ${shop} to be processed`,
    timeoutMs: 45_000,
    intervalMs: 100,
  });
}

/** Exactly one EARN per order, each order's points, each customer's balance, no drift, nothing left. */
async function expectEveryOrderEarnedOnce(shop: string, orders: BatchOrder[]) {
  const earns = await prisma.ledgerEntry.groupBy({ by: ["orderId"], where: { shop, kind: "EARN" }, _count: { _all: true }, _sum: { points: true } });
  expect(earns).toHaveLength(orders.length);
  expect(earns.filter((e) => e._count._all !== 1)).toEqual([]);
  expect(await prisma.ledgerEntry.count({ where: { shop, kind: { not: "EARN" } } })).toBe(0);

  const expectedByOrder = new Map(orders.map((o) => [o.orderId, o.points]));
  expect(new Map(earns.map((e) => [e.orderId as bigint, e._sum.points]))).toEqual(expectedByOrder);

  const earnings = await prisma.orderEarning.findMany({ where: { shop }, select: { orderId: true, status: true, points: true } });
  expect(earnings).toHaveLength(orders.length);
  expect(earnings.filter((e) => e.status !== "POSTED" || e.points !== expectedByOrder.get(e.orderId))).toEqual([]);

  const members = await prisma.member.findMany({ where: { shop }, select: { shopifyCustomerId: true, pointsAvailable: true, pointsPending: true, lifetimeEarned: true } });
  const expectedByCustomer = new Map(orders.map((o) => [o.customerId, o.points]));
  expect(members).toHaveLength(orders.length);
  expect(members.filter((m) => m.pointsAvailable !== expectedByCustomer.get(m.shopifyCustomerId) || m.lifetimeEarned !== m.pointsAvailable || m.pointsPending !== 0)).toEqual([]);
  const total = await prisma.member.aggregate({ where: { shop }, _sum: { pointsAvailable: true } });
  expect(total._sum.pointsAvailable).toBe(orders.reduce((sum, o) => sum + o.points, 0));

  expect(await reconcileBalances(shop)).toEqual([]);
  expect(await prisma.processedWebhook.count({ where: { shop, OR: [{ processedAt: null }, { payload: { not: null } }] } })).toBe(0);
  expect(await pipeline.webhookQueueCounts()).toMatchObject({ waiting: 0, active: 0, delayed: 0, failed: 0 });
}

describe("the worker process dying or stopping mid-batch", () => {
  it("SIGKILL while jobs run: a restarted worker recovers them and every order earns exactly once", async () => {
    const { domain: shop } = await createTestShop();
    const orders = orderBatch(SIGKILL_BATCH, 0n);
    await postBatch(shop, orders);

    await pipeline.startWorker();
    await pipeline.waitUntil(async () => (await processedCount(shop)) >= 30, { what: "the worker to be part-way through the batch", intervalMs: 10 });
    const killed = await pipeline.stopWorker("SIGKILL");
    expect(killed.signal).toBe("SIGKILL");

    // The premise: it died with jobs in hand (left active in Redis, locked) and work to do.
    const atDeath = await pipeline.webhookQueueCounts();
    const done = await processedCount(shop);
    expect(atDeath.active).toBeGreaterThan(0);
    expect(done).toBeLessThan(SIGKILL_BATCH);

    await pipeline.startWorker();
    await waitUntilAllProcessed(shop, SIGKILL_BATCH);
    await expectEveryOrderEarnedOnce(shop, orders);
  }, 90_000);

  it("SIGTERM mid-batch: running jobs finish, the worker exits 0, a restarted worker does the rest", async () => {
    const { domain: shop } = await createTestShop();
    const orders = orderBatch(SIGTERM_BATCH, 10_000n);
    await postBatch(shop, orders);

    await pipeline.startWorker();
    await pipeline.waitUntil(async () => (await processedCount(shop)) >= 20, { what: "the worker to be part-way through the batch", intervalMs: 10 });
    const stopped = await pipeline.stopWorker("SIGTERM");
    expect(stopped, stopped.output).toMatchObject({ code: 0, signal: null });

    // Nothing was abandoned mid-job: no job is left active, and what is left is exactly what
    // was never started.
    const afterStop = await pipeline.webhookQueueCounts();
    const done = await processedCount(shop);
    expect(afterStop.active).toBe(0);
    expect(done).toBeLessThan(SIGTERM_BATCH);
    expect(afterStop.waiting).toBe(SIGTERM_BATCH - done);

    await pipeline.startWorker();
    await waitUntilAllProcessed(shop, SIGTERM_BATCH);
    await expectEveryOrderEarnedOnce(shop, orders);
  }, 90_000);
});
