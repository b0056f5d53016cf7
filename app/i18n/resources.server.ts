// Every admin catalog, on the server only: a page ships just its own language's catalog (the root
// loader sends it), not all 22 (which were ~220 KB gzip on every page).
import ar from "./locales/ar.json";
import cs from "./locales/cs.json";
import de from "./locales/de.json";
import en from "./locales/en.json";
import es from "./locales/es.json";
import fa from "./locales/fa.json";
import fr from "./locales/fr.json";
import he from "./locales/he.json";
import hu from "./locales/hu.json";
import id from "./locales/id.json";
import it from "./locales/it.json";
import ja from "./locales/ja.json";
import ko from "./locales/ko.json";
import nl from "./locales/nl.json";
import pl from "./locales/pl.json";
import ptBR from "./locales/pt-BR.json";
import ru from "./locales/ru.json";
import sv from "./locales/sv.json";
import tr from "./locales/tr.json";
import uk from "./locales/uk.json";
import vi from "./locales/vi.json";
import zhCN from "./locales/zh-CN.json";
import type { Locale } from "./config";
import { createI18n } from "./i18next";

export const resources = {
  en: { translation: en },
  es: { translation: es },
  de: { translation: de },
  ja: { translation: ja },
  fr: { translation: fr },
  "pt-BR": { translation: ptBR },
  ru: { translation: ru },
  it: { translation: it },
  nl: { translation: nl },
  pl: { translation: pl },
  tr: { translation: tr },
  fa: { translation: fa },
  "zh-CN": { translation: zhCN },
  vi: { translation: vi },
  id: { translation: id },
  cs: { translation: cs },
  ar: { translation: ar },
  ko: { translation: ko },
  uk: { translation: uk },
  hu: { translation: hu },
  sv: { translation: sv },
  he: { translation: he },
} as const satisfies Record<Locale, { translation: object }>;


/** An i18next instance with the locale's catalog, for server code (page titles, tests). */
export function createServerI18n(locale: Locale) {
  return createI18n(locale, resources[locale].translation);
}
