import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import en from './en.json';
import pl from './pl.json';
import { ACTIVITIES, KEY_CLIENT_TYPES } from '../../../src/core/types.ts';
import { KEY_CRITERIA } from '../../../src/core/key-score.ts';
import { ACCOUNT_STATUSES, ROLES } from '../api/types.ts';
import { EDITABLE } from '../features/accounts/FactsTab.tsx';
import { TENDER_OUTCOMES } from '../features/accounts/TenderModal.tsx';
import { ATTITUDES, BUYING_ROLES, RELATIONSHIPS } from '../features/contacts/DecisionMapTab.tsx';
import { detectLanguage } from './index.ts';

type Tree = { [key: string]: string | Tree };

/** Every key of a translation file, with plural forms (`count_one`, `count_few`...) under their base key. */
function keys(tree: Tree, prefix = ''): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const [name, value] of Object.entries(tree)) {
    const path = `${prefix}${name}`;
    if (typeof value === 'string') {
      const plural = /^(.*)_(zero|one|two|few|many|other)$/.exec(path);
      const base = plural === null ? path : plural[1]!;
      found.set(base, [...(found.get(base) ?? []), plural === null ? '' : plural[2]!]);
    } else {
      for (const [key, forms] of keys(value, `${path}.`)) found.set(key, forms);
    }
  }
  return found;
}

const files = { pl: keys(pl as Tree), en: keys(en as Tree) };

function sources(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('the translation files', () => {
  it('hold the same keys in Polish and English', () => {
    const missingInEn = [...files.pl.keys()].filter((key) => !files.en.has(key));
    const missingInPl = [...files.en.keys()].filter((key) => !files.pl.has(key));
    expect({ missingInEn, missingInPl }).toEqual({ missingInEn: [], missingInPl: [] });
  });

  it('give every plural the forms its language needs', () => {
    for (const [language, found] of Object.entries(files)) {
      const needed = new Intl.PluralRules(language).resolvedOptions().pluralCategories;
      for (const [key, forms] of found) {
        if (forms.includes('')) continue;
        expect({ key, language, forms: [...forms].sort() }).toEqual({ key, language, forms: [...needed].sort() });
      }
    }
  });

  it('hold every key the code names literally', () => {
    // Keys are passed to t() directly and as labels (`label: 'accounts.columns.name'`): any quoted
    // dotted name that starts with one of the files' sections is taken for a key.
    const sections = Object.keys(en);
    const used = new Set<string>();
    for (const file of sources(join(import.meta.dirname, '..'))) {
      for (const match of readFileSync(file, 'utf8').matchAll(/'([a-zA-Z]+(?:\.[a-zA-Z-]+)+)'/g)) {
        if (sections.includes(match[1]!.split('.')[0]!)) used.add(match[1]!);
      }
    }
    expect(used.size).toBeGreaterThan(20);
    const missing = [...used].filter((key) => !files.pl.has(key) || !files.en.has(key));
    expect(missing).toEqual([]);
  });
});

describe('the keys the code builds from a value', () => {
  // Each family is a section of keys and the values the code fills in (t(`status.${status}`)).
  const families: [string, readonly string[]][] = [
    ['roles', ROLES], ['status', ACCOUNT_STATUSES], ['types', KEY_CLIENT_TYPES], ['activity', ACTIVITIES],
    ['buyingRoles', BUYING_ROLES], ['attitudes', ATTITUDES], ['relationships', RELATIONSHIPS], ['criteria', KEY_CRITERIA],
    ['entities', ['account', 'contact', 'competitor', 'account-competitor', 'tender', 'user']],
    ['tenderOutcome', TENDER_OUTCOMES], ['timeline.change', ['create', 'update', 'delete', 'erase']],
    ['timeline.kinds', ['delivery', 'tender', 'change']], ['accounts.pagination', ['first', 'previous', 'next', 'last']],
    ['fields', EDITABLE], ['dossier.tabs', ['facts', 'sales', 'relationship', 'decision-map', 'competitors', 'changes']],
  ];
  it.each(families)('has %s for every value, in both languages', (section, values) => {
    const missing = values.flatMap((value) => (['pl', 'en'] as const).filter((language) => !files[language].has(`${section}.${value}`)).map((language) => `${language}: ${section}.${value}`));
    expect(missing).toEqual([]);
  });
});

describe('the starting language', () => {
  it('is the stored choice, else the browser\'s first Polish or English preference, else Polish', () => {
    expect(detectLanguage('en', ['pl-PL'])).toBe('en');
    expect(detectLanguage(null, ['de-DE', 'en-US', 'pl'])).toBe('en');
    expect(detectLanguage(null, ['pl-PL', 'en'])).toBe('pl');
    expect(detectLanguage('fr', ['de'])).toBe('pl');
  });
});
