// Languages of the embedded admin: the storefront's languages. ar, he and fa are laid out right-to-left.
export const supportedLocales = ["en", "es", "de", "ja", "fr", "pt-BR", "ru", "it", "nl", "pl", "tr", "fa", "zh-CN", "vi", "id", "cs", "ar", "ko", "uk", "hu", "sv", "he"] as const;
export type Locale = (typeof supportedLocales)[number];
export const defaultLocale: Locale = "en";
const rtlLanguages = new Set<string>(["ar", "he", "fa", "ur"]);

export function isRtl(locale: string): boolean {
  return rtlLanguages.has(locale.split("-")[0].toLowerCase());
}

export function textDirection(locale: string): "rtl" | "ltr" {
  return isRtl(locale) ? "rtl" : "ltr";
}

// Languages we have in one written form only. Traditional-Chinese readers (zh-TW, zh-HK) get
// Simplified Chinese, which they read, rather than English; Portuguese readers get pt-BR.
// Retired ISO codes that old browsers still send: iw (Hebrew), in (Indonesian).
const languageAliases: Record<string, string> = { pt: "pt-BR", zh: "zh-CN", iw: "he", in: "id" };

function matchTag(tag: string): Locale | undefined {
  const wanted = tag.trim().replaceAll("_", "-").toLowerCase();
  if (!wanted || wanted === "*") return undefined;
  const exact = supportedLocales.find((l) => l.toLowerCase() === wanted);
  if (exact) return exact;
  const language = wanted.split("-")[0];
  const target = languageAliases[language] ?? language;
  return supportedLocales.find((l) => l === target || l.toLowerCase().split("-")[0] === target);
}

/** Tags of an Accept-Language header, most preferred first (q=0 means "not this one"). */
function preferredTags(header: string): string[] {
  return header
    .split(",")
    .map((part, index) => {
      const [tag, ...params] = part.split(";");
      const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
      const weight = q ? Number(q.slice(2)) : 1;
      return { tag: tag.trim(), weight: Number.isFinite(weight) ? weight : 0, index };
    })
    .filter((t) => t.tag && t.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index)
    .map((t) => t.tag);
}

/**
 * Best supported match for a tag such as "fr-CA" or a list such as Accept-Language. Candidates
 * are tried in order; a language we lack (nb, da…) moves on to the next one, then to English.
 */
export function matchLocale(...candidates: (string | null | undefined)[]): Locale {
  for (const candidate of candidates) {
    if (!candidate) continue;
    for (const tag of preferredTags(candidate)) {
      const found = matchTag(tag);
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
