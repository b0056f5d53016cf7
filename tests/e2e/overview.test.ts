import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ar from "~/i18n/locales/ar.json";
import en from "~/i18n/locales/en.json";
import { ensureAppBuilt } from "../helpers/app-server";
import { launchChromium, withWatchedPage, type PageProblems } from "../helpers/browser";
import { startDemo, type DemoProcess } from "../helpers/demo-process";
import { expectNoAxeViolations } from "../helpers/e2e";
import { freePort } from "../helpers/net";

// The overview and the members list in the demo exactly as a developer runs it (`npm run demo`:
// embedded PGlite, so the analytics SQL is proven on it too, and its replayed month of webhooks).
// The charts are read in Chromium: each canvas is drawn, inside the height reserved for it
// before hydration (no layout shift), and its legend, its table and the cards show what the
// loader's service computed. axe finds nothing; screenshots in English and Arabic.

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SCREENSHOTS = path.join(ROOT, "tests", "e2e", "screenshots");
const VIEWPORT = { width: 1280, height: 1000 };
const CHART_HEIGHT = 260;

type Overview = {
  shop: { currencyCode: string };
  members: { total: number };
  activeMembers: { current: number };
  points: Record<"issued" | "redeemed" | "expired", { current: number }>;
  revenue: { members: { current: string }; others: { current: string } };
  series: { days: string[]; issued: number[]; redeemed: number[]; expired: number[]; memberRevenue: string[]; otherRevenue: string[] };
  period: { current: { from: string; to: string; days: number } };
};

/** Console errors (the helper already leaves out the external loads an offline machine refuses). */
const unexpected = (problems: PageProblems) => problems.errors;

/** Layout shifts since the page started, as the browser reports them (CLS before session windows). */
async function trackLayoutShifts(page: Page) {
  await page.addInitScript(() => {
    const shifts = { total: 0 };
    (window as unknown as { __shifts: typeof shifts }).__shifts = shifts;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[]) {
        if (!entry.hadRecentInput) shifts.total += entry.value;
      }
    }).observe({ type: "layout-shift", buffered: true });
  });
}

/** Non-transparent pixels on a chart's canvas, and the canvas's and its box's heights. */
async function canvasState(page: Page, kind: "points" | "revenue") {
  return page.locator(`[data-chart='${kind}']`).evaluate((box) => {
    const canvas = box.querySelector("canvas");
    if (!canvas) return { drawn: 0, canvasHeight: 0, boxHeight: box.getBoundingClientRect().height, label: null };
    const context = canvas.getContext("2d");
    const pixels = context ? context.getImageData(0, 0, canvas.width, canvas.height).data : new Uint8ClampedArray();
    let drawn = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) drawn++;
    return { drawn, canvasHeight: canvas.getBoundingClientRect().height, boxHeight: box.getBoundingClientRect().height, label: canvas.getAttribute("aria-label") };
  });
}

describe("overview and members pages in the demo", () => {
  let browser: Browser;
  let demo: DemoProcess;
  let demoDir: string;

  beforeAll(async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    await ensureAppBuilt(); // under the test helpers' lock: the demo finds the build up to date
    demoDir = await mkdtemp(path.join(os.tmpdir(), "loyalnest-overview-e2e-"));
    demo = startDemo(demoDir, await freePort());
    await demo.ready();
    const url = /Database\s+(postgresql:\/\/\S+)/.exec(demo.output)?.[1];
    if (!url) throw new Error(`the demo printed no database URL:\n${demo.output}`);
    // PGlite serves one connection at a time: one, briefly.
    const db = new pg.Pool({ connectionString: url, max: 1 });
    try {
      for (const deadline = Date.now() + 120_000; ;) {
        const { rows } = await db.query<{ open: string; total: string }>(`SELECT count(*) FILTER (WHERE "processedAt" IS NULL) AS open, count(*) AS total FROM "ProcessedWebhook"`);
        if (Number(rows[0].total) >= 150 && Number(rows[0].open) === 0) break;
        if (Date.now() > deadline) throw new Error(`replayed deliveries still unprocessed: ${JSON.stringify(rows[0])}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    } finally {
      await db.end();
    }
    browser = await launchChromium();
  }, 420_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
    if (demoDir) await rm(demoDir, { recursive: true, force: true });
  }, 60_000);

  it("draws both charts in their reserved space, and the legends, tables and cards show the service's numbers", async () => {
    await withWatchedPage(browser, { viewport: VIEWPORT, locale: "en-US" }, async (page, problems) => {
      await trackLayoutShifts(page);
      // The loader's own answer (Remix data request): what the service computed for this period.
      const data = (await (await page.request.get(`${demo.baseUrl}/app?period=30&_data=routes%2Fapp._index`)).json()) as Overview;
      expect(data.period.current.days).toBe(30);
      expect(data.points.issued.current).toBeGreaterThan(0); // the replayed month earned points
      expect(Number(data.revenue.members.current)).toBeGreaterThan(0);

      await page.goto(`${demo.baseUrl}/app?period=30`, { waitUntil: "networkidle" });
      await page.getByRole("heading", { level: 1, name: en.dashboard.title }).waitFor();
      for (const kind of ["points", "revenue"] as const) {
        await page.locator(`[data-chart='${kind}'] canvas`).waitFor();
        await expect.poll(async () => (await canvasState(page, kind)).drawn, { timeout: 10_000 }).toBeGreaterThan(2000);
        const state = await canvasState(page, kind);
        expect([state.canvasHeight, state.boxHeight]).toEqual([CHART_HEIGHT, CHART_HEIGHT]);
        expect(state.label).toContain(kind === "points" ? "Line chart" : "Stacked bar chart");
      }

      const number = new Intl.NumberFormat("en-US");
      const money = new Intl.NumberFormat("en-US", { style: "currency", currency: data.shop.currencyCode });
      const legend = async (kind: string) => page.locator(`[data-chart-legend='${kind}'] [data-series-total]`).allInnerTexts();
      expect(await legend("points")).toEqual([data.points.issued.current, data.points.redeemed.current, data.points.expired.current].map((n) => number.format(n)));
      expect(await legend("revenue")).toEqual([data.revenue.members.current, data.revenue.others.current].map((n) => money.format(Number(n))));
      const card = (metric: string) => page.locator(`[data-metric='${metric}']`).innerText();
      await expect(card("members")).resolves.toBe(number.format(data.members.total));
      await expect(card("activeMembers")).resolves.toBe(number.format(data.activeMembers.current));
      await expect(card("issued")).resolves.toBe(number.format(data.points.issued.current));
      await expect(card("memberRevenue")).resolves.toBe(money.format(Number(data.revenue.members.current)));

      // The table beside each chart (for screen readers) holds every day's values.
      const pointsRows = await page.locator("[data-chart-table='points'] tbody tr").evaluateAll((rows) =>
        rows.map((row) => [row.getAttribute("data-day"), ...Array.from(row.querySelectorAll("td"), (td) => td.textContent)]));
      expect(pointsRows).toEqual(data.series.days.map((day, i) => [day, number.format(data.series.issued[i]), number.format(data.series.redeemed[i]), number.format(data.series.expired[i])]));
      const revenueRows = await page.locator("[data-chart-table='revenue'] tbody tr").evaluateAll((rows) =>
        rows.map((row) => Array.from(row.querySelectorAll("td"), (td) => td.textContent)));
      expect(revenueRows).toEqual(data.series.days.map((_, i) => [money.format(Number(data.series.memberRevenue[i])), money.format(Number(data.series.otherRevenue[i]))]));

      // Nothing moved while the charts were loaded and drawn.
      const shifted = await page.evaluate(() => (window as unknown as { __shifts: { total: number } }).__shifts.total);
      expect(shifted).toBeLessThan(0.01);
      await expectNoAxeViolations(page, "overview");
      await page.screenshot({ path: path.join(SCREENSHOTS, "overview.png"), fullPage: true });
      expect(unexpected(problems)).toEqual([]);
    });
  }, 120_000);

  it("changes the period from its menu, and explains a custom period it cannot show", async () => {
    await withWatchedPage(browser, { viewport: VIEWPORT, locale: "en-US" }, async (page, problems) => {
      await page.goto(`${demo.baseUrl}/app`, { waitUntil: "networkidle" });
      await page.getByLabel(en.overview.period.label, { exact: true }).selectOption("7");
      await page.waitForURL(/period=7/);
      await expect.poll(() => page.locator("[data-chart-table='points'] tbody tr").count()).toBe(7);

      await page.getByLabel(en.overview.period.label, { exact: true }).selectOption("custom");
      await page.getByLabel(en.overview.period.from, { exact: true }).fill("2026-01-10");
      await page.getByLabel(en.overview.period.to, { exact: true }).fill("2026-01-01");
      await page.getByRole("button", { name: en.overview.period.apply }).click();
      await page.getByText(en.overview.period.refusedTitle).waitFor();
      await page.getByText(en.overview.period.errors.from_after_to, { exact: false }).waitFor();
      // The dates typed stay in the form, to be corrected.
      await expect(page.getByLabel(en.overview.period.from, { exact: true }).inputValue()).resolves.toBe("2026-01-10");
      await expect(page.locator("[data-chart-table='points'] tbody tr").count()).resolves.toBe(30);
      expect(unexpected(problems)).toEqual([]);
    });
  }, 60_000);

  it("filters members by activity and balance, with axe finding nothing", async () => {
    await withWatchedPage(browser, { viewport: VIEWPORT, locale: "en-US" }, async (page, problems) => {
      await page.goto(`${demo.baseUrl}/app/members`, { waitUntil: "networkidle" });
      await page.getByRole("heading", { level: 1, name: en.members.title }).waitFor();
      const allRows = await page.locator("tbody tr").count();
      expect(allRows).toBeGreaterThan(10);
      await expectNoAxeViolations(page, "members");

      await page.getByLabel(en.members.filters.activity, { exact: true }).selectOption("active_30");
      await page.getByLabel(en.members.filters.balanceMin, { exact: true }).fill("100");
      await page.getByRole("button", { name: en.members.filters.apply }).click();
      await page.waitForURL(/activity=active_30/);
      await page.getByRole("link", { name: en.members.filters.clear }).waitFor();
      const rows = await page.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent ?? "")));
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.length).toBeLessThan(allRows);
      const thirtyDaysAgo = Date.now() - 31 * 86_400_000;
      for (const cells of rows) {
        expect(Number(cells[2].replace(/\D/g, ""))).toBeGreaterThanOrEqual(100); // available
        expect(Date.parse(cells[5])).toBeGreaterThan(thirtyDaysAgo); // last activity
      }
      await expectNoAxeViolations(page, "members, filtered");
      await page.screenshot({ path: path.join(SCREENSHOTS, "members-filtered.png"), fullPage: true });

      await page.getByLabel(en.members.filters.balanceMin, { exact: true }).fill("500");
      await page.getByLabel(en.members.filters.balanceMax, { exact: true }).fill("100");
      await page.getByRole("button", { name: en.members.filters.apply }).click();
      await page.getByText(en.members.filters.errors.balanceOrder).first().waitFor();
      await page.getByText(en.members.filters.errors.ignored).waitFor();
      expect(unexpected(problems)).toEqual([]);
    });
  }, 60_000);

  it("renders the overview and the members list right to left in Arabic", async () => {
    await withWatchedPage(browser, { viewport: VIEWPORT, locale: "ar" }, async (page, problems) => {
      await page.goto(`${demo.baseUrl}/app?locale=ar`, { waitUntil: "networkidle" });
      await expect(page.locator("html").getAttribute("dir")).resolves.toBe("rtl");
      await page.getByRole("heading", { level: 1, name: ar.dashboard.title }).waitFor();
      await page.getByRole("heading", { level: 2, name: ar.overview.chart.pointsHeading }).waitFor();
      await expect.poll(async () => (await canvasState(page, "points")).drawn, { timeout: 10_000 }).toBeGreaterThan(2000);
      await expect.poll(async () => (await canvasState(page, "revenue")).drawn, { timeout: 10_000 }).toBeGreaterThan(2000);
      await expectNoAxeViolations(page, "overview, Arabic");
      await page.screenshot({ path: path.join(SCREENSHOTS, "overview-ar.png"), fullPage: true });

      await page.goto(`${demo.baseUrl}/app/members?locale=ar`, { waitUntil: "networkidle" });
      await page.getByRole("heading", { level: 1, name: ar.members.title }).waitFor();
      await page.getByRole("columnheader", { name: ar.members.lastActivity }).first().waitFor();
      await expectNoAxeViolations(page, "members, Arabic");
      await page.screenshot({ path: path.join(SCREENSHOTS, "members-ar.png"), fullPage: true });
      expect(unexpected(problems)).toEqual([]);
    });
  }, 60_000);
});
