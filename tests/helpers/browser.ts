import { existsSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from "playwright-core";

// Headless Chromium for browser tests: the Debian package driven by playwright-core (which
// downloads no browser of its own). Tests run offline, so every request that leaves the machine
// is aborted up front; the failures that leaves in the console are told apart from real ones.

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM_PATH}: apt-get update && apt-get install -y chromium`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

export function isLocalUrl(url: string): boolean {
  let host: string;
  try {
    ({ hostname: host } = new URL(url));
  } catch {
    return false;
  }
  return host === "localhost" || host === "127.0.0.1" || host === "[::1]";
}

/** A context whose pages can reach only this machine (data: and blob: URLs are local too). */
export async function newOfflineContext(browser: Browser, options: Parameters<Browser["newContext"]>[0] = {}): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  await context.route(
    (url) => (url.protocol === "http:" || url.protocol === "https:" || url.protocol === "ws:" || url.protocol === "wss:") && !isLocalUrl(url.href),
    (route) => route.abort("blockedbyclient"),
  );
  return context;
}

export interface PageProblems {
  /** Console errors and uncaught exceptions, minus failed loads of blocked external resources. */
  readonly errors: string[];
  /** External URLs the page tried to load (blocked). */
  readonly blockedExternal: string[];
}

/** Starts recording a page's console errors and uncaught exceptions. */
export function watchPageProblems(page: Page): PageProblems {
  const errors: string[] = [];
  const blockedExternal: string[] = [];
  page.on("requestfailed", (request) => {
    if (!isLocalUrl(request.url())) blockedExternal.push(request.url());
  });
  page.on("console", (message: ConsoleMessage) => {
    if (message.type() !== "error") return;
    const source = message.location().url;
    // Chromium reports each aborted external load as "Failed to load resource" at that URL.
    if (/^Failed to load resource/.test(message.text()) && source && !isLocalUrl(source)) return;
    errors.push(`${message.text()}${source ? ` (${source})` : ""}`);
  });
  page.on("pageerror", (error) => errors.push(`uncaught: ${error.message}`));
  return { errors, blockedExternal };
}

/**
 * Runs `use` on a fresh page of a new offline context, with its problems recorded, and closes the
 * context whatever happens.
 */
export async function withWatchedPage<T>(
  browser: Browser,
  options: Parameters<Browser["newContext"]>[0],
  use: (page: Page, problems: PageProblems) => Promise<T>,
): Promise<T> {
  const context = await newOfflineContext(browser, options);
  try {
    const page = await context.newPage();
    return await use(page, watchPageProblems(page));
  } finally {
    await context.close();
  }
}
