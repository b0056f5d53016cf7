import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EARNING_TRACE_CODES } from "~/domain/earning";
import { isRtl, localeFromRequest, matchLocale, supportedLocales, textDirection, type Locale } from "~/i18n/config";
import { createI18n, resources } from "~/i18n/i18next";
import { polarisTranslations } from "~/i18n/polaris";
import { auditCatalog, flatten, pluralCategories, type Catalog, type Issue } from "../helpers/i18n-catalog";

const PLURAL = /_(zero|one|two|few|many|other)$/;
const catalog = (locale: Locale) => resources[locale].translation as unknown as Catalog;
const keysOf = (locale: Locale) => new Set([...flatten(catalog(locale)).keys()].map((k) => k.replace(PLURAL, "")));
const RIGHT_TO_LEFT = ["ar", "he", "fa"];

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

  it("uses Polaris' own translation where Polaris ships one, English otherwise", () => {
    for (const locale of supportedLocales) {
      const expected = JSON.parse(readFileSync(existsSync(shipped(locale)) ? shipped(locale) : shipped("en"), "utf8"));
      expect(polarisTranslations[locale], locale).toEqual(expected);
    }
  });
});

it("knows each language's plural categories as i18next does (Intl.PluralRules)", () => {
  expect(pluralCategories("en")).toEqual(["one", "other"]);
  expect(pluralCategories("ar")).toEqual(["zero", "one", "two", "few", "many", "other"]);
  expect(pluralCategories("fr")).toEqual(["one", "many", "other"]);
});
