// Test helpers for rendering the extension with @shopify/ui-extensions-tester: a translator that
// reads the real locales/*.json the way Shopify does ({{name}} replacements, default-locale
// fallback), Intl formatting in the buyer's locale, signal-like values, and a stand-in for the app.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { vi } from 'vitest';

type Tree = { [key: string]: string | Tree };

function loadLocale(file: string): Tree {
  return JSON.parse(readFileSync(join(import.meta.dirname, '..', 'locales', `${file}.json`), 'utf8')) as Tree;
}

function lookup(tree: Tree, key: string): string | undefined {
  let node: string | Tree | undefined = tree;
  for (const part of key.split('.')) {
    if (node === undefined || typeof node === 'string') return undefined;
    node = node[part];
  }
  return typeof node === 'string' ? node : undefined;
}

/** shopify.i18n for `locale`, backed by the extension's own locale files. */
export function realI18n(locale: string) {
  const fallback = loadLocale('en.default');
  const primary = locale === 'en' ? fallback : loadLocale(locale);
  const translate = (key: string, replacements: Record<string, unknown> = {}): string => {
    const template = lookup(primary, key) ?? lookup(fallback, key);
    if (template === undefined) throw new Error(`No translation for "${key}"`);
    return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => {
      if (!(name in replacements)) throw new Error(`"${key}" needs a value for {{${name}}}`);
      return String(replacements[name]);
    });
  };
  return {
    translate,
    formatNumber: (value: number | bigint, options?: Intl.NumberFormatOptions) => new Intl.NumberFormat(locale, options).format(value),
    formatCurrency: (value: number | bigint, options?: Intl.NumberFormatOptions) =>
      new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD', ...options }).format(value),
    formatDate: (date: Date, options?: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locale, options).format(date),
  };
}

/** A SubscribableSignalLike holding a fixed value (the tester's mocks do the same). */
export function signal<T>(value: T) {
  return { value, current: value, subscribe: () => () => {}, destroy: async () => {} };
}

export const APP_URL = 'https://loyalnest.test';

export interface RecordedRequest {
  method: string;
  url: URL;
  authorization: string | null;
  body: Record<string, unknown> | null;
}

type Handler = (request: RecordedRequest) => Response | Promise<Response>;

export const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

/** A fake app at APP_URL: routes GET /api/checkout/rewards and POST /api/checkout/redeem, records every call. */
export function appStandIn(handlers: { rewards?: Handler; redeem?: Handler }) {
  const requests: RecordedRequest[] = [];
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input instanceof Request ? input.url : input));
    const headers = new Headers(init?.headers);
    const request: RecordedRequest = {
      method: init?.method ?? 'GET',
      url,
      authorization: headers.get('Authorization'),
      body: typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : null,
    };
    requests.push(request);
    if (url.origin !== APP_URL) throw new TypeError(`unexpected host ${url.origin}`);
    if (request.method === 'GET' && url.pathname === '/api/checkout/rewards' && handlers.rewards) return handlers.rewards(request);
    if (request.method === 'POST' && url.pathname === '/api/checkout/redeem' && handlers.redeem) return handlers.redeem(request);
    return json(404, { error: { code: 'not_found', message: 'no such route' } });
  });
  return {
    fetch: fetch as unknown as typeof globalThis.fetch,
    requests,
    posts: () => requests.filter((r) => r.method === 'POST'),
    gets: () => requests.filter((r) => r.method === 'GET'),
  };
}

/** A promise the test settles by hand, to hold a request "in flight". */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export const body = () => document.body;

export function buttonsLabelled(text: string): Element[] {
  return [...document.body.querySelectorAll<Element>('s-button')].filter((b) => b.textContent?.trim() === text);
}

export function redeemButtonFor(title: string): Element {
  const button = [...document.body.querySelectorAll<Element>('s-button')].find((b) => b.getAttribute('accessibilityLabel') === `Redeem ${title}`);
  if (!button) throw new Error(`No Redeem button for ${title}`);
  return button;
}

export function click(element: Element) {
  element.dispatchEvent(new Event('click', { bubbles: true }));
}

export function isDisabled(element: Element): boolean {
  const value = element.getAttribute('disabled');
  return value !== null && value !== 'false';
}
