import { createI18n, type Messages } from "./i18next";
import { defaultLocale, supportedLocales, type Locale } from "./config";

// Document titles for route `meta` exports: meta runs outside React (no hooks), so the title is
// translated with the locale the root loader chose.

type MetaMatch = { id: string; data?: unknown };

export function pageTitle(matches: readonly MetaMatch[], key: string): string {
  const root = matches.find((m) => m.id === "root")?.data as { locale?: string; messages?: Messages } | undefined;
  const locale = (supportedLocales as readonly string[]).includes(root?.locale ?? "") ? (root?.locale as Locale) : defaultLocale;
  return `${createI18n(locale, root?.messages ?? {}).t(key)} · LoyalNest`;
}
