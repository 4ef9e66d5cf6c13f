/**
 * The UI's languages: Polish and English, every string from pl.json and en.json (a test fails when a
 * key is missing from either). The language is the one the user chose last (kept in the browser),
 * else the browser's first Polish or English preference, else Polish.
 */
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './en.json';
import pl from './pl.json';

export const LANGUAGES = ['pl', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

const STORAGE_KEY = 'kamerton.language';

/** The language to start in: the stored choice, else the browser's preferences, else Polish. */
export function detectLanguage(stored: string | null, preferences: readonly string[]): Language {
  if (stored === 'pl' || stored === 'en') return stored;
  for (const preference of preferences) {
    const base = preference.toLowerCase().split('-')[0];
    if (base === 'pl' || base === 'en') return base;
  }
  return 'pl';
}

function storedLanguage(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export async function initI18n(): Promise<typeof i18n> {
  const language = detectLanguage(storedLanguage(), navigator.languages ?? [navigator.language]);
  await i18n.use(initReactI18next).init({
    resources: { pl: { translation: pl }, en: { translation: en } },
    lng: language,
    fallbackLng: false,
    // React escapes what it renders.
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  document.documentElement.lang = language;
  return i18n;
}

/** Switches the language, remembers the choice, and tells screen readers through <html lang>. */
export async function changeLanguage(language: Language): Promise<void> {
  await i18n.changeLanguage(language);
  document.documentElement.lang = language;
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // A browser that refuses storage keeps the choice for this page only.
  }
}
