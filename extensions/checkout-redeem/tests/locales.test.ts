import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FAILURE_MESSAGE_KEYS } from '../src/model';

const root = join(import.meta.dirname, '..');
const LANGUAGES = ['es', 'de', 'ja', 'fr', 'pt-BR', 'ru', 'it', 'nl', 'pl', 'tr', 'fa', 'zh-CN', 'vi', 'id', 'cs', 'ar', 'ko', 'uk', 'hu', 'sv', 'he'];
const RIGHT_TO_LEFT = ['ar', 'fa', 'he'];

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') flat[path] = value;
    else Object.assign(flat, flatten(value, path));
  }
  return flat;
}

const read = (file: string) => flatten(JSON.parse(readFileSync(join(root, 'locales', file), 'utf8')) as Tree);
const placeholders = (text: string) => [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();
const english = read('en.default.json');

describe('locales', () => {
  test('English is the default and the 21 other shopper languages are present, nothing else', () => {
    const files = readdirSync(join(root, 'locales')).sort();
    expect(files).toEqual(['en.default.json', ...LANGUAGES.map((l) => `${l}.json`)].sort());
  });

  test('every key the code translates exists in English', () => {
    const sources = ['src/RedeemBox.tsx', 'src/model.ts'].map((f) => readFileSync(join(root, f), 'utf8')).join('\n');
    const used = new Set([...sources.matchAll(/translate\('([\w.]+)'/g)].map((m) => m[1]));
    for (const key of FAILURE_MESSAGE_KEYS) used.add(key);
    expect(used.size).toBeGreaterThan(30);
    for (const key of used) expect(english, key).toHaveProperty([key]);
  });

  test.each(LANGUAGES)('%s has every English key, the same {{placeholders}}, and is translated', (language) => {
    const translated = read(`${language}.json`);
    expect(Object.keys(translated).sort()).toEqual(Object.keys(english).sort());
    for (const [key, text] of Object.entries(translated)) {
      expect(text.trim(), `${language} ${key}`).not.toBe('');
      expect(placeholders(text), `${language} ${key}`).toEqual(placeholders(english[key]));
    }
    const same = Object.keys(english).filter((key) => translated[key] === english[key]);
    expect(same.length, `${language} left in English: ${same.join(', ')}`).toBeLessThanOrEqual(2);
  });

  test.each(RIGHT_TO_LEFT)('%s reads right to left: every message is in its script', (language) => {
    for (const [key, text] of Object.entries(read(`${language}.json`))) {
      expect(text, key).toMatch(/[\u0590-\u05FF\u0600-\u06FF]/);
    }
  });
});
