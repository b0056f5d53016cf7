import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EARNING_TRACE_CODES } from "~/domain/earning";
import { isRtl, localeFromRequest, matchLocale, supportedLocales } from "~/i18n/config";
import { createI18n, resources } from "~/i18n/i18next";

const PLURAL = /_(zero|one|two|few|many|other)$/;

function flatten(obj: Record<string, unknown>, prefix = ""): string[] {
  return Object.entries(obj).flatMap(([k, v]) =>
    v && typeof v === "object" ? flatten(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}
const keysOf = (locale: keyof typeof resources) => new Set(flatten(resources[locale].translation).map((k) => k.replace(PLURAL, "")));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : /\.(tsx?|jsx?)$/.test(name) ? [full] : [];
  });
}

describe("i18n", () => {
  it("has the same keys in every language", () => {
    const en = keysOf("en");
    for (const locale of supportedLocales) expect([...keysOf(locale)].sort()).toEqual([...en].sort());
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

  it("pluralises per language and interpolates", () => {
    expect(createI18n("en").t("member.adjust.done_add", { count: 1 })).toBe("Added 1 point.");
    expect(createI18n("en").t("member.adjust.done_add", { count: 5 })).toBe("Added 5 points.");
    expect(createI18n("fr").t("member.adjust.done_add", { count: 1 })).toBe("1 point ajouté.");
    expect(createI18n("ar").t("member.adjust.done_add", { count: 2 })).toBe("أُضيفت نقطتان.");
  });

  it("picks the locale from Shopify's ?locale= then Accept-Language, and marks Arabic right-to-left", () => {
    expect(localeFromRequest(new Request("https://x.test/app?locale=fr-CA"))).toBe("fr");
    expect(localeFromRequest(new Request("https://x.test/app", { headers: { "accept-language": "de-DE,ar;q=0.8" } }))).toBe("ar");
    expect(matchLocale("ja", undefined)).toBe("en");
    expect(isRtl("ar")).toBe(true);
    expect(isRtl("fr")).toBe(false);
  });
});
