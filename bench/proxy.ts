import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { appendFile, mkdir, writeFile } from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import pg from "pg";
import { starterCatalog } from "../app/domain/rewards";
import { applyMigrations } from "../server/apply-migrations";
import { signProxyUrl } from "../server/demo/storefront-signing";
import { ensureFreshBuild } from "./support/build";
import { killAllChildren, startChild, type BenchChild } from "./support/children";
import { backendCpuDelta, backendCpuMs, processCpuMs } from "./support/cpu";
import { describeMachine, type MachineInfo } from "./support/machine";
import { dropDatabase, recreateDatabase } from "./support/postgres";
import { distribution, fmt, type Distribution } from "./support/stats";

// bench/proxy — the storefront widget's member state (GET /proxy/member, signed as Shopify's app
// proxy signs it) against the BUILT app (server/serve.ts, NODE_ENV=production, PostgreSQL and Redis on
// loopback), open loop at a fixed rate: request i is due at start + i/R and its latency counts from
// then, so a request that waited for a free socket waited for the app. In the same run, at the
// same rate, two reference routes on the same server: the proxy's own refusal of an unsigned
// request (routing + Remix + one check, no I/O) and /healthz (one PostgreSQL and one Redis round
// trip). The member state's p95 is reported as a ratio to theirs. See bench/README.md.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/13";
const BENCH_DB = "loyalnest_bench_proxy";
const SHOP = "proxy-bench.myshopify.com";
const SECRET = "bench-proxy-secret";
const UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const GOAL = { rate: 500, p95Ms: 20 };

const USAGE = `Usage: npx tsx bench/proxy.ts [options]
  --rate R          requests per second in every phase (default 500)
  --seconds S       length of each measured phase (default 15)
  --warmup S        member-state requests before measuring, in seconds at the same rate (default 5)
  --members M       members in the shop, each with a history (default 5000)
  --history H       ledger entries per member (default 12)
  --max-in-flight C bound on concurrent requests (default 512)
  --app-pool P      DATABASE_POOL_MAX of the app (default 10)
  --build stale|missing  rebuild when build/ is older than its sources (default), or only when missing
  --profile         write a CPU profile of the app to bench/out/<run>/app.cpuprofile
                    (summarise it with bench/profile-summary.ts)
  --keep            keep the ${BENCH_DB} database afterwards
  --write-results   append this run to bench/RESULTS.md (section "Proxy")`;

interface Options {
  rate: number;
  seconds: number;
  warmup: number;
  members: number;
  history: number;
  maxInFlight: number;
  appPool: number;
  build: "stale" | "missing";
  profile: boolean;
  keep: boolean;
  writeResults: boolean;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      rate: { type: "string" },
      seconds: { type: "string" },
      warmup: { type: "string" },
      members: { type: "string" },
      history: { type: "string" },
      "max-in-flight": { type: "string" },
      "app-pool": { type: "string" },
      build: { type: "string" },
      profile: { type: "boolean" },
      keep: { type: "boolean" },
      "write-results": { type: "boolean" },
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
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer from ${min} to ${max}, not "${raw}"`);
    return n;
  };
  return {
    rate: int("rate", values.rate, 500, 1, 20_000),
    seconds: int("seconds", values.seconds, 15, 1, 600),
    warmup: int("warmup", values.warmup, 5, 0, 600),
    members: int("members", values.members, 5000, 1, 1_000_000),
    history: int("history", values.history, 12, 0, 200),
    maxInFlight: int("max-in-flight", values["max-in-flight"], 512, 1, 10_000),
    appPool: int("app-pool", values["app-pool"], 10, 1, 200),
    build: values.build === "missing" ? "missing" : values.build === undefined || values.build === "stale" ? "stale" : (() => {
      throw new Error(`--build must be stale or missing, not "${values.build}"`);
    })(),
    profile: values.profile ?? false,
    keep: values.keep ?? false,
    writeResults: values["write-results"] ?? false,
  };
}

const say = (line: string) => console.log(`[bench] ${line}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ----------------------------------------------------------------------------------------------
// Setup: an installed shop with the starter rewards, members with a realistic history and codes.

// The key the app decrypts codes with; the seed encrypts with the app's own cipher and the same key.
const CODE_KEYS = `bench:${randomBytes(32).toString("base64")}`;

/** Every CODE_EVERY-th member holds one issued code (decrypted for every answer that shows it). */
const CODE_EVERY = 4;

async function encryptedCodes(count: number): Promise<string[]> {
  process.env.REDEMPTION_CODE_KEYS = CODE_KEYS;
  process.env.SHOPIFY_API_KEY ??= "bench-proxy-key";
  process.env.SHOPIFY_API_SECRET ??= SECRET;
  process.env.SHOPIFY_APP_URL ??= "https://loyalnest.bench";
  process.env.DATABASE_URL ??= POSTGRES_URL;
  process.env.SCOPES ??= "write_discounts";
  const { encryptCode, generateCode } = await import("../app/utils/code-cipher.server");
  return Array.from({ length: count }, () => encryptCode(generateCode()));
}

async function seed(dbUrl: string, options: Options): Promise<void> {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO "Shop" ("id", "domain", "name", "currencyCode", "ianaTimezone", "updatedAt") VALUES ($1, $2, 'Proxy Bench', 'USD', 'America/New_York', now())`,
      [`bench${randomBytes(8).toString("hex")}`, SHOP],
    );
    await client.query(`INSERT INTO "Session" ("id", "shop", "state", "isOnline", "scope", "accessToken") VALUES ($1, $2, '', false, 'write_discounts', $3)`, [
      `offline_${SHOP}`,
      SHOP,
      `shpat_${randomBytes(16).toString("hex")}`,
    ]);
    for (const reward of starterCatalog("USD")) {
      const row: Record<string, unknown> = { id: `rw${randomBytes(8).toString("hex")}`, shop: SHOP, ...reward, updatedAt: new Date() };
      const columns = Object.keys(row).filter((k) => row[k] !== undefined);
      const values = columns.map((k) => (k === "title" || k === "description" ? JSON.stringify(row[k]) : row[k]));
      await client.query(`INSERT INTO "Reward" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(", ")})`, values);
    }
    // Members 1..M; each earned `history` times 50 points, posted. Balances match the ledger.
    await client.query(
      `INSERT INTO "Member" ("id", "shop", "shopifyCustomerId", "email", "pointsAvailable", "lifetimeEarned", "updatedAt")
       SELECT 'm' || g, $1, 7000000000000 + g, 'member' || g || '@example.com', $2 * 50, $2 * 50, now() FROM generate_series(1, $3) AS g`,
      [SHOP, options.history, options.members],
    );
    if (options.history > 0) {
      await client.query(
        `INSERT INTO "LedgerEntry" ("shop", "memberId", "kind", "status", "points", "idempotencyKey", "contentHash", "orderId", "reason", "createdAt")
         SELECT $1, 'm' || g, 'EARN', 'POSTED', 50, 'seed:' || g || ':' || h, 'seed', 9000000 + g * 1000 + h, 'order', now() - (h || ' days')::interval
         FROM generate_series(1, $2) AS g, generate_series(1, $3) AS h`,
        [SHOP, options.members, options.history],
      );
    }
    // Issued codes: the read path decrypts each one it shows. The redemption points at the member's
    // first entry as its hold; nothing in this benchmark reads the hold.
    const holders = Math.floor(options.members / CODE_EVERY);
    if (holders > 0 && options.history > 0) {
      const ciphers = await encryptedCodes(holders);
      const rewardId = (await client.query<{ id: string }>(`SELECT "id" FROM "Reward" WHERE "shop" = $1 ORDER BY "pointsCost" LIMIT 1`, [SHOP])).rows[0].id;
      await client.query(
        `INSERT INTO "Redemption" ("id", "shop", "memberId", "rewardId", "requestKey", "channel", "points", "status", "discountConfig", "title",
                                   "codeHash", "codeCipher", "holdEntryId", "expiresAt", "updatedAt")
         SELECT 'rd' || g, $1, 'm' || (g * $2), $3, 'bench:' || g, 'storefront', 100, 'ISSUED', '{"kind":"fixed_amount","amount":"5.00"}', '$5 off',
                md5('code' || g), c.cipher, (SELECT min("id") FROM "LedgerEntry" WHERE "shop" = $1 AND "memberId" = 'm' || (g * $2)),
                now() + interval '30 days', now()
         FROM unnest($4::text[]) WITH ORDINALITY AS c(cipher, g)`,
        [SHOP, CODE_EVERY, rewardId, ciphers],
      );
    }
    await client.query("ANALYZE");
  } finally {
    await client.end();
  }
}

// ----------------------------------------------------------------------------------------------
// Load: an open-loop sender on node:http keep-alive sockets.

interface Phase {
  name: string;
  /** Builds request i: path and query (signed), and the client address Shopify would forward. */
  request(i: number): { path: string; ip: string };
  expectStatus: number;
}

interface PhaseResult {
  name: string;
  sent: number;
  latency: Distribution;
  wrongStatus: Record<string, number>;
  achievedPerSecond: number;
  cpuMs: { app: number; postgres: number; sender: number };
}

function send(agent: http.Agent, port: number, requestPath: string, ip: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // Shopify's proxy asks for gzip, as browsers do; the answer is read as the client would.
    const headers = { "User-Agent": UA, "X-Forwarded-For": ip, Accept: "application/json", "Accept-Encoding": "gzip" };
    const req = http.request({ host: "127.0.0.1", port, path: requestPath, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const raw = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, body: (res.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw).toString() });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

async function runPhase(phase: Phase, options: Options, seconds: number, port: number, agent: http.Agent, cpu: { app: BenchChild; monitor: pg.Pool }): Promise<PhaseResult> {
  const total = options.rate * seconds;
  const latencies: number[] = [];
  const wrongStatus: Record<string, number> = {};
  let inFlight = 0;
  let finished = 0;
  const appBefore = processCpuMs(cpu.app.pid) ?? 0;
  const pgBefore = await backendCpuMs(cpu.monitor, BENCH_DB);
  const senderBefore = process.cpuUsage();
  const start = performance.now();
  await new Promise<void>((resolve) => {
    let next = 0;
    const waiting: number[] = [];
    const fire = (i: number) => {
      inFlight++;
      const due = start + (i * 1000) / options.rate;
      const { path: requestPath, ip } = phase.request(i);
      send(agent, port, requestPath, ip)
        .then(
          ({ status }) => {
            latencies.push(performance.now() - due);
            if (status !== phase.expectStatus) wrongStatus[status] = (wrongStatus[status] ?? 0) + 1;
          },
          (error: Error) => {
            wrongStatus[error.message] = (wrongStatus[error.message] ?? 0) + 1;
          },
        )
        .finally(() => {
          inFlight--;
          finished++;
          const queued = waiting.shift();
          if (queued !== undefined) fire(queued);
          if (finished === total) resolve();
        });
    };
    const tick = () => {
      const now = performance.now();
      while (next < total && start + (next * 1000) / options.rate <= now) {
        if (inFlight < options.maxInFlight) fire(next);
        else waiting.push(next);
        next++;
      }
      if (next < total) setTimeout(tick, 1);
    };
    tick();
  });
  const elapsed = performance.now() - start;
  const senderCpu = process.cpuUsage(senderBefore);
  const pgAfter = await backendCpuMs(cpu.monitor, BENCH_DB);
  return {
    name: phase.name,
    sent: total,
    latency: distribution(latencies),
    wrongStatus,
    achievedPerSecond: (total * 1000) / elapsed,
    cpuMs: {
      app: ((processCpuMs(cpu.app.pid) ?? 0) - appBefore) / total,
      postgres: backendCpuDelta(pgBefore, pgAfter) / total,
      sender: (senderCpu.user + senderCpu.system) / 1000 / total,
    },
  };
}

// ----------------------------------------------------------------------------------------------

function table(results: PhaseResult[], member: PhaseResult): string[] {
  const rows = results.map((r) => {
    const wrong = Object.entries(r.wrongStatus).map(([k, v]) => `${v}× ${k}`).join(", ") || "none";
    return `| ${r.name} | ${fmt(r.achievedPerSecond)} | ${fmt(r.latency.p50, 2)} / ${fmt(r.latency.p95, 2)} / ${fmt(r.latency.p99, 2)} / ${fmt(r.latency.max, 1)} | ${fmt(member.latency.p95 / r.latency.p95, 2)} | ${fmt(r.cpuMs.app, 2)} / ${fmt(r.cpuMs.postgres, 2)} / ${fmt(r.cpuMs.sender, 2)} | ${wrong} |`;
  });
  return [
    "| route | achieved req/s | latency p50 / p95 / p99 / max ms | member p95 ÷ this p95 | CPU ms/request app / pg / sender | unexpected answers |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows,
  ];
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const startedAt = new Date();
  const runId = startedAt.toISOString().replace(/[:.]/g, "-");
  const outDir = path.join(ROOT, "bench", "out", `proxy-${runId}`);
  await mkdir(outDir, { recursive: true });
  const machine: MachineInfo = await describeMachine(POSTGRES_URL, REDIS_URL);
  say(`machine: ${machine.nproc} CPUs (${machine.cpuModel}), load ${machine.loadAverage.join(" ")}, ${machine.postgres}, Redis ${machine.redis}`);

  const build = options.build === "missing" && existsSync(path.join(ROOT, "build", "index.js")) ? "existing build (--build missing)" : await ensureFreshBuild(ROOT);
  say(`build: ${build}`);
  const dbUrl = await recreateDatabase(POSTGRES_URL, BENCH_DB);
  await applyMigrations(dbUrl, path.join(ROOT, "prisma", "migrations"));
  await seed(dbUrl, options);
  say(`seeded ${options.members} members × ${options.history} ledger entries (every ${CODE_EVERY}th with an issued code), 4 rewards`);

  const port = await new Promise<number>((resolve) => {
    const probe = http.createServer().listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
  const prefix = `bench-proxy-${randomBytes(4).toString("hex")}`;
  const profileArgs = options.profile ? ["--cpu-prof", `--cpu-prof-dir=${outDir}`, "--cpu-prof-name=app.cpuprofile"] : [];
  // The built app does not exit on SIGTERM while its pools are open; the demo's exit helper ends it
  // once requests are answered, so the run stops cleanly and the profile gets written.
  const exitHelper = ["--import", pathToFileURL(path.join(ROOT, "server", "demo", "app-exit.mjs")).href];
  const app = startChild("app", process.execPath, [...profileArgs, ...exitHelper, path.join(ROOT, "server/serve.ts"), path.join(ROOT, "build/index.js")], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      // Nothing is in flight when the run stops it: exit at once (and write the profile).
      SHUTDOWN_GRACE_MS: "0",
      APP_EXIT_SETTLE_MS: "2000",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: dbUrl,
      DATABASE_POOL_MAX: String(options.appPool),
      REDIS_URL,
      BULL_PREFIX: prefix,
      SHOPIFY_API_KEY: "bench-proxy-key",
      SHOPIFY_API_SECRET: SECRET,
      SHOPIFY_APP_URL: "https://loyalnest.bench",
      SCOPES: "write_discounts",
      // Production requires the key that encrypts redemption codes at rest.
      REDEMPTION_CODE_KEYS: CODE_KEYS,
    },
    logFile: path.join(outDir, "app.log"),
  });
  const monitor = new pg.Pool({ connectionString: dbUrl, max: 1 });
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxInFlight });
  try {
    for (const deadline = Date.now() + 60_000; ;) {
      if (app.hasExited()) throw new Error(`the app exited; see ${app.logFile}`);
      const ok = await send(agent, port, "/healthz", "127.0.0.1").then((r) => r.status === 200, () => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`the app did not answer /healthz; see ${app.logFile}`);
      await sleep(200);
    }
    // Each member has an address of their own, as shoppers do: only the load, not the per-IP
    // limit, decides the answers. The customer limit (120/min) is far above a member's share.
    const member: Phase = {
      name: "GET /proxy/member (signed, member state)",
      expectStatus: 200,
      request: (i) => {
        const n = (i % options.members) + 1;
        const url = signProxyUrl({ url: `http://127.0.0.1:${port}/proxy/member?locale=en`, shop: SHOP, customerId: BigInt(7_000_000_000_000 + n), secret: SECRET });
        return { path: `${url.pathname}${url.search}`, ip: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` };
      },
    };
    const refusal: Phase = { name: "GET /proxy/member unsigned (401, trivial)", expectStatus: 401, request: () => ({ path: "/proxy/member?locale=en", ip: "10.255.0.1" }) };
    const health: Phase = { name: "GET /healthz (1 PostgreSQL + 1 Redis round trip)", expectStatus: 200, request: () => ({ path: "/healthz", ip: "10.255.0.2" }) };

    // Check two answers before loading: member states with history and rewards, without a code and with one.
    for (const i of [0, CODE_EVERY - 1]) {
      const sample = await send(agent, port, member.request(i).path, member.request(i).ip);
      const body = JSON.parse(sample.body) as { available?: number; history?: unknown[]; rewards?: unknown[]; codes?: { code?: string }[] };
      const codes = (i + 1) % CODE_EVERY === 0 && options.history > 0 ? 1 : 0;
      if (
        sample.status !== 200 ||
        body.available !== options.history * 50 ||
        (body.history?.length ?? 0) !== Math.min(10, options.history) ||
        body.rewards?.length !== 4 ||
        body.codes?.length !== codes ||
        (codes === 1 && !/^LN-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}$/.test(body.codes?.[0]?.code ?? ""))
      ) {
        throw new Error(`unexpected member answer ${sample.status}: ${sample.body.slice(0, 300)}`);
      }
    }
    if (options.warmup > 0) {
      say(`warm-up: ${options.warmup} s of member state at ${options.rate}/s`);
      await runPhase(member, options, options.warmup, port, agent, { app, monitor });
    }
    const results: PhaseResult[] = [];
    for (const phase of [refusal, member, health]) {
      say(`${phase.name}: ${options.seconds} s at ${options.rate}/s…`);
      results.push(await runPhase(phase, options, options.seconds, port, agent, { app, monitor }));
      await sleep(1000);
    }
    const memberResult = results[1];
    const lines = table(results, memberResult);
    console.log(["", ...lines, ""].join("\n"));
    const goalMet = memberResult.latency.p95 < GOAL.p95Ms && memberResult.achievedPerSecond >= GOAL.rate * 0.98 && Object.keys(memberResult.wrongStatus).length === 0;
    const verdict = `member state at ${options.rate}/s: p95 ${fmt(memberResult.latency.p95, 2)} ms (goal < ${GOAL.p95Ms} ms at ${GOAL.rate}/s: ${goalMet ? "met" : "NOT met"}); ${fmt(memberResult.latency.p95 / results[0].latency.p95, 2)}× the trivial route's p95, ${fmt(memberResult.latency.p95 / results[2].latency.p95, 2)}× /healthz's`;
    say(verdict);
    await writeFile(path.join(outDir, "report.json"), `${JSON.stringify({ startedAt, options, machine, build, results, verdict }, null, 2)}\n`);
    if (options.writeResults) {
      const command = `npx tsx bench/proxy.ts ${process.argv.slice(2).join(" ")}`.trim();
      const section = [
        "",
        `### Proxy ${startedAt.toISOString().slice(0, 16).replace("T", " ")} UTC — ${options.rate} req/s, ${options.seconds} s per route`,
        "",
        `- Command: \`${command}\``,
        `- Machine: ${machine.nproc} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, load ${machine.loadAverage.join(" ")} at start; ${machine.node}, ${machine.postgres}, Redis ${machine.redis}`,
        `- Data: ${options.members} members × ${options.history} ledger entries (every ${CODE_EVERY}th with an issued code), 4 rewards; app pool ${options.appPool}; open loop, at most ${options.maxInFlight} in flight`,
        "",
        ...lines,
        "",
        `Verdict: ${verdict}.`,
        "",
      ].join("\n");
      await appendFile(path.join(ROOT, "bench", "RESULTS.md"), section);
      say("appended to bench/RESULTS.md");
    }
    if (Object.keys(memberResult.wrongStatus).length > 0) process.exitCode = 1;
  } finally {
    agent.destroy();
    await app.stop(20_000);
    await monitor.end();
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.unlink(...keys);
    } finally {
      redis.disconnect();
    }
    if (!options.keep) await dropDatabase(POSTGRES_URL, BENCH_DB);
  }
}

main().catch((error: unknown) => {
  killAllChildren();
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
