import { randomBytes } from "node:crypto";
import { appendFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { AdminGateway } from "../app/shopify/gateway.server";
import { applyMigrations } from "../server/apply-migrations";
import { describeMachine } from "./support/machine";
import { dropDatabase, recreateDatabase } from "./support/postgres";
import { distribution, fmt } from "./support/stats";

// bench/redeem — the redeem service (checks, then hold + stock + row in one transaction, the code
// created through the Admin gateway, then marked issued) against a fresh database, in this process.
// The Admin API round trip is excluded: the gateway answers discountCodeAppCreate at once with
// Shopify's response shape (that shape and the real calls are covered by the tests against the
// schema-checking stand-in). The baseline, in the same run and at the same concurrency, is the
// ledger's raw posting rate: one `credit` (one transaction) per call.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const BENCH_DB = "loyalnest_bench_redeem";
const SHOP = "redeem-bench.myshopify.com";

const { values } = parseArgs({
  options: {
    redemptions: { type: "string", default: "2000" },
    concurrency: { type: "string", default: "16" },
    members: { type: "string", default: "500" },
    "write-results": { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
  },
});
const N = Number(values.redemptions);
const C = Number(values.concurrency);
const MEMBERS = Number(values.members);
if (![N, C, MEMBERS].every((v) => Number.isSafeInteger(v) && v > 0)) throw new Error("--redemptions, --concurrency and --members take positive integers");

const say = (line: string) => console.log(line);

async function pool<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<{ results: T[]; seconds: number }> {
  const results: T[] = new Array(count);
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let i = next++; i < count; i = next++) results[i] = await task(i);
  }));
  return { results, seconds: (performance.now() - started) / 1000 };
}

async function main() {
  const databaseUrl = await recreateDatabase(POSTGRES_URL, BENCH_DB);
  await applyMigrations(databaseUrl);
  Object.assign(process.env, {
    NODE_ENV: "development", LOG_LEVEL: "silent", DATABASE_URL: databaseUrl, DATABASE_POOL_MAX: String(Math.max(10, C + 4)),
    SHOPIFY_API_KEY: "bench", SHOPIFY_API_SECRET: randomBytes(16).toString("hex"), SHOPIFY_APP_URL: "https://loyalnest.bench",
    SCOPES: "write_discounts", REDEMPTION_CODE_KEYS: `bench:${randomBytes(32).toString("base64")}`,
  });
  const [{ default: prisma }, ledger, { redeemReward }, { starterCatalog }] = await Promise.all([
    import("../app/db.server"), import("../app/models/ledger.server"), import("../app/services/redemption.server"), import("../app/domain/rewards"),
  ]);

  await prisma.shop.create({ data: { domain: SHOP, currencyCode: "USD" } });
  const reward = await prisma.reward.create({ data: { ...starterCatalog("USD")[0], pointsCost: 10, shop: SHOP } });
  const members = await Promise.all(Array.from({ length: MEMBERS }, (_, i) => prisma.member.create({ data: { shop: SHOP, shopifyCustomerId: BigInt(1_000_000 + i) } })));
  const perMember = Math.ceil(N / MEMBERS) * 10 + 10;

  // Baseline: the ledger's raw posting rate (one credit per call, C at once, spread over the members).
  const baseline = await pool(N, C, async (i) => {
    const t = performance.now();
    await ledger.credit(SHOP, members[i % MEMBERS].id, { kind: "ADJUST", points: perMember, idempotencyKey: `bench:${i}`, reason: "bench", actor: "bench" });
    return performance.now() - t;
  });

  let created = 0;
  const instantAdmin: AdminGateway = {
    shop: SHOP,
    async request(operation: { name: string }, variables?: unknown) {
      if (operation.name !== "RedemptionAppDiscountCodeCreate") throw new Error(`unexpected Admin operation ${operation.name}`);
      const { code } = (variables as { codeAppDiscount: { code: string } }).codeAppDiscount;
      created++;
      return { discountCodeAppCreate: { codeAppDiscount: { discountId: `gid://shopify/DiscountCodeNode/${created}`, codes: { nodes: [{ code }] } }, userErrors: [] } };
    },
  } as AdminGateway;
  const redeem = await pool(N, C, async (i) => {
    const t = performance.now();
    const outcome = await redeemReward(SHOP, {
      customerId: members[i % MEMBERS].shopifyCustomerId, rewardId: reward.id, idempotencyKey: `bench-${i}-${randomBytes(4).toString("hex")}`,
      channel: "api", actor: "bench",
    }, { gateway: async () => instantAdmin });
    if (!outcome.ok) throw new Error(`redemption ${i} refused: ${outcome.code} ${outcome.message}`);
    return performance.now() - t;
  });

  const drift = await ledger.reconcileBalances(SHOP);
  const issued = await prisma.redemption.count({ where: { shop: SHOP, status: "ISSUED" } });
  const baseDist = distribution(baseline.results);
  const redeemDist = distribution(redeem.results);
  const creditsPerSecond = N / baseline.seconds;
  const redemptionsPerSecond = N / redeem.seconds;
  const machine = await describeMachine(POSTGRES_URL, "redis://127.0.0.1:6379/13").catch(() => null);

  const rows = [
    ["ledger credit (baseline)", fmt(creditsPerSecond, 0), fmt(baseDist.p50), fmt(baseDist.p95)],
    ["redeem, without the Admin API round trip", fmt(redemptionsPerSecond, 0), fmt(redeemDist.p50), fmt(redeemDist.p95)],
  ];
  say(`\nbench/redeem: ${N} redemptions, ${C} at once, ${MEMBERS} members, one reward`);
  say("| | per second | p50 ms | p95 ms |\n| --- | --- | --- | --- |");
  for (const r of rows) say(`| ${r.join(" | ")} |`);
  say(`ratio redemptions/s ÷ ledger credits/s: ${fmt(redemptionsPerSecond / creditsPerSecond, 2)}`);
  say(`issued ${issued} of ${N}; balance drift: ${drift.length}`);
  if (issued !== N || drift.length > 0) throw new Error("the redemptions did not all issue exactly");

  if (values["write-results"]) {
    const section = [
      `### Redeem — ${new Date().toISOString().slice(0, 10)}${machine ? ` (${machine.cpuModel}, ${machine.nproc} vCPU)` : ""}`,
      "",
      `\`npx tsx bench/redeem.ts --redemptions ${N} --concurrency ${C} --members ${MEMBERS}\``,
      "",
      "| | per second | p50 ms | p95 ms |",
      "| --- | --- | --- | --- |",
      ...rows.map((r) => `| ${r.join(" | ")} |`),
      "",
      `Ratio of redemptions/s to the ledger's raw credits/s in the same run: **${fmt(redemptionsPerSecond / creditsPerSecond, 2)}**. ` +
        `${issued} codes issued, balances reconcile.`,
      "",
    ].join("\n");
    await appendFile(path.join(ROOT, "bench", "RESULTS.md"), `\n${section}`);
    say("appended to bench/RESULTS.md");
  }
  await prisma.$disconnect();
  if (!values.keep) await dropDatabase(POSTGRES_URL, BENCH_DB);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
