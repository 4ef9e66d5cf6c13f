/**
 * Reading a sales ledger from an XLSX workbook with ExcelJS's streaming reader, row by row, so that
 * memory does not grow with the rows.
 *
 * Before anything is unzipped, the archive's central directory is read and checked: an XLSX file is a
 * ZIP archive, and a small one can claim gigabytes (a zip bomb). A file that is no ZIP archive, whose
 * entries together unzip to more than 1 GiB, whose entries overlap, or whose large entries compress
 * more than any spreadsheet does, is refused before ExcelJS sees it.
 *
 * The sheet is the first one (in the workbook's tab order), or `options.sheet`. The header is the
 * first non-empty row (row 1 in every ordinary export); line numbers are the sheet's row numbers.
 * Cells are read by their kind: a real date cell is a date whatever the format, a number in a money
 * column is an amount in złote, a number in a date column is an Excel serial (or `YYYYMMDD` when it
 * has eight digits), text goes through the same parsers as CSV text, and a formula counts by its
 * cached result. Rows without any value are skipped and not counted.
 */
import { createReadStream } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createInflateRaw, inflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { formatDay } from '../core/calendar.ts';
import { DailyLedgerBuilder } from '../core/daily-ledger.ts';
import { KamertonError } from '../core/errors.ts';
import { normaliseHeader, resolveColumns, type ResolvedColumns } from './columns.ts';
import { RowErrorLog } from './row-errors.ts';
import { DRAIN_EVERY_LINES, type DailyLedgerRead, type DateFormat, type DecimalSeparator, type LedgerLine, type LineHooks, type ReadInfo, type ReadOptions, type RowError } from './types.ts';
import { detectDecimal, excelSerialToDay, parseDateText, parseMoneyText, parseQuantityText } from './values.ts';

export type ZipLimits = {
  /** The most the entries may unzip to together, in bytes. */
  maxUncompressedBytes: number;
  /** The highest compression ratio (uncompressed / compressed) allowed for an entry at least `ratioFromBytes` large. */
  maxRatio: number;
  ratioFromBytes: number;
};

/**
 * Sheet XML compresses about 10 to 20 times (measured on ExcelJS and Excel output); deflate cannot
 * exceed about 1032 times, which is what zip bombs use. 250 leaves room for the most repetitive real
 * sheets and refuses the bombs; small entries may compress as they like, they cannot hurt.
 */
export const DEFAULT_ZIP_LIMITS: Readonly<ZipLimits> = Object.freeze({
  maxUncompressedBytes: 1024 ** 3,
  maxRatio: 250,
  ratioFromBytes: 1024 ** 2,
});

export type ZipSummary = { entries: number; compressedBytes: number; uncompressedBytes: number };

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_HEADER_SIGNATURE = 0x02014b50;
const MAX_EOCD_SEARCH = 22 + 0xffff;

function notXlsx(file: string, why: string): KamertonError {
  return new KamertonError('invalid-input', `${file}: not an XLSX workbook (${why}); save it from the spreadsheet as .xlsx or CSV`, { file });
}

/**
 * Reads the ZIP central directory of `file` and refuses it (KamertonError 'too-large') when it would
 * unzip to more than the limits allow, or ('invalid-input') when it is no ZIP archive.
 *
 * The sizes the directory declares are checked first (a single entry of zeros, many entries sharing
 * one compressed body); then every deflated entry is inflated once, its output counted and dropped, so
 * that an archive that lies about its sizes is caught too. That costs one pass of inflation, small
 * beside ExcelJS's parsing of the same XML.
 */
export async function checkXlsxArchive(file: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<ZipSummary> {
  return (await inspectArchive(file, limits)).summary;
}

type Archive = { summary: ZipSummary; members: ZipMember[] };

async function inspectArchive(file: string, limits: ZipLimits): Promise<Archive> {
  const handle = await open(file, 'r').catch((error: unknown) => {
    throw new KamertonError('invalid-input', `${file}: cannot open the file (${(error as Error).message})`, { file });
  });
  try {
    const { size } = await handle.stat();
    const read = async (position: number, length: number): Promise<Buffer> => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, position);
      return buffer.subarray(0, bytesRead);
    };
    const head = await read(0, Math.min(8, size));
    if (head.length >= 8 && head.readUInt32BE(0) === 0xd0cf11e0 && head.readUInt32BE(4) === 0xa1b11ae1) {
      throw notXlsx(file, 'it is an old binary .xls workbook');
    }
    if (size < 22) throw notXlsx(file, 'too short to be a ZIP archive');

    // The end-of-central-directory record sits at the end, followed only by a comment of up to 64 KiB.
    const tailStart = Math.max(0, size - MAX_EOCD_SEARCH);
    const tail = await read(tailStart, size - tailStart);
    let eocd = -1;
    for (let k = tail.length - 22; k >= 0; k--) {
      if (tail.readUInt32LE(k) === EOCD_SIGNATURE) {
        eocd = k;
        break;
      }
    }
    if (eocd < 0) throw notXlsx(file, 'it is no ZIP archive');
    let entries = tail.readUInt16LE(eocd + 10);
    let directorySize = tail.readUInt32LE(eocd + 12);
    let directoryOffset = tail.readUInt32LE(eocd + 16);
    if (entries === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
      // ZIP64: a locator just before the record points to the 64-bit end record.
      const locator = eocd - 20;
      if (locator < 0 || tail.readUInt32LE(locator) !== ZIP64_LOCATOR_SIGNATURE) throw notXlsx(file, 'a damaged ZIP64 directory');
      const record = await read(Number(tail.readBigUInt64LE(locator + 8)), 56);
      if (record.length < 56 || record.readUInt32LE(0) !== ZIP64_EOCD_SIGNATURE) throw notXlsx(file, 'a damaged ZIP64 directory');
      entries = Number(record.readBigUInt64LE(32));
      directorySize = Number(record.readBigUInt64LE(40));
      directoryOffset = Number(record.readBigUInt64LE(48));
    }
    if (directoryOffset + directorySize > size) throw notXlsx(file, 'its ZIP directory points past the end of the file');
    const directory = await read(directoryOffset, directorySize);

    let position = 0;
    let compressedBytes = 0;
    let uncompressedBytes = 0;
    const extents: { start: number; end: number }[] = [];
    const members: ZipMember[] = [];
    for (let n = 0; n < entries; n++) {
      if (position + 46 > directory.length || directory.readUInt32LE(position) !== CENTRAL_HEADER_SIGNATURE) {
        throw notXlsx(file, 'a damaged ZIP directory');
      }
      let compressed = directory.readUInt32LE(position + 20);
      let uncompressed = directory.readUInt32LE(position + 24);
      let localOffset = directory.readUInt32LE(position + 42);
      const nameLength = directory.readUInt16LE(position + 28);
      const extraLength = directory.readUInt16LE(position + 30);
      const commentLength = directory.readUInt16LE(position + 32);
      const name = directory.toString('utf8', position + 46, position + 46 + nameLength);
      if (compressed === 0xffffffff || uncompressed === 0xffffffff || localOffset === 0xffffffff) {
        // The ZIP64 extra field (id 1) holds the 64-bit values that overflowed, in this order:
        // uncompressed size, compressed size, local header offset.
        let extra = position + 46 + nameLength;
        const extraEnd = extra + extraLength;
        while (extra + 4 <= extraEnd) {
          const id = directory.readUInt16LE(extra);
          const length = directory.readUInt16LE(extra + 2);
          if (id === 1) {
            let field = extra + 4;
            if (uncompressed === 0xffffffff) {
              uncompressed = Number(directory.readBigUInt64LE(field));
              field += 8;
            }
            if (compressed === 0xffffffff) {
              compressed = Number(directory.readBigUInt64LE(field));
              field += 8;
            }
            if (localOffset === 0xffffffff) localOffset = Number(directory.readBigUInt64LE(field));
            break;
          }
          extra += 4 + length;
        }
      }
      // A local header is 30 bytes and the name, then the data: the least room an entry takes.
      extents.push({ start: localOffset, end: localOffset + 30 + nameLength + compressed });
      members.push({ name, method: directory.readUInt16LE(position + 10), localOffset, compressed, uncompressed });
      compressedBytes += compressed;
      uncompressedBytes += uncompressed;
      if (uncompressed >= limits.ratioFromBytes && uncompressed > limits.maxRatio * Math.max(compressed, 1)) {
        throw new KamertonError(
          'too-large',
          `${file}: refused: the entry ${name} would unzip ${Math.round(uncompressed / Math.max(compressed, 1))} times its ` +
            `compressed size, more than any spreadsheet (limit ${limits.maxRatio}); the file looks like a zip bomb`,
          { file, value: name },
        );
      }
      if (uncompressedBytes > limits.maxUncompressedBytes) {
        throw new KamertonError(
          'too-large',
          `${file}: refused: the workbook would unzip to more than ${formatBytes(limits.maxUncompressedBytes)}`,
          { file },
        );
      }
      position += 46 + nameLength + extraLength + commentLength;
    }
    // Entries sharing compressed bytes (the overlapping-entries bomb) would each unzip the same body.
    extents.sort((a, b) => a.start - b.start);
    for (let k = 0; k < extents.length; k++) {
      const next = extents[k + 1];
      if (extents[k]!.end > (next === undefined ? directoryOffset : next.start)) {
        throw new KamertonError('too-large', `${file}: refused: its ZIP entries overlap, as in a zip bomb`, { file });
      }
    }
    await checkLocalEntries(file, members, directoryOffset, read);
    for (const member of members) {
      if (member.method === 8 && !(await inflatesWithin(file, member))) {
        throw new KamertonError(
          'too-large',
          `${file}: refused: the entry ${member.name} unzips to more than the ${member.uncompressed} bytes it declares, as in a zip bomb`,
          { file, value: member.name },
        );
      }
    }
    return { summary: { entries, compressedBytes, uncompressedBytes }, members };
  } finally {
    await handle.close();
  }
}

type ZipMember = { name: string; method: number; localOffset: number; compressed: number; uncompressed: number; dataStart?: number };

/**
 * The streaming unzipper that ExcelJS uses reads the local headers one after the other and never the
 * central directory, so the directory's sizes only count if the local entries are the same ones: they
 * must follow each other from the start of the file to the directory with no gap (a data descriptor
 * aside), and agree with it on their sizes.
 */
async function checkLocalEntries(
  file: string,
  members: ZipMember[],
  directoryOffset: number,
  read: (position: number, length: number) => Promise<Buffer>,
): Promise<void> {
  const sorted = [...members].sort((a, b) => a.localOffset - b.localOffset);
  let expected = 0;
  for (let k = 0; k < sorted.length; k++) {
    const member = sorted[k]!;
    const damaged = (): KamertonError => notXlsx(file, `a damaged or altered ZIP entry ${member.name}`);
    if (member.method !== 0 && member.method !== 8) throw notXlsx(file, `the entry ${member.name} uses ZIP compression method ${member.method}`);
    if (member.method === 0 && member.compressed !== member.uncompressed) throw damaged();
    const header = await read(member.localOffset, 30);
    if (member.localOffset !== expected || header.length < 30 || header.readUInt32LE(0) !== 0x04034b50) throw damaged();
    const flags = header.readUInt16LE(6);
    const hasDescriptor = (flags & 8) !== 0;
    const localCompressed = header.readUInt32LE(18);
    if (!hasDescriptor && localCompressed !== 0xffffffff && localCompressed !== member.compressed) throw damaged();
    member.dataStart = member.localOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
    const dataEnd = member.dataStart + member.compressed;
    const next = sorted[k + 1]?.localOffset ?? directoryOffset;
    // A data descriptor takes 12 to 24 bytes after the data (signature and 64-bit sizes optional).
    const gap = next - dataEnd;
    if (hasDescriptor ? gap < 12 || gap > 24 : gap !== 0) throw damaged();
    expected = next;
  }
}

/** True when the deflated entry unzips to no more than it declares; counted while inflating, never held. */
async function inflatesWithin(file: string, member: ZipMember): Promise<boolean> {
  if (member.compressed === 0) return true;
  const start = member.dataStart as number;
  let total = 0;
  let exceeded = false;
  try {
    await pipeline(
      createReadStream(file, { start, end: start + member.compressed - 1 }),
      createInflateRaw(),
      async (chunks: AsyncIterable<Buffer>) => {
        for await (const chunk of chunks) {
          total += chunk.length;
          if (total > member.uncompressed) {
            // Throwing stops the reading and the inflating; the pipeline reports it as an abort.
            exceeded = true;
            throw new Error('inflates beyond its declared size');
          }
        }
      },
    );
    return true;
  } catch (error) {
    if (exceeded) return false;
    throw notXlsx(file, `the ZIP entry ${member.name} cannot be unzipped: ${(error as Error).message}`);
  }
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3 && bytes % 1024 ** 3 === 0) return `${bytes / 1024 ** 3} GiB`;
  if (bytes >= 1024 ** 2 && bytes % 1024 ** 2 === 0) return `${bytes / 1024 ** 2} MiB`;
  return `${bytes} bytes`;
}

type SheetEntry = { name: string; id: number; rId: string; state: string };

/** The text of a small archive member (its size is already checked against the limits). */
async function readMember(file: string, member: ZipMember): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const data = Buffer.alloc(member.compressed);
    await handle.read(data, 0, member.compressed, member.dataStart as number);
    const bytes = member.method === 8 ? inflateRawSync(data, { maxOutputLength: Math.max(member.uncompressed, 1) }) : data;
    return bytes.toString('utf8');
  } finally {
    await handle.close();
  }
}

function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[entity] as string;
  });
}

function xmlAttribute(attributes: string, name: string): string | null {
  const match = new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(attributes);
  return match ? decodeXml(match[1] ?? match[2] ?? '') : null;
}

/**
 * The worksheets in the workbook's tab order, read from xl/workbook.xml before ExcelJS starts. The
 * streaming reader learns the names only when it meets that part, which some writers (ExcelJS itself)
 * put after the sheets; knowing them first lets a wrong `--sheet` fail at once, with the list.
 */
async function readSheetList(file: string, members: ZipMember[]): Promise<SheetEntry[]> {
  const part = members.find((member) => member.name === 'xl/workbook.xml');
  if (part === undefined) throw notXlsx(file, 'it has no xl/workbook.xml part');
  const xml = await readMember(file, part);
  const sheets: SheetEntry[] = [];
  for (const match of xml.matchAll(/<(?:[A-Za-z_][\w.-]*:)?sheet\s([^>]*?)\/?>/g)) {
    const attributes = match[1] ?? '';
    const name = xmlAttribute(attributes, 'name');
    if (name === null) continue;
    sheets.push({
      name,
      id: Number(xmlAttribute(attributes, 'sheetId') ?? sheets.length + 1),
      rId: xmlAttribute(attributes, 'r:id') ?? '',
      state: xmlAttribute(attributes, 'state') ?? 'visible',
    });
  }
  return sheets;
}

/** A cell's value as ExcelJS gives it. */
type CellValue = ExcelJS.CellValue;
/** What a cell holds once formulas give their cached result and rich text its plain text. */
type Plain = string | number | boolean | Date | { error: string } | null;

const MS_PER_DAY = 86_400_000;
/** Excel serial of 1970-01-01 (day number 0) in the 1900 date system. */
const SERIAL_OF_UNIX_EPOCH = 25569;

function plainValue(value: CellValue | undefined): Plain {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value instanceof Date) return value;
  if ('result' in value) return plainValue(value.result as CellValue);
  if ('formula' in value || 'sharedFormula' in value) return null;
  if ('richText' in value) return value.richText.map((run) => run.text).join('');
  if ('error' in value) return { error: String(value.error) };
  if ('text' in value) return plainValue(value.text as CellValue);
  return null;
}

/** The day number of a date cell: ExcelJS builds the Date from the serial, so its UTC date is the cell's date. */
function dayOfDateCell(date: Date): number {
  // Going back through the serial keeps Excel's fictitious 1900-02-29 out, as for numeric serials.
  return excelSerialToDay(Math.floor(date.getTime() / MS_PER_DAY) + SERIAL_OF_UNIX_EPOCH);
}

function textOf(value: Plain): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) {
    const day = dayOfDateCell(value);
    return Number.isNaN(day) ? value.toISOString() : formatDay(day);
  }
  return value.error;
}

function isEmpty(value: Plain): boolean {
  return value === null || (typeof value === 'string' && value.trim() === '');
}

/**
 * An amount in grosze from a numeric cell. The double is first rounded to the 15 significant digits
 * Excel itself shows and keeps, so that float noise (0.1 + 0.2 = 0.30000000000000004, or 1.005 stored
 * as 1.00499999999999989...) is read as the number the user sees; then the decimal digits are rounded
 * half away from zero exactly as in text.
 */
export function moneyFromNumber(value: number): number {
  if (!Number.isFinite(value)) return NaN;
  const text = value.toPrecision(15);
  // Exponent notation comes only below 1e-6 (less than a grosz) or from 1e15 (beyond 2^53 grosze).
  if (text.includes('e')) return Math.abs(value) < 1 ? 0 : NaN;
  return parseMoneyText(text, '.');
}

function moneyOf(value: Plain, decimal: DecimalSeparator): number {
  if (typeof value === 'number') return moneyFromNumber(value);
  if (typeof value === 'string') return parseMoneyText(value, decimal);
  return NaN;
}

function quantityOf(value: Plain, decimal: DecimalSeparator): number {
  if (typeof value === 'number') return Number.isFinite(value) ? Number(value.toPrecision(15)) : NaN;
  if (typeof value === 'string') return parseQuantityText(value, decimal);
  return NaN;
}

function dateOf(value: Plain, format: DateFormat | null): number {
  if (value instanceof Date) return dayOfDateCell(value);
  if (typeof value === 'string') return parseDateText(value, format);
  if (typeof value !== 'number') return NaN;
  // A number in a date column: an Excel serial (a date cell whose format is not a date format, or a
  // formula's result), or an ERP's YYYYMMDD stored as a number; the two ranges do not meet. The text
  // formats of --date-format say nothing about numbers, so only YYYYMMDD changes how they are read.
  const compact = Number.isInteger(value) && value >= 10_000_000 && value <= 99_999_999;
  if (format === 'YYYYMMDD' || (format === null && compact)) return compact ? parseDateText(String(value), 'YYYYMMDD') : NaN;
  return excelSerialToDay(Math.floor(value));
}

/** The values of one row by 0-based column, and its row number. */
type SheetRow = { line: number; cells: Plain[] };

type LineSink = {
  /** Which fields the reader needs checked: the rollup's only, or every mapped one. */
  full: boolean;
  accept(line: LedgerLine): void;
  hooks?: LineHooks;
};

/** How many data rows are looked at to detect the decimal separator of text amounts. */
const DECIMAL_SAMPLE_ROWS = 1000;
const PROGRESS_EVERY_ROWS = 5000;

/** What ExcelJS's worksheet reader has beyond its published type: its name and its input. */
type AbandonedStream = { destroy?: () => void; on?: (event: 'error', listener: () => void) => unknown; path?: unknown };

type WorksheetReaderWithName = ExcelJS.stream.xlsx.WorksheetReader & {
  name: string;
  iterator?: AbandonedStream;
};

/**
 * Closes a stream left unread. A file stream destroyed before it has opened its file still opens it,
 * and fails (ENOENT) when ExcelJS has deleted that temporary file meanwhile, as it does with a skipped
 * sheet's copy: with no listener, that error is thrown where nothing can catch it and ends the
 * process. The stream is discarded, so its errors are too.
 */
export function abandonStream(stream: AbandonedStream | undefined): void {
  stream?.on?.('error', () => {});
  stream?.destroy?.();
}

/**
 * Reads the rows of the chosen sheet as plain values, header first; `onRow` is awaited in order.
 * Returns nothing; throws KamertonError when the sheet is unknown.
 */
async function readSheetRows(
  path: string,
  options: ReadOptions,
  onRow: (row: SheetRow) => void,
  drain?: () => Promise<void> | undefined,
): Promise<void> {
  const { members } = await inspectArchive(path, DEFAULT_ZIP_LIMITS);
  const sheets = await readSheetList(path, members);
  const names = sheets.map((sheet) => sheet.name);
  let wanted: string;
  if (options.sheet !== undefined) {
    const target = normaliseHeader(options.sheet);
    const match = names.find((name) => normaliseHeader(name) === target);
    if (match === undefined) throw unknownSheet(path, options.sheet, names);
    wanted = match;
  } else {
    if (names.length === 0) throw new KamertonError('invalid-input', `${path}: the workbook has no worksheet`, { file: path });
    wanted = names[0]!;
  }
  const input = createReadStream(path);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    // Styles hold the number formats that tell a date cell from a number.
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  // ExcelJS names a worksheet from its workbook model, which it fills only on meeting xl/workbook.xml
  // (and fails on a sheet met before it when the shared strings came first). The same model, read
  // beforehand, is given to it; ExcelJS replaces it with its own reading of the same part.
  (reader as unknown as { model: { sheets: SheetEntry[] } }).model = { sheets };
  let found = false;
  try {
    // The loop runs to the end rather than breaking after the sheet: ExcelJS deletes the temporary
    // copy of a sheet (made when the shared strings come after it) only when its generator goes on.
    for await (const sheet of reader) {
      const worksheet = sheet as WorksheetReaderWithName;
      if (found || worksheet.name !== wanted) {
        // A skipped sheet's temporary file stream is closed unread; a zip entry stream is drained by ExcelJS.
        abandonStream(worksheet.iterator);
        continue;
      }
      found = true;
      try {
        for await (const row of worksheet) {
          const values = row.values as (CellValue | undefined)[];
          const cells: Plain[] = [];
          for (let c = 1; c < values.length; c++) cells.push(plainValue(values[c]));
          onRow({ line: row.number, cells });
          if (drain !== undefined && row.number % DRAIN_EVERY_LINES === 0) {
            const wait = drain();
            if (wait !== undefined) await wait;
          }
        }
      } catch (error) {
        // Stopping early (a --strict bad line) abandons ExcelJS's generator before it deletes the
        // sheet's temporary copy, so the copy is deleted here.
        const source = worksheet.iterator;
        abandonStream(source);
        if (typeof source?.path === 'string') await unlink(source.path).catch(() => undefined);
        throw error;
      }
    }
  } finally {
    input.destroy();
  }
  if (!found) {
    throw new KamertonError('invalid-input', `${path}: the sheet "${wanted}" has no worksheet data (a chart sheet?)`, { file: path, value: wanted });
  }
}

function unknownSheet(file: string, sheet: string, names: string[]): KamertonError {
  return new KamertonError(
    'invalid-input',
    `${file}: no sheet named "${sheet}"; the workbook has ${names.map((name) => `"${name}"`).join(', ') || 'no sheets'}`,
    { file, value: sheet },
  );
}

/** Reads the ledger rows of a workbook, checks them and passes the good ones on; the bad ones go to the log. */
async function readXlsx(path: string, options: ReadOptions, sink: LineSink): Promise<ReadInfo> {
  const log = new RowErrorLog(path, options.strict ?? false, sink.hooks?.rejected);
  const useHeader = options.header !== false;
  let layout: ResolvedColumns | null = null;
  let decimal: DecimalSeparator | null = options.decimal ?? null;
  const pending: SheetRow[] = [];
  let lines = 0;
  let rows = 0;
  let checker: ((row: SheetRow) => void) | null = null;

  const startChecking = (): void => {
    if (layout === null) return;
    if (decimal === null) decimal = detectXlsxDecimal(path, layout, pending);
    checker = createRowChecker(layout, decimal, options.dateFormat ?? null, log, sink);
    for (const row of pending) checker(row);
    pending.length = 0;
  };

  await readSheetRows(path, options, (row) => {
    rows += 1;
    if (options.onProgress && rows % PROGRESS_EVERY_ROWS === 0) options.onProgress(rows, null);
    if (row.cells.every(isEmpty)) return;
    if (layout === null) {
      const headers = useHeader ? row.cells.map(textOf) : null;
      layout = resolveColumns(headers, row.cells.length, options.map, path);
      if (useHeader) return;
    }
    lines += 1;
    if (checker !== null) {
      checker(row);
      return;
    }
    pending.push(row);
    if (pending.length >= DECIMAL_SAMPLE_ROWS) startChecking();
  }, sink.hooks?.drain);
  if (layout === null) {
    // An empty sheet still has to name its columns, so that a wrong file says what it lacks.
    layout = resolveColumns(useHeader ? [] : null, 0, options.map, path);
  }
  if (checker === null) startChecking();
  options.onProgress?.(rows, rows);
  log.check(lines);
  const resolved = layout as ResolvedColumns;
  return {
    file: path,
    format: 'xlsx',
    delimiter: null,
    encoding: null,
    decimal: decimal ?? '.',
    columns: resolved.columns,
    lines,
    rejectedLines: log.count,
    errors: log.errors,
  };
}

/** The decimal separator of text amounts in the first rows; a point when every amount is a number cell. */
function detectXlsxDecimal(path: string, layout: ResolvedColumns, rows: SheetRow[]): DecimalSeparator {
  const samples: string[] = [];
  for (const field of ['revenue', 'cost', 'margin'] as const) {
    const c = layout.index[field];
    if (c === undefined) continue;
    for (const row of rows) {
      const value = row.cells[c];
      if (typeof value === 'string' && value.trim() !== '') samples.push(value);
    }
  }
  const detected = detectDecimal(samples);
  if (detected === 'ambiguous') {
    throw new KamertonError(
      'invalid-input',
      `${path}: cannot tell whether the amounts written as text use a decimal comma or point (e.g. "1,234"); ` +
        'give --decimal , or --decimal .',
      { file: path },
    );
  }
  return detected;
}

function createRowChecker(
  layout: ResolvedColumns,
  decimal: DecimalSeparator,
  dateFormat: DateFormat | null,
  log: RowErrorLog,
  sink: LineSink,
): (row: SheetRow) => void {
  const index = layout.index;
  const dateMessage = dateFormat === null
    ? 'not a valid date (YYYY-MM-DD, DD.MM.YYYY, DD/MM/YYYY, YYYYMMDD, an Excel serial number or a date cell)'
    : `not a valid date in the format ${dateFormat}`;
  const amountMessage = `not a readable amount (decimal separator "${decimal}")`;
  const hasCost = index.cost !== undefined;
  const hasMargin = hasCost || index.margin !== undefined;
  const label = (c: number): string => layout.labels[c] ?? `column ${c + 1}`;
  const cell = (row: SheetRow, c: number | undefined): Plain => (c === undefined ? null : row.cells[c] ?? null);

  return (row) => {
    const reject = (c: number, message: string): void => {
      const error: RowError = { line: row.line, column: label(c), value: textOf(cell(row, c)), message };
      log.add(error);
    };
    const dateCol = index.date as number;
    const dateCell = cell(row, dateCol);
    const day = dateOf(dateCell, dateFormat);
    if (Number.isNaN(day)) return reject(dateCol, isEmpty(dateCell) ? 'empty date' : dateMessage);

    const clientCol = index.client as number;
    const client = textOf(cell(row, clientCol)).trim();
    if (client === '') return reject(clientCol, 'empty client');

    const revenueCol = index.revenue as number;
    const revenueCell = cell(row, revenueCol);
    const revenue = moneyOf(revenueCell, decimal);
    if (Number.isNaN(revenue)) return reject(revenueCol, isEmpty(revenueCell) ? 'empty revenue' : amountMessage);

    // An empty cost cell is zero cost: ERPs leave it empty for services (decisions.md).
    let cost = 0;
    if (index.cost !== undefined && !isEmpty(cell(row, index.cost))) {
      cost = moneyOf(cell(row, index.cost), decimal);
      if (Number.isNaN(cost)) return reject(index.cost, amountMessage);
    }
    // The margin column, when filled, is the ERP's own margin; otherwise revenue less cost.
    let margin = revenue - cost;
    if (index.margin !== undefined && !isEmpty(cell(row, index.margin))) {
      margin = moneyOf(cell(row, index.margin), decimal);
      if (Number.isNaN(margin)) return reject(index.margin, amountMessage);
    }
    if (!Number.isSafeInteger(margin)) return reject(index.cost as number, amountMessage);
    const nameText = index.clientName === undefined ? '' : textOf(cell(row, index.clientName)).trim();
    const clientName = nameText === '' ? null : nameText;

    let quantity: number | null = null;
    let dueDate: number | null = null;
    let paidDate: number | null = null;
    if (sink.full) {
      if (index.quantity !== undefined && !isEmpty(cell(row, index.quantity))) {
        quantity = quantityOf(cell(row, index.quantity), decimal);
        if (Number.isNaN(quantity)) return reject(index.quantity, `not a readable quantity (decimal separator "${decimal}")`);
      }
      for (const field of ['dueDate', 'paidDate'] as const) {
        const c = index[field];
        if (c === undefined || isEmpty(cell(row, c))) continue;
        const value = dateOf(cell(row, c), dateFormat);
        if (Number.isNaN(value)) return reject(c, dateMessage);
        if (field === 'dueDate') dueDate = value;
        else paidDate = value;
      }
    }
    const optionalText = (c: number | undefined): string | null => {
      if (c === undefined) return null;
      const text = textOf(cell(row, c)).trim();
      return text === '' ? null : text;
    };
    sink.accept({
      line: row.line,
      date: day,
      client,
      clientName,
      revenue,
      cost: hasCost ? cost : null,
      margin: hasMargin ? margin : null,
      quantity,
      product: sink.full ? optionalText(index.product) : null,
      group: sink.full ? optionalText(index.group) : null,
      document: sink.full ? optionalText(index.document) : null,
      documentLine: sink.full ? optionalText(index.line) : null,
      dueDate,
      paidDate,
    });
  };
}

/**
 * Reads a workbook into the per-client, per-day rollup. Checks the fields the rollup uses (date,
 * client, revenue, cost, margin); bad lines are reported in the result (or, with `strict`, stop the run).
 */
export async function readXlsxDailyLedger(path: string, options: ReadOptions): Promise<DailyLedgerRead> {
  let builder: DailyLedgerBuilder | null = null;
  const info = await readXlsx(path, options, {
    full: false,
    accept(line) {
      builder ??= new DailyLedgerBuilder(line.margin !== null);
      builder.add(line.client, line.clientName, line.date, line.revenue, line.margin ?? 0);
    },
  });
  const hasMargin = info.columns.cost !== undefined || info.columns.margin !== undefined;
  return { ...info, ledger: (builder ?? new DailyLedgerBuilder(hasMargin)).build() };
}

/** Reads every good line of a workbook, checking every mapped field, and passes each to `onLine` in row order. */
export async function readXlsxLines(
  path: string,
  options: ReadOptions,
  onLine: (line: LedgerLine) => void,
  hooks: LineHooks = {},
): Promise<ReadInfo> {
  return readXlsx(path, options, { full: true, accept: onLine, hooks });
}

/** The start of a workbook's sheet as the import preview shows it (`readXlsxHead`). */
export type XlsxHead = {
  /** Every worksheet's name, in tab order. */
  sheets: string[];
  /** The sheet read. */
  sheet: string;
  /** The first non-empty rows (the header among them when the sheet has one), each cell as text. */
  rows: { line: number; cells: string[] }[];
  /**
   * Checks the rows as the import would with `options` (their first one taken as the header unless
   * `options.header` is false): the good lines and the bad ones. Throws as the reader does when the
   * columns cannot be resolved or the decimal separator cannot be told.
   */
  check(options: ReadOptions): { decimal: DecimalSeparator; lines: LedgerLine[]; errors: RowError[] };
};

/** Thrown by the preview's row callback to stop reading once it has its rows. */
class EnoughRows extends Error {}

/**
 * The sheet list and the first `rowCount` non-empty rows of the sheet `options.sheet` (else the first),
 * for the import preview. Reading stops there, so a large workbook is not unzipped whole; the archive
 * is checked against the same limits as for a full read.
 */
export async function readXlsxHead(path: string, options: ReadOptions, rowCount: number): Promise<XlsxHead> {
  const { members } = await inspectArchive(path, DEFAULT_ZIP_LIMITS);
  const sheets = (await readSheetList(path, members)).map((entry) => entry.name);
  const target = options.sheet === undefined ? null : normaliseHeader(options.sheet);
  const sheet = target === null ? sheets[0] : sheets.find((name) => normaliseHeader(name) === target);
  if (sheet === undefined) {
    if (options.sheet !== undefined) throw unknownSheet(path, options.sheet, sheets);
    throw new KamertonError('invalid-input', `${path}: the workbook has no worksheet`, { file: path });
  }
  const plain: SheetRow[] = [];
  try {
    await readSheetRows(path, { ...options, sheet }, (row) => {
      if (row.cells.every(isEmpty)) return;
      plain.push(row);
      if (plain.length >= rowCount) throw new EnoughRows();
    });
  } catch (error) {
    if (!(error instanceof EnoughRows)) throw error;
  }
  return {
    sheets,
    sheet,
    rows: plain.map((row) => ({ line: row.line, cells: row.cells.map(textOf) })),
    check(checkOptions) {
      const useHeader = checkOptions.header !== false;
      const first = plain[0];
      const headers = useHeader ? (first?.cells.map(textOf) ?? []) : null;
      const data = useHeader ? plain.slice(1) : plain;
      const layout = resolveColumns(headers, first?.cells.length ?? 0, checkOptions.map, path);
      const decimal = checkOptions.decimal ?? detectXlsxDecimal(path, layout, data);
      const log = new RowErrorLog(path, false);
      const lines: LedgerLine[] = [];
      const checkRow = createRowChecker(layout, decimal, checkOptions.dateFormat ?? null, log, { full: true, accept: (line) => lines.push(line) });
      for (const row of data) checkRow(row);
      return { decimal, lines, errors: log.errors };
    },
  };
}
