/**
 * COPY FROM STDIN for the stores: the fastest way PostgreSQL takes many rows from a client. Rows in
 * the binary format are written and read by binary-copy.ts.
 */
import type { Writable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** Runs a COPY FROM STDIN of `chunks` of COPY data (text, or bytes of either format), waiting for the connection whenever it asks to. */
export async function copyRows(client: pg.ClientBase, statement: string, chunks: Iterable<string | Uint8Array>): Promise<void> {
  const stream: Writable = client.query(copyFrom(statement));
  await new Promise<void>((resolve, reject) => {
    stream.once('error', reject);
    stream.once('finish', resolve);
    const pump = (): void => {
      for (;;) {
        const next = iterator.next();
        if (next.done === true) {
          stream.end();
          return;
        }
        if (!stream.write(next.value)) {
          stream.once('drain', pump);
          return;
        }
      }
    };
    const iterator = chunks[Symbol.iterator]();
    pump();
  });
}

/** One value in COPY's text format: `\N` for null, with the backslash, tab and line breaks escaped. */
export function copyValue(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value !== 'string') return String(value);
  if (!/[\\\t\n\r]/.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}
