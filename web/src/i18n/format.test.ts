import { describe, expect, it } from 'vitest';
import { formatters } from './format.ts';

// Intl separates thousands with a narrow no-break space in Polish; compare with plain spaces.
const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

describe('numbers, money and dates for the language', () => {
  it('writes Polish money with a decimal comma, spaced thousands and the currency after', () => {
    const pl = formatters('pl');
    expect(plain(pl.money(1234567))).toBe('1 234 567 zł');
    expect(plain(pl.number(1234.5, 1))).toBe('1234,5');
    expect(pl.money(null)).toBe('–');
  });

  it('writes English money with the currency first and takes the server\'s currency', () => {
    expect(plain(formatters('en').money(1234567))).toBe('PLN 1,234,567');
    expect(formatters('en', 'EUR').money(1234)).toBe('€1,234');
    expect(plain(formatters('pl', 'EUR').money(1234))).toBe('1234 €');
  });

  it('reads a bare day as a calendar date, never shifted by the time zone', () => {
    expect(formatters('pl').date('2026-01-31')).toBe('31 sty 2026');
    expect(formatters('en').date('2026-01-31')).toBe('31 Jan 2026');
  });
});
