// Keeps the admin's translations in step with the committed English catalog.
//
//   npx tsx scripts/i18n-sync.ts status [locale…]       what is missing, extra or malformed (exit 1 if anything)
//   npx tsx scripts/i18n-sync.ts todo <locale>           English texts still to translate: missing keys, plus keys
//                                                        whose English changed since the locale was last synced
//   npx tsx scripts/i18n-sync.ts apply <patch.json>      merge {"<locale>": {"flat.key": "text"}} into the files,
//                                                        laid out like en.json (keys English dropped are removed),
//                                                        and record the English commit they now match
//   npx tsx scripts/i18n-sync.ts changed <commit>        English keys added, changed or removed since <commit>
//
// English is read from the last commit that touched it (others may be editing the working copy).
// Numbers the app passes raw ({{count}}, {{done}}, {{total}}) are written {{count, number}} in the
// maintained catalogs, so they take the language's digits and grouping (Persian ۱۴, German 12.345);
// apply rewrites them that way.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { auditCatalog, flatten, orderLike, pluralBases, pluralCategories, type Catalog } from "../tests/helpers/i18n-catalog";

const root = path.resolve(import.meta.dirname, "..");
const localesDir = path.join(root, "app/i18n/locales");
const englishPath = "app/i18n/locales/en.json";
const recordPath = path.join(root, "scripts/i18n-translated-from.json");
// en, fr and ar are written by hand alongside the features; this script maintains the others.
const handWritten = new Set(["en", "fr", "ar"]);

const git = (...args: string[]) => execFileSync("git", args, { cwd: root, encoding: "utf8" }).trim();
const englishCommit = () => git("log", "-1", "--format=%H", "--", englishPath);
const englishAt = (commit: string): Catalog => JSON.parse(git("show", `${commit}:${englishPath}`));
const localeFile = (locale: string) => path.join(localesDir, `${locale}.json`);
const readLocale = (locale: string): Catalog => (existsSync(localeFile(locale)) ? JSON.parse(readFileSync(localeFile(locale), "utf8")) : {});
const records = (): Record<string, string> => (existsSync(recordPath) ? JSON.parse(readFileSync(recordPath, "utf8")) : {});
const writeJson = (file: string, value: unknown) => writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);

function allLocales(): string[] {
  return git("ls-files", "--others", "--cached", "--exclude-standard", "app/i18n/locales")
    .split("\n")
    .map((f) => path.basename(f, ".json"))
    .filter((l) => l && l !== "en");
}

function changedKeys(from: Catalog, to: Catalog): { added: string[]; changed: string[]; removed: string[] } {
  const before = flatten(from);
  const after = flatten(to);
  return {
    added: [...after.keys()].filter((k) => !before.has(k)),
    changed: [...after.keys()].filter((k) => before.has(k) && before.get(k) !== after.get(k)),
    removed: [...before.keys()].filter((k) => !after.has(k)),
  };
}

function status(locales: string[]): number {
  const english = englishAt(englishCommit());
  let problems = 0;
  for (const locale of locales) {
    const issues = auditCatalog(english, readLocale(locale), locale);
    const synced = records()[locale];
    const stale = synced && !handWritten.has(locale) ? changedKeys(englishAt(synced), english).changed.length : 0;
    console.log(`${locale.padEnd(6)} ${issues.length ? `${issues.length} issue(s)` : "complete"}${stale ? `, ${stale} English text(s) changed since ${synced.slice(0, 8)}` : ""}`);
    for (const issue of issues) console.log(`  ${issue.problem.padEnd(12)} ${issue.key} ${issue.detail}`);
    problems += issues.length + stale;
  }
  return problems ? 1 : 0;
}

function todo(locale: string): void {
  const commit = englishCommit();
  const english = englishAt(commit);
  const englishFlat = flatten(english);
  const bases = pluralBases(englishFlat);
  const wanted: Record<string, string> = {};
  const missingOrBad = new Set(auditCatalog(english, readLocale(locale), locale).map((i) => i.key.replace(/_(zero|one|two|few|many|other)$/, "")));
  const synced = records()[locale];
  if (synced && synced !== commit) for (const key of changedKeys(englishAt(synced), english).changed) missingOrBad.add(key.replace(/_(zero|one|two|few|many|other)$/, ""));
  for (const key of missingOrBad) {
    if (bases.has(key)) {
      // Every form the language needs, each shown with the nearest English form to translate from.
      for (const category of pluralCategories(locale)) {
        wanted[`${key}_${category}`] = englishFlat.get(`${key}_${category}`) ?? (englishFlat.get(`${key}_other`) as string);
      }
    } else if (englishFlat.has(key)) wanted[key] = englishFlat.get(key) as string;
  }
  console.log(JSON.stringify({ englishCommit: commit, [locale]: wanted }, null, 2));
}

function apply(patchFile: string): number {
  const commit = englishCommit();
  const english = englishAt(commit);
  const patch = JSON.parse(readFileSync(patchFile, "utf8")) as Record<string, Record<string, string>>;
  const record = records();
  let problems = 0;
  for (const [locale, entries] of Object.entries(patch)) {
    if (locale === "englishCommit") continue;
    if (locale === "en" || handWritten.has(locale)) throw new Error(`${locale}.json is written by hand; this script does not edit it`);
    const translated = Object.entries(entries).map(([key, text]) => [key, text.replace(/{{\s*(count|done|total)\s*}}/g, "{{$1, number}}")] as const);
    const merged = new Map([...flatten(readLocale(locale)), ...translated]);
    const laidOut = orderLike(english, Object.fromEntries(merged), locale);
    writeJson(localeFile(locale), laidOut);
    const issues = auditCatalog(english, laidOut, locale);
    if (issues.length === 0) record[locale] = commit;
    console.log(`${locale}: ${Object.keys(entries).length} text(s) merged, ${issues.length} issue(s) left`);
    for (const issue of issues) console.log(`  ${issue.problem.padEnd(12)} ${issue.key} ${issue.detail}`);
    problems += issues.length;
  }
  writeJson(recordPath, Object.fromEntries(Object.entries(record).sort()));
  return problems ? 1 : 0;
}

const [command, ...args] = process.argv.slice(2);
switch (command) {
  case "status":
    process.exitCode = status(args.length ? args : allLocales());
    break;
  case "todo":
    if (!args[0]) throw new Error("usage: todo <locale>");
    todo(args[0]);
    break;
  case "apply":
    if (!args[0]) throw new Error("usage: apply <patch.json>");
    process.exitCode = apply(args[0]);
    break;
  case "changed": {
    if (!args[0]) throw new Error("usage: changed <commit>");
    const diff = changedKeys(englishAt(args[0]), englishAt(englishCommit()));
    console.log(JSON.stringify(diff, null, 2));
    break;
  }
  default:
    console.error("usage: i18n-sync.ts status [locale…] | todo <locale> | apply <patch.json> | changed <commit>");
    process.exitCode = 2;
}
