import polarisCs from "@shopify/polaris/locales/cs.json";
import polarisDe from "@shopify/polaris/locales/de.json";
import polarisEn from "@shopify/polaris/locales/en.json";
import polarisEs from "@shopify/polaris/locales/es.json";
import polarisFr from "@shopify/polaris/locales/fr.json";
import polarisIt from "@shopify/polaris/locales/it.json";
import polarisJa from "@shopify/polaris/locales/ja.json";
import polarisKo from "@shopify/polaris/locales/ko.json";
import polarisNl from "@shopify/polaris/locales/nl.json";
import polarisPl from "@shopify/polaris/locales/pl.json";
import polarisPtBR from "@shopify/polaris/locales/pt-BR.json";
import polarisSv from "@shopify/polaris/locales/sv.json";
import polarisTr from "@shopify/polaris/locales/tr.json";
import polarisVi from "@shopify/polaris/locales/vi.json";
import polarisZhCN from "@shopify/polaris/locales/zh-CN.json";
import type { Locale } from "./config";
import missingAr from "./polaris-locales/ar.json";
import missingFa from "./polaris-locales/fa.json";
import missingHe from "./polaris-locales/he.json";
import missingHu from "./polaris-locales/hu.json";
import missingId from "./polaris-locales/id.json";
import missingRu from "./polaris-locales/ru.json";
import missingUk from "./polaris-locales/uk.json";

type Catalog = { [key: string]: string | Catalog };

/** English with the given strings laid over it, key by key. */
function overEnglish(english: Catalog, overlay: Catalog): Catalog {
  const merged: Catalog = { ...english };
  for (const [key, value] of Object.entries(overlay)) {
    const base = english[key];
    merged[key] = typeof value === "object" && typeof base === "object" ? overEnglish(base, value) : value;
  }
  return merged;
}
const polarisWith = (overlay: Catalog) => overEnglish(polarisEn, overlay) as typeof polarisEn;

// Polaris translates its built-in labels into the Shopify admin's languages. For the languages it
// lacks (ar, he, fa, ru, uk, id, hu) we translate the labels our pages can show or announce
// (badge tones, pagination, loading tables, "page is ready"); Polaris' other strings stay English.
export const polarisTranslations: Record<Locale, typeof polarisEn> = {
  en: polarisEn,
  es: polarisEs,
  de: polarisDe,
  ja: polarisJa,
  fr: polarisFr,
  "pt-BR": polarisPtBR,
  ru: polarisWith(missingRu),
  it: polarisIt,
  nl: polarisNl,
  pl: polarisPl,
  tr: polarisTr,
  fa: polarisWith(missingFa),
  "zh-CN": polarisZhCN,
  vi: polarisVi,
  id: polarisWith(missingId),
  cs: polarisCs,
  ar: polarisWith(missingAr),
  ko: polarisKo,
  uk: polarisWith(missingUk),
  hu: polarisWith(missingHu),
  sv: polarisSv,
  he: polarisWith(missingHe),
};
