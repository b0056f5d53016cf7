// Compares a translation catalog with the English one the way i18next reads them: nested keys,
// plural forms chosen by Intl.PluralRules (key_one, key_few…), {{placeholders}} filled at run time.
// Shared by tests/unit/i18n.test.ts and scripts/i18n-sync.ts.

export type Catalog = { [key: string]: string | Catalog };

/** i18next's order of plural suffixes (CLDR categories). */
export const PLURAL_CATEGORIES = ["zero", "one", "two", "few", "many", "other"] as const;
export type PluralCategory = (typeof PLURAL_CATEGORIES)[number];
const PLURAL_SUFFIX = /^(.*)_(zero|one|two|few|many|other)$/;

export function flatten(catalog: Catalog, prefix = ""): Map<string, string> {
  const flat = new Map<string, string>();
  for (const [key, value] of Object.entries(catalog)) {
    if (typeof value === "string") flat.set(`${prefix}${key}`, value);
    else if (value && typeof value === "object" && !Array.isArray(value)) {
      for (const [k, v] of flatten(value, `${prefix}${key}.`)) flat.set(k, v);
    } else throw new Error(`${prefix}${key} is neither a string nor an object`);
  }
  return flat;
}

/** Inverse of flatten: dotted keys back into nested objects, in the order given. */
export function nest(entries: Iterable<[string, string]>): Catalog {
  const root: Catalog = {};
  for (const [key, value] of entries) {
    const parts = key.split(".");
    let node = root;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      if (typeof next === "string") throw new Error(`${key}: ${part} is both a string and a group`);
      node = (node[part] ??= {}) as Catalog;
    }
    node[parts[parts.length - 1]] = value;
  }
  return root;
}

/** The plural categories i18next looks up for this language, in suffix order. */
export function pluralCategories(locale: string): PluralCategory[] {
  const used = new Intl.PluralRules(locale).resolvedOptions().pluralCategories as string[];
  return PLURAL_CATEGORIES.filter((c) => used.includes(c));
}

/**
 * Categories that stand for at most one positive whole number in this language (English "one" is
 * only 1, Arabic "two" only 2, but Russian "one" is 1, 21, 31…): only those may leave the number out.
 */
export function singleNumberCategories(locale: string): Set<PluralCategory> {
  const rules = new Intl.PluralRules(locale);
  const samples = [...Array.from({ length: 2000 }, (_, i) => i + 1), 10_000, 100_000, 1_000_000, 2_000_000, 1_000_000_000];
  const seen = new Map<string, number>();
  for (const n of samples) {
    const category = rules.select(n);
    seen.set(category, (seen.get(category) ?? 0) + 1);
  }
  return new Set(pluralCategories(locale).filter((c) => (seen.get(c) ?? 0) <= 1));
}

export function placeholders(text: string): Set<string> {
  return new Set([...text.matchAll(/{{\s*([^,}\s]+)[^}]*}}/g)].map((m) => m[1]));
}

export type Message = { plural: false; text: string } | { plural: true; forms: Map<PluralCategory, string> };

/**
 * Groups a flat catalog into messages. A key is plural when the English catalog has `<base>_other`;
 * any other key ending in a category name is taken literally.
 */
export function messages(flat: Map<string, string>, englishPluralBases: Set<string>): Map<string, Message> {
  const result = new Map<string, Message>();
  for (const [key, text] of flat) {
    const match = PLURAL_SUFFIX.exec(key);
    if (match && englishPluralBases.has(match[1])) {
      const existing = result.get(match[1]);
      const forms = existing?.plural ? existing.forms : new Map<PluralCategory, string>();
      forms.set(match[2] as PluralCategory, text);
      result.set(match[1], { plural: true, forms });
    } else result.set(key, { plural: false, text });
  }
  return result;
}

export function pluralBases(flat: Map<string, string>): Set<string> {
  const bases = new Set<string>();
  for (const key of flat.keys()) {
    const match = PLURAL_SUFFIX.exec(key);
    if (match && match[2] === "other") bases.add(match[1]);
  }
  return bases;
}

export type Problem = "missing" | "extra" | "plural_forms" | "placeholders" | "empty";
export type Issue = { key: string; problem: Problem; detail: string };

const list = (set: Iterable<string>) => [...set].sort().join(", ") || "none";
const sameSet = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((x) => b.has(x));

/** Everything that would make `locale` read differently from English in structure. */
export function auditCatalog(english: Catalog, translated: Catalog, locale: string): Issue[] {
  const englishFlat = flatten(english);
  const bases = pluralBases(englishFlat);
  const source = messages(englishFlat, bases);
  const target = messages(flatten(translated), bases);
  const wantedForms = pluralCategories(locale);
  const singleNumber = singleNumberCategories(locale);
  const issues: Issue[] = [];

  for (const [key, message] of source) {
    const theirs = target.get(key);
    if (!theirs) {
      issues.push({ key, problem: "missing", detail: message.plural ? `forms ${wantedForms.join(", ")}` : "" });
      continue;
    }
    if (!message.plural && !theirs.plural) {
      if (!theirs.text.trim()) issues.push({ key, problem: "empty", detail: "" });
      const want = placeholders(message.text);
      const have = placeholders(theirs.text);
      if (!sameSet(want, have)) issues.push({ key, problem: "placeholders", detail: `expected ${list(want)}, found ${list(have)}` });
      continue;
    }
    if (!message.plural || !theirs.plural) {
      issues.push({ key, problem: "plural_forms", detail: message.plural ? "English is plural, this is one string" : "English is one string, this has plural forms" });
      continue;
    }
    const have = new Set(theirs.forms.keys());
    if (!sameSet(have, new Set(wantedForms))) {
      issues.push({ key, problem: "plural_forms", detail: `${locale} uses ${wantedForms.join(", ")}; found ${[...have].join(", ")}` });
    }
    // Every English form together names the placeholders a message may use; the form for "other"
    // names those it must use wherever a form covers several numbers.
    const allowed = new Set([...message.forms.values()].flatMap((t) => [...placeholders(t)]));
    const required = placeholders(message.forms.get("other") ?? "");
    for (const [category, text] of theirs.forms) {
      if (!text.trim()) issues.push({ key: `${key}_${category}`, problem: "empty", detail: "" });
      const used = placeholders(text);
      const unknown = [...used].filter((p) => !allowed.has(p));
      const absent = singleNumber.has(category) ? [] : [...required].filter((p) => !used.has(p));
      if (unknown.length || absent.length) {
        issues.push({
          key: `${key}_${category}`,
          problem: "placeholders",
          detail: [unknown.length ? `unknown ${list(unknown)}` : "", absent.length ? `missing ${list(absent)} (this form covers several numbers)` : ""].filter(Boolean).join("; "),
        });
      }
    }
  }
  for (const key of target.keys()) if (!source.has(key)) issues.push({ key, problem: "extra", detail: "" });
  return issues;
}

/** The translated catalog laid out like the English one (same key order, plural forms in CLDR order); extra keys dropped. */
export function orderLike(english: Catalog, translated: Catalog, locale: string): Catalog {
  const englishFlat = flatten(english);
  const bases = pluralBases(englishFlat);
  const theirs = flatten(translated);
  const ordered: [string, string][] = [];
  const done = new Set<string>();
  for (const key of englishFlat.keys()) {
    const match = PLURAL_SUFFIX.exec(key);
    if (match && bases.has(match[1])) {
      if (done.has(match[1])) continue;
      done.add(match[1]);
      for (const category of PLURAL_CATEGORIES) {
        const value = theirs.get(`${match[1]}_${category}`);
        if (value !== undefined && pluralCategories(locale).includes(category)) ordered.push([`${match[1]}_${category}`, value]);
      }
    } else if (theirs.has(key)) ordered.push([key, theirs.get(key) as string]);
  }
  return nest(ordered);
}
