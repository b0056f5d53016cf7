import { normalizeAppUrl } from './model';

/**
 * The app's URL, fixed when the extension is bundled.
 *
 * Checkout extensions run in a sandboxed worker on Shopify's CDN, and Shopify resolves relative
 * fetch() URLs against the app only for admin extensions, so the absolute URL has to be baked in.
 * Shopify CLI's bundler replaces `process.env.APP_URL`: with the tunnel under `shopify app dev`,
 * and with the value from the shell or the app's .env under `shopify app deploy`.
 */
export function bundledAppUrl(): string | null {
  let raw: string | undefined;
  try {
    raw = process.env.APP_URL;
  } catch {
    // Not replaced at build time: the checkout worker has no `process`.
    raw = undefined;
  }
  return normalizeAppUrl(raw);
}
