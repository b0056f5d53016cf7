import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EARNING_TRACE_CODES } from "~/domain/earning";
import { isRtl, localeFromRequest, matchLocale, supportedLocales, textDirection, type Locale } from "~/i18n/config";
import { polarisTranslations } from "~/i18n/polaris.server";
import { createServerI18n as createI18n, resources } from "~/i18n/resources.server";
import { storefrontLocales } from "~/i18n/storefront-locales";
import { auditCatalog, flatten, pluralCategories, type Catalog, type Issue } from "../helpers/i18n-catalog";

const PLURAL = /_(zero|one|two|few|many|other)$/;
const catalog = (locale: Locale) => resources[locale].translation as unknown as Catalog;
const keysOf = (locale: Locale) => new Set([...flatten(catalog(locale)).keys()].map((k) => k.replace(PLURAL, "")));
const RIGHT_TO_LEFT = ["ar", "he", "fa"];

// Messages whose right translation is the English word itself (Status, Program, E-mail…). Any
// other message equal to English is an untranslated string.
const SAME_AS_ENGLISH: Partial<Record<Locale, string[]>> = {
  de: ["members.name", "member.status", "member.redemptions.code", "rewards.list.state", "rewards.sections.status", "program.caps.heading", "program.campaigns.name", "privacy.audit.details"],
  fr: [
    "apiKeys.list.actions", "apiKeys.state.active", "dashboard.activity.when", "dashboard.activity.points", "member.points", "member.adjust.points",
    "member.redemptions.code", "rewards.list.actions", "rewards.fields.description", "program.purchase.pointsPerUnit", "program.preview.result_one",
    "program.preview.result_other", "privacy.audit.filters.action", "privacy.audit.when", "privacy.audit.what",
  ],
  "pt-BR": ["member.status", "rewards.list.state", "rewards.sections.status", "program.errors.item"],
  it: ["nav.home", "nav.privacy", "members.email", "program.purchase.perCurrency", "onboarding.steps.earning.summary", "privacy.title", "privacy.exports.file"],
  nl: [
    "nav.privacy", "apiKeys.create.label", "apiKeys.list.label", "member.status", "member.redemptions.code", "rewards.list.state", "rewards.value.slider",
    "rewards.sections.status", "program.errors.item", "program.purchase.perCurrency", "onboarding.steps.earning.summary", "privacy.title", "privacy.audit.details",
  ],
  pl: ["nav.program", "member.status", "rewards.list.state", "rewards.sections.status"],
  tr: ["nav.program"],
  vi: ["members.email"],
  id: [
    "nav.program", "apiKeys.create.label", "apiKeys.list.label", "members.email", "member.status", "rewards.list.state", "rewards.value.slider",
    "rewards.sections.status", "program.errors.item", "program.purchase.perCurrency", "onboarding.edit", "onboarding.steps.earning.summary",
    "privacy.exports.file", "privacy.audit.filters.apply",
  ],
  cs: ["nav.program"],
  hu: ["nav.program"],
  sv: [
    "nav.program", "ledger.reason.order", "member.order", "member.status", "rewards.list.state", "rewards.value.slider", "rewards.sections.status",
    "program.purchase.perCurrency", "program.preview.source", "onboarding.steps.earning.summary", "overview.period.label",
  ],
};

/** Text a translator leaves alone: placeholders, brand and protocol names, domains, numbers, symbols. */
const untranslatable = (text: string) => {
  const words = text.replace(/{{[^}]*}}/g, "").replace(/\b(LoyalNest|Shopify|API|JSON|VIP|ID)\b/g, "").trim();
  return !/\p{L}/u.test(words) || (!/\s/.test(words) && words.includes("."));
};

// The letters each non-Latin catalog must be written in, and letters that betray a neighbour
// (Russian in the Ukrainian file, Arabic letter forms in the Persian one, Japanese kana in Chinese).
const SCRIPTS: Partial<Record<Locale, { letters: RegExp; foreign?: RegExp }>> = {
  ja: { letters: /[\u3040-\u30ff\u4e00-\u9fff]/ },
  "zh-CN": { letters: /[\u4e00-\u9fff]/, foreign: /[\u3040-\u30ff]/ },
  ko: { letters: /[\uac00-\ud7af]/ },
  ru: { letters: /[\u0400-\u04ff]/, foreign: /[іїєґІЇЄҐ]/ },
  uk: { letters: /[\u0400-\u04ff]/, foreign: /[ыэъёЫЭЪЁ]/ },
  ar: { letters: /[\u0600-\u06ff]/, foreign: /[پچژگ]/ },
  fa: { letters: /[\u0600-\u06ff]/, foreign: /[يك]/ },
  he: { letters: /[\u0590-\u05ff]/ },
};

// fr.json is written by the feature authors. These messages lack French's "many" form (used for
// 1 000 000 and other exact millions: "1 000 000 de points"); i18next then takes the French
// "other" form, so nothing shows in English. The list must match exactly: shrink it as they land.
const FRENCH_MANY_FORMS_PENDING = [
  "dashboard.program.triggerFulfilled", "dashboard.program.triggerPaid", "member.adjust.done_add", "member.adjust.done_remove",
  "onboarding.steps.launch.reviewBirthday", "onboarding.steps.launch.reviewSignup", "onboarding.steps.reward.existing",
  "onboarding.steps.reward.starterItem", "onboarding.steps.reward.summary", "privacy.audit.moreChanges",
  "program.preview.before", "program.preview.result",
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : /\.(tsx?|jsx?)$/.test(name) ? [full] : [];
  });
}

function auditIssues(locale: Locale): Issue[] {
  const issues = auditCatalog(catalog("en"), catalog(locale), locale);
  if (locale !== "fr") return issues;
  const pending = issues.filter((i) => i.problem === "plural_forms" && i.detail === "fr uses one, many, other; found one, other");
  expect(pending.map((i) => i.key).sort(), "fr messages still without a 'many' form").toEqual(FRENCH_MANY_FORMS_PENDING);
  return issues.filter((i) => !pending.includes(i));
}

describe("i18n catalogs", () => {
  it("has the same keys in every language", () => {
    const en = keysOf("en");
    for (const locale of supportedLocales) expect([...keysOf(locale)].sort(), locale).toEqual([...en].sort());
  });

  it("has, in every language, each English message with the same placeholders and exactly the plural forms the language uses", () => {
    for (const locale of supportedLocales) expect(auditIssues(locale), locale).toEqual([]);
  });

  it("leaves no message in English, except words the language shares with it", () => {
    const english = flatten(catalog("en"));
    for (const locale of supportedLocales.filter((l) => l !== "en")) {
      const same = [...flatten(catalog(locale))].filter(([key, text]) => english.get(key) === text && !untranslatable(text)).map(([key]) => key);
      expect(same.sort(), locale).toEqual([...(SAME_AS_ENGLISH[locale] ?? [])].sort());
    }
  });

  it("writes each non-Latin language in its own script, every message", () => {
    for (const [locale, script] of Object.entries(SCRIPTS) as [Locale, { letters: RegExp; foreign?: RegExp }][]) {
      const texts = [...flatten(catalog(locale)).values()].filter((text) => !untranslatable(text.replace(/[\w.]+\.myshopify\.com|gid:\/\/\S+|reviewId|Authorization/g, "")));
      expect(texts.filter((text) => !script.letters.test(text)), locale).toEqual([]);
      if (script.foreign) expect(texts.filter((text) => script.foreign?.test(text)), locale).toEqual([]);
    }
  });

  it("has a string for every literal key the app uses", () => {
    const en = keysOf("en");
    const missing: string[] = [];
    for (const file of sourceFiles("app")) {
      for (const match of readFileSync(file, "utf8").matchAll(/\bt\(\s*"([a-zA-Z0-9_.]+)"/g)) {
        if (!en.has(match[1])) missing.push(`${file}: ${match[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("explains every earning trace code, and the pipeline's own codes, in every language", () => {
    const codes = [...EARNING_TRACE_CODES, "program.paused", "order.guest_waiting_for_signup", "order.guest_without_email", "order.cancelled_before_earning"];
    for (const locale of supportedLocales) {
      const keys = keysOf(locale);
      expect(codes.filter((c) => !keys.has(`trace.${c}`)), locale).toEqual([]);
    }
  });
});

describe("the audit catches broken translations", () => {
  // A German catalog derived from English, broken one way at a time: each must be reported.
  const english = catalog("en");
  const german = () => structuredClone(catalog("en")) as Catalog & { apiKeys: { revoke: { done: string } }; member: { adjust: Record<string, string> } };
  const problems = (broken: Catalog, locale = "de") => auditCatalog(english, broken, locale).map((i) => `${i.problem} ${i.key}`);

  it("accepts English against itself", () => {
    expect(auditCatalog(english, english, "en")).toEqual([]);
  });

  it("reports a missing key, an extra key and a lost or invented placeholder", () => {
    const missing = german();
    delete (missing.apiKeys.revoke as Partial<Record<string, string>>).done;
    expect(problems(missing)).toEqual(["missing apiKeys.revoke.done"]);
    const extra = german();
    (extra.apiKeys.revoke as Record<string, string>).doneTwice = "x";
    expect(problems(extra)).toEqual(["extra apiKeys.revoke.doneTwice"]);
    const lost = german();
    lost.apiKeys.revoke.done = "Schlüssel widerrufen.";
    expect(problems(lost)).toEqual(["placeholders apiKeys.revoke.done"]);
    const invented = german();
    invented.apiKeys.revoke.done = "Schlüssel {{name}} widerrufen.";
    expect(problems(invented)).toEqual(["placeholders apiKeys.revoke.done"]);
  });

  it("reports plural forms the language does not use, lacks, or that drop the number where it covers several", () => {
    const withFew = german();
    withFew.member.adjust.done_add_few = "{{count}} Punkte hinzugefügt.";
    expect(problems(withFew)).toEqual(["plural_forms member.adjust.done_add"]);
    expect(problems(english, "ru")).toContain("plural_forms member.adjust.done_add");
    // Russian "one" is 1, 21, 31…: a form without the number would say "1" for 21.
    const russian = structuredClone(english) as ReturnType<typeof german>;
    for (const key of ["done_add", "done_remove"]) {
      Object.assign(russian.member.adjust, { [`${key}_one`]: "Добавлен балл.", [`${key}_few`]: "{{count}} балла.", [`${key}_many`]: "{{count}} баллов." });
    }
    expect(problems(russian, "ru")).toContain("placeholders member.adjust.done_add_one");
    // English "one" is only 1: leaving the number out there is fine (en "Last day").
    expect(problems(english, "en")).toEqual([]);
  });
});

describe("i18n languages", () => {
  it("offers the 22 storefront languages, right-to-left exactly for Arabic, Hebrew and Persian", () => {
    expect([...supportedLocales].sort()).toEqual([...storefrontLocales].sort());
    expect(supportedLocales).toHaveLength(22);
    // Every catalog on disk is served, and every served language has its catalog.
    expect(readdirSync("app/i18n/locales").map((f) => f.replace(/\.json$/, "")).sort()).toEqual([...supportedLocales].sort());
    for (const locale of supportedLocales) {
      expect(textDirection(locale), locale).toBe(RIGHT_TO_LEFT.includes(locale) ? "rtl" : "ltr");
      expect(createI18n(locale).dir(locale), locale).toBe(textDirection(locale));
    }
  });

  it("pluralises per language and interpolates", () => {
    const t = (locale: Locale, count: number) => createI18n(locale).t("member.adjust.done_add", { count });
    expect(t("en", 1)).toBe("Added 1 point.");
    expect(t("en", 5)).toBe("Added 5 points.");
    expect(t("fr", 1)).toBe("1 point ajouté.");
    expect(t("ar", 2)).toBe("أُضيفت نقطتان.");
    // Slavic one/few/many: 21 takes the singular, 12-14 the genitive plural.
    expect([1, 3, 5, 21].map((n) => t("ru", n))).toEqual(["Добавлен 1 балл.", "Добавлено 3 балла.", "Добавлено 5 баллов.", "Добавлен 21 балл."]);
    expect([2, 11, 22].map((n) => t("uk", n))).toEqual(["Додано 2 бали.", "Додано 11 балів.", "Додано 22 бали."]);
    expect([1, 12, 22, 25].map((n) => t("pl", n))).toEqual(["Dodano 1 punkt.", "Dodano 12 punktów.", "Dodano 22 punkty.", "Dodano 25 punktów."]);
    expect([1, 3, 5].map((n) => t("cs", n))).toEqual(["Přidán 1 bod.", "Přidány 3 body.", "Přidáno 5 bodů."]);
    // Hebrew has a dual; Spanish a form for exact millions; Japanese no plural at all.
    expect([1, 2, 7].map((n) => t("he", n))).toEqual(["נוספה נקודה אחת.", "נוספו שתי נקודות.", "נוספו 7 נקודות."]);
    expect(t("es", 1_000_000)).toBe("Se añadieron 1.000.000 de puntos.");
    expect([1, 2].map((n) => t("ja", n))).toEqual(["1ポイントを追加しました。", "2ポイントを追加しました。"]);
    expect(createI18n("de").t("overview.period.last", { count: 7 })).toBe("Letzte 7 Tage");
  });

  it("writes counts in the language's own digits and grouping", () => {
    // Persian pages show every other number in Persian digits; a count in Latin digits would stand out.
    expect(createI18n("fa").t("dashboard.program.triggerPaid", { count: 14 })).toContain("۱۴ روز");
    expect(createI18n("de").t("member.adjust.done_add", { count: 12_345 })).toBe("12.345 Punkte hinzugefügt.");
    expect(createI18n("fa").t("onboarding.progress", { done: 2, total: 5 })).toBe("۲ از ۵ گام انجام شد");
    // The catalogs scripts/i18n-sync.ts maintains format the raw numbers (en, fr and ar are written by hand).
    for (const locale of supportedLocales.filter((l) => !["en", "fr", "ar"].includes(l))) {
      const bare = [...flatten(catalog(locale))].filter(([, text]) => /{{\s*(count|done|total)\s*}}/.test(text)).map(([key]) => key);
      expect(bare, locale).toEqual([]);
    }
  });

  it("matches every supported locale exactly, whatever its case or separator", () => {
    for (const locale of supportedLocales) {
      expect(matchLocale(locale)).toBe(locale);
      expect(matchLocale(locale.toUpperCase())).toBe(locale);
      expect(matchLocale(locale.replace("-", "_"))).toBe(locale);
      expect(localeFromRequest(new Request(`https://x.test/app?locale=${locale}`))).toBe(locale);
    }
  });

  it("maps regional variants to their language and unknown languages to English", () => {
    expect(matchLocale("fr-CA")).toBe("fr");
    expect(matchLocale("es-MX")).toBe("es");
    expect(matchLocale("de-AT")).toBe("de");
    expect(matchLocale("sv-FI")).toBe("sv");
    // One written form per language: Portuguese → pt-BR, any Chinese (Traditional included) → zh-CN.
    for (const tag of ["pt", "pt-PT", "pt_BR", "PT-br"]) expect(matchLocale(tag), tag).toBe("pt-BR");
    for (const tag of ["zh", "zh-Hans", "zh-Hans-CN", "zh-SG", "zh-TW", "zh-HK", "zh-Hant"]) expect(matchLocale(tag), tag).toBe("zh-CN");
    // Retired codes some browsers still send.
    expect(matchLocale("iw")).toBe("he");
    expect(matchLocale("in")).toBe("id");
    expect(matchLocale("ar-EG")).toBe("ar");
    expect(matchLocale("en-GB")).toBe("en");
    for (const unsupported of ["nb", "no", "nn", "da", "xx", "", "*"]) expect(matchLocale(unsupported), unsupported).toBe("en");
    expect(matchLocale(null, undefined)).toBe("en");
  });

  it("picks the locale from Shopify's ?locale= first, then Accept-Language by preference", () => {
    expect(localeFromRequest(new Request("https://x.test/app?locale=fr-CA"))).toBe("fr");
    expect(localeFromRequest(new Request("https://x.test/app?locale=fr", { headers: { "accept-language": "ar" } }))).toBe("fr");
    expect(localeFromRequest(new Request("https://x.test/app", { headers: { "accept-language": "xx-XX,ar;q=0.8" } }))).toBe("ar");
    // q-values decide, not the order written; q=0 means "not this one".
    expect(matchLocale("fr;q=0.2, ar;q=0.9")).toBe("ar");
    expect(matchLocale("ar;q=0, fr;q=0.5")).toBe("fr");
    // A language we lack moves on to the browser's next choice.
    expect(localeFromRequest(new Request("https://x.test/app?locale=nb", { headers: { "accept-language": "nb-NO,fr;q=0.5" } }))).toBe("fr");
    expect(isRtl("ar")).toBe(true);
    expect(isRtl("AR-eg")).toBe(true);
    expect(isRtl("fr")).toBe(false);
  });
});

describe("Polaris strings", () => {
  const shipped = (locale: string) => path.join("node_modules/@shopify/polaris/locales", `${locale}.json`);
  const ours = (locale: string) => path.join("app/i18n/polaris-locales", `${locale}.json`);
  const read = (file: string) => JSON.parse(readFileSync(file, "utf8")) as Catalog;
  const lacking = supportedLocales.filter((l) => !existsSync(shipped(l)));
  const placeholdersOf = (text: string) => [...text.matchAll(/{(\w+)}/g)].map((m) => m[1]).sort();

  it("uses Polaris' own translation where Polaris ships one", () => {
    for (const locale of supportedLocales.filter((l) => existsSync(shipped(l)))) expect(polarisTranslations[locale], locale).toEqual(read(shipped(locale)));
    expect(lacking.sort()).toEqual(["ar", "fa", "he", "hu", "id", "ru", "uk"]);
  });

  it("translates, where Polaris lacks the language, the labels our pages show, over English", () => {
    const english = flatten(read(shipped("en")));
    const firstKeys = [...flatten(read(ours(lacking[0]))).keys()].sort();
    expect(firstKeys).toEqual(expect.arrayContaining(["Polaris.Page.Header.pageReadyAccessibilityLabel", "Polaris.IndexTable.resourceLoadingAccessibilityLabel", "Polaris.Badge.TONE_LABELS.success", "Polaris.Pagination.next"]));
    for (const locale of lacking) {
      const overlay = flatten(read(ours(locale)));
      expect([...overlay.keys()].sort(), locale).toEqual(firstKeys);
      for (const [key, text] of overlay) {
        expect(english.has(key), `${locale} ${key}`).toBe(true);
        expect(placeholdersOf(text), `${locale} ${key}`).toEqual(placeholdersOf(english.get(key) ?? ""));
        if (!untranslatable(text.replace(/{\w+}/g, ""))) expect(text, `${locale} ${key}`).not.toBe(english.get(key));
      }
      const served = flatten(polarisTranslations[locale] as unknown as Catalog);
      expect([...served.keys()].sort(), locale).toEqual([...english.keys()].sort());
      for (const [key, text] of served) expect(text, `${locale} ${key}`).toBe(overlay.get(key) ?? english.get(key));
    }
  });
});

it("knows each language's plural categories as i18next does (Intl.PluralRules)", () => {
  expect(pluralCategories("en")).toEqual(["one", "other"]);
  expect(pluralCategories("ar")).toEqual(["zero", "one", "two", "few", "many", "other"]);
  expect(pluralCategories("fr")).toEqual(["one", "many", "other"]);
});
