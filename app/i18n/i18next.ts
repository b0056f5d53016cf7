import i18next, { type i18n } from "i18next";
import { initReactI18next } from "react-i18next";
import { defaultLocale, supportedLocales, type Locale } from "./config";

export type Messages = Record<string, unknown>;

/**
 * A synchronous i18next instance per render (server) or per page (browser) with the one catalog
 * the page needs (app/i18n/resources.server.ts holds them all; the root loader sends this one).
 */
export function createI18n(locale: Locale, messages: Messages): i18n {
  const instance = i18next.createInstance();
  void instance.use(initReactI18next).init({
    resources: { [locale]: { translation: messages } },
    lng: locale,
    fallbackLng: defaultLocale,
    supportedLngs: [...supportedLocales],
    interpolation: { escapeValue: false }, // React escapes
    initAsync: false,
    returnNull: false,
  });
  return instance;
}
