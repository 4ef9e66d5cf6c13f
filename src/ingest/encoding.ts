/**
 * Text encodings of ledger files. ERP exports in Poland come as UTF-8 (with or without a byte-order
 * mark) or as Windows-1250. Both keep ASCII as it is, so the tokenizer and the number and date parsers
 * work on the raw bytes of either; only the strings a person reads (client codes, names, headers, the
 * values quoted in error messages) are decoded.
 */
import { isUtf8 } from 'node:buffer';
import type { Encoding } from './types.ts';

const LF = 0x0a;

/** Bytes of a UTF-8 byte-order mark at the start of `head`, else 0. */
export function utf8BomLength(head: Uint8Array): number {
  return head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
}

/**
 * The encoding of a file from its first bytes: a UTF-8 BOM means UTF-8; otherwise UTF-8 when the bytes
 * are valid UTF-8, else Windows-1250 (decisions.md). When `head` is only the start of the file, it is
 * judged up to its last ASCII byte, since a multi-byte character cut by the end of the sample would
 * otherwise look invalid.
 */
export function detectEncoding(head: Uint8Array, wholeFile: boolean): Encoding {
  if (utf8BomLength(head) > 0) return 'utf-8';
  let end = head.length;
  if (!wholeFile) {
    while (end > 0 && (head[end - 1] as number) >= 0x80) end--;
  }
  return isUtf8(head.subarray(0, end)) ? 'utf-8' : 'windows-1250';
}

/** A function turning a byte range into a string in the given encoding. */
export type TextDecodeFn = (buf: Uint8Array, start: number, end: number) => string;

export function createTextDecoder(encoding: Encoding): TextDecodeFn {
  if (encoding === 'utf-8') {
    // Buffer's own UTF-8 slice is much faster than TextDecoder for the short strings decoded here.
    return (buf, start, end) => Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8');
  }
  const decoder = new TextDecoder('windows-1250');
  return (buf, start, end) => decoder.decode(buf.subarray(start, end));
}

/** Whether `buf[start, end)` is valid UTF-8. */
export function isUtf8Range(buf: Uint8Array, start: number, end: number): boolean {
  return isUtf8(buf.subarray(start, end));
}

/**
 * The byte position of the start of the first line in `buf[start, end)` that is not valid UTF-8, or -1.
 * `start` must be at the start of a line. Used only once a whole block has failed the check, to name
 * the line in the error.
 */
export function findInvalidUtf8Line(buf: Uint8Array, start: number, end: number): number {
  let lineStart = start;
  while (lineStart < end) {
    let lineEnd = buf.indexOf(LF, lineStart);
    lineEnd = lineEnd < 0 || lineEnd >= end ? end : lineEnd + 1;
    if (!isUtf8(buf.subarray(lineStart, lineEnd))) return lineStart;
    lineStart = lineEnd;
  }
  return -1;
}
