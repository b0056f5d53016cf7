import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import type { Browser, Download } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ar from "~/i18n/locales/ar.json";
import en from "~/i18n/locales/en.json";
import { sendWebhook } from "../../server/simulate/deliver";
import { createShopifyEventGenerator } from "../../server/simulate/shopify-events";
import { ensureAppBuilt } from "../helpers/app-server";
import { launchChromium, withWatchedPage, type PageProblems } from "../helpers/browser";
import { snapshotRepository, startDemo, type DemoProcess } from "../helpers/demo-process";
import { e2eDatabaseUrl, expectNoAxeViolations, recreateDatabase } from "../helpers/e2e";
import { freePort } from "../helpers/net";

// The merchant's own pages in the running demo (`npm run demo`, its month of replayed webhooks):
// finish the onboarding, change a rule in /app/program and see the next signed orders/paid
// webhook earn by it, download a customer data export from /app/privacy. Every page is checked
// with axe and photographed in English and in Arabic (right to left).

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SCREENSHOTS = path.join(ROOT, "tests", "e2e", "screenshots");
const SHOP = "demo-loyalnest.myshopify.com";
const VIEWPORT = { width: 1280, height: 1000 };

const demoDatabaseUrl = () => e2eDatabaseUrl("admin_e2e");

/** Console errors, minus the 422 answers the tests provoke on purpose (Chromium logs every 4xx fetch). */
const unexpected = (problems: PageProblems) => problems.errors.filter((e) => !/status of 422/.test(e));

/** Polls until `probe` answers true; the failure shows the end of the demo's output. */
async function waitUntil(demo: DemoProcess, what: string, probe: () => Promise<boolean>, timeoutMs = 30_000) {
  for (const deadline = Date.now() + timeoutMs; ;) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs / 1000} s; the demo said:\n${demo.output.split("\n").slice(-40).join("\n")}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe("merchant admin pages in the demo", () => {
  let browser: Browser;
  let demo: DemoProcess;
  let demoDir: string;
  let snapshotRoot: string | undefined;
  let db: pg.Pool;
  let secret: string;
  const databaseUrl = demoDatabaseUrl();

  beforeAll(async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    // Built under the test helpers' lock, so the demo finds it up to date.
    await ensureAppBuilt();
    await recreateDatabase(databaseUrl);
    demoDir = await mkdtemp(path.join(os.tmpdir(), "loyalnest-admin-e2e-"));
    // Run from a copy: the shared work tree is rebuilt by others while this file runs.
    const root = await snapshotRepository(await mkdtemp(path.join(os.tmpdir(), "loyalnest-admin-e2e-root-")));
    snapshotRoot = root;
    demo = startDemo(demoDir, await freePort(), { DATABASE_URL: databaseUrl }, root);
    await demo.ready();
    secret = (await demo.credentials()).SHOPIFY_API_SECRET;
    db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    // The replayed month is processed before the pages are read.
    for (const deadline = Date.now() + 90_000; ;) {
      const { rows } = await db.query<{ open: string; total: string }>(`SELECT count(*) FILTER (WHERE "processedAt" IS NULL) AS open, count(*) AS total FROM "ProcessedWebhook"`);
      if (Number(rows[0].total) >= 150 && Number(rows[0].open) === 0) break;
      if (Date.now() > deadline) throw new Error(`replayed deliveries still unprocessed: ${JSON.stringify(rows[0])}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    browser = await launchChromium();
  }, 420_000);

  afterAll(async () => {
    await browser?.close();
    await db?.end();
    await demo?.stop();
    if (demoDir) await rm(demoDir, { recursive: true, force: true });
    if (snapshotRoot) await rm(snapshotRoot, { recursive: true, force: true });
  }, 60_000);

  it("a merchant finishes the onboarding: each step saved, the widget deep link, then launch", async () => {
    await withWatchedPage(browser, { viewport: VIEWPORT }, async (page, problems) => {
      await page.goto(`${demo.baseUrl}/app`, { waitUntil: "networkidle" });
      await page.getByText(en.onboarding.banner.title, { exact: true }).waitFor();
      await page.getByRole("link", { name: en.onboarding.banner.action }).click();
      await page.getByRole("heading", { level: 1, name: en.onboarding.title }).waitFor();
      await expectNoAxeViolations(page, "onboarding, first step");

      await page.getByLabel(en.onboarding.steps.pointsName.label).fill("Stars");
      await page.getByRole("button", { name: en.onboarding.continue }).click();
      await page.getByLabel(en.onboarding.steps.earning.rate).waitFor();
      // The suggested rules, ready to accept.
      await expect(page.getByLabel(en.onboarding.steps.earning.rate).inputValue()).resolves.toBe("5");
      await expect(page.getByLabel(en.onboarding.steps.earning.signupPoints).inputValue()).resolves.toBe("100");
      await expect(page.getByLabel(en.onboarding.steps.earning.birthdayPoints).inputValue()).resolves.toBe("100");
      await page.getByLabel(en.onboarding.steps.earning.rate).fill("0");
      await page.getByRole("button", { name: en.onboarding.continue }).click();
      await page.getByText(en.program.errors.positive).waitFor();
      await page.getByLabel(en.onboarding.steps.earning.rate).fill("5");
      await page.getByRole("button", { name: en.onboarding.continue }).click();

      // The demo shop starts with the starter rewards: the step says so and moves on.
      await page.getByText("Your shop has 4 rewards.").waitFor();
      await page.getByRole("button", { name: en.onboarding.continue }).click();

      const editor = page.getByRole("link", { name: en.onboarding.steps.widget.open });
      await editor.waitFor();
      const apiKey = (await demo.credentials()).SHOPIFY_API_KEY;
      await expect(editor.getAttribute("href")).resolves.toBe(`https://${SHOP}/admin/themes/current/editor?context=apps&activateAppId=${apiKey}/app-embed`);
      await page.getByRole("button", { name: en.onboarding.steps.widget.confirm }).click();

      await page.getByRole("button", { name: en.onboarding.steps.launch.button }).waitFor();
      await page.getByText("Points are called “Stars”.").waitFor();
      await page.getByText("5 Stars per USD spent.").waitFor();
      await page.getByText("100 Stars for creating an account.").waitFor();
      await page.getByText("100 Stars on birthdays.").waitFor();
      await page.screenshot({ path: path.join(SCREENSHOTS, "onboarding-review.png"), fullPage: true });
      await page.getByRole("button", { name: en.onboarding.steps.launch.button }).click();
      await page.getByText(en.onboarding.live.title, { exact: true }).waitFor();
      await expectNoAxeViolations(page, "onboarding, launched");
      await page.screenshot({ path: path.join(SCREENSHOTS, "onboarding.png"), fullPage: true });

      // Done: no more setup banner or setup link.
      await page.goto(`${demo.baseUrl}/app`, { waitUntil: "networkidle" });
      await expect(page.getByText(en.onboarding.banner.title, { exact: true }).count()).resolves.toBe(0);
      await expect(page.getByRole("link", { name: en.nav.onboarding, exact: true }).count()).resolves.toBe(0);
      expect(unexpected(problems)).toEqual([]);
    });
    const { rows } = await db.query(`SELECT "pointsName", "programEnabled", "onboardingSteps", "onboardingCompletedAt", "earningRules" FROM "Shop" WHERE "domain" = $1`, [SHOP]);
    expect(rows[0]).toMatchObject({ pointsName: "Stars", programEnabled: true, onboardingSteps: ["pointsName", "earning", "reward", "widget"] });
    expect(rows[0].onboardingCompletedAt).toBeInstanceOf(Date);
    expect(rows[0].earningRules.purchase.pointsPerUnit).toBe("5");
    // The suggested actions, accepted as shown (checked boxes).
    expect(rows[0].earningRules.actions).toMatchObject({ signup: { enabled: true, points: 100 }, birthday: { enabled: true, points: 100 } });
  }, 120_000);

  it("a rule changed in /app/program: inline errors save nothing, the preview recomputes, the next order earns by it", async () => {
    await withWatchedPage(browser, { viewport: VIEWPORT }, async (page, problems) => {
      await page.goto(`${demo.baseUrl}/app`, { waitUntil: "networkidle" });
      await page.getByRole("link", { name: en.nav.program, exact: true }).click();
      await page.getByRole("heading", { level: 1, name: en.program.title }).waitFor();
      const rate = page.getByLabel(en.program.purchase.pointsPerUnit, { exact: true });
      await expect(rate.inputValue()).resolves.toBe("5");

      // A wrong value: the server's schema answers at the field, nothing is saved.
      await rate.fill("abc");
      const saveBar = page.getByRole("region", { name: en.program.saveBar.message });
      await saveBar.waitFor();
      await saveBar.getByRole("button", { name: en.program.saveBar.save }).click();
      await page.getByText("Enter a number with at most 4 decimals, such as 1.").waitFor();
      await page.getByText(en.program.toast.invalid).waitFor();
      await saveBar.getByRole("button", { name: en.program.saveBar.discard }).click();
      await expect(rate.inputValue()).resolves.toBe("5");
      await expect(saveBar.count()).resolves.toBe(0);

      // The preview of unsaved rules on a recent member order.
      const { rows: picked } = await db.query<{ id: string }>(
        `SELECT "orderId"::text AS id FROM "OrderEarning" WHERE "shop" = $1 AND "orderSnapshot" IS NOT NULL AND "status" IN ('PENDING', 'POSTED') ORDER BY "orderId" DESC LIMIT 1`, [SHOP]);
      await page.getByLabel(en.program.preview.order, { exact: true }).selectOption(picked[0].id);
      await rate.fill("7");
      await page.getByRole("button", { name: en.program.preview.run }).click();
      await page.getByText(/^7 point\(s\) per USD on /).waitFor();
      await page.getByText(/^It earned \d+ points? when it arrived/).waitFor();
      await page.screenshot({ path: path.join(SCREENSHOTS, "program-preview.png"), fullPage: true });

      await saveBar.getByRole("button", { name: en.program.saveBar.save }).click();
      await page.getByText(en.program.toast.saved, { exact: true }).waitFor();
      await expect.poll(() => saveBar.count(), { timeout: 10_000 }).toBe(0);
      await expectNoAxeViolations(page, "program");
      await page.screenshot({ path: path.join(SCREENSHOTS, "program.png"), fullPage: true });
      expect(unexpected(problems)).toEqual([]);
    });

    const { rows: audits } = await db.query(`SELECT "actor", "details" FROM "AuditLog" WHERE "shop" = $1 AND "action" = 'program.updated' ORDER BY "id" DESC LIMIT 1`, [SHOP]);
    expect(audits[0].actor).toBe("staff:demo");
    expect(audits[0].details.changes).toEqual([{ path: "program.purchase.pointsPerUnit", from: "5", to: "7" }]);

    // The next order, signed as Shopify signs it, earns 7 points per dollar of its eligible amount.
    const generator = createShopifyEventGenerator({ shop: SHOP, seed: `admin-e2e-${randomUUID()}`, customers: 5, guestShare: 0, start: new Date(Date.now() - 60_000) });
    const customer = generator.customers.find((c) => c.hasAccount);
    if (!customer) throw new Error("the generator made no customer with an account");
    const { webhook, order } = generator.orderPaid({ customer });
    const ack = await sendWebhook(demo.baseUrl, webhook, { secret });
    expect(ack.status).toBe(200);
    let earning: { points: number; eligibleBase: string; trace: { code: string; params: Record<string, unknown> }[] } | undefined;
    await waitUntil(demo, "the order to earn", async () => {
      const { rows } = await db.query(`SELECT "points", "eligibleBase", "trace" FROM "OrderEarning" WHERE "shop" = $1 AND "orderId" = $2`, [SHOP, order.id.toString()]);
      earning = rows[0];
      return earning !== undefined;
    });
    if (!earning) throw new Error("unreachable");
    const [units, cents = "0"] = earning.eligibleBase.split(".");
    const baseCents = Number(units) * 100 + Number(cents.padEnd(2, "0"));
    expect(baseCents).toBeGreaterThan(0);
    expect(earning.points).toBe(Math.floor((baseCents * 7) / 100));
    expect(earning.trace.find((s) => s.code === "rate.applied")?.params.pointsPerUnit).toBe("7");
  }, 120_000);

  it("a merchant downloads a customer data export from /app/privacy, and the download is in the audit log", async () => {
    const { rows } = await db.query<{ id: string }>(`SELECT "shopifyCustomerId"::text AS id FROM "Member" WHERE "shop" = $1 AND "state" = 'ACTIVE' ORDER BY "enrolledAt" LIMIT 1`, [SHOP]);
    const customerId = rows[0].id;
    // As Shopify sends it: ids as bare JSON numbers, whatever their size.
    const body = `{"shop_id":954889,"shop_domain":"${SHOP}","customer":{"id":${customerId},"email":"member@example.com"},"orders_requested":[],"data_request":{"id":4242}}`;
    expect((await sendWebhook(demo.baseUrl, { topic: "customers/data_request", shop: SHOP, body, webhookId: randomUUID() }, { secret })).status).toBe(200);
    await waitUntil(demo, "the customer data export", async () => {
      const found = await db.query(`SELECT 1 FROM "CustomerDataExport" WHERE "shop" = $1 AND "customerId" = $2`, [SHOP, customerId]);
      return found.rowCount === 1;
    });

    await withWatchedPage(browser, { viewport: VIEWPORT, acceptDownloads: true }, async (page, problems) => {
      await page.goto(`${demo.baseUrl}/app`, { waitUntil: "networkidle" });
      await page.getByRole("link", { name: en.nav.privacy, exact: true }).click();
      await page.getByRole("heading", { level: 1, name: en.privacy.title }).waitFor();
      await page.waitForLoadState("networkidle");
      // The button works once React has hydrated the page; a click before that does nothing, so try again.
      const downloadButton = page.getByRole("button", { name: `Download the data of customer ${customerId}` });
      let download: Download | undefined;
      for (let attempt = 0; attempt < 4 && !download; attempt++) {
        [download] = await Promise.all([page.waitForEvent("download", { timeout: 5_000 }).catch(() => undefined), downloadButton.click()]);
      }
      if (!download) throw new Error(`no download after 4 clicks; console: ${problems.errors.join(" | ")}`);
      expect(download.suggestedFilename()).toMatch(new RegExp(`^loyalnest-customer-${customerId}-\\d{4}-\\d{2}-\\d{2}\\.json$`));
      const file = JSON.parse(await readFile((await download.path()) ?? "", "utf8")) as { customerId: string; dataRequestId: string; shop: string };
      expect(file).toMatchObject({ customerId, dataRequestId: "4242", shop: SHOP });
      await page.getByText(en.privacy.exports.downloaded, { exact: true }).waitFor();

      // The download is in the audit log; filtering by that action shows only such entries.
      await page.reload({ waitUntil: "networkidle" });
      await page.getByLabel(en.privacy.audit.filters.action).selectOption("customer.data_export_downloaded");
      await page.getByRole("button", { name: en.privacy.audit.filters.apply }).click();
      await page.waitForURL(/action=customer\.data_export_downloaded/);
      await page.waitForLoadState("networkidle");
      const actions = await page.locator("tbody tr").filter({ hasText: "Staff demo" }).allInnerTexts();
      expect(actions.length).toBeGreaterThan(0);
      expect(actions.every((row) => row.includes(en.privacy.audit.actions.customer_data_export_downloaded))).toBe(true);
      await expectNoAxeViolations(page, "privacy");
      await page.screenshot({ path: path.join(SCREENSHOTS, "privacy.png"), fullPage: true });
      expect(unexpected(problems)).toEqual([]);
    });
    const { rows: audits } = await db.query(`SELECT "actor", "subjectId" FROM "AuditLog" WHERE "shop" = $1 AND "action" = 'customer.data_export_downloaded'`, [SHOP]);
    expect(audits).toEqual([{ actor: "staff:demo", subjectId: customerId }]);
  }, 120_000);

  it("the three pages read right to left in Arabic, with no axe violations", async () => {
    for (const [route, heading, shot] of [
      ["/app/onboarding", ar.onboarding.title, "onboarding-ar.png"],
      ["/app/program", ar.program.title, "program-ar.png"],
      ["/app/privacy", ar.privacy.title, "privacy-ar.png"],
    ] as const) {
      await withWatchedPage(browser, { viewport: VIEWPORT, locale: "ar" }, async (page, problems) => {
        await page.goto(`${demo.baseUrl}${route}`, { waitUntil: "networkidle" });
        await expect(page.locator("html").getAttribute("dir")).resolves.toBe("rtl");
        await page.getByRole("heading", { level: 1, name: heading }).waitFor();
        await expectNoAxeViolations(page, `${route} in Arabic`);
        await page.screenshot({ path: path.join(SCREENSHOTS, shot), fullPage: true });
        expect(unexpected(problems), route).toEqual([]);
      });
    }
  }, 120_000);
});
