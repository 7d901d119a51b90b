// Korean and English must say the same things: same keys, no blanks, same placeholders; and
// every key the code asks for must exist.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { en } from './en.ts';
import { ko } from './ko.ts';
import { toLanguage } from './index.ts';

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const full = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(full, value);
    else for (const [k, v] of flatten(value, full)) out.set(k, v);
  }
  return out;
}

const placeholders = (text: string) => [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

const english = flatten(en);
const korean = flatten(ko);
const webSrc = fileURLToPath(new URL('..', import.meta.url));

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

describe('translations', () => {
  it('have the same keys in Korean and English', () => {
    expect([...korean.keys()].sort()).toEqual([...english.keys()].sort());
  });

  it.each([...english.keys()])('%s: has text in both languages and the same placeholders', (key) => {
    const enText = english.get(key)!;
    const koText = korean.get(key)!;
    expect(enText.trim()).not.toBe('');
    expect(koText.trim()).not.toBe('');
    expect(placeholders(koText)).toEqual(placeholders(enText));
  });

  it('are actually translated (Korean differs from English for most strings)', () => {
    const same = [...english].filter(([key, text]) => korean.get(key) === text).map(([key]) => key);
    // Names (Rapport, 한국어/English), symbols and examples may be equal; nothing else.
    expect(same.sort()).toEqual(['app.name', 'auth.emailPlaceholder', 'keys.noRole', 'languages.en', 'languages.ko']);
  });

  it('cover every key the code asks for', () => {
    const missing: string[] = [];
    for (const file of sourceFiles(webSrc)) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bt\(\s*'([\w.]+)'/g)) {
        if (!english.has(m[1]!)) missing.push(`${path.relative(webSrc, file)}: ${m[1]}`);
      }
      // t(`roles.${role}`): the part before the variable must be a group of keys.
      for (const m of text.matchAll(/\bt\(\s*`([\w.]+)\.\$\{/g)) {
        if (![...english.keys()].some((k) => k.startsWith(`${m[1]}.`))) missing.push(`${path.relative(webSrc, file)}: ${m[1]}.*`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('leave no visible English text hard-coded in components', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(webSrc).filter((f) => f.endsWith('.tsx'))) {
      const text = fs.readFileSync(file, 'utf8');
      // JSX text between tags, and string literals in the props people read.
      for (const m of text.matchAll(/>\s*([A-Za-z][A-Za-z ,.'!?]{2,})\s*<\//g)) offenders.push(`${path.basename(file)}: ${m[1]}`);
      for (const m of text.matchAll(/\b(label|placeholder|title|aria-label|description|message)="([^"]*[A-Za-z][^"]*)"/g)) {
        offenders.push(`${path.basename(file)}: ${m[1]}="${m[2]}"`);
      }
    }
    expect(offenders).toEqual([]);
  });
});

describe('toLanguage', () => {
  it.each([
    ['ko', 'ko'],
    ['ko-KR', 'ko'],
    ['KO_kr', 'ko'],
    ['en-US', 'en'],
    ['en', 'en'],
    ['ja-JP', 'en'],
    ['', 'en'],
    [null, 'en'],
    [undefined, 'en'],
  ])('%s → %s', (tag, expected) => {
    expect(toLanguage(tag)).toBe(expected);
  });
});
