import { randomBytes } from "node:crypto";
import { closeSync, existsSync, openSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { appendFile, mkdir, readdir, readFile, stat, writeFile as writeFileAsync } from "node:fs/promises";
import { createServer } from "node:net";
import { loadavg, setPriority } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import pg from "pg";
import { applyMigrations } from "../server/apply-migrations";
import type { ReplayResult } from "../server/simulate/deliver";
import { createShopifyEventGenerator, type SimulatedWebhook } from "../server/simulate/shopify-events";
import { killAllChildren, startChild, type BenchChild } from "./support/children";
import { sendDeliveries } from "./support/webhook-sender";
import { backendCpuDelta, backendCpuMs, processCpuMs } from "./support/cpu";
import { describeMachine, type MachineInfo } from "./support/machine";
import { dropDatabase, recreateDatabase, runPgbench, type PgbenchResult } from "./support/postgres";
import { distribution, fmt, type Distribution } from "./support/stats";

// bench/ingest — the Black Friday ingest benchmark. N signed orders/paid webhooks over loopback
// HTTP against the built app (server/serve.ts) and one worker process, on a fresh database. It times
// every acknowledgement, finds when each order's points became visible (OrderEarning.createdAt),
// and runs pgbench -N on a throwaway database in the same run, so the result reads as a ratio to
// what this PostgreSQL on this machine can do at all. See bench/README.md.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/13";
const BENCH_DB = "loyalnest_bench";
const PGBENCH_DB = "loyalnest_bench_pgbench";
const SHOP = "black-friday-bench.myshopify.com";
const BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

// Issue 10: twice Session 2's 165 orders/s closed loop in the same script on the same machine (the
// floor; the aim is 500), with ack p99 < 50 ms and points-visible p99 < 1 s at 100 orders/s.
const GOALS = { ordersPerSecond: 330, aimOrdersPerSecond: 500, ackP99Ms: 50, pointsP99Ms: 1000, latencyRate: 100 };

const USAGE = `Usage: npx tsx bench/ingest.ts [options]
  --orders N              orders/paid webhooks in the measured run (default 5000)
  --concurrency C         concurrent senders (default 32); closed loop unless --rate is given
  --rate R                open loop: start one delivery every 1/R s (C still bounds what is in flight)
  --warmup W              orders sent and processed before measuring (default 300)
  --customers K           shoppers in the seeded pool (default max(500, N/2))
  --worker-concurrency J  jobs one worker runs at once (default 32, the app's default)
  --worker-nice N         run the worker at this nice value (0–19, default 0): the intake's ack
                          then wins the CPUs it shares with the worker on one machine
  --app-pool P            DATABASE_POOL_MAX of the app (default 10)
  --worker-pool P         DATABASE_POOL_MAX of the worker (default 16; its advisory-lock pool is half)
  --pgbench-seconds S     length of the pgbench baseline (default 15; 0 skips it)
  --build stale|missing|always   run remix build when build/ is older than its sources (default),
                          only when it is missing, or always
  --seed S                generator seed (default black-friday)
  --count-queries         count PostgreSQL queries and Redis commands per order (instrumented children)
  --profile               write CPU profiles of the app and the worker to bench/out/<run>/
  --timeout S             give up waiting for points after S seconds (default 300)
  --keep                  keep the loyalnest_bench database afterwards
  --suite                 the issue's whole measurement in one run: closed loop (--orders), then open
                          loop at each of --rates for --paced-seconds, then a short instrumented run
                          for statements per order, then the pgbench baseline
  --rates R1,R2,...       paced rates of --suite (default 50,100,200)
  --paced-seconds S       length of each paced phase of --suite (default 40)
  --app-dir DIR           run the app and worker of another checkout (its build, migrations and
                          server/worker.ts; node_modules may be a link to this one's): a "before"
                          measured by the same script
  --write-results         append this run to bench/RESULTS.md`;

interface Options {
  orders: number;
  concurrency: number;
  rate?: number;
  warmup: number;
  customers: number;
  workerConcurrency: number;
  workerNice: number;
  appPool: number;
  workerPool: number;
  pgbenchSeconds: number;
  build: "missing" | "stale" | "always";
  seed: string;
  countQueries: boolean;
  profile: boolean;
  timeoutSeconds: number;
  keep: boolean;
  writeResults: boolean;
  suite: boolean;
  rates: number[];
  pacedSeconds: number;
  appDir: string;
}

class UsageError extends Error {}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      orders: { type: "string" },
      concurrency: { type: "string" },
      rate: { type: "string" },
      warmup: { type: "string" },
      customers: { type: "string" },
      "worker-concurrency": { type: "string" },
      "worker-nice": { type: "string" },
      "app-pool": { type: "string" },
      "worker-pool": { type: "string" },
      "pgbench-seconds": { type: "string" },
      build: { type: "string" },
      seed: { type: "string" },
      "count-queries": { type: "boolean" },
      profile: { type: "boolean" },
      timeout: { type: "string" },
      keep: { type: "boolean" },
      "write-results": { type: "boolean" },
      suite: { type: "boolean" },
      rates: { type: "string" },
      "paced-seconds": { type: "string" },
      "app-dir": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (name: string, raw: string | undefined, fallback: number, min: number, max: number) => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, not "${raw}"`);
    return n;
  };
  const orders = int("orders", values.orders, 5000, 1, 1_000_000);
  const build = values.build ?? "stale";
  if (build !== "missing" && build !== "stale" && build !== "always") throw new UsageError(`--build must be missing, stale or always, not "${build}"`);
  return {
    orders,
    concurrency: int("concurrency", values.concurrency, 32, 1, 1024),
    rate: values.rate === undefined ? undefined : int("rate", values.rate, 0, 1, 100_000),
    warmup: int("warmup", values.warmup, 300, 0, 100_000),
    customers: int("customers", values.customers, Math.max(500, Math.floor(orders / 2)), 1, 10_000_000),
    workerConcurrency: int("worker-concurrency", values["worker-concurrency"], 32, 1, 100),
    workerNice: int("worker-nice", values["worker-nice"], 0, 0, 19),
    appPool: int("app-pool", values["app-pool"], 10, 1, 200),
    workerPool: int("worker-pool", values["worker-pool"], 16, 1, 200),
    pgbenchSeconds: int("pgbench-seconds", values["pgbench-seconds"], 15, 0, 600),
    build,
    seed: values.seed ?? "black-friday",
    countQueries: values["count-queries"] ?? false,
    profile: values.profile ?? false,
    timeoutSeconds: int("timeout", values.timeout, 300, 1, 3600),
    keep: values.keep ?? false,
    writeResults: values["write-results"] ?? false,
    suite: values.suite ?? false,
    rates: (values.rates ?? "50,100,200").split(",").map((r) => int("rates", r.trim(), 0, 1, 100_000)),
    pacedSeconds: int("paced-seconds", values["paced-seconds"], 40, 5, 3600),
    appDir: path.resolve(values["app-dir"] ?? ROOT),
  };
}

const say = (line: string) => console.log(`[bench] ${line}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ----------------------------------------------------------------------------------------------
// Setup

async function seedShop(dbUrl: string, scopes: string): Promise<void> {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    // An installed shop on the default program (1 point per unit of currency, 14 pending days),
    // with the offline session every installed shop has (authenticate.webhook loads it).
    await client.query(
      `INSERT INTO "Shop" ("id", "domain", "name", "currencyCode", "ianaTimezone", "pendingDays", "updatedAt")
       VALUES ($1, $2, $3, 'USD', 'America/New_York', 14, now())`,
      [`bench${randomBytes(8).toString("hex")}`, SHOP, "Black Friday Bench"],
    );
    await client.query(
      `INSERT INTO "Session" ("id", "shop", "state", "isOnline", "scope", "accessToken") VALUES ($1, $2, '', false, $3, $4)`,
      [`offline_${SHOP}`, SHOP, scopes, `shpat_${randomBytes(16).toString("hex")}`],
    );
  } finally {
    await client.end();
  }
}

// What the server build is made from (as server/demo/build.ts and the test harness judge it).
const BUILD_INPUTS = ["app", "remix.config.js", "package-lock.json", "tsconfig.json"];
// The lock the test harness takes around `remix build` (<root>/.cache/remix-build.lock): two
// builds writing build/ at once break both.

async function newestMtime(target: string): Promise<number> {
  const info = await stat(target).catch(() => null);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of await readdir(target)) {
    if (!entry.startsWith(".")) newest = Math.max(newest, await newestMtime(path.join(target, entry)));
  }
  return newest;
}

async function buildReason(root: string, mode: Options["build"]): Promise<string | null> {
  const serverBuild = path.join(root, "build", "index.js");
  const built = existsSync(serverBuild) ? (await stat(serverBuild)).mtimeMs : 0;
  if (mode === "always") return "--build always";
  if (built === 0) return "build/index.js is missing";
  if (mode === "missing") return null;
  const inputs = await Promise.all(BUILD_INPUTS.map((p) => newestMtime(path.join(root, p))));
  return Math.max(...inputs) > built ? "its sources changed since the last build" : null;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function withBuildLock<T>(root: string, fn: () => Promise<T>): Promise<T> {
  const BUILD_LOCK = path.join(root, ".cache", "remix-build.lock");
  await mkdir(path.dirname(BUILD_LOCK), { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      closeSync(openSync(BUILD_LOCK, "wx"));
      writeFileSync(BUILD_LOCK, String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number(readFileSync(BUILD_LOCK, "utf8"));
      if (Number.isInteger(holder) && holder > 0 && !processAlive(holder)) unlinkSync(BUILD_LOCK);
      else if (Date.now() > deadline) throw new Error(`${BUILD_LOCK} is held by pid ${holder} for more than 3 minutes`);
      else await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    unlinkSync(BUILD_LOCK);
  }
}

async function ensureBuild(root: string, mode: Options["build"], logFile: string): Promise<string> {
  if ((await buildReason(root, mode)) === null) return `existing build/index.js (${(await stat(path.join(root, "build", "index.js"))).mtime.toISOString()})`;
  return withBuildLock(root, async () => {
    // Someone else may have built it while this run waited for the lock.
    const reason = await buildReason(root, mode === "always" ? "stale" : mode);
    if (reason === null && mode !== "always") return "built by another process just before this run";
    say(`building the app in ${root} (${reason ?? "--build always"})…`);
    const child = startChild("remix build", process.execPath, [path.join(root, "node_modules/@remix-run/dev/dist/cli.js"), "build"], {
      cwd: root,
      env: { ...process.env, NODE_ENV: "production" },
      logFile,
    });
    const { code } = await child.exited;
    if (code !== 0) throw new Error(`remix build failed (exit ${code}); see ${logFile}`);
    return `built now (${reason ?? "--build always"})`;
  });
}

/** The checkout's web server: server/serve.ts, or remix-serve in a checkout from before it existed. */
function appServer(appDir: string): string {
  const own = path.join(appDir, "server/serve.ts");
  return existsSync(own) ? own : path.join(appDir, "node_modules/@remix-run/serve/dist/cli.js");
}

const appServerName = (appDir: string) => (appServer(appDir).endsWith("serve.ts") ? "server/serve.ts" : "remix-serve");

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

async function waitForHealthy(baseUrl: string, app: BenchChild, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (app.hasExited()) throw new Error(`the app exited during startup:\n${tail(app.logFile)}`);
    try {
      const response = await fetch(`${baseUrl}/healthz`, { headers: { "User-Agent": BROWSER_UA } });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the app did not answer /healthz within ${timeoutMs} ms:\n${tail(app.logFile)}`);
    await sleep(200);
  }
}

// ----------------------------------------------------------------------------------------------
// Observation

interface QueueProbe {
  waiting: number;
  active: number;
  failed: number;
  retrying: number;
}

function queueProbe(redis: Redis, prefix: string) {
  return async (): Promise<QueueProbe> => {
    const key = (k: string) => `${prefix}:webhooks:${k}`;
    const [waiting, active, failed, retrying] = await Promise.all([
      redis.llen(key("wait")), redis.llen(key("active")), redis.zcard(key("failed")), redis.zcard(key("delayed")),
    ]);
    return { waiting, active, failed, retrying };
  };
}

async function failedJobReasons(redis: Redis, prefix: string): Promise<string[]> {
  const ids = await redis.zrange(`${prefix}:webhooks:failed`, 0, 4);
  const reasons = await Promise.all(ids.map((id) => redis.hget(`${prefix}:webhooks:${id}`, "failedReason")));
  return reasons.map((r, i) => `${ids[i]}: ${r ?? "?"}`);
}

async function earningCount(db: pg.Pool): Promise<number> {
  const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM "OrderEarning" WHERE "shop" = $1`, [SHOP]);
  return Number(rows[0].n);
}

interface Sample {
  at: number;
  processed: number;
  waiting: number;
  active: number;
  /** How long the two probe round trips took: a stall of the whole machine, PostgreSQL or Redis shows here. */
  postgresMs: number;
  redisMs: number;
}

/** Samples progress, backlog and probe latency every 250 ms while the measured phase runs. */
function startSampler(db: pg.Pool, probe: () => Promise<QueueProbe>) {
  const samples: Sample[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const at = Date.now();
      const t0 = performance.now();
      const processed = await earningCount(db);
      const t1 = performance.now();
      const queue = await probe();
      const t2 = performance.now();
      samples.push({ at, processed, waiting: queue.waiting, active: queue.active, postgresMs: t1 - t0, redisMs: t2 - t1 });
      await sleep(250);
    }
  })();
  return {
    async stop(): Promise<Sample[]> {
      running = false;
      await loop;
      return samples;
    },
  };
}

/** Polls until `expected` orders have an OrderEarning row; fails fast on failed jobs or a dead child. */
async function waitForEarnings(
  db: pg.Pool,
  probe: () => Promise<QueueProbe>,
  expected: number,
  children: BenchChild[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [processed, queue] = await Promise.all([earningCount(db), probe()]);
    if (processed >= expected) return;
    if (queue.failed > 0) throw new Error(`${queue.failed} webhook job(s) failed`);
    const dead = children.find((c) => c.hasExited());
    if (dead) throw new Error(`the ${dead.name} exited:\n${tail(dead.logFile)}`);
    if (Date.now() > deadline) throw new Error(`only ${processed} of ${expected} orders earned within ${timeoutMs} ms (queue: ${JSON.stringify(queue)})`);
    await sleep(100);
  }
}

interface Counts {
  queries: Record<string, number>;
  redisCommands: Record<string, number>;
}

async function snapshotCounts(children: { child: BenchChild; file: string }[]): Promise<Record<string, Counts>> {
  for (const { child } of children) child.signal("SIGUSR2");
  await sleep(500);
  const out: Record<string, Counts> = {};
  for (const { child, file } of children) out[child.name] = JSON.parse(await readFile(file, "utf8")) as Counts;
  return out;
}

interface CountSummary {
  queriesPerOrder: number;
  redisCommandsPerOrder: number;
  topQueries: { perOrder: number; text: string }[];
  topRedis: { perOrder: number; command: string }[];
}

function diffCounts(before: Counts, after: Counts, orders: number): CountSummary {
  const diff = (a: Record<string, number>, b: Record<string, number>) =>
    Object.entries(b).map(([k, v]) => [k, v - (a[k] ?? 0)] as const).filter(([, v]) => v > 0).sort((x, y) => y[1] - x[1]);
  const queries = diff(before.queries, after.queries);
  const redis = diff(before.redisCommands, after.redisCommands);
  const per = (n: number) => Math.round((n / orders) * 100) / 100;
  return {
    queriesPerOrder: per(queries.reduce((s, [, v]) => s + v, 0)),
    redisCommandsPerOrder: per(redis.reduce((s, [, v]) => s + v, 0)),
    topQueries: queries.slice(0, 25).map(([text, n]) => ({ perOrder: per(n), text })),
    topRedis: redis.slice(0, 15).map(([command, n]) => ({ perOrder: per(n), command })),
  };
}

interface Consistency {
  earnings: Record<string, number>;
  earnEntries: number;
  earnPoints: number;
  pendingBalance: number;
  pendingEarned: number;
  unprocessedDeliveries: number;
  ok: boolean;
}

/** The run must also be right: one earning per order, ledger and cached balances agreeing. */
async function checkConsistency(db: pg.Pool): Promise<Consistency> {
  const q = async <T extends pg.QueryResultRow>(sql: string) => (await db.query<T>(sql, [SHOP])).rows;
  const statuses = await q<{ status: string; n: string }>(`SELECT "status", count(*) AS n FROM "OrderEarning" WHERE "shop" = $1 GROUP BY 1`);
  const [earn] = await q<{ n: string; points: string | null }>(`SELECT count(*) AS n, sum("points") AS points FROM "LedgerEntry" WHERE "shop" = $1 AND "kind" = 'EARN'`);
  const [balances] = await q<{ pending: string | null }>(`SELECT sum("pointsPending") AS pending FROM "Member" WHERE "shop" = $1`);
  const [earned] = await q<{ points: string | null; n: string }>(`SELECT sum("points") AS points, count(*) AS n FROM "OrderEarning" WHERE "shop" = $1 AND "status" = 'PENDING'`);
  const [open] = await q<{ n: string }>(`SELECT count(*) AS n FROM "ProcessedWebhook" WHERE "shop" = $1 AND "processedAt" IS NULL`);
  const result = {
    earnings: Object.fromEntries(statuses.map((r) => [r.status, Number(r.n)])),
    earnEntries: Number(earn.n),
    earnPoints: Number(earn.points ?? 0),
    pendingBalance: Number(balances.pending ?? 0),
    pendingEarned: Number(earned.points ?? 0),
    unprocessedDeliveries: Number(open.n),
    ok: false,
  };
  result.ok = result.earnEntries === Number(earned.n) && result.earnPoints === result.pendingEarned && result.pendingBalance === result.pendingEarned;
  return result;
}

async function deleteRedisKeys(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  let deleted = 0;
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      if (keys.length > 0) deleted += await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
  return deleted;
}

// ----------------------------------------------------------------------------------------------
// Report

interface Report {
  startedAt: Date;
  command: string;
  options: Options;
  machine: MachineInfo;
  build: string;
  ackPerSecond: number;
  sustainedPerSecond: number;
  ack: Distribution;
  points: Distribution;
  sendWindowMs: number;
  drainWindowMs: number;
  errors: number;
  failedJobs: number;
  maxBacklog: number;
  /** Probe round trips during the measured phase (p99 / max ms): the machine's own stalls. */
  probes: { postgres: Distribution; redis: Distribution };
  pgbench: PgbenchResult | null;
  consistency: Consistency;
  counts: Record<string, CountSummary> | null;
  cpu: CpuPerOrder;
  outDir: string;
  loadAtStart: number[];
}

/** CPU milliseconds per measured order, by process. */
interface CpuPerOrder {
  app: number;
  worker: number;
  postgres: number;
  /** The Redis server's CPU (everything it did in the phase; nothing else uses it during a run). */
  redis: number;
  sender: number;
  /** What the CPUs could sustain if nothing else ran: nproc × 1000 ÷ total CPU ms per order. */
  ceilingPerSecond: number;
}

function verdict(ok: boolean) {
  return ok ? "met" : "NOT met";
}

function reportLines(r: Report): string[] {
  const mode = r.options.rate ? `open loop at ${r.options.rate}/s (≤ ${r.options.concurrency} in flight)` : `closed loop, ${r.options.concurrency} senders`;
  const ratio = r.pgbench ? r.sustainedPerSecond / r.pgbench.tps : Number.NaN;
  const rows: [string, string, string][] = [
    ["acks/s (send window)", fmt(r.ackPerSecond), ""],
    ["orders processed/s (sustained)", fmt(r.sustainedPerSecond), `≥ ${GOALS.ordersPerSecond}: ${verdict(r.sustainedPerSecond >= GOALS.ordersPerSecond)}`],
    ["ack latency p50 / p95 / p99 ms", `${fmt(r.ack.p50)} / ${fmt(r.ack.p95)} / ${fmt(r.ack.p99)}`, `p99 < ${GOALS.ackP99Ms}: ${verdict(r.ack.p99 < GOALS.ackP99Ms)}`],
    ["ack latency max ms", fmt(r.ack.max), ""],
    ["webhook→points p50 / p95 / p99 ms", `${fmt(r.points.p50)} / ${fmt(r.points.p95)} / ${fmt(r.points.p99)}`, `p99 < ${GOALS.pointsP99Ms}: ${verdict(r.points.p99 < GOALS.pointsP99Ms)}`],
    ["webhook→points max ms", fmt(r.points.max), ""],
    ["max webhook queue backlog", String(r.maxBacklog), ""],
    ["probe round trip p99 / max ms: pg, redis", `${fmt(r.probes.postgres.p99)} / ${fmt(r.probes.postgres.max)}, ${fmt(r.probes.redis.p99)} / ${fmt(r.probes.redis.max)}`, ""],
    ["pgbench -N tps (same run)", r.pgbench ? fmt(r.pgbench.tps) : "skipped", ""],
    ["orders/s ÷ pgbench tps", r.pgbench ? fmt(ratio, 3) : "n/a", ""],
    ["CPU ms/order app / worker / pg / redis / sender", `${fmt(r.cpu.app, 2)} / ${fmt(r.cpu.worker, 2)} / ${fmt(r.cpu.postgres, 2)} / ${fmt(r.cpu.redis, 2)} / ${fmt(r.cpu.sender, 2)}`, ""],
    [`CPU ceiling on ${r.machine.nproc} CPUs (orders/s)`, fmt(r.cpu.ceilingPerSecond), ""],
    ["non-200 acks / failed jobs", `${r.errors} / ${r.failedJobs}`, ""],
    ["ledger vs balances", r.consistency.ok ? "consistent" : "INCONSISTENT", ""],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const valueWidth = Math.max(...rows.map(([, v]) => v.length));
  const lines = [
    `${r.options.orders.toLocaleString("en-US")} orders/paid, ${mode}; 1 worker × ${r.options.workerConcurrency} jobs${r.options.workerNice ? ` at nice ${r.options.workerNice}` : ""}; pools app ${r.options.appPool} / worker ${r.options.workerPool}`,
    ...rows.map(([k, v, g]) => `  ${k.padEnd(width)}  ${v.padStart(valueWidth)}  ${g}`.trimEnd()),
  ];
  if (r.counts) {
    for (const [name, c] of Object.entries(r.counts)) lines.push(`  ${name}: ${c.queriesPerOrder} SQL statements and ${c.redisCommandsPerOrder} Redis commands per order`);
  }
  return lines;
}

function markdownSection(r: Report): string {
  const m = r.machine;
  const ratio = r.pgbench ? r.sustainedPerSecond / r.pgbench.tps : Number.NaN;
  const mode = r.options.rate ? `open loop at ${r.options.rate} orders/s, at most ${r.options.concurrency} in flight` : `closed loop, ${r.options.concurrency} concurrent senders`;
  const lines = [
    `### ${r.startedAt.toISOString().slice(0, 16).replace("T", " ")} UTC — ${r.options.orders.toLocaleString("en-US")} orders, ${mode}`,
    "",
    `- Command: \`${r.command}\``,
    `- Machine: ${m.nproc} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.kernel}; Node ${m.node}; ${m.postgres} (${Object.entries(m.postgresSettings).map(([k, v]) => `${k}=${v}`).join(", ")}); Redis ${m.redis}; load average at start ${m.loadAverage.join(" / ")}`,
    `- Setup: ${appServerName(r.options.appDir)} (NODE_ENV=production, DATABASE_POOL_MAX=${r.options.appPool}) + 1 worker (WORKER_CONCURRENCY=${r.options.workerConcurrency}, DATABASE_POOL_MAX=${r.options.workerPool}${r.options.workerNice ? `, nice ${r.options.workerNice}` : ""}); ${r.options.warmup} warm-up orders; seed "${r.options.seed}", ${r.options.customers} shoppers; ${r.build}`,
    "",
    "| metric | result | goal |",
    "|---|---|---|",
    `| orders fully processed/s (sustained: N ÷ first send → last points visible) | ${fmt(r.sustainedPerSecond)} | ≥ ${GOALS.ordersPerSecond}: ${verdict(r.sustainedPerSecond >= GOALS.ordersPerSecond)} |`,
    `| acks/s (N ÷ send window of ${fmt(r.sendWindowMs / 1000, 2)} s) | ${fmt(r.ackPerSecond)} | |`,
    `| ack latency p50 / p95 / p99 / max | ${fmt(r.ack.p50)} / ${fmt(r.ack.p95)} / ${fmt(r.ack.p99)} / ${fmt(r.ack.max)} ms | p99 < ${GOALS.ackP99Ms} ms: ${verdict(r.ack.p99 < GOALS.ackP99Ms)} |`,
    `| webhook → points visible p50 / p95 / p99 / max | ${fmt(r.points.p50)} / ${fmt(r.points.p95)} / ${fmt(r.points.p99)} / ${fmt(r.points.max)} ms | p99 < ${GOALS.pointsP99Ms} ms: ${verdict(r.points.p99 < GOALS.pointsP99Ms)} |`,
    `| max webhook queue backlog | ${r.maxBacklog} | |`,
    `| monitor's probe round trips p99 / max (a stall of the machine shows here): PostgreSQL, Redis | ${fmt(r.probes.postgres.p99)} / ${fmt(r.probes.postgres.max)} ms, ${fmt(r.probes.redis.p99)} / ${fmt(r.probes.redis.max)} ms | |`,
    `| pgbench -N -c 8 -j 2 -T ${r.options.pgbenchSeconds} (scale 10), same run | ${r.pgbench ? `${fmt(r.pgbench.tps)} tps` : "skipped"} | |`,
    `| orders/s ÷ pgbench tps | ${r.pgbench ? fmt(ratio, 3) : "n/a"} | |`,
    `| CPU ms per order: app / worker / PostgreSQL / Redis / sender | ${fmt(r.cpu.app, 2)} / ${fmt(r.cpu.worker, 2)} / ${fmt(r.cpu.postgres, 2)} / ${fmt(r.cpu.redis, 2)} / ${fmt(r.cpu.sender, 2)} | |`,
    `| CPU ceiling: ${m.nproc} CPUs ÷ CPU per order | ${fmt(r.cpu.ceilingPerSecond)} orders/s | |`,
    `| non-200 acks / failed jobs / ledger check | ${r.errors} / ${r.failedJobs} / ${r.consistency.ok ? "consistent" : "INCONSISTENT"} | |`,
  ];
  if (r.counts) {
    for (const [name, c] of Object.entries(r.counts)) {
      lines.push(`| ${name}: SQL statements / Redis commands per order | ${c.queriesPerOrder} / ${c.redisCommandsPerOrder} | |`);
    }
  }
  lines.push("");
  return `${lines.join("\n")}\n`;
}

// ----------------------------------------------------------------------------------------------

interface RunContext {
  options: Options;
  machine: MachineInfo;
  outDir: string;
  build: string;
}

/** What a phase measures: closed loop (no rate) or open loop at `rate`; instrumented or not. */
interface Phase {
  label: string;
  orders: number;
  rate?: number;
  countQueries: boolean;
  profile: boolean;
}

/**
 * One measured phase on a fresh database: starts the app and a worker, warms up, sends the
 * phase's orders, waits for every point to be visible, stops both. Returns the report without the
 * pgbench baseline (the caller runs it once, after every phase).
 */
async function runPhase(ctx: RunContext, phase: Phase): Promise<Report> {
  const { machine, outDir } = ctx;
  const options: Options = { ...ctx.options, orders: phase.orders, rate: phase.rate, countQueries: phase.countQueries, profile: phase.profile };
  const phaseDir = path.join(outDir, phase.label);
  await mkdir(phaseDir, { recursive: true });
  const prefix = `lnbench-${randomBytes(4).toString("hex")}`;
  const secret = randomBytes(24).toString("hex");
  const scopes = "read_orders,read_customers,write_customers";
  const cleanups: (() => Promise<unknown>)[] = [];
  const phaseChildren: BenchChild[] = [];
  const startedAt = new Date();
  try {
    const dbUrl = await recreateDatabase(POSTGRES_URL, BENCH_DB);
    if (!options.keep) cleanups.push(() => dropDatabase(POSTGRES_URL, BENCH_DB));
    cleanups.push(() => deleteRedisKeys(REDIS_URL, prefix));
    await applyMigrations(dbUrl, path.join(options.appDir, "prisma", "migrations"));
    await seedShop(dbUrl, scopes);
    say(`[${phase.label}] database ${BENCH_DB} migrated; shop ${SHOP} installed (pendingDays 14)`);

    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const instrumented = options.countQueries || options.profile;
    const instrument = pathToFileURL(path.join(ROOT, "bench", "support", "instrument.mjs")).href;
    const countsFile = (name: string) => path.join(phaseDir, `${name}-counts.json`);
    const nodeFlags = (name: string) => [
      ...(instrumented ? ["--import", instrument] : []),
      ...(options.profile ? ["--cpu-prof", `--cpu-prof-dir=${phaseDir}`, `--cpu-prof-name=${name}.cpuprofile`] : []),
    ];
    const baseEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LANG: process.env.LANG,
      NODE_ENV: "production",
      SHOPIFY_API_KEY: "loyalnest-bench",
      SHOPIFY_API_SECRET: secret,
      REDEMPTION_CODE_KEYS: `bench:${randomBytes(32).toString("base64")}`,
      SHOPIFY_APP_URL: baseUrl,
      SCOPES: scopes,
      DATABASE_URL: dbUrl,
      REDIS_URL,
      BULL_PREFIX: prefix,
      LOG_LEVEL: "warn",
    };
    const app = startChild("app", process.execPath, [...nodeFlags("app"), appServer(options.appDir), "build/index.js"], {
      cwd: options.appDir,
      env: { ...baseEnv, HOST: "127.0.0.1", PORT: String(port), DATABASE_POOL_MAX: String(options.appPool), ...(instrumented ? { LOYALNEST_BENCH_COUNTS_FILE: countsFile("app"), LOYALNEST_BENCH_EXIT_ON_SIGTERM: "1" } : {}) },
      logFile: path.join(phaseDir, "app.log"),
    });
    phaseChildren.push(app);
    const worker = startChild("worker", process.execPath, [...nodeFlags("worker"), "--import", "tsx", "server/worker.ts"], {
      cwd: options.appDir,
      env: { ...baseEnv, WORKER_CONCURRENCY: String(options.workerConcurrency), DATABASE_POOL_MAX: String(options.workerPool), ...(instrumented ? { LOYALNEST_BENCH_COUNTS_FILE: countsFile("worker") } : {}) },
      logFile: path.join(phaseDir, "worker.log"),
    });
    phaseChildren.push(worker);
    if (options.workerNice && worker.pid !== undefined) setPriority(worker.pid, options.workerNice);
    cleanups.unshift(() => Promise.all(phaseChildren.map((c) => c.stop(c === worker ? 40_000 : 4_000))));
    await waitForHealthy(baseUrl, app);
    say(`[${phase.label}] app on ${baseUrl} (pid ${app.pid}), worker pid ${worker.pid}`);

    // Every body is generated and serialised before the clock starts: the sender only sends.
    const customers = ctx.options.suite ? Math.max(500, Math.floor(options.orders / 2)) : options.customers;
    const generator = createShopifyEventGenerator({ shop: SHOP, seed: options.seed, customers, start: new Date(), meanGapMs: 0 });
    const warmup = Array.from({ length: options.warmup }, () => generator.orderPaid().webhook);
    const measured = Array.from({ length: options.orders }, () => generator.orderPaid().webhook);
    const guests = measured.filter((w) => w.subject.customerId === undefined).length;
    say(`[${phase.label}] generated ${warmup.length} warm-up and ${measured.length} measured orders (${guests} guest checkouts), ${fmt(measured.reduce((s, w) => s + w.body.length, 0) / measured.length / 1024)} KiB each on average`);

    const monitor = new pg.Pool({ connectionString: dbUrl, max: 2 });
    cleanups.unshift(() => monitor.end());
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
    cleanups.unshift(async () => redis.disconnect());
    const probe = queueProbe(redis, prefix);
    const timeoutMs = options.timeoutSeconds * 1000;

    if (warmup.length > 0) {
      const results = await sendDeliveries(baseUrl, warmup, { secret, concurrency: options.concurrency });
      const bad = results.filter((r) => r.ack?.status !== 200);
      if (bad.length > 0) throw new Error(`warm-up: ${bad.length} deliveries not acknowledged with 200 (first: ${bad[0].error?.message ?? bad[0].ack?.status})\n${tail(app.logFile)}`);
      await waitForEarnings(monitor, probe, warmup.length, phaseChildren, timeoutMs).catch(async (error: Error) => {
        throw new Error(`${error.message}\n${(await failedJobReasons(redis, prefix)).join("\n")}\n${tail(worker.logFile)}`);
      });
      say(`[${phase.label}] warm-up: ${warmup.length} orders acknowledged and earned`);
    }
    // Statistics, as a live database has them (autovacuum would take a minute to gather them on
    // tables this young): plans made from empty-table estimates are not what production runs.
    await monitor.query("ANALYZE");

    const counted = instrumented && options.countQueries ? [{ child: app, file: countsFile("app") }, { child: worker, file: countsFile("worker") }] : [];
    const before = counted.length ? await snapshotCounts(counted) : null;

    const redisPid = Number(/process_id:(\d+)/.exec(await redis.info("server"))?.[1] ?? NaN);
    const cpuBefore = { app: processCpuMs(app.pid), worker: processCpuMs(worker.pid), postgres: await backendCpuMs(monitor, BENCH_DB), redis: processCpuMs(redisPid), sender: process.cpuUsage() };
    say(`[${phase.label}] sending ${measured.length} orders/paid (${options.rate ? `open loop at ${options.rate}/s` : `closed loop, ${options.concurrency} senders`}); load ${loadavg().map((l) => l.toFixed(2)).join(" ")}…`);
    const sampler = startSampler(monitor, probe);
    const firstSend = Date.now();
    const results: ReplayResult<SimulatedWebhook>[] = await sendDeliveries(baseUrl, measured, {
      secret,
      concurrency: options.concurrency,
      ratePerSecond: options.rate,
    });
    const lastAck = Math.max(...results.map((r) => r.sentAt + (r.ack?.ms ?? 0)));
    const acknowledged = results.filter((r) => r.ack?.status === 200).length;
    say(`[${phase.label}] all sent in ${fmt((lastAck - firstSend) / 1000, 2)} s; waiting for points…`);
    if (acknowledged < results.length) {
      // Not acknowledged means not accepted: Shopify would retry it. Only accepted orders must earn.
      const reasons = new Map<string, number>();
      for (const r of results) {
        if (r.ack?.status === 200) continue;
        const reason = r.error ? r.error.message : `HTTP ${r.ack?.status}`;
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      }
      say(`${results.length - acknowledged} deliveries not acknowledged: ${[...reasons].map(([k, n]) => `${n} × ${k}`).join("; ")}`);
    }
    await waitForEarnings(monitor, probe, warmup.length + acknowledged, phaseChildren, timeoutMs).catch(async (error: Error) => {
      await sampler.stop();
      throw new Error(`${error.message}\n${(await failedJobReasons(redis, prefix)).join("\n")}\n${tail(worker.logFile)}`);
    });
    const samples = await sampler.stop();
    const cpuAfter = { app: processCpuMs(app.pid), worker: processCpuMs(worker.pid), postgres: await backendCpuMs(monitor, BENCH_DB), redis: processCpuMs(redisPid), sender: process.cpuUsage(cpuBefore.sender) };
    const after = counted.length ? await snapshotCounts(counted) : null;
    const queue = await probe();
    const perOrder = (ms: number) => Math.round((ms / measured.length) * 100) / 100;
    const cpu: CpuPerOrder = {
      app: perOrder((cpuAfter.app ?? 0) - (cpuBefore.app ?? 0)),
      worker: perOrder((cpuAfter.worker ?? 0) - (cpuBefore.worker ?? 0)),
      postgres: perOrder(backendCpuDelta(cpuBefore.postgres, cpuAfter.postgres)),
      redis: perOrder((cpuAfter.redis ?? 0) - (cpuBefore.redis ?? 0)),
      sender: perOrder((cpuAfter.sender.user + cpuAfter.sender.system) / 1000),
      ceilingPerSecond: 0,
    };
    cpu.ceilingPerSecond = (machine.nproc * 1000) / (cpu.app + cpu.worker + cpu.postgres + cpu.redis + cpu.sender);

    const { rows } = await monitor.query<{ orderId: string; visibleAt: number }>(
      `SELECT "orderId"::text AS "orderId", (extract(epoch FROM "createdAt") * 1000)::float8 AS "visibleAt" FROM "OrderEarning" WHERE "shop" = $1`,
      [SHOP],
    );
    const visibleAt = new Map(rows.map((r) => [r.orderId, r.visibleAt]));
    const ackMs: number[] = [];
    const pointsMs: number[] = [];
    // Per delivery, for reading latency over time: [ms since first send, ack ms, points ms].
    const timeline: [number, number, number][] = [];
    let errors = 0;
    let lastVisible = 0;
    for (const r of results) {
      if (!r.ack || r.ack.status !== 200) {
        errors++;
        continue;
      }
      const started = r.scheduledAt ?? r.sentAt;
      // Open loop: a delivery that waited for a free sender waited for the app.
      ackMs.push(r.sentAt - started + r.ack.ms);
      const visible = visibleAt.get(r.delivery.subject.orderId ?? "");
      if (visible === undefined) throw new Error(`order ${r.delivery.subject.orderId} has no OrderEarning row`);
      pointsMs.push(Math.max(0, visible - started));
      timeline.push([Math.round(started - firstSend), Math.round(ackMs[ackMs.length - 1] * 10) / 10, Math.round(visible - started)]);
      lastVisible = Math.max(lastVisible, visible);
    }
    const consistency = await checkConsistency(monitor);

    let counts: Record<string, CountSummary> | null = null;
    if (before && after) {
      counts = Object.fromEntries(Object.keys(after).map((name) => [name, diffCounts(before[name], after[name], measured.length)]));
      await writeFileAsync(path.join(phaseDir, "counts-per-order.json"), JSON.stringify(counts, null, 2));
    }

    say(`[${phase.label}] stopping the app and the worker…`);
    await Promise.all(phaseChildren.map((c) => c.stop(c === worker ? 40_000 : 4_000)));

    const report: Report = {
      startedAt,
      command: `npx tsx bench/ingest.ts ${process.argv.slice(2).join(" ")}`.trim(),
      options,
      machine,
      build: ctx.build,
      ackPerSecond: results.length / ((lastAck - firstSend) / 1000),
      sustainedPerSecond: (results.length - errors) / ((lastVisible - firstSend) / 1000),
      ack: distribution(ackMs),
      points: distribution(pointsMs),
      sendWindowMs: lastAck - firstSend,
      drainWindowMs: lastVisible - firstSend,
      errors,
      failedJobs: queue.failed,
      maxBacklog: Math.max(0, ...samples.map((s) => s.waiting)),
      probes: { postgres: distribution(samples.map((s) => s.postgresMs)), redis: distribution(samples.map((s) => s.redisMs)) },
      pgbench: null,
      consistency,
      counts,
      cpu,
      outDir: phaseDir,
      loadAtStart: machine.loadAverage,
    };
    await writeFileAsync(path.join(phaseDir, "report.json"), JSON.stringify({ ...report, samples, timeline: timeline.sort((a, b) => a[0] - b[0]) }));
    return report;
  } finally {
    for (const cleanup of cleanups) {
      try {
        await cleanup();
      } catch (error) {
        console.error(`[bench] cleanup step failed: ${(error as Error).message}`);
      }
    }
  }
}

function printCounts(counts: Record<string, CountSummary> | null) {
  if (!counts) return;
  for (const [name, c] of Object.entries(counts)) {
    console.log(`\n  ${name}: top statements per order`);
    for (const q of c.topQueries.slice(0, 12)) console.log(`    ${String(q.perOrder).padStart(6)}  ${q.text.slice(0, 110)}`);
    console.log(`  ${name}: Redis commands per order: ${c.topRedis.map((x) => `${x.command} ${x.perOrder}`).join(", ")}`);
  }
}

const appLabel = (options: Options) => (options.appDir === ROOT ? "this checkout" : options.appDir);

/** One table for the whole suite: a row per phase, the baseline, and the issue's verdicts. */
function suiteSection(startedAt: Date, options: Options, machine: MachineInfo, build: string, phases: Report[], pgbench: PgbenchResult | null): string {
  const m = machine;
  const closed = phases.find((p) => !p.options.rate && !p.options.countQueries);
  const atLatencyRate = phases.find((p) => p.options.rate === GOALS.latencyRate);
  const counted = phases.find((p) => p.counts);
  const total = (r: Report) => r.cpu.app + r.cpu.worker + r.cpu.postgres + r.cpu.redis + r.cpu.sender;
  const lines = [
    `### ${startedAt.toISOString().slice(0, 16).replace("T", " ")} UTC — suite: closed loop ${options.orders.toLocaleString("en-US")} orders, paced ${options.rates.join(" / ")} orders/s (app: ${appLabel(options)})`,
    "",
    `- Command: \`npx tsx bench/ingest.ts ${process.argv.slice(2).join(" ")}\``,
    `- Machine: ${m.nproc} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.kernel}; Node ${m.node}; ${m.postgres} (${Object.entries(m.postgresSettings).map(([k, v]) => `${k}=${v}`).join(", ")}); Redis ${m.redis}`,
    `- Setup: ${appServerName(options.appDir)} (NODE_ENV=production, DATABASE_POOL_MAX=${options.appPool}) + 1 worker (WORKER_CONCURRENCY=${options.workerConcurrency}, DATABASE_POOL_MAX=${options.workerPool}${options.workerNice ? `, nice ${options.workerNice}` : ""}); ${options.warmup} warm-up orders per phase; seed "${options.seed}"; ${build}`,
    "",
    "| phase | load at start | orders/s sustained | ack p50 / p99 ms | points p50 / p99 ms | CPU ms per order: app / worker / pg / redis / sender = total | max backlog | non-200 / failed / ledger |",
    "|---|---|---|---|---|---|---|---|",
    ...phases.filter((p) => !p.options.countQueries).map((p) => `| ${p.options.rate ? `open loop ${p.options.rate}/s, ${p.options.orders.toLocaleString("en-US")} orders` : `closed loop, ${p.options.concurrency} senders, ${p.options.orders.toLocaleString("en-US")} orders`} | ${p.loadAtStart.map((l) => l.toFixed(2)).join(" / ")} | ${fmt(p.sustainedPerSecond)} | ${fmt(p.ack.p50)} / ${fmt(p.ack.p99)} | ${fmt(p.points.p50)} / ${fmt(p.points.p99)} | ${fmt(p.cpu.app, 2)} / ${fmt(p.cpu.worker, 2)} / ${fmt(p.cpu.postgres, 2)} / ${fmt(p.cpu.redis, 2)} / ${fmt(p.cpu.sender, 2)} = ${fmt(total(p), 2)} | ${p.maxBacklog} | ${p.errors} / ${p.failedJobs} / ${p.consistency.ok ? "consistent" : "INCONSISTENT"} |`),
    "",
    `- pgbench -N -c 8 -j 2 -T ${options.pgbenchSeconds} (scale 10), same run: ${pgbench ? `${fmt(pgbench.tps)} tps; closed loop ÷ pgbench = ${closed ? fmt(closed.sustainedPerSecond / pgbench.tps, 3) : "n/a"}` : "skipped"}`,
  ];
  if (counted?.counts) {
    lines.push(`- Statements and Redis commands per order (instrumented run of ${counted.options.orders.toLocaleString("en-US")} orders, closed loop): ${Object.entries(counted.counts).map(([name, c]) => `${name} ${c.queriesPerOrder} SQL / ${c.redisCommandsPerOrder} Redis`).join("; ")}`);
  }
  lines.push(
    `- Floor, closed loop ≥ ${GOALS.ordersPerSecond} orders/s: ${closed ? `${verdict(closed.sustainedPerSecond >= GOALS.ordersPerSecond)} (${fmt(closed.sustainedPerSecond)}; aim ${GOALS.aimOrdersPerSecond})` : "not measured"}`,
    `- At ${GOALS.latencyRate} orders/s, ack p99 < ${GOALS.ackP99Ms} ms: ${atLatencyRate ? `${verdict(atLatencyRate.ack.p99 < GOALS.ackP99Ms)} (${fmt(atLatencyRate.ack.p99)} ms)` : "not measured"}; points p99 < ${GOALS.pointsP99Ms} ms: ${atLatencyRate ? `${verdict(atLatencyRate.points.p99 < GOALS.pointsP99Ms)} (${fmt(atLatencyRate.points.p99)} ms)` : "not measured"}`,
    "",
  );
  return `${lines.join("\n")}\n`;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const startedAt = new Date();
  const runId = startedAt.toISOString().replace(/[:.]/g, "-");
  const outDir = path.join(ROOT, "bench", "out", `ingest-${runId}`);
  await mkdir(outDir, { recursive: true });
  let interrupted = false;
  process.once("SIGINT", () => {
    interrupted = true;
    say("interrupted: stopping children and cleaning up…");
    killAllChildren();
  });

  try {
    say(`run ${runId}; logs in ${path.relative(ROOT, outDir)}/; app: ${appLabel(options)}`);
    const machine = await describeMachine(POSTGRES_URL, REDIS_URL);
    say(`${machine.nproc} CPUs, ${machine.memoryGiB} GiB, ${machine.postgres}, Redis ${machine.redis}, Node ${machine.node}; load ${machine.loadAverage.join(" ")}`);
    const build = await ensureBuild(options.appDir, options.build, path.join(outDir, "build.log"));
    const ctx: RunContext = { options, machine, outDir, build };

    const phases: Phase[] = options.suite
      ? [
          { label: "closed", orders: options.orders, countQueries: false, profile: false },
          ...options.rates.map((rate) => ({ label: `rate-${rate}`, orders: rate * options.pacedSeconds, rate, countQueries: false, profile: false })),
          { label: "counts", orders: Math.min(options.orders, 1000), countQueries: true, profile: false },
        ]
      : [{ label: "run", orders: options.orders, rate: options.rate, countQueries: options.countQueries, profile: options.profile }];
    const reports: Report[] = [];
    for (const phase of phases) {
      if (interrupted) break;
      const phaseMachine: MachineInfo = { ...machine, loadAverage: loadavg().map((l) => Math.round(l * 100) / 100) as MachineInfo["loadAverage"] };
      reports.push(await runPhase({ ...ctx, machine: phaseMachine }, phase));
      const r = reports[reports.length - 1];
      say(`[${phase.label}] ${fmt(r.sustainedPerSecond)} orders/s; ack p99 ${fmt(r.ack.p99)} ms; points p99 ${fmt(r.points.p99)} ms; CPU ms/order ${fmt(r.cpu.app, 2)} / ${fmt(r.cpu.worker, 2)} / ${fmt(r.cpu.postgres, 2)} / ${fmt(r.cpu.redis, 2)} / ${fmt(r.cpu.sender, 2)}`);
    }

    let pgbench: PgbenchResult | null = null;
    if (options.pgbenchSeconds > 0 && !interrupted) {
      say(`baseline: pgbench -i -s 10, then pgbench -N -c 8 -j 2 -T ${options.pgbenchSeconds} on ${PGBENCH_DB}…`);
      pgbench = await runPgbench(POSTGRES_URL, PGBENCH_DB, { seconds: options.pgbenchSeconds });
    }

    let failed = false;
    if (options.suite) {
      const section = suiteSection(startedAt, options, machine, build, reports, pgbench);
      console.log(`\n${section}`);
      printCounts(reports.find((r) => r.counts)?.counts ?? null);
      await writeFileAsync(path.join(outDir, "suite.json"), JSON.stringify({ options, machine, pgbench, reports }, null, 2));
      if (options.writeResults) {
        await appendFile(path.join(ROOT, "bench", "RESULTS.md"), `\n${section}`);
        say("appended to bench/RESULTS.md");
      }
    } else {
      const report = { ...reports[0], pgbench };
      console.log("");
      for (const line of reportLines(report)) console.log(line);
      printCounts(report.counts);
      if (!report.consistency.ok) console.log(`\n  consistency details: ${JSON.stringify(report.consistency)}`);
      if (options.writeResults) {
        await appendFile(path.join(ROOT, "bench", "RESULTS.md"), `\n${markdownSection(report)}`);
        say("appended to bench/RESULTS.md");
      }
    }
    for (const r of reports) failed ||= !r.consistency.ok || r.errors > 0 || r.failedJobs > 0;
    if (failed) process.exitCode = 1;
  } finally {
    killAllChildren();
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  console.error(`[bench] failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

