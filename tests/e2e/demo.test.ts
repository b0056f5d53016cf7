import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ar from "~/i18n/locales/ar.json";
import en from "~/i18n/locales/en.json";
import { sendWebhook } from "../../server/simulate/deliver";
import { launchChromium, newOfflineContext, withWatchedPage } from "../helpers/browser";
import { freePort } from "../helpers/net";
import { orderPayload } from "../unit/domain/support";

// `npm run demo` exactly as a developer runs it on a machine with nothing but Node: no
// DATABASE_URL, no REDIS_URL, a fresh data directory and its own ports. Then a second run on the
// same directory, which must find its data again.

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SCREENSHOTS = path.join(ROOT, "tests", "e2e", "screenshots");
const DEMO_SHOP = "demo-loyalnest.myshopify.com";
const READY_WITHIN_MS = 120_000;


class DemoRun {
  output = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private running = true;

  constructor(
    readonly child: ChildProcess,
    readonly demoDir: string,
    readonly port: number,
  ) {
    child.stdout?.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) =>
      child.once("exit", (code, signal) => {
        this.running = false;
        resolve({ code, signal });
      }),
    );
  }

  get isRunning() {
    return this.running;
  }

  /** The demo's own process (npm → sh → tsx → node), from its lock file. */
  async demoPid(): Promise<number> {
    return Number((await readFile(path.join(this.demoDir, "demo.pid"), "utf8")).trim());
  }

  databaseUrl(): string {
    const match = /Database\s+(postgresql:\/\/\S+)/.exec(this.output);
    if (!match) throw new Error(`the demo printed no database URL:\n${this.output}`);
    return match[1];
  }

  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.running) process.kill(await this.demoPid(), "SIGTERM");
    return this.exited;
  }

  /** Last resort for a failed test: everything in the npm process group, then the lock's process. */
  async forceStop(): Promise<void> {
    if (!this.running) return;
    const pid = await this.demoPid().catch(() => 0);
    if (pid) process.kill(pid, "SIGTERM"); // lets the demo stop the app it started
    const stopped = await Promise.race([this.exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 20_000))]);
    if (!stopped && this.child.pid) process.kill(-this.child.pid, "SIGKILL");
  }
}

function startDemo(demoDir: string, port: number): DemoRun {
  const env: NodeJS.ProcessEnv = { ...process.env, DEMO_DIR: demoDir, DEMO_PORT: String(port), NO_COLOR: "1" };
  // A developer's machine: none of the test run's services or settings.
  for (const key of Object.keys(env)) {
    if (/^(DATABASE_|REDIS_|TEST_|VITEST|SHOPIFY_|SCOPES$|NODE_ENV$|LOG_LEVEL$)/.test(key)) delete env[key];
  }
  const child = spawn("npm", ["run", "demo"], { cwd: ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  return new DemoRun(child, demoDir, port);
}

/** Polls /healthz until it answers 200 with db and queue ok; returns how long that took. */
async function waitUntilHealthy(run: DemoRun, since: number): Promise<{ elapsedMs: number; body: unknown }> {
  let last = "no answer";
  while (Date.now() - since < READY_WITHIN_MS) {
    if (!run.isRunning) throw new Error(`npm run demo exited before it was healthy:\n${run.output}`);
    try {
      const response = await fetch(`http://127.0.0.1:${run.port}/healthz`, { signal: AbortSignal.timeout(5000) });
      const body = (await response.json()) as unknown;
      last = `${response.status} ${JSON.stringify(body)}`;
      if (response.status === 200) return { elapsedMs: Date.now() - since, body };
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`not healthy within ${READY_WITHIN_MS / 1000} s (last: ${last}):\n${run.output}`);
}

function running(run: DemoRun | undefined): DemoRun {
  if (!run) throw new Error("the demo was not started (the first test failed)");
  return run;
}

describe("npm run demo", () => {
  let demoDir: string;
  let port: number;
  let browser: Browser;
  let first: DemoRun | undefined;
  let second: DemoRun | undefined;
  const markerName = `Persisted Store ${Date.now()}`;

  beforeAll(async () => {
    demoDir = await mkdtemp(path.join(os.tmpdir(), "loyalnest-demo-"));
    port = await freePort();
    await mkdir(SCREENSHOTS, { recursive: true });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await first?.forceStop();
    await second?.forceStop();
    await browser?.close();
    await rm(demoDir, { recursive: true, force: true });
  }, 60_000);

  it("starts from nothing and answers /healthz with the database and queue ok within 120 s", async () => {
    const started = Date.now();
    first = startDemo(demoDir, port);
    const { elapsedMs, body } = await waitUntilHealthy(first, started);
    expect(body).toEqual({ db: "ok", queue: "ok" });
    expect(elapsedMs).toBeLessThan(READY_WITHIN_MS);

    // After /healthz the demo replays a month of signed webhooks, then prints its summary.
    const deadline = Date.now() + 90_000;
    while (!first.output.includes("LoyalNest demo is running") && Date.now() < deadline && first.isRunning) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const output = first.output;
    expect(output).toMatch(/webhooks\s+200 delivered/);
    expect(output).toMatch(/credentials\s+generated/);
    expect(output).toMatch(/database\s+PGlite/);
    expect(output).toMatch(/migrations\s+applied \d{14}_/);
    expect(output).toMatch(new RegExp(`demo shop\\s+${DEMO_SHOP} \\(installed\\)`));
    expect(output).toContain(`Admin       http://localhost:${port}/app`);
    expect(output).toContain(`Health      http://localhost:${port}/healthz`);
    expect(output).toMatch(/Admin API\s+http:\/\/127\.0\.0\.1:\d+/);
    // Generated once, printed, and kept in the data directory for the next run.
    const env = await readFile(path.join(demoDir, "env"), "utf8");
    const apiKey = /^SHOPIFY_API_KEY=([0-9a-f]{32})$/m.exec(env)?.[1];
    const apiSecret = /^SHOPIFY_API_SECRET=([0-9a-f]{32})$/m.exec(env)?.[1];
    expect(apiKey).toBeDefined();
    expect(apiSecret).toBeDefined();
    expect(output).toContain(`API key     ${apiKey}`);
    expect(output).toContain(`API secret  ${apiSecret}`);
  }, READY_WITHIN_MS + 120_000);

  it("shows the dashboard and the demo banner in Chromium, with no console errors", async () => {
    await withWatchedPage(browser, { viewport: { width: 1280, height: 900 } }, async (page, problems) => {
      const response = await page.goto(`http://localhost:${port}/app`, { waitUntil: "networkidle" });
      expect(response?.status()).toBe(200);
      await page.getByRole("heading", { level: 1, name: en.dashboard.title }).waitFor({ state: "visible" });
      await page.getByText(en.demo.bannerTitle, { exact: true }).waitFor({ state: "visible" });
      await expect(page.getByText(DEMO_SHOP, { exact: false }).first().isVisible()).resolves.toBe(true);
      await expect(page.getByRole("heading", { name: en.dashboard.metrics.members, exact: true }).isVisible()).resolves.toBe(true);
      await expect(page.getByRole("link", { name: en.nav.members, exact: true }).isVisible()).resolves.toBe(true);
      await page.screenshot({ path: path.join(SCREENSHOTS, "dashboard.png"), fullPage: true });
      expect(problems.errors).toEqual([]);
    });
  }, 60_000);

  it("renders Arabic right to left", async () => {
    await withWatchedPage(browser, { viewport: { width: 1280, height: 900 } }, async (page, problems) => {
      await page.goto(`http://localhost:${port}/app?locale=ar`, { waitUntil: "networkidle" });
      await expect(page.locator("html").getAttribute("dir")).resolves.toBe("rtl");
      await expect(page.locator("html").getAttribute("lang")).resolves.toBe("ar");
      await page.getByRole("heading", { level: 1, name: ar.dashboard.title }).waitFor({ state: "visible" });
      await page.getByText(ar.demo.bannerTitle, { exact: true }).waitFor({ state: "visible" });
      await page.screenshot({ path: path.join(SCREENSHOTS, "dashboard-ar.png"), fullPage: true });
      expect(problems.errors).toEqual([]);
    });
  }, 60_000);

  it("fills the shop from the replayed webhooks; a merchant reads why an order earned and adjusts a balance", async () => {
    const run = running(first);
    const pool = new pg.Pool({ connectionString: run.databaseUrl(), max: 1 });
    try {
      // Every replayed delivery is processed by the app's in-process worker.
      const deadline = Date.now() + 60_000;
      for (;;) {
        const { rows } = await pool.query<{ total: string; open: string }>(
          `SELECT count(*) AS total, count(*) FILTER (WHERE "processedAt" IS NULL) AS open FROM "ProcessedWebhook"`,
        );
        if (Number(rows[0].total) >= 150 && Number(rows[0].open) === 0) break;
        if (Date.now() > deadline) throw new Error(`deliveries still unprocessed: ${JSON.stringify(rows[0])}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      const { rows: members } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM "Member" WHERE "pointsAvailable" + "pointsPending" > 0`);
      expect(Number(members[0].n)).toBeGreaterThan(0);
    } finally {
      await pool.end();
    }

    await withWatchedPage(browser, { viewport: { width: 1280, height: 1000 } }, async (page, problems) => {
      await page.goto(`http://localhost:${port}/app`, { waitUntil: "networkidle" });
      const membersCard = page.getByRole("heading", { name: en.dashboard.metrics.members, exact: true }).locator("xpath=..");
      expect(Number((await membersCard.innerText()).replace(/\D/g, ""))).toBeGreaterThan(0);

      await page.getByRole("link", { name: en.nav.members, exact: true }).click();
      await page.getByRole("heading", { level: 1, name: en.members.title }).waitFor();
      await page.locator("a[href^='/app/members/']").first().click();
      await page.getByRole("heading", { name: en.member.adjust.heading }).waitFor();

      const why = page.getByRole("button", { name: en.member.why }).first();
      await why.click();
      await page.getByText(/^Eligible amount: /).first().waitFor({ state: "visible" });

      const availableCard = page.getByRole("heading", { name: en.members.available, exact: true }).locator("xpath=..");
      const before = Number((await availableCard.innerText()).replace(/\D/g, ""));
      await page.getByLabel(en.member.adjust.points).fill("25");
      await page.getByLabel(en.member.adjust.reason).fill("Goodwill for a late parcel");
      await page.getByRole("button", { name: en.member.adjust.submit }).click();
      await page.getByText("Added 25 points.").waitFor({ state: "visible" });
      // The action answers first; the page's data is then reloaded.
      await expect.poll(async () => Number((await availableCard.innerText()).replace(/\D/g, "")), { timeout: 10_000 }).toBe(before + 25);
      await page.getByRole("cell", { name: "Goodwill for a late parcel" }).waitFor({ state: "visible" });

      // Taking away more than the member has is refused inline, and changes nothing.
      await page.getByLabel(en.member.adjust.points).fill(String(-(before + 26)));
      await page.getByLabel(en.member.adjust.reason).fill("Too much");
      await page.getByRole("button", { name: en.member.adjust.submit }).click();
      await page.getByText(`The member has only ${before + 25} points available.`).waitFor({ state: "visible" });
      await page.waitForLoadState("networkidle");
      expect(Number((await availableCard.innerText()).replace(/\D/g, ""))).toBe(before + 25);

      await page.screenshot({ path: path.join(SCREENSHOTS, "member.png"), fullPage: true });
      // The refused adjustment is answered 422 on purpose; Chromium logs every 4xx fetch.
      expect(problems.errors.filter((e) => !/status of 422/.test(e))).toEqual([]);
    });
  }, 120_000);

  it("a merchant creates an API key, a reviews app credits review points with it, and revoking it locks the app out", async () => {
    const run = running(first);
    const pool = new pg.Pool({ connectionString: run.databaseUrl(), max: 1 });
    let customerId: string;
    try {
      // The rules editor is a later screen: switch the review action on as a saved program would.
      await pool.query(
        `UPDATE "Shop" SET "earningRules" = jsonb_set("earningRules", '{actions}',
           COALESCE("earningRules"->'actions', '{}') || '{"review": {"enabled": true, "points": 30, "perDayLimit": 2}}') WHERE "domain" = $1`,
        [DEMO_SHOP],
      );
      const { rows } = await pool.query<{ id: string }>(`SELECT "shopifyCustomerId"::text AS id FROM "Member" WHERE "shop" = $1 AND "state" = 'ACTIVE' LIMIT 1`, [DEMO_SHOP]);
      customerId = rows[0].id;
    } finally {
      await pool.end();
    }

    await withWatchedPage(browser, { viewport: { width: 1280, height: 1000 } }, async (page, problems) => {
      await page.goto(`http://localhost:${port}/app`, { waitUntil: "networkidle" });
      await page.getByRole("link", { name: en.nav.apiKeys, exact: true }).click();
      await page.getByRole("heading", { level: 1, name: en.apiKeys.title }).waitFor();
      await page.getByLabel(en.apiKeys.create.label).fill("Judge.me");
      await page.getByRole("button", { name: en.apiKeys.create.submit }).click();
      const tokenField = page.getByRole("textbox", { name: en.apiKeys.created.tokenLabel, exact: true });
      await tokenField.waitFor({ state: "visible" });
      const token = await tokenField.inputValue();
      expect(token).toMatch(/^lnk_[A-Za-z0-9]+_[A-Za-z0-9_-]{40,}$/);
      await page.getByRole("cell", { name: "Judge.me" }).waitFor({ state: "visible" });
      await page.screenshot({ path: path.join(SCREENSHOTS, "api-keys.png"), fullPage: true });

      const review = (reviewId: string, key = token) =>
        fetch(`http://localhost:${port}/api/v1/reviews`, {
          method: "POST",
          headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
          body: JSON.stringify({ customerId, reviewId, rating: 5 }),
        });
      const granted = await review("jm-review-1");
      const grantedBody = (await granted.json()) as { status: string; points: number; replayed: boolean };
      expect({ status: granted.status, body: grantedBody }).toMatchObject({ status: 201, body: { status: "granted", points: 30, replayed: false } });
      const again = await review("jm-review-1");
      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({ status: "granted", points: 30, replayed: true });
      expect((await review("jm-review-1", `${token}x`)).status).toBe(401);

      // Shown once: after a reload only the prefix is listed.
      await page.reload({ waitUntil: "networkidle" });
      await page.getByRole("cell", { name: "Judge.me" }).waitFor({ state: "visible" });
      await expect(page.getByRole("textbox", { name: en.apiKeys.created.tokenLabel, exact: true }).count()).resolves.toBe(0);
      await expect(page.getByText(token).count()).resolves.toBe(0);
      await page.getByRole("button", { name: en.apiKeys.revoke.button }).first().click();
      await page.getByRole("button", { name: en.apiKeys.revoke.confirm }).click();
      await page.getByText(en.apiKeys.state.revoked, { exact: true }).first().waitFor({ state: "visible" });
      const refused = await review("jm-review-2");
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ error: { code: "unauthorized" } });
      expect(problems.errors).toEqual([]);
    });
  }, 120_000);

  it("a merchant edits the rewards catalog; a member redeems a reward; the paid order that uses the code captures it", async () => {
    const run = running(first);
    const apiSecret = /^SHOPIFY_API_SECRET=(\S+)$/m.exec(await readFile(path.join(demoDir, "env"), "utf8"))?.[1] ?? "";
    const pool = new pg.Pool({ connectionString: run.databaseUrl(), max: 1 });
    let customerId = "";
    let memberId = "";
    let fiveOff = "";
    try {
      const { rows } = await pool.query<{ id: string; customer: string }>(
        `SELECT "id", "shopifyCustomerId"::text AS customer FROM "Member" WHERE "shop" = $1 AND "state" = 'ACTIVE' ORDER BY "pointsAvailable" DESC LIMIT 1`, [DEMO_SHOP]);
      [memberId, customerId] = [rows[0].id, rows[0].customer];
      const rewards = await pool.query<{ id: string }>(`SELECT "id" FROM "Reward" WHERE "shop" = $1 AND "type" = 'FIXED_AMOUNT' AND "pointsCost" = 500`, [DEMO_SHOP]);
      fiveOff = rewards.rows[0].id;
    } finally {
      await pool.end();
    }

    await withWatchedPage(browser, { viewport: { width: 1280, height: 1000 } }, async (page, problems) => {
      // The demo shop starts with the starter catalog; the merchant adds a reward of their own.
      await page.goto(`http://localhost:${port}/app`, { waitUntil: "networkidle" });
      await page.getByRole("link", { name: en.nav.rewards, exact: true }).click();
      await page.getByRole("heading", { level: 1, name: en.rewards.title }).waitFor();
      await page.getByRole("link", { name: "Free shipping", exact: true }).waitFor({ state: "visible" });
      await page.getByRole("link", { name: en.rewards.add }).click();
      await page.getByRole("heading", { level: 1, name: en.rewards.newTitle }).waitFor();
      await page.getByLabel(en.rewards.fields.type).selectOption("FREE_SHIPPING");
      await page.getByRole("button", { name: en.rewards.save }).click();
      await page.getByText(en.rewards.errors.titleRequired).waitFor({ state: "visible" });
      await page.getByLabel(en.rewards.fields.title, { exact: true }).fill("Express shipping on us");
      await page.getByLabel(en.rewards.fields.pointsCost).fill("250");
      await page.getByRole("button", { name: en.rewards.save }).click();
      await page.getByRole("link", { name: "Express shipping on us" }).waitFor({ state: "visible" });
      await page.screenshot({ path: path.join(SCREENSHOTS, "rewards.png"), fullPage: true });

      // Make sure the member can afford the $5 reward.
      await page.goto(`http://localhost:${port}/app/members/${memberId}`, { waitUntil: "networkidle" });
      await page.getByLabel(en.member.adjust.points).fill("600");
      await page.getByLabel(en.member.adjust.reason).fill("Points to redeem");
      await page.getByRole("button", { name: en.member.adjust.submit }).click();
      await page.getByText("Added 600 points.").waitFor({ state: "visible" });

      // An integration redeems for the member through the public API.
      await page.getByRole("link", { name: en.nav.apiKeys, exact: true }).click();
      await page.getByLabel(en.apiKeys.create.label).fill("Point of sale");
      await page.getByRole("button", { name: en.apiKeys.create.submit }).click();
      const tokenField = page.getByRole("textbox", { name: en.apiKeys.created.tokenLabel, exact: true });
      await tokenField.waitFor({ state: "visible" });
      const token = await tokenField.inputValue();
      const redeemed = await fetch(`http://localhost:${port}/api/v1/redemptions`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ customerId, rewardId: fiveOff, idempotencyKey: `e2e-${Date.now()}` }),
      });
      const body = (await redeemed.json()) as { redemption: { code: string; status: string; points: number } };
      expect({ status: redeemed.status, redemption: body.redemption }).toMatchObject({ status: 201, redemption: { status: "ISSUED", points: 500 } });

      // The hold is on the member page.
      await page.goto(`http://localhost:${port}/app/members/${memberId}`, { waitUntil: "networkidle" });
      await page.getByRole("heading", { name: en.member.redemptions.heading }).waitFor();
      await page.getByText(en.member.redemptions.status.ISSUED, { exact: true }).waitFor({ state: "visible" });
      await page.getByText(en.ledger.kind.REDEEM_HOLD).first().waitFor({ state: "visible" });
      await page.getByText(`••-••••-••••-${body.redemption.code.slice(-2)}`, { exact: true }).waitFor({ state: "visible" });

      // Shopify sends orders/paid for the order that used the code: the hold is captured.
      const orderId = String(9_100_000_000_000 + (Date.now() % 1_000_000));
      const order = {
        ...orderPayload({ id: orderId, name: "#E2E1", customer: { id: customerId }, lines: [{ price: "30.00" }], processedAt: new Date().toISOString() }),
        discount_codes: [{ code: body.redemption.code, amount: "5.00", type: "fixed_amount" }],
      };
      const ack = await sendWebhook(`http://127.0.0.1:${port}`, { topic: "orders/paid", shop: DEMO_SHOP, body: JSON.stringify(order), webhookId: `e2e-${orderId}` }, { secret: apiSecret });
      expect(ack.status).toBe(200);
      await expect.poll(async () => {
        await page.reload({ waitUntil: "networkidle" });
        return page.getByText(en.member.redemptions.status.USED, { exact: true }).count();
      }, { timeout: 30_000 }).toBeGreaterThan(0);
      await page.getByText(en.ledger.kind.REDEEM_CAPTURE).first().waitFor({ state: "visible" });
      await page.screenshot({ path: path.join(SCREENSHOTS, "member-redemption.png"), fullPage: true });
      // The reward saved without a title is answered 422 on purpose.
      expect(problems.errors.filter((e) => !/status of 422/.test(e))).toEqual([]);
    });
  }, 120_000);

  it("serves the database on one PGlite session without mixing up concurrent connections", async () => {
    const url = running(first).databaseUrl();
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    try {
      // Parameters this large split the extended-protocol messages over several TCP reads, which
      // is where pglite-socket's own scheduler lets another connection's Parse slip in between.
      const big = "x".repeat(300_000);
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (i % 2 === 0
            ? pool.query<{ i: number }>("SELECT $1::int AS i, length($2::text) AS n", [i, big])
            : pool.query<{ i: number }>("SELECT $1::int AS i", [i])
          ).then((r) => r.rows[0].i),
        ),
      );
      expect(results).toEqual(Array.from({ length: 40 }, (_, i) => i));

      // A client that disconnects inside a transaction leaves nothing behind for the next one.
      const quitter = new pg.Client({ connectionString: url });
      quitter.on("error", () => {});
      await quitter.connect();
      await quitter.query("BEGIN");
      await quitter.query(`UPDATE "Shop" SET name = 'Abandoned' WHERE domain = $1`, [DEMO_SHOP]);
      const readWhileOpen = pool.query<{ name: string }>(`SELECT name FROM "Shop" WHERE domain = $1`, [DEMO_SHOP]);
      (quitter as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
      expect((await readWhileOpen).rows[0].name).not.toBe("Abandoned");
      const inTransaction = await pool.query<{ now_is_statement: boolean }>("SELECT now() = statement_timestamp() AS now_is_statement");
      expect(inTransaction.rows[0].now_is_statement).toBe(true);

      // Kept for the second run, which must show it.
      await pool.query(`UPDATE "Shop" SET name = $1 WHERE domain = $2`, [markerName, DEMO_SHOP]);
    } finally {
      await pool.end();
    }
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
  }, 60_000);

  it("stops the app and the database cleanly on SIGTERM", async () => {
    const url = running(first).databaseUrl();
    const exit = await running(first).stop();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(running(first).output).toMatch(/✔ stopped\s+data kept in /);
    expect(running(first).output).not.toMatch(/was killed|stopped unexpectedly|✘/);
    expect(existsSync(path.join(demoDir, "demo.pid"))).toBe(false);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    await expect(new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 }).connect()).rejects.toThrow();
  }, 60_000);

  it("reuses its data on a second run: same credentials, shop kept, nothing reinstalled", async () => {
    const envBefore = await readFile(path.join(demoDir, "env"), "utf8");
    const started = Date.now();
    second = startDemo(demoDir, port);
    await waitUntilHealthy(second, started);
    expect(second.output).toMatch(/credentials\s+from /);
    expect(second.output).toMatch(/migrations\s+up to date/);
    expect(second.output).toMatch(new RegExp(`demo shop\\s+${DEMO_SHOP} \\(already installed\\)`));
    expect(await readFile(path.join(demoDir, "env"), "utf8")).toBe(envBefore);

    const context = await newOfflineContext(browser);
    try {
      const page = await context.newPage();
      await page.goto(`http://localhost:${port}/app`, { waitUntil: "networkidle" });
      await page.getByText(markerName, { exact: true }).waitFor({ state: "visible" });
    } finally {
      await context.close();
    }
    expect(await second.stop()).toEqual({ code: 0, signal: null });
  }, READY_WITHIN_MS + 60_000);
});
