// @vitest-environment happy-dom
/// <reference types="@shopify/ui-extensions/purchase.checkout.reductions.render-after" />
import { setUpExtension } from '@shopify/ui-extensions-tester';
import { createContext, runInContext } from 'node:vm';
import { describe, expect, test, vi } from 'vitest';
import { bundleExtension, COMPRESSED_BUDGET_BYTES, SHOPIFY_LIMIT_BYTES, targetModules } from '../scripts/bundle';
import { rewardsBody } from './fixtures';
import { appStandIn, json, realI18n } from './harness';

const APP = 'https://loyalnest.test';

/**
 * Runs the shipped bundle the way the checkout sandbox does: a fresh global with the web APIs a
 * worker has and `shopify`, but no Node `process` or `require`. Returns the registered targets.
 */
function runBundle(code: string, shopify: object, fetch: typeof globalThis.fetch) {
  const registered = new Map<string, (...args: unknown[]) => unknown>();
  const host = new Proxy(shopify, {
    get: (target, prop) =>
      prop === 'extend' ? (name: string, render: (...args: unknown[]) => unknown) => registered.set(name, render) : Reflect.get(target, prop),
    has: (target, prop) => Reflect.has(target, prop),
  });
  const context = createContext({
    shopify: host,
    document,
    fetch,
    console,
    setTimeout,
    clearTimeout,
    requestAnimationFrame: (callback: () => void) => setTimeout(callback, 0),
    cancelAnimationFrame: (handle: ReturnType<typeof setTimeout>) => clearTimeout(handle),
    URL,
    URLSearchParams,
    Headers,
    Response,
    AbortController,
    TextEncoder,
    crypto,
    Intl,
  });
  runInContext(code, context);
  return registered;
}

describe('the bundle Shopify CLI would ship', () => {
  test('registers every target in shopify.extension.toml', () => {
    const toml = `api_version = "2026-07"\n[[extensions]]\n  [[extensions.targeting]]\n  target = "a.render"\n  module = "./src/A.tsx"\n  [[extensions.targeting]]\n  target = "b.render"\n  module = "./src/B.tsx"\n`;
    expect(targetModules(toml)).toEqual([
      { target: 'a.render', module: './src/A.tsx' },
      { target: 'b.render', module: './src/B.tsx' },
    ]);
  });

  test(`stays under the ${COMPRESSED_BUDGET_BYTES / 1024} KB compressed budget (Shopify's limit is ${SHOPIFY_LIMIT_BYTES / 1024} KB)`, async () => {
    const shipped = await bundleExtension({ appUrl: APP });
    const esm = await bundleExtension({ appUrl: APP, format: 'esm' });
    for (const bundle of [shipped, esm]) {
      expect(bundle.gzipBytes).toBeLessThanOrEqual(COMPRESSED_BUDGET_BYTES);
      expect(bundle.brotliBytes).toBeLessThanOrEqual(COMPRESSED_BUDGET_BYTES);
      expect(bundle.rawBytes).toBeGreaterThan(bundle.gzipBytes);
    }
  });

  test('bakes the app URL in, so the checkout worker never reads process.env', async () => {
    const { code } = await bundleExtension({ appUrl: APP });
    expect(code).toContain(APP);
    expect(code).not.toMatch(/\bprocess\b/);
  });

  test('the minified ES6 bundle renders the member box and calls the app, without Node globals', async () => {
    using extension = setUpExtension('purchase.checkout.reductions.render-after');
    const i18n = realI18n('en');
    extension.shopify.i18n.translate = i18n.translate as typeof extension.shopify.i18n.translate;
    extension.shopify.i18n.formatNumber = i18n.formatNumber;
    const app = appStandIn({ rewards: () => json(200, rewardsBody({ available: 2400, pending: 10 })) });
    const { code } = await bundleExtension({ appUrl: APP });

    const targets = runBundle(code, extension.shopify, app.fetch);
    expect([...targets.keys()]).toEqual(['purchase.checkout.reductions.render-after', 'purchase.checkout.block.render']);
    await targets.get('purchase.checkout.reductions.render-after')?.();

    await vi.waitFor(() => expect(document.body.textContent).toContain('Points available: 2,400'));
    expect(app.gets()[0].url.toString()).toBe(`${APP}/api/checkout/rewards?locale=en`);
  });

  test('built without APP_URL it still loads, fetches nothing and says rewards are unavailable', async () => {
    using extension = setUpExtension('purchase.checkout.reductions.render-after');
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    const app = appStandIn({});
    const { code } = await bundleExtension();

    const targets = runBundle(code, extension.shopify, app.fetch);
    await targets.get('purchase.checkout.block.render')?.();

    await vi.waitFor(() => expect(document.body.textContent).toContain('errors.unavailable'));
    expect(app.requests).toHaveLength(0);
    consoleError.mockRestore();
  });
});
