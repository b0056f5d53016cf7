import { writeFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { estimatePoints, shopMinorUnits } from "../../extensions/loyalty-widget/src/estimate";
import type { Program } from "../../extensions/loyalty-widget/src/types";
import arStrings from "../../extensions/loyalty-widget/locales/ar.json";
import enStrings from "../../extensions/loyalty-widget/locales/en.default.json";
import jaStrings from "../../extensions/loyalty-widget/locales/ja.json";
import { DEMO_PRODUCT } from "../../server/demo/storefront-page";
import { ensureAppBuilt } from "../helpers/app-server";
import { launchChromium, withWatchedPage } from "../helpers/browser";
import { startDemo, type DemoProcess } from "../helpers/demo-process";
import { e2eDatabaseUrl, expectNoAxeViolations, recreateDatabase } from "../helpers/e2e";
import { freePort } from "../helpers/net";

// The shopper's widget in the running demo (`npm run demo`): /demo/storefront renders the theme
// extension's real blocks for the demo shop and signs its proxy calls as Shopify would. A guest and
// a member click through in Chromium, with the keyboard where it matters; axe checks every state;
// screenshots in English, Arabic (right to left) and Japanese; the scripts a page downloads are
// measured.

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SCREENSHOTS = path.join(ROOT, "tests", "e2e", "screenshots");
const SHOP = "demo-loyalnest.myshopify.com";
const VIEWPORT = { width: 1280, height: 900 };
const en = enStrings.loyalnest;
const ar = arStrings.loyalnest;
const ja = jaStrings.loyalnest;
const BUDGET_BYTES = 6 * 1024;

const fill = (template: string, values: Record<string, string>) => template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => values[name] ?? "");

const demoDatabaseUrl = () => e2eDatabaseUrl("storefront_e2e");

interface ScriptEntry {
  name: string;
  transferSize: number;
  encodedBodySize: number;
  decodedBodySize: number;
}

const scriptsLoaded = (page: Page) =>
  page.evaluate(() =>
    (performance.getEntriesByType("resource") as PerformanceResourceTiming[])
      .filter((e) => e.initiatorType === "script")
      .map((e) => ({ name: new URL(e.name).pathname.split("/").pop() ?? "", transferSize: e.transferSize, encodedBodySize: e.encodedBodySize, decodedBodySize: e.decodedBodySize })),
  ) as Promise<ScriptEntry[]>;

/** Cumulative layout shift so far (shifts right after input excluded, as the metric does). */
const layoutShift = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        let total = 0;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[]) if (!entry.hadRecentInput) total += entry.value;
        }).observe({ type: "layout-shift", buffered: true });
        setTimeout(() => resolve(total), 300);
      }),
  );

const focusIsInPanel = (page: Page) => page.evaluate(() => document.activeElement?.closest("dialog.ln-panel[open]") !== null);

describe("the shopper's widget on the demo storefront", () => {
  let browser: Browser;
  let demo: DemoProcess;
  let demoDir: string;
  let db: pg.Pool;
  let storefront: string;
  let member: { customerId: string; available: number; name: string };
  const metrics: Record<string, unknown> = {};
  const databaseUrl = demoDatabaseUrl();

  beforeAll(async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    await ensureAppBuilt();
    await recreateDatabase(databaseUrl);
    demoDir = await mkdtemp(path.join(os.tmpdir(), "loyalnest-storefront-e2e-"));
    demo = startDemo(demoDir, await freePort(), { DATABASE_URL: databaseUrl });
    await demo.ready();
    storefront = `${demo.baseUrl}/demo/storefront`;
    db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    for (const deadline = Date.now() + 90_000; ;) {
      const { rows } = await db.query<{ open: string; total: string }>(`SELECT count(*) FILTER (WHERE "processedAt" IS NULL) AS open, count(*) AS total FROM "ProcessedWebhook"`);
      if (Number(rows[0].total) >= 150 && Number(rows[0].open) === 0) break;
      if (Date.now() > deadline) throw new Error(`replayed deliveries still unprocessed: ${JSON.stringify(rows[0])}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const { rows } = await db.query<{ id: string; available: number; name: string }>(
      `SELECT "shopifyCustomerId"::text AS id, "pointsAvailable" AS available, coalesce("firstName" || ' ' || "lastName", email) AS name
       FROM "Member" WHERE shop = $1 AND state = 'ACTIVE' ORDER BY "pointsAvailable" DESC LIMIT 1`,
      [SHOP],
    );
    member = { customerId: rows[0].id, available: rows[0].available, name: rows[0].name };
    browser = await launchChromium();
  }, 420_000);

  afterAll(async () => {
    await writeFile(path.join(SCREENSHOTS, "storefront-metrics.json"), `${JSON.stringify(metrics, null, 2)}\n`).catch(() => undefined);
    await browser?.close();
    await db?.end();
    await demo?.stop();
    if (demoDir) await rm(demoDir, { recursive: true, force: true });
  }, 60_000);

  it("a guest's product page: the points estimate, no layout shift, small scripts, no third party", async () => {
    await withWatchedPage(browser, { viewport: VIEWPORT }, async (page, problems) => {
      await page.goto(storefront, { waitUntil: "networkidle" });
      const text = page.locator("[data-loyalnest-text]");
      await expect.poll(() => text.innerText()).not.toBe("");

      // The figure is what the earning engine's rule, as the proxy publishes it, gives for this price.
      const program = (await page.evaluate(async () => (await fetch("/demo/storefront/apps/loyalnest/program?locale=en")).json())) as Program;
      const facts = { id: String(DEMO_PRODUCT.id), tags: DEMO_PRODUCT.tags, collections: DEMO_PRODUCT.collections.map((c) => String(c.id)), giftCard: false };
      const pointsFor = (price: number) => {
        const estimate = program.purchase ? estimatePoints(program.purchase, facts, shopMinorUnits(price, 1, program.purchase.currencyExponent)) : null;
        if (!estimate || !("points" in estimate)) throw new Error(`no estimate for ${price}: ${JSON.stringify(program.purchase)}`);
        return estimate.points;
      };
      const expected = (price: number) => fill(en.product.earn, { points: `${pointsFor(price).toLocaleString("en")} ${pointsFor(price) === 1 ? "point" : "points"}` });
      await expect(text.innerText()).resolves.toBe(expected(DEMO_PRODUCT.variants[0].price));
      await page.getByLabel("Size").selectOption(String(DEMO_PRODUCT.variants[2].id));
      await expect.poll(() => text.innerText()).toBe(expected(DEMO_PRODUCT.variants[2].price));

      const shift = await layoutShift(page);
      expect(shift).toBe(0);
      // Before the panel opens: the launcher and the product block, and not a byte of the panel.
      const initial = await scriptsLoaded(page);
      expect(initial.map((s) => s.name).sort()).toEqual(["loyalnest-launcher.js", "loyalnest-product.js"]);
      const initialBytes = initial.reduce((sum, s) => sum + s.encodedBodySize, 0);
      expect(initialBytes).toBeGreaterThan(0);
      expect(initialBytes).toBeLessThanOrEqual(BUDGET_BYTES);
      metrics.productPage = { scripts: initial, compressedScriptBytes: initialBytes, layoutShift: shift };
      await expectNoAxeViolations(page, "product page");
      await page.screenshot({ path: path.join(SCREENSHOTS, "storefront-product-en.png") });
      expect(problems.blockedExternal).toEqual([]);
      expect(problems.errors).toEqual([]);
    });
  }, 90_000);

  it("a guest opens the panel with the keyboard: focus stays inside, Escape closes it and focus returns", async () => {
    await withWatchedPage(browser, { viewport: VIEWPORT }, async (page, problems) => {
      await page.goto(storefront, { waitUntil: "networkidle" });
      const launcher = page.getByRole("button", { name: en.launcher.label });
      await expect(launcher.getAttribute("aria-expanded")).resolves.toBe("false");
      await launcher.focus();
      await page.keyboard.press("Enter");
      const dialog = page.getByRole("dialog", { name: en.panel.title });
      await dialog.waitFor({ state: "visible" });
      await page.getByRole("link", { name: en.guest.join }).waitFor();
      await expect(launcher.getAttribute("aria-expanded")).resolves.toBe("true");
      await expect(page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).resolves.toBe(en.panel.close);

      // The panel's code came now, on opening.
      const after = await scriptsLoaded(page);
      const panelScript = after.find((s) => s.name === "loyalnest-panel.js");
      expect(panelScript).toBeDefined();
      expect(panelScript?.encodedBodySize ?? Infinity).toBeLessThanOrEqual(BUDGET_BYTES);
      metrics.panelOnOpen = panelScript;

      await expect(page.getByRole("link", { name: en.guest.join }).getAttribute("href")).resolves.toBe("/demo/storefront/account/register");
      await expect(page.getByRole("link", { name: en.guest.login }).getAttribute("href")).resolves.toBe("/demo/storefront/account/login");
      await dialog.getByRole("heading", { level: 3, name: en.rewards.heading, exact: true }).waitFor();
      await dialog.getByRole("heading", { level: 3, name: en.earn.heading, exact: true }).waitFor();
      // Guests see what rewards cost, but no redeem button.
      await expect(dialog.getByRole("button", { name: en.rewards.redeem }).count()).resolves.toBe(0);

      for (let i = 0; i < 12; i++) {
        await page.keyboard.press("Tab");
        expect(await focusIsInPanel(page), `Tab ${i + 1}`).toBe(true);
      }
      for (let i = 0; i < 6; i++) {
        await page.keyboard.press("Shift+Tab");
        expect(await focusIsInPanel(page), `Shift+Tab ${i + 1}`).toBe(true);
      }
      await expectNoAxeViolations(page, "guest panel");
      await page.screenshot({ path: path.join(SCREENSHOTS, "storefront-guest-en.png") });

      await page.keyboard.press("Escape");
      await dialog.waitFor({ state: "hidden" });
      await expect(page.evaluate(() => document.activeElement?.hasAttribute("data-loyalnest-launcher"))).resolves.toBe(true);
      // The dialog's close event (which resets aria-expanded) is queued after it hides.
      await expect.poll(() => launcher.getAttribute("aria-expanded"), { timeout: 5_000 }).toBe("false");
      expect(problems.errors).toEqual([]);
      expect(problems.blockedExternal).toEqual([]);
    });
  }, 90_000);

  it("a member sees their balance and history, redeems a reward, and copies the code", async () => {
    expect(member.available).toBeGreaterThanOrEqual(500);
    await withWatchedPage(browser, { viewport: VIEWPORT, permissions: ["clipboard-read", "clipboard-write"] }, async (page, problems) => {
      await page.goto(`${storefront}/account/login?customer=${member.customerId}&return_to=/demo/storefront`, { waitUntil: "networkidle" });
      await page.getByRole("button", { name: en.launcher.label }).click();
      const dialog = page.getByRole("dialog", { name: en.panel.title });
      await dialog.getByText(en.member.balance).waitFor();
      await expect(dialog.locator(".ln-big").innerText()).resolves.toBe(`${member.available.toLocaleString("en")} points`);
      await dialog.getByRole("heading", { name: en.history.heading }).waitFor();
      expect(await dialog.locator(".ln-history .ln-item").count()).toBeGreaterThan(0);
      await expectNoAxeViolations(page, "member panel");

      // The 500-point reward (5.00 USD off in the demo's starter catalog).
      const reward = dialog.locator(".ln-reward").filter({ hasText: "500 points" });
      const title = await reward.locator(".ln-strong").first().innerText();
      await reward.getByRole("button", { name: en.rewards.redeem }).click();
      const copy = dialog.getByRole("button", { name: /^Copy code / });
      await copy.waitFor();
      await expect(page.evaluate(() => document.activeElement?.getAttribute("aria-label") ?? "")).resolves.toMatch(/^Copy code LN-/);
      const code = await dialog.locator(".ln-code--new code").innerText();
      await expect.poll(() => dialog.locator(".ln-big").innerText()).toBe(`${(member.available - 500).toLocaleString("en")} points`);

      // From the door to the ledger: the code was created in Shopify (the stand-in's discount id),
      // the points are held, and the member answer now lists the code.
      const { rows } = await db.query<{ status: string; channel: string; points: number; discountId: string | null; title: string }>(
        `SELECT r.status, r.channel, r.points, r."discountId", r.title FROM "Redemption" r JOIN "Member" m ON m.id = r."memberId" AND m.shop = r.shop
         WHERE r.shop = $1 AND m."shopifyCustomerId" = $2::bigint`,
        [SHOP, member.customerId],
      );
      expect(rows).toEqual([{ status: "ISSUED", channel: "storefront", points: 500, discountId: expect.stringMatching(/^gid:\/\/shopify\/DiscountCodeNode\/\d+$/), title }]);
      const { rows: balance } = await db.query<{ available: number }>(`SELECT "pointsAvailable" AS available FROM "Member" WHERE shop = $1 AND "shopifyCustomerId" = $2::bigint`, [SHOP, member.customerId]);
      expect(balance[0].available).toBe(member.available - 500);

      await copy.click();
      await dialog.getByRole("status").filter({ hasText: en.codes.copied }).waitFor({ state: "attached" });
      await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(code);
      await expectNoAxeViolations(page, "member panel with a new code");
      await page.screenshot({ path: path.join(SCREENSHOTS, "storefront-member-en.png") });
      expect(problems.errors).toEqual([]);
    });
  }, 120_000);

  it("renders the member panel right to left in Arabic", async () => {
    await withWatchedPage(browser, { viewport: VIEWPORT }, async (page, problems) => {
      await page.goto(`${storefront}/account/login?customer=${member.customerId}&return_to=/demo/storefront/ar`, { waitUntil: "networkidle" });
      await expect(page.locator("html").getAttribute("dir")).resolves.toBe("rtl");
      await page.getByRole("button", { name: ar.launcher.label }).click();
      const dialog = page.getByRole("dialog", { name: ar.panel.title });
      await dialog.getByText(ar.member.balance).waitFor();
      await dialog.getByRole("heading", { name: ar.codes.heading }).waitFor();
      await expect(dialog.evaluate((el) => getComputedStyle(el).direction)).resolves.toBe("rtl");
      await expect(dialog.evaluate((el) => el.getAttribute("lang"))).resolves.toBe("ar");
      await expectNoAxeViolations(page, "Arabic member panel");
      await page.screenshot({ path: path.join(SCREENSHOTS, "storefront-member-ar.png") });
      expect(problems.errors).toEqual([]);
    });
  }, 90_000);

  it("speaks Japanese to a Japanese guest, on the product page and in the panel", async () => {
    await withWatchedPage(browser, { viewport: VIEWPORT }, async (page, problems) => {
      await page.goto(`${storefront}/account/logout`);
      await page.goto(`${storefront}/ja`, { waitUntil: "networkidle" });
      await expect.poll(() => page.locator("[data-loyalnest-text]").innerText()).toMatch(/^このお買い物で\d[\d,]*ポイント獲得$/);
      await page.getByRole("button", { name: ja.launcher.label }).click();
      const dialog = page.getByRole("dialog", { name: ja.panel.title });
      await dialog.getByRole("link", { name: ja.guest.join }).waitFor();
      await dialog.getByRole("heading", { name: ja.earn.heading }).waitFor();
      await expectNoAxeViolations(page, "Japanese guest panel");
      await page.screenshot({ path: path.join(SCREENSHOTS, "storefront-guest-ja.png") });
      expect(problems.errors).toEqual([]);
    });
  }, 90_000);

  it("fits a phone: the panel takes the screen and scrolls inside, without sliding for those who turned motion off", async () => {
    await withWatchedPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, reducedMotion: "reduce" }, async (page, problems) => {
      await page.goto(`${storefront}/account/login?customer=${member.customerId}&return_to=/demo/storefront`, { waitUntil: "networkidle" });
      await page.getByRole("button", { name: en.launcher.label }).tap();
      const dialog = page.getByRole("dialog", { name: en.panel.title });
      await dialog.getByText(en.member.balance).waitFor();
      await expect(dialog.evaluate((el) => el.getAnimations().length)).resolves.toBe(0);
      // Whole pixels: a loaded machine may still be placing the panel on the first frame.
      await expect.poll(async () => {
        const box = await dialog.boundingBox();
        return box && { x: Math.round(box.x), y: Math.round(box.y), width: Math.round(box.width), height: Math.round(box.height) };
      }, { timeout: 5_000 }).toEqual({ x: 0, y: 0, width: 390, height: 844 });
      const body = dialog.locator(".ln-panel__body");
      await expect(body.evaluate((el) => el.scrollHeight > el.clientHeight)).resolves.toBe(true);
      await expectNoAxeViolations(page, "member panel on a phone");
      await page.screenshot({ path: path.join(SCREENSHOTS, "storefront-member-phone.png") });
      expect(problems.errors).toEqual([]);
    });
  }, 90_000);

  it("the loyalty page block shows the program inline", async () => {
    await withWatchedPage(browser, { viewport: { width: 1280, height: 1200 } }, async (page, problems) => {
      await page.goto(`${storefront}/pages/rewards`, { waitUntil: "networkidle" });
      await page.getByRole("heading", { level: 2, name: en.page.heading }).waitFor();
      await page.locator(".ln-page").getByRole("link", { name: en.guest.join }).waitFor();
      await page.locator(".ln-page").getByRole("heading", { level: 3, name: en.rewards.heading, exact: true }).waitFor();
      await expectNoAxeViolations(page, "loyalty page");
      await page.screenshot({ path: path.join(SCREENSHOTS, "storefront-page-en.png"), fullPage: true });
      expect(problems.errors).toEqual([]);
    });
  }, 90_000);
});
