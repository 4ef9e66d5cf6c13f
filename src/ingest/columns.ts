/**
 * Which column holds which ledger field: found by the header's text among Polish and English
 * synonyms, or given by `--map field=Header` / `--map field=3` (1-based column number, the only way
 * for a file without a header line).
 *
 * Matching is exact after trimming, lower-casing and Unicode NFC normalisation, so `Wartość netto`
 * written with a combining accent still matches, while `wartosc` (without the Polish letters) does not:
 * a guess that picks the wrong column would give a wrong analysis without a word, which is worse than
 * an error that lists the headers and the names accepted.
 *
 * A file may hold both a cost and a margin column (many Polish ERP exports do). Both are found and
 * neither is an error: the readers take a filled margin cell as the line's margin (it is the ERP's own
 * figure, after whatever its cost accounting does), revenue less cost when the margin cell is empty,
 * and keep the cost column as the line's cost.
 */
import { KamertonError } from '../core/errors.ts';
import type { LedgerField, ReadOptions } from './types.ts';

export const FIELD_SYNONYMS: Record<LedgerField, readonly string[]> = {
  date: ['date', 'data', 'data sprzedaży', 'data dokumentu'],
  client: ['client', 'client_id', 'customer', 'customer_id', 'klient', 'kontrahent', 'nabywca', 'kod kontrahenta'],
  revenue: ['revenue', 'sales', 'amount', 'net', 'value', 'wartość', 'wartość netto', 'przychód', 'sprzedaż netto'],
  cost: ['cost', 'koszt', 'koszt zakupu', 'wartość zakupu'],
  margin: ['margin', 'marża'],
  quantity: ['quantity', 'qty', 'ilość'],
  product: ['product', 'product_id', 'sku', 'towar', 'produkt', 'indeks'],
  group: ['group', 'category', 'grupa towarowa', 'kategoria'],
  document: ['document', 'invoice', 'nr dokumentu', 'faktura'],
  line: ['line', 'lp', 'pozycja'],
  dueDate: ['due date', 'termin płatności'],
  paidDate: ['paid date', 'data zapłaty'],
  clientName: ['client name', 'nazwa kontrahenta'],
};

const FIELDS = Object.keys(FIELD_SYNONYMS) as LedgerField[];
/** The fields every ledger line needs. */
export const REQUIRED_FIELDS: readonly LedgerField[] = ['date', 'client', 'revenue'];

export type ResolvedColumns = {
  /** 0-based column of each field found. */
  index: Partial<Record<LedgerField, number>>;
  /** Per column: the header text as in the file (trimmed), or `column N` without a header or for an empty one. */
  labels: string[];
  /** Field to label, as ReadInfo.columns shows it. */
  columns: Partial<Record<LedgerField, string>>;
};

/** A header's text as matching sees it: trimmed, NFC, lower case; a stray byte-order mark dropped. */
export function normaliseHeader(text: string): string {
  return text.replace(/^\uFEFF/, '').trim().normalize('NFC').toLowerCase();
}

const NORMALISED_SYNONYMS = new Map<string, LedgerField>();
for (const field of FIELDS) {
  for (const name of FIELD_SYNONYMS[field]) NORMALISED_SYNONYMS.set(normaliseHeader(name), field);
}

function quoteList(items: readonly string[]): string {
  return items.map((item) => `"${item}"`).join(', ');
}

function describeColumn(labels: string[], index: number): string {
  return `"${labels[index]}" (column ${index + 1})`;
}

/**
 * Finds the columns of the ledger fields. `headers` is the header line's fields, or null for a file
 * without one; `columnCount` is the number of fields of the header (or first) line.
 *
 * Throws KamertonError('invalid-input') when a required field (date, client, revenue) is missing
 * (listing the headers found and the names accepted), when two headers match one field (naming both),
 * or when a `map` entry names no header or a column beyond the line.
 *
 * A column given to one field by `map` is not matched by synonym to another: `--map client=data`
 * takes the `data` column for the client and leaves the date to be found (or mapped) elsewhere.
 */
export function resolveColumns(
  headers: string[] | null,
  columnCount: number,
  map: ReadOptions['map'],
  file: string,
): ResolvedColumns {
  const count = Math.max(columnCount, headers?.length ?? 0);
  const labels: string[] = [];
  for (let c = 0; c < count; c++) {
    const text = headers?.[c]?.trim() ?? '';
    labels.push(text === '' ? `column ${c + 1}` : text);
  }
  const normalised = headers ? headers.map(normaliseHeader) : null;
  const found = headers === null
    ? '(none: the file has no header line)'
    : headers.length === 0 ? '(none: the sheet or file is empty)' : quoteList(headers.map((h) => h.trim()));
  const index: Partial<Record<LedgerField, number>> = {};
  const mapped = new Set<number>();

  for (const field of FIELDS) {
    const target = map?.[field];
    // Null names no column: the field stays unmapped, and the synonym matching below skips it too.
    if (target === undefined || target === null) continue;
    const column = mapTarget(field, target, normalised, labels, count, file, found);
    index[field] = column;
    mapped.add(column);
  }

  if (normalised) {
    for (let c = 0; c < normalised.length; c++) {
      if (mapped.has(c)) continue;
      const field = NORMALISED_SYNONYMS.get(normalised[c]!);
      if (field === undefined || map?.[field] !== undefined) continue;
      const previous = index[field];
      if (previous !== undefined) {
        throw new KamertonError(
          'invalid-input',
          `${file}: two columns match the ${field} field: ${describeColumn(labels, previous)} and ` +
            `${describeColumn(labels, c)}; choose one with --map ${field}=HEADER`,
          { file, field, column: labels[c] ?? null },
        );
      }
      index[field] = c;
    }
  }

  const missing = REQUIRED_FIELDS.filter((field) => index[field] === undefined);
  if (missing.length > 0) {
    const accepted = missing.map((field) => `${field}: ${quoteList(FIELD_SYNONYMS[field])}`).join('; ');
    const how = headers
      ? `give the column with --map ${missing[0]}=HEADER`
      : `a file without a header line needs --map with column numbers, e.g. --map client=2,date=3,revenue=5`;
    throw new KamertonError(
      'invalid-input',
      `${file}: no column for the required field${missing.length > 1 ? 's' : ''} ${missing.join(', ')}. ` +
        `Headers found: ${found}. Names accepted: ${accepted}. Or ${how}.`,
      { file, field: missing[0]! },
    );
  }

  const columns: Partial<Record<LedgerField, string>> = {};
  for (const field of FIELDS) {
    const column = index[field];
    if (column !== undefined) columns[field] = labels[column]!;
  }
  return { index, labels, columns };
}

function mapTarget(
  field: LedgerField,
  target: string | number,
  normalised: string[] | null,
  labels: string[],
  count: number,
  file: string,
  found: string,
): number {
  if (typeof target === 'string' && normalised) {
    const wanted = normaliseHeader(target);
    const hits: number[] = [];
    normalised.forEach((header, c) => {
      if (header === wanted) hits.push(c);
    });
    if (hits.length > 1) {
      throw new KamertonError(
        'invalid-input',
        `${file}: --map ${field}=${target} matches two columns: ${describeColumn(labels, hits[0]!)} and ` +
          `${describeColumn(labels, hits[1]!)}; give the column number instead`,
        { file, field, value: target },
      );
    }
    if (hits.length === 1) return hits[0]!;
  }
  const number = typeof target === 'number' ? target : /^\s*\d+\s*$/.test(target) ? Number(target) : NaN;
  if (Number.isNaN(number)) {
    const why = normalised ? `no header is "${target}"; headers found: ${found}` : 'the file has no header line, so give a column number';
    throw new KamertonError('invalid-input', `${file}: --map ${field}=${target}: ${why}`, { file, field, value: String(target) });
  }
  if (!Number.isInteger(number) || number < 1 || (count > 0 && number > count)) {
    throw new KamertonError(
      'invalid-input',
      `${file}: --map ${field}=${target}: column numbers run from 1 to ${count} in this file`,
      { file, field, value: String(target) },
    );
  }
  return number - 1;
}
