// Languages of every LoyalNest surface. Arabic proves right-to-left layout end to end.
export const supportedLocales = ["en", "fr", "ar"] as const;
export type Locale = (typeof supportedLocales)[number];
export const defaultLocale: Locale = "en";
const rtlLocales = new Set<string>(["ar", "he", "fa", "ur"]);

export function isRtl(locale: string): boolean {
  return rtlLocales.has(locale.split("-")[0]);
}

export function textDirection(locale: string): "rtl" | "ltr" {
  return isRtl(locale) ? "rtl" : "ltr";
}

/** Best supported match for a tag such as "fr-CA" or a list such as Accept-Language. */
export function matchLocale(...candidates: (string | null | undefined)[]): Locale {
  for (const candidate of candidates) {
    if (!candidate) continue;
    for (const part of candidate.split(",")) {
      const tag = part.split(";")[0].trim().toLowerCase();
      const base = tag.split("-")[0];
      const found = supportedLocales.find((l) => l === tag || l === base);
      if (found) return found;
    }
  }
  return defaultLocale;
}

/** Shopify opens embedded apps with ?locale=<admin user's locale>; fall back to the browser's. */
export function localeFromRequest(request: Request): Locale {
  const url = new URL(request.url);
  return matchLocale(url.searchParams.get("locale"), request.headers.get("accept-language"));
}
