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

// Polaris translates its built-in labels (pagination, filters, sort…) into the Shopify admin's
// languages. For the others (ar, he, fa, ru, uk, id, hu) those few labels stay in English while
// all LoyalNest text is translated, and right-to-left where the language is.
export const polarisTranslations: Record<Locale, typeof polarisEn> = {
  en: polarisEn,
  es: polarisEs,
  de: polarisDe,
  ja: polarisJa,
  fr: polarisFr,
  "pt-BR": polarisPtBR,
  ru: polarisEn,
  it: polarisIt,
  nl: polarisNl,
  pl: polarisPl,
  tr: polarisTr,
  fa: polarisEn,
  "zh-CN": polarisZhCN,
  vi: polarisVi,
  id: polarisEn,
  cs: polarisCs,
  ar: polarisEn,
  ko: polarisKo,
  uk: polarisEn,
  hu: polarisEn,
  sv: polarisSv,
  he: polarisEn,
};
