/**
 * Numbers, money and dates as the user's language writes them (Intl): "1 234,50 zł" in Polish,
 * "PLN 1,234.50" in English. Money is in złote unless the server says otherwise (KAMERTON_CURRENCY,
 * which every session answer carries).
 */
import { useContext } from 'react';
import { useTranslation } from 'react-i18next';
import { CurrencyContext, DEFAULT_CURRENCY } from './currency.ts';

export type Formatters = {
  number(value: number | null | undefined, digits?: number): string;
  money(value: number | null | undefined): string;
  percent(value: number | null | undefined): string;
  /** A calendar day (YYYY-MM-DD) or a timestamp, as a date. */
  date(value: string | null | undefined): string;
  dateTime(value: string | null | undefined): string;
};

const DASH = '–';

export function formatters(language: string, currency: string = DEFAULT_CURRENCY): Formatters {
  const locale = language === 'pl' ? 'pl-PL' : 'en-GB';
  const money = new Intl.NumberFormat(locale, { style: 'currency', currency, maximumFractionDigits: 0 });
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' });
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  return {
    number: (value, digits = 0) => (value === null || value === undefined ? DASH : new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value)),
    money: (value) => (value === null || value === undefined ? DASH : money.format(value)),
    percent: (value) => (value === null || value === undefined ? DASH : percent.format(value)),
    // A bare day is a calendar date, not an instant: read it as UTC midnight and print it in UTC.
    date: (value) => (value === null || value === undefined ? DASH : date.format(new Date(value.length === 10 ? `${value}T00:00:00Z` : value))),
    dateTime: (value) => (value === null || value === undefined ? DASH : dateTime.format(new Date(value))),
  };
}

export function useFormat(): Formatters {
  const { i18n } = useTranslation();
  const currency = useContext(CurrencyContext);
  return formatters(i18n.language, currency);
}
