import { describe, expect, it } from 'vitest';
import { KamertonError } from '../core/errors.ts';
import { FIELD_SYNONYMS, resolveColumns } from './columns.ts';
import { thrown } from '../../test/fixtures/errors.ts';

describe('resolveColumns', () => {
  it('finds English headers and reports the labels as written', () => {
    const headers = ['date', 'client_id', 'product_id', 'quantity', 'revenue', 'cost'];
    const resolved = resolveColumns(headers, headers.length, undefined, 'sales.csv');
    expect(resolved.index).toEqual({ date: 0, client: 1, product: 2, quantity: 3, revenue: 4, cost: 5 });
    expect(resolved.labels).toEqual(headers);
    expect(resolved.columns).toEqual({ date: 'date', client: 'client_id', product: 'product_id', quantity: 'quantity', revenue: 'revenue', cost: 'cost' });
  });

  it('finds Polish headers trimmed, in any letter case and Unicode normal form', () => {
    // "Wartość netto" with a decomposed ś (s + combining acute), as some macOS tools write it.
    const decomposed = 'Warto\u0073\u0301\u0107 netto'.normalize('NFD');
    const headers = [' Data Sprzedaży ', 'KOD KONTRAHENTA', decomposed, 'Marża', 'Nazwa kontrahenta', 'Termin płatności', 'Data zapłaty', 'Nr dokumentu', 'Lp', 'Grupa towarowa', 'Indeks', 'Ilość'];
    const resolved = resolveColumns(headers, headers.length, undefined, 'sprzedaz.csv');
    expect(resolved.index).toEqual({
      date: 0, client: 1, revenue: 2, margin: 3, clientName: 4, dueDate: 5, paidDate: 6, document: 7, line: 8, group: 9, product: 10, quantity: 11,
    });
    expect(resolved.columns.date).toBe('Data Sprzedaży');
  });

  it('matches exactly: a header without the Polish letters is not guessed', () => {
    const error = thrown(() => resolveColumns(['data', 'klient', 'wartosc'], 3, undefined, 'f.csv'));
    expect(error.code).toBe('invalid-input');
  });

  it('stops on a missing required column, listing the headers found and the names accepted', () => {
    const error = thrown(() => resolveColumns(['data', 'towar', 'wartość'], 3, undefined, 'f.csv'));
    expect(error.code).toBe('invalid-input');
    expect(error.details).toMatchObject({ file: 'f.csv', field: 'client' });
    expect(error.message).toContain('f.csv');
    expect(error.message).toContain('"data", "towar", "wartość"');
    for (const name of FIELD_SYNONYMS.client) expect(error.message).toContain(`"${name}"`);
    expect(error.message).not.toContain('"sprzedaż netto"');
  });

  it('names every missing required field', () => {
    const error = thrown(() => resolveColumns(['foo'], 1, undefined, 'f.csv'));
    expect(error.message).toMatch(/date, client, revenue/);
  });

  it('stops when two headers match one field, naming both', () => {
    const error = thrown(() => resolveColumns(['data', 'klient', 'kontrahent', 'wartość'], 4, undefined, 'f.csv'));
    expect(error.code).toBe('invalid-input');
    expect(error.message).toContain('"klient" (column 2)');
    expect(error.message).toContain('"kontrahent" (column 3)');
  });

  it('lets --map choose between two matching headers, by text or by number', () => {
    const headers = ['data', 'klient', 'kontrahent', 'wartość'];
    expect(resolveColumns(headers, 4, { client: 'Kontrahent' }, 'f.csv').index.client).toBe(2);
    expect(resolveColumns(headers, 4, { client: 2 }, 'f.csv').index.client).toBe(1);
    expect(resolveColumns(headers, 4, { client: '3' }, 'f.csv').index.client).toBe(2);
  });

  it('maps a header that is no synonym, and keeps a mapped column from matching another field', () => {
    const resolved = resolveColumns(['Dzień', 'data', 'Kwota'], 3, { date: 'Dzień', client: 'data', revenue: 'kwota' }, 'f.csv');
    expect(resolved.index).toEqual({ date: 0, client: 1, revenue: 2 });
    expect(resolved.columns).toEqual({ date: 'Dzień', client: 'data', revenue: 'Kwota' });
  });

  it('leaves a field mapped to null without a column, even when a header would match it', () => {
    const resolved = resolveColumns(['data', 'klient', 'wartość', 'koszt'], 4, { cost: null }, 'f.csv');
    expect(resolved.index).toEqual({ date: 0, client: 1, revenue: 2 });
    expect(() => resolveColumns(['data', 'klient', 'wartość'], 3, { client: null }, 'f.csv')).toThrow(/required field client/);
  });

  it('refuses a --map header that is not in the file, listing the headers', () => {
    const error = thrown(() => resolveColumns(['data', 'klient', 'wartość'], 3, { revenue: 'Kwota' }, 'f.csv'));
    expect(error.message).toContain('no header is "Kwota"');
    expect(error.message).toContain('"data", "klient", "wartość"');
  });

  it('reads a file without a header from column numbers, labelled `column N`', () => {
    const resolved = resolveColumns(null, 5, { client: 2, date: 3, revenue: 5 }, 'raw.txt');
    expect(resolved.index).toEqual({ client: 1, date: 2, revenue: 4 });
    expect(resolved.labels).toEqual(['column 1', 'column 2', 'column 3', 'column 4', 'column 5']);
    expect(resolved.columns).toEqual({ client: 'column 2', date: 'column 3', revenue: 'column 5' });
  });

  it('without a header, asks for column numbers', () => {
    const missing = thrown(() => resolveColumns(null, 5, { client: 2 }, 'raw.txt'));
    expect(missing.message).toContain('without a header line needs --map with column numbers');
    const byName = thrown(() => resolveColumns(null, 5, { client: 'klient', date: 1, revenue: 3 }, 'raw.txt'));
    expect(byName.message).toContain('no header line');
  });

  it('refuses a column number outside the line', () => {
    const error = thrown(() => resolveColumns(null, 5, { client: 2, date: 3, revenue: 6 }, 'raw.txt'));
    expect(error.message).toContain('from 1 to 5');
    expect(() => resolveColumns(null, 5, { client: 0, date: 3, revenue: 4 }, 'raw.txt')).toThrow(KamertonError);
  });

  it('refuses a --map header text that matches two columns', () => {
    const error = thrown(() => resolveColumns(['data', 'klient', 'Kwota', 'kwota'], 4, { revenue: 'KWOTA' }, 'f.csv'));
    expect(error.message).toContain('"Kwota" (column 3)');
    expect(error.message).toContain('"kwota" (column 4)');
  });

  it('finds both a cost and a margin column when the file has both', () => {
    const resolved = resolveColumns(['data', 'klient', 'wartość netto', 'koszt', 'marża'], 5, undefined, 'f.csv');
    expect(resolved.index).toMatchObject({ cost: 3, margin: 4 });
  });

  it('labels an empty header cell by its column number', () => {
    const resolved = resolveColumns(['data', '', 'klient', 'wartość'], 4, undefined, 'f.csv');
    expect(resolved.labels[1]).toBe('column 2');
  });
});
