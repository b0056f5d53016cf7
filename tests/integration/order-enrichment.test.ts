import { createHash, randomBytes } from "node:crypto";
import { afterAll, describe, expect, it, vi } from "vitest";
import { classifyJobError } from "~/jobs/errors";
import { NoOfflineSessionError } from "~/services/shop-gateway.server";
import { closeAdvisoryLocks } from "~/utils/advisory-lock.server";
import type { StandinProduct } from "../../server/standins/shopify-admin";
import { connectShopToStandin, useAdminStandin } from "../helpers/admin-standin";
import { createTestShop, prisma } from "../helpers/db";
import { useIsolatedJobQueue } from "../helpers/jobs";
import {
  FIXTURE_CUSTOMER_ID,
  balanceOf,
  configureShop,
  customerPayload,
  deliver,
  ledgerDrift,
  ledgerEntriesOf,
  orderEarning,
  orderEarningOrThrow,
  orderPayload,
  runDelivery,
  shopifyId,
  storeDelivery,
} from "../helpers/pipeline";

// Product tag and collection conditions end to end: orders/paid stored as the intake stores it,
// the earn job run on {shop, webhookId}, the product lookup answered by the Admin API stand-in over
// HTTP from the shop's offline session, real PostgreSQL. The only thing faked is the gateway's
// sleep (its backoff and throttle waits are recorded instead of slept) and the stand-in's clock, so
// a retry that Shopify would answer after a wait is decided by the test, not by the machine's speed.

const waits = vi.hoisted(() => [] as number[]);
const onWait = vi.hoisted(() => ({ hook: null as null | (() => Promise<void>) }));
vi.mock("~/shopify/gateway.server", async (importOriginal) => {
  const actual = await importOriginal<typeof import("~/shopify/gateway.server")>();
  return {
    ...actual,
    adminGatewayForSession: (...[session, options]: Parameters<typeof actual.adminGatewayForSession>) =>
      actual.adminGatewayForSession(session, { ...options, sleep: async (ms: number) => {
        waits.push(ms);
        await onWait.hook?.();
      } }),
  };
});

useIsolatedJobQueue();
let clock = Date.parse("2026-06-01T12:00:00Z");
const admin = useAdminStandin({ now: () => clock });
afterAll(async () => {
  await closeAdvisoryLocks();
});

const C = FIXTURE_CUSTOMER_ID;

/**
 * While the gateway waits on Shopify, the order's advisory lock must not be held: the lookup runs
 * before it is taken. Records, at each wait, how many holders pg_locks shows for the order's lock
 * (its two int4 halves appear as oids).
 */
function watchOrderLockDuringWaits(shop: string, orderId: bigint): number[] {
  const digest = createHash("sha256").update(`order:${shop}:${orderId}`).digest();
  const held: number[] = [];
  onWait.hook = async () => {
    const [row] = await prisma.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM pg_locks
      WHERE locktype = 'advisory' AND classid = ${digest.readUInt32BE(0)}::bigint::oid AND objid = ${digest.readUInt32BE(4)}::bigint::oid AND objsubid = 2`;
    held.push(row.n);
  };
  return held;
}
const numeric = (gid: string) => gid.slice(gid.lastIndexOf("/") + 1);

type Step = { code: string; params: Record<string, unknown>; pointsAfter?: number };
const traceOf = (earning: { trace: unknown }) => earning.trace as Step[];
const lineSteps = (earning: { trace: unknown }) =>
  traceOf(earning)
    .filter((s) => s.code.startsWith("line."))
    .map((s) => [s.code, s.params.title, s.params.collectionId ?? s.params.tag ?? null]);

/** An installed shop in the database and the stand-in, with the offline session jobs use. */
async function newShop(earningRules: object, { session = true } = {}) {
  const { domain } = await createTestShop();
  if (session) await connectShopToStandin(admin.standin, domain, "read_orders,read_products");
  else admin.standin.addShop(domain, `shpat_${randomBytes(8).toString("hex")}`);
  await configureShop(domain, { pendingDays: 0, earningRules });
  return domain;
}

const productCalls = (shop: string) => admin.standin.calls.filter((c) => c.shop === shop && c.operationName === "ProductFacts");

/**
 * The fixture order (sunglasses 89.99, protection plan 19.99, leather case 24.99, lounger 159.99,
 * coffee table 119.99) with each line pointing at a stand-in product; null keeps a custom item.
 */
function orderFor(id: bigint, products: (StandinProduct | null)[], options: Partial<Parameters<typeof orderPayload>[0]> = {}) {
  const payload = orderPayload({ id, processedAt: new Date(Date.now() - 60_000), ...options });
  (payload.line_items as Record<string, unknown>[]).forEach((line, index) => {
    const product = products[index];
    line.product_id = product ? BigInt(numeric(product.id)) : null;
  });
  return payload;
}

/**
 * Shop catalogue: Clearance and Furniture collections (plus one no program mentions), sunglasses
 * on clearance, the lounger on clearance and in furniture, the coffee table in furniture, a
 * leather case that was deleted after the order. Tags: sunglasses "Loyalty", table "LOYALTY".
 */
function catalogue(shop: string) {
  const clearance = admin.standin.addCollection(shop, { title: "Clearance" });
  const furniture = admin.standin.addCollection(shop, { title: "Furniture" });
  const unrelated = admin.standin.addCollection(shop, { title: "Everything" });
  const all = [unrelated.id];
  const sunglasses = admin.standin.addProduct(shop, { title: "Aviator sunglasses", tags: ["Loyalty", "summer"], collectionIds: [clearance.id, ...all] });
  const lounger = admin.standin.addProduct(shop, { title: "Mid-century lounger", tags: ["furniture"], collectionIds: [clearance.id, furniture.id, ...all] });
  const table = admin.standin.addProduct(shop, { title: "Coffee table", tags: ["LOYALTY"], collectionIds: [furniture.id, ...all] });
  const leatherCase = admin.standin.addProduct(shop, { title: "Premium Leather Case", tags: ["loyalty"], collectionIds: [clearance.id, ...all] });
  admin.standin.removeProduct(shop, leatherCase.id);
  // Line order of the fixture; the protection plan stays a custom item.
  const lines = [sunglasses, null, leatherCase, lounger, table];
  return { clearance, furniture, unrelated, lines };
}

describe("collection and tag conditions from the Admin API", () => {
  it("excludes the lines in an excluded collection, applies a collection-scoped campaign, and says why", async () => {
    const id = randomBytes(2).toString("hex");
    const shop = await newShop({});
    const { clearance, furniture, lines } = catalogue(shop);
    await configureShop(shop, {
      earningRules: {
        conditions: { collections: { exclude: [numeric(clearance.id)] } },
        multipliers: { campaigns: [{ id: `furniture-${id}`, name: "Furniture x2", multiplier: "2", scope: { collectionIds: [numeric(furniture.id)] } }] },
      },
    });
    const orderId = shopifyId();
    await deliver(shop, "orders/paid", orderFor(orderId, lines));

    // Eligible: protection plan 19.99 (custom item) + deleted leather case 24.99 (no collections
    // any more) + coffee table 119.99 = 164.97 → 164 base points. The table (furniture) is worth
    // double: 164 × (19.99 + 24.99 + 2 × 119.99) / 164.97 = 283.29… → 283.
    const earning = await orderEarningOrThrow(shop, orderId);
    expect(earning).toMatchObject({ status: "POSTED", points: 283, eligibleBase: "164.97" });
    expect(lineSteps(earning)).toEqual([
      ["line.excluded.collection", "Aviator sunglasses", numeric(clearance.id)],
      ["line.eligible", "Lens Protection Plan (2 Year)", null],
      ["line.eligible", "Premium Leather Case", null],
      ["line.excluded.collection", "Mid-century lounger", numeric(clearance.id)],
      ["line.eligible", "Coffee table", null],
    ]);
    expect(traceOf(earning).find((s) => s.code === "multiplier.campaign")?.params).toMatchObject({ name: "Furniture x2", appliesTo: "119.99" });
    expect(await balanceOf(shop, C)).toEqual({ available: 283, pending: 0, lifetimeEarned: 283 });

    // One lookup, about the four products and only the two collections the program mentions.
    const [call, ...more] = productCalls(shop);
    expect(more).toEqual([]);
    expect(call.status).toBe(200);
    expect(call.variables).toEqual({
      ids: [lines[0], lines[2], lines[3], lines[4]].map((p) => p?.id),
      c0: clearance.id,
      c1: furniture.id,
    });
    expect(await ledgerDrift(shop)).toEqual([]);
  });

  it("earns only on lines carrying an included tag, case-insensitively; a deleted product has no tags", async () => {
    const shop = await newShop({ conditions: { productTags: { include: ["loyalty"] } } });
    const { lines } = catalogue(shop);
    const orderId = shopifyId();
    await deliver(shop, "orders/paid", orderFor(orderId, lines));

    // Sunglasses 89.99 ("Loyalty") + coffee table 119.99 ("LOYALTY") = 209.98 → 209.
    const earning = await orderEarningOrThrow(shop, orderId);
    expect(earning).toMatchObject({ status: "POSTED", points: 209, eligibleBase: "209.98" });
    expect(lineSteps(earning)).toEqual([
      ["line.included.tag", "Aviator sunglasses", "loyalty"],
      ["line.eligible", "Aviator sunglasses", null],
      ["line.not_included", "Lens Protection Plan (2 Year)", null],
      ["line.not_included", "Premium Leather Case", null],
      ["line.not_included", "Mid-century lounger", null],
      ["line.included.tag", "Coffee table", "loyalty"],
      ["line.eligible", "Coffee table", null],
    ]);
    // Tags only: no membership checks asked.
    expect(productCalls(shop).map((c) => Object.keys(c.variables))).toEqual([["ids"]]);
    expect(await balanceOf(shop, C)).toEqual({ available: 209, pending: 0, lifetimeEarned: 209 });
  });

  it("credits a guest order through the same lookup once the guest signs up", async () => {
    const shop = await newShop({ conditions: { productTags: { include: ["loyalty"] } } });
    const { lines } = catalogue(shop);
    const orderId = shopifyId();
    const customerId = shopifyId();
    await deliver(shop, "orders/paid", orderFor(orderId, lines, { customer: null, email: "guest@example.com" }));
    expect((await orderEarningOrThrow(shop, orderId)).status).toBe("GUEST");
    expect(productCalls(shop)).toEqual([]);

    // Shopify answers 503 once: the gateway waits and retries, without the guest order's lock.
    admin.standin.failNext(1, 503);
    const heldDuringWaits = watchOrderLockDuringWaits(shop, orderId);
    await deliver(shop, "customers/create", customerPayload({ id: customerId, email: "guest@example.com" })).finally(() => (onWait.hook = null));
    expect(heldDuringWaits).toEqual([0]);
    const earning = await orderEarningOrThrow(shop, orderId);
    expect(earning).toMatchObject({ status: "POSTED", points: 209 });
    expect(productCalls(shop).map((c) => c.status)).toEqual([503, 200]);
    expect(await balanceOf(shop, customerId)).toEqual({ available: 209, pending: 0, lifetimeEarned: 209 });
  });
});

describe("when the Admin API is not there", () => {
  it("a 500 once is retried by the gateway: the order earns once", async () => {
    const shop = await newShop({ conditions: { productTags: { include: ["loyalty"] } } });
    const { lines } = catalogue(shop);
    const orderId = shopifyId();
    admin.standin.failNext(1, 500);
    await deliver(shop, "orders/paid", orderFor(orderId, lines));
    expect((await orderEarningOrThrow(shop, orderId)).points).toBe(209);
    expect(productCalls(shop).map((c) => c.status)).toEqual([500, 200]);
    expect((await ledgerEntriesOf(shop, { orderId })).map((e) => [e.kind, e.points])).toEqual([["EARN", 209]]);
  });

  it("throttled through every gateway retry, the job fails retryably having written nothing, and the queue's retry earns once", async () => {
    const shop = await newShop({ conditions: { collections: { include: ["1"] }, productTags: { include: ["loyalty"] } } });
    const { lines } = catalogue(shop);
    const orderId = shopifyId();
    const delivery = await storeDelivery(shop, "orders/paid", orderFor(orderId, lines));
    admin.standin.setAvailablePoints(shop, 0);
    waits.length = 0;
    const heldDuringWaits = watchOrderLockDuringWaits(shop, orderId);

    const failure = await runDelivery(delivery).then(() => null, (error: unknown) => error).finally(() => (onWait.hook = null));
    expect(heldDuringWaits.length).toBeGreaterThanOrEqual(5);
    expect(heldDuringWaits.every((n) => n === 0)).toBe(true);
    expect(failure).toMatchObject({ name: "AdminApiThrottledError", retryable: true });
    expect(classifyJobError(failure).terminal).toBe(false);
    // Every attempt was THROTTLED and the gateway waited as long as Shopify's status asked.
    expect(productCalls(shop).map((c) => c.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(waits.filter((ms) => ms >= 1000).length).toBeGreaterThanOrEqual(5);
    expect(await orderEarning(shop, orderId)).toBeNull();
    expect(await ledgerEntriesOf(shop, { orderId })).toEqual([]);

    clock += 60_000; // the bucket restores
    await runDelivery(delivery);
    expect((await orderEarningOrThrow(shop, orderId)).points).toBe(209);
    // A late duplicate of the retry: nothing more, and no further lookup.
    const calls = productCalls(shop).length;
    await runDelivery(delivery);
    await deliver(shop, "orders/paid", orderFor(orderId, lines));
    expect(productCalls(shop)).toHaveLength(calls);
    expect((await ledgerEntriesOf(shop, { orderId })).map((e) => [e.kind, e.points])).toEqual([["EARN", 209]]);
    expect(await balanceOf(shop, C)).toEqual({ available: 209, pending: 0, lifetimeEarned: 209 });
  });

  it("5xx through every gateway retry fails the job retryably; the retry earns once", async () => {
    const shop = await newShop({ conditions: { productTags: { include: ["loyalty"] } } });
    const { lines } = catalogue(shop);
    const orderId = shopifyId();
    const delivery = await storeDelivery(shop, "orders/paid", orderFor(orderId, lines));
    admin.standin.failNext(6, 503);
    const failure = await runDelivery(delivery).then(() => null, (error: unknown) => error);
    expect(failure).toMatchObject({ name: "AdminApiHttpError", status: 503, retryable: true });
    expect(classifyJobError(failure).terminal).toBe(false);
    expect(await orderEarning(shop, orderId)).toBeNull();

    await runDelivery(delivery);
    await runDelivery(delivery);
    expect((await ledgerEntriesOf(shop, { orderId })).map((e) => [e.kind, e.points])).toEqual([["EARN", 209]]);
    expect(await ledgerDrift(shop)).toEqual([]);
  });

  it("without an offline session the job stops terminally and records nothing", async () => {
    const shop = await newShop({ conditions: { productTags: { include: ["loyalty"] } } }, { session: false });
    const { lines } = catalogue(shop);
    const orderId = shopifyId();
    const failure = await deliver(shop, "orders/paid", orderFor(orderId, lines)).then(() => null, (error: unknown) => error);
    expect(failure).toBeInstanceOf(NoOfflineSessionError);
    expect(classifyJobError(failure).terminal).toBe(true);
    expect((failure as Error).message).toContain(`no offline session for ${shop}`);
    expect(await orderEarning(shop, orderId)).toBeNull();
    expect(await ledgerEntriesOf(shop, { orderId })).toEqual([]);
    expect(admin.standin.calls.filter((c) => c.shop === shop)).toEqual([]);
  });
});

describe("no Admin call when none is needed", () => {
  it("for programs without tag or collection conditions, disabled scoped campaigns, and orders the engine stops on first", async () => {
    const shop = await newShop({
      conditions: { products: { exclude: ["1"] } },
      multipliers: { campaigns: [{ id: "off", name: "Off", multiplier: "3", enabled: false, scope: { collectionIds: ["77"] } }] },
    });
    const { lines } = catalogue(shop);
    const orderId = shopifyId();
    await deliver(shop, "orders/paid", orderFor(orderId, lines));
    expect((await orderEarningOrThrow(shop, orderId)).points).toBe(414);

    await configureShop(shop, { earningRules: { conditions: { productTags: { exclude: ["summer"] } } } });
    const testOrder = shopifyId();
    await deliver(shop, "orders/paid", orderFor(testOrder, lines, { test: true }));
    const unpaid = shopifyId();
    await deliver(shop, "orders/paid", orderFor(unpaid, lines, { financialStatus: "pending" }));
    expect(traceOf(await orderEarningOrThrow(shop, testOrder)).map((s) => s.code)).toEqual(["order.test"]);
    expect(traceOf(await orderEarningOrThrow(shop, unpaid)).map((s) => s.code)).toEqual(["order.not_paid"]);

    // Only custom items: nothing to look up, and the tag condition simply finds no tags.
    const custom = shopifyId();
    await deliver(shop, "orders/paid", orderFor(custom, [null, null, null, null, null]));
    expect((await orderEarningOrThrow(shop, custom)).points).toBe(414);

    expect(admin.standin.calls.filter((c) => c.shop === shop)).toEqual([]);
  });
});
