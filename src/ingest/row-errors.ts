/**
 * The bad lines of one file: the first 1,000 kept in line order with their line, column and value,
 * all of them counted. A reader that splits the file into chunks keeps one log per chunk, numbering
 * lines from the chunk's start, and merges them with each chunk's line offset once it knows it.
 */
import { KamertonError } from '../core/errors.ts';
import type { RowError } from './types.ts';

/** How many bad lines are kept with their details; the rest are only counted. */
export const KEPT_ROW_ERRORS = 1000;

/** More bad lines than this share of the data lines stops the run: the columns are probably mapped wrong. */
export const MAX_BAD_LINE_SHARE = 0.05;

/** `file: line 12, column "Data": message (value "31.04.2023")`, the way every bad line is named. */
export function describeRowError(file: string, error: RowError): string {
  const where = error.column === null ? `line ${error.line}` : `line ${error.line}, column "${error.column}"`;
  const value = error.value === null ? '' : ` (value "${error.value}")`;
  return `${file}: ${where}: ${error.message}${value}`;
}

export class RowErrorLog {
  readonly file: string;
  readonly strict: boolean;
  readonly #listener: ((error: RowError) => void) | undefined;
  #count = 0;
  #errors: RowError[] = [];

  /** `listener` hears of every bad line `add` records (an import stores them all). */
  constructor(file: string, strict: boolean, listener?: (error: RowError) => void) {
    this.file = file;
    this.strict = strict;
    this.#listener = listener;
  }

  /** Every bad line reported, kept or not. */
  get count(): number {
    return this.#count;
  }

  /** The first 1,000 bad lines in line order. */
  get errors(): RowError[] {
    return this.#errors;
  }

  /** Records a bad line; in strict mode, stops the run with it instead. */
  add(error: RowError): void {
    if (this.strict) throw this.#strictError(error);
    this.#count += 1;
    this.#keep(error);
    this.#listener?.(error);
  }

  /**
   * Takes in the bad lines of another log (a chunk's, or the count and kept errors a worker thread
   * posted), adding `lineOffset` to their line numbers. In strict mode the first of them stops the
   * run, named with its line in the whole file.
   */
  merge(other: { readonly count: number; readonly errors: readonly RowError[] }, lineOffset: number): void {
    if (other.count === 0) return;
    const shifted = other.errors.map((error) => ({ ...error, line: error.line + lineOffset }));
    if (this.strict) {
      throw this.#strictError(shifted[0]!);
    }
    this.#count += other.count;
    const merged: RowError[] = [];
    let a = 0;
    let b = 0;
    const mine = this.#errors;
    while (merged.length < KEPT_ROW_ERRORS && (a < mine.length || b < shifted.length)) {
      if (b >= shifted.length || (a < mine.length && mine[a]!.line <= shifted[b]!.line)) merged.push(mine[a++]!);
      else merged.push(shifted[b++]!);
    }
    this.#errors = merged;
  }

  /**
   * Stops the run when more than 5% of the `lines` data lines were bad: that many bad lines mean the
   * columns, the decimal separator or the date format were probably taken wrong, and an analysis of
   * the rest would mislead.
   */
  check(lines: number): void {
    if (lines <= 0 || this.#count <= lines * MAX_BAD_LINE_SHARE) return;
    const percent = ((this.#count / lines) * 100).toFixed(1);
    const first = this.#errors.slice(0, 3);
    const examples = first.map((error) => describeRowError(this.file, error).slice(this.file.length + 2)).join('; ');
    throw new KamertonError(
      'invalid-input',
      `${this.file}: ${this.#count} of ${lines} lines (${percent}%) could not be read, more than ` +
        `${MAX_BAD_LINE_SHARE * 100}%: the columns are probably mapped wrong (check the header names or --map, ` +
        `--decimal, --date-format, --delimiter). First errors: ${examples}`,
      { file: this.file, lines, rejectedLines: this.#count, errors: first },
    );
  }

  #keep(error: RowError): void {
    const errors = this.#errors;
    const last = errors[errors.length - 1];
    if (last === undefined || last.line <= error.line) {
      if (errors.length < KEPT_ROW_ERRORS) errors.push(error);
      return;
    }
    // Out of order (a reader may report a line's errors late): insert after every error of the same
    // line or an earlier one, and drop the last when over the limit.
    let lo = 0;
    let hi = errors.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (errors[mid]!.line <= error.line) lo = mid + 1;
      else hi = mid;
    }
    errors.splice(lo, 0, error);
    if (errors.length > KEPT_ROW_ERRORS) errors.pop();
  }

  #strictError(error: RowError): KamertonError {
    return new KamertonError('invalid-input', `${describeRowError(this.file, error)} (--strict stops at the first bad line)`, {
      file: this.file,
      line: error.line,
      column: error.column,
      value: error.value,
    });
  }
}
