import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { inferSchema, initParser } from 'udsv';
import { afterAll, describe, expect, it } from 'vitest';
import { RecordReader } from './csv-record-reader.ts';
import { createRecordScanner, scanRecord, unescapeFields } from './csv-tokenizer.ts';
import type { Delimiter } from './types.ts';

const dir = mkdtempSync(join(tmpdir(), 'kamerton-tokenizer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every record of `text` through scanRecord over one buffer, fields decoded. */
function tokenize(text: string, delimiter: Delimiter): string[][] {
  const buf = Buffer.from(text, 'utf8');
  const s = createRecordScanner(delimiter);
  const rows: string[][] = [];
  let pos = 0;
  while (pos < buf.length) {
    pos = scanRecord(s, buf, pos, buf.length, true);
    if (s.escaped) unescapeFields(s, buf);
    const row: string[] = [];
    for (let i = 0; i < s.count; i++) row.push(buf.toString('utf8', s.starts[i], s.ends[i]));
    rows.push(row);
  }
  return rows;
}

let fileNumber = 0;

/** Every non-blank record of `text` through RecordReader reading a file with a tiny buffer. */
function readRecords(text: string, delimiter: Delimiter, bufferSize: number): { rows: string[][]; lines: number[] } {
  const path = join(dir, `t${fileNumber++}.csv`);
  writeFileSync(path, text);
  const fd = openSync(path, 'r');
  try {
    const reader = new RecordReader(fd, 0, Buffer.byteLength(text), delimiter, true, bufferSize);
    const rows: string[][] = [];
    const lines: number[] = [];
    while (reader.next()) {
      const s = reader.scanner;
      const row: string[] = [];
      for (let i = 0; i < s.count; i++) row.push(reader.buf.toString('utf8', s.starts[i], s.ends[i]));
      rows.push(row);
      lines.push(reader.recordLine);
    }
    return { rows, lines };
  } finally {
    closeSync(fd);
  }
}

/**
 * uDSV's rows of `text`. uDSV infers the column count from the text before the first row separator,
 * so a plain header line is put first (and skipped, as uDSV skips a header by default).
 */
function udsvRows(text: string, delimiter: string, rowSeparator: string, columns: number): string[][] {
  const header = Array.from({ length: columns }, (_, i) => `h${i}`).join(delimiter) + rowSeparator;
  const schema = inferSchema(header + text, { col: delimiter, row: rowSeparator, encl: '"' });
  return initParser(schema).stringArrs(header + text);
}

const fieldText = fc
  .array(fc.constantFrom('a', 'Z', '7', ' ', ',', ';', '\t', '"', '""', '\n', '\r\n', 'ł', 'Ż', '€', '.', '-'), { maxLength: 6 })
  .map((parts) => parts.join(''));

type CsvCase = {
  delimiter: Delimiter;
  rowSeparator: string;
  columns: number;
  trailingNewline: boolean;
  seed: [string, boolean][];
  rowCount: number;
};

const csvCase: fc.Arbitrary<CsvCase> = fc.record({
  delimiter: fc.constantFrom<Delimiter>(',', ';', '\t'),
  rowSeparator: fc.constantFrom('\n', '\r\n'),
  columns: fc.integer({ min: 2, max: 5 }),
  trailingNewline: fc.boolean(),
  seed: fc.array(fc.tuple(fieldText, fc.boolean()), { minLength: 2, maxLength: 40 }),
  rowCount: fc.integer({ min: 1, max: 8 }),
});

/** Builds a CSV text from the case: fields that need quotes get them, others at random. */
function buildCsv(c: CsvCase): { text: string; rows: string[][] } {
  const rows: string[][] = [];
  let k = 0;
  for (let r = 0; r < c.rowCount; r++) {
    const row: string[] = [];
    for (let col = 0; col < c.columns; col++) row.push((c.seed[k++ % c.seed.length] as [string, boolean])[0]);
    rows.push(row);
  }
  k = 0;
  const lines = rows.map((row) =>
    row
      .map((field) => {
        const quote = (c.seed[k++ % c.seed.length] as [string, boolean])[1];
        const needs = /[",;\t\r\n]/.test(field) || field.startsWith('"');
        return needs || quote ? `"${field.replaceAll('"', '""')}"` : field;
      })
      .join(c.delimiter),
  );
  return { text: lines.join(c.rowSeparator) + (c.trailingNewline ? c.rowSeparator : ''), rows };
}

describe('the byte tokenizer', () => {
  it('reads the same rows as uDSV from generated CSV (quotes, doubled quotes, delimiters and line breaks inside quotes, empty fields)', () => {
    fc.assert(
      fc.property(csvCase, (c) => {
        const { text, rows } = buildCsv(c);
        const expected = udsvRows(text, c.delimiter, c.rowSeparator, c.columns);
        expect(expected).toEqual(rows);
        expect(tokenize(text, c.delimiter)).toEqual(rows);
      }),
      { numRuns: 300 },
    );
  });

  it('reads the same rows through a small read buffer, carrying records cut by its end, with the records\' first line numbers', () => {
    fc.assert(
      fc.property(csvCase, fc.integer({ min: 1, max: 64 }), (c, bufferSize) => {
        const { text, rows } = buildCsv(c);
        const read = readRecords(text, c.delimiter, bufferSize);
        expect(read.rows).toEqual(rows);
        // A record starts on the line after the previous record's line breaks (those inside quotes too).
        let line = 1;
        rows.forEach((row, i) => {
          expect(read.lines[i]).toBe(line);
          line += 1 + row.reduce((n, field) => n + (field.match(/\n/g)?.length ?? 0), 0);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('keeps text after a closing quote and treats a quote inside an unquoted field as a character', () => {
    expect(tokenize('"ab"c;x"y"\n', ';')).toEqual([['abc', 'x"y"']]);
  });

  it('reports a quoted field left open at the end of the input', () => {
    const buf = Buffer.from('a;"open\nstill');
    const s = createRecordScanner(';');
    expect(scanRecord(s, buf, 0, buf.length, false)).toBe(-1);
    expect(scanRecord(s, buf, 0, buf.length, true)).toBe(buf.length);
    expect(s.unterminated).toBe(true);
    expect(s.newlines).toBe(1);
  });

  it('splits on runs of blanks in whitespace mode, ignoring leading and trailing blanks and CRLF', () => {
    const text = ' 00001  19970101 1   11.77\r\n\r\n   \r\n 00002 19970112  "two words"\t12.00 \r\n';
    expect(readRecords(text, 'whitespace', 8)).toEqual({
      rows: [
        ['00001', '19970101', '1', '11.77'],
        ['00002', '19970112', 'two words', '12.00'],
      ],
      lines: [1, 4],
    });
  });

  it('reads quoted fields in whitespace mode: blanks, doubled quotes, a line break, text after the quote', () => {
    const text = '  K1 "Hurt  Alfa" 12.50\r\n"K ""2""" "two\nlines"x  7\r\n"open ended';
    const rows = [['K1', 'Hurt  Alfa', '12.50'], ['K "2"', 'two\nlinesx', '7'], ['open ended']];
    expect(tokenize(text, 'whitespace')).toEqual(rows);
    expect(readRecords(text, 'whitespace', 8)).toEqual({ rows, lines: [1, 2, 4] });
  });

  it('skips wholly blank lines but keeps a line of empty fields', () => {
    expect(readRecords('a,b\n\n  \r\n,\nc,d', ',', 1024)).toEqual({ rows: [['a', 'b'], ['', ''], ['c', 'd']], lines: [1, 4, 5] });
  });
});
