// The languages of the shopper-facing surfaces (widget, checkout, codes' titles).
export const storefrontLocales = [
  "en", "es", "de", "ja", "fr", "pt-BR", "ru", "it", "nl", "pl", "tr", "fa", "zh-CN", "vi", "id", "cs", "ar", "ko", "uk", "hu", "sv", "he",
] as const;
export type StorefrontLocale = (typeof storefrontLocales)[number];

/** The best supported match for a tag such as "pt-PT" or "zh-Hans-CN"; English otherwise. */
export function matchStorefrontLocale(tag: string | null | undefined): StorefrontLocale {
  if (!tag) return "en";
  const wanted = tag.trim().replace("_", "-").toLowerCase();
  const exact = storefrontLocales.find((l) => l.toLowerCase() === wanted);
  if (exact) return exact;
  const base = wanted.split("-")[0];
  return storefrontLocales.find((l) => l.toLowerCase().split("-")[0] === base) ?? "en";
}
