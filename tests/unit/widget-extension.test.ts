import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { themeCheckRun } from "@shopify/theme-check-node";
import { describe, expect, it } from "vitest";

// The theme app extension as Shopify would receive it: theme check passes with no offence, the
// committed assets are what src/ builds, the scripts fit their budgets, and every string exists
// in all 22 languages with its placeholders and plural forms.

const ROOT = fileURLToPath(new URL("../../extensions/loyalty-widget/", import.meta.url));
const LANGUAGES = ["en", "es", "de", "ja", "fr", "pt-BR", "ru", "it", "nl", "pl", "tr", "fa", "zh-CN", "vi", "id", "cs", "ar", "ko", "uk", "hu", "sv", "he"];
const RTL = ["ar", "he", "fa"];
const PLURAL_FORMS = ["zero", "one", "two", "few", "many", "other"];

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(tree)) {
    if (typeof value === "string") out[prefix + key] = value;
    else Object.assign(out, flatten(value, `${prefix}${key}.`));
  }
  return out;
}

async function locale(language: string, schema = false): Promise<Record<string, string>> {
  const name = `${language === "en" ? "en.default" : language}${schema ? ".schema" : ""}.json`;
  const tree = JSON.parse(await readFile(path.join(ROOT, "locales", name), "utf8")) as Tree;
  // Storefront strings live under "loyalnest." (the widget's namespace in the theme's t filter).
  return flatten(schema ? tree : (tree.loyalnest as Tree));
}

const placeholders = (text: string) => [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

async function offenses(root: string) {
  const run = await themeCheckRun(root, undefined, () => {});
  return run.offenses.map((o) => `${o.check} ${path.relative(root, fileURLToPath(o.uri))}: ${o.message}`);
}

describe("theme check", () => {
  it("finds no offence in the extension", async () => {
    expect(await offenses(ROOT)).toEqual([]);
  }, 60_000);

  it("does find offences in a broken copy (the check is really running)", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "loyalnest-widget-"));
    try {
      await cp(ROOT, dir, { recursive: true });
      const fr = JSON.parse(await readFile(path.join(dir, "locales/fr.json"), "utf8")) as { loyalnest: { panel: Record<string, string> } };
      delete fr.loyalnest.panel.close;
      await writeFile(path.join(dir, "locales/fr.json"), JSON.stringify(fr));
      await writeFile(path.join(dir, "assets/loyalnest-launcher.js"), `/* ${"x".repeat(12_000)} */`);
      const found = await offenses(dir);
      expect(found.some((o) => o.startsWith("MatchingTranslations"))).toBe(true);
      expect(found.some((o) => o.startsWith("AssetSizeAppBlockJavaScript"))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("assets and budgets", () => {
  it("are exactly what src/ builds", async () => {
    const { assetsAreCurrent } = (await import("../../extensions/loyalty-widget/src/build.mjs")) as { assetsAreCurrent(): Promise<string[]> };
    expect(await assetsAreCurrent(), "run node extensions/loyalty-widget/src/build.mjs").toEqual([]);
  });

  it("keep every page's initial script within 6 KB compressed and each file within theme check's 10,000 bytes", async () => {
    const size = async (name: string) => {
      const bytes = await readFile(path.join(ROOT, "assets", name));
      return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
    };
    const launcher = await size("loyalnest-launcher.js");
    const product = await size("loyalnest-product.js");
    const panel = await size("loyalnest-panel.js");
    // Any page: the launcher; a product page: launcher and product block.
    expect(launcher.gzip + product.gzip).toBeLessThanOrEqual(6 * 1024);
    // Loaded on open (or by the loyalty page block).
    expect(panel.gzip).toBeLessThanOrEqual(6 * 1024);
    for (const file of [launcher, product, panel]) expect(file.raw).toBeLessThanOrEqual(10_000);
    expect((await size("loyalnest.css")).gzip).toBeLessThanOrEqual(3 * 1024);
  });

  it("load nothing from a third party: no absolute URL in scripts, styles or blocks", async () => {
    for (const dir of ["assets", "blocks", "snippets"]) {
      for (const file of await readdir(path.join(ROOT, dir))) {
        const text = await readFile(path.join(ROOT, dir, file), "utf8");
        expect(text.match(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}\//gi) ?? [], `${dir}/${file}`).toEqual([]);
      }
    }
  });
});

describe("locales", () => {
  it("has storefront and theme-editor strings for all 22 languages, with the same keys and placeholders as English", async () => {
    const files = await readdir(path.join(ROOT, "locales"));
    for (const language of LANGUAGES) {
      const base = language === "en" ? "en.default" : language;
      expect(files, language).toContain(`${base}.json`);
      expect(files, language).toContain(`${base}.schema.json`);
    }
    expect(files).toHaveLength(LANGUAGES.length * 2);

    const en = await locale("en");
    const enSchema = await locale("en", true);
    for (const language of LANGUAGES) {
      const strings = await locale(language);
      expect(Object.keys(strings).sort(), language).toEqual(Object.keys(en).sort());
      expect(Object.keys(await locale(language, true)).sort(), `${language} schema`).toEqual(Object.keys(enSchema).sort());
      for (const [key, text] of Object.entries(strings)) {
        expect(text.trim(), `${language} ${key}`).not.toBe("");
        // Plural forms may spell the number out ("نقطتان", "נקודה אחת"); every other string keeps them all.
        if (key.startsWith("units.points_")) expect(placeholders(text).every((p) => p === "n"), `${language} ${key}`).toBe(true);
        else expect(placeholders(text), `${language} ${key}`).toEqual(placeholders(en[key]));
      }
    }
  });

  it("is translated, not copied: nearly every string differs from English", async () => {
    const en = await locale("en");
    for (const language of LANGUAGES.filter((l) => l !== "en")) {
      const strings = await locale(language);
      const same = Object.keys(en).filter((key) => strings[key] === en[key] && !key.startsWith("units."));
      // A few words are the same in some languages ("Bonus", "Position").
      expect(same.length, `${language}: ${same.join(", ")}`).toBeLessThanOrEqual(3);
    }
  });

  it("gives every plural category each language uses a form with the number", async () => {
    for (const language of LANGUAGES) {
      const strings = await locale(language);
      const categories = new Intl.PluralRules(language).resolvedOptions().pluralCategories;
      for (const form of PLURAL_FORMS) expect(strings[`units.points_${form}`], `${language} ${form}`).toBeTruthy();
      for (const category of categories) {
        const text = strings[`units.points_${category}`];
        const spelled = (language === "ar" || language === "he") && (category === "one" || category === "two");
        if (!spelled) expect(text, `${language} ${category}`).toContain("{{ n }}");
      }
    }
  });

  it("sends the scripts every string they use, and only strings that exist", async () => {
    const snippet = await readFile(path.join(ROOT, "snippets/loyalnest-config.liquid"), "utf8");
    const listed = new Set((/assign keys = '([^']+)' \| split: ','\n\s+endif/.exec(snippet)?.[1] ?? "").split(","));
    const productOnly = new Set((/assign keys = '([^']+)' \| split: ','\n\s+else/.exec(snippet)?.[1] ?? "").split(","));
    const en = await locale("en");
    for (const key of [...listed, ...productOnly]) expect(Object.keys(en), key).toContain(key);
    const sources = await Promise.all(["shared.ts", "panel.ts", "product.ts"].map((f) => readFile(path.join(ROOT, "src", f), "utf8")));
    const used = new Set<string>();
    for (const source of sources) {
      for (const match of source.matchAll(/(?:\bt\(|cfg\.t\[|\.t\[)\s*"([a-z_]+\.[a-z_]+)"/g)) used.add(match[1]);
    }
    // Keys built at run time: every history type, error code, action and plural form.
    for (const key of Object.keys(en)) if (/^(history|errors|earn|units)\./.test(key)) used.add(key);
    expect(used.size).toBeGreaterThan(40);
    for (const key of used) expect(listed.has(key), `snippet lists ${key}`).toBe(true);
    const productSource = sources[2];
    for (const match of productSource.matchAll(/cfg\.t\["([a-z_.]+)"\]/g)) expect(productOnly.has(match[1]), `product strings list ${match[1]}`).toBe(true);
  });

  it("keeps each button's visible words inside its accessible name (WCAG 2.5.3), in every language", async () => {
    for (const language of LANGUAGES) {
      const strings = await locale(language);
      const name = strings["codes.copy_label"].replace("{{ code }}", "LN-1234").toLocaleLowerCase(language);
      expect(name, language).toContain(strings["codes.copy"].toLocaleLowerCase(language));
    }
  });

  it("renders Arabic, Hebrew and Persian right to left", async () => {
    for (const file of ["snippets/loyalnest-config.liquid", "blocks/loyalty-embed.liquid", "blocks/loyalty-page.liquid"]) {
      const text = await readFile(path.join(ROOT, file), "utf8");
      for (const language of RTL) expect(text, `${file} ${language}`).toContain(`language == '${language}'`);
    }
  });
});
