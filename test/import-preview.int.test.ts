/**
 * The import preview and the per-source memory of reading options over HTTP: detection of a Polish
 * CSV (delimiter, encoding, header, decimal comma, DD.MM.YYYY), a bad row named by its line before the
 * import, a slice of a large file cut at its last complete line, a workbook's sheets, and a mapping
 * corrected once being applied to the next file of the same source.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../src/api/app.ts';
import { SESSION_COOKIE } from '../src/api/plugins/auth.plugin.ts';
import { createSession } from '../src/app/sessions.ts';
import { toUserView } from '../src/app/users.ts';
import { loadConfig } from '../src/config.ts';
import { users, type Role } from '../src/db/schema/index.ts';
import { describeDatabases } from './database.ts';

type Signed = { token: string; csrf: string; id: string };

const HEADER = 'Nr dokumentu;Lp;Data sprzedaży;Kod kontrahenta;Nazwa kontrahenta;Wartość netto;Koszt zakupu';

function ledger(bad = true): string {
  const lines = [HEADER];
  for (let m = 1; m <= 6; m++) {
    const mm = String(m).padStart(2, '0');
    lines.push(`FV/2025/${mm}/1;1;05.${mm}.2025;K1;Alfa;1 000,50;600,00`);
    lines.push(`FV/2025/${mm}/2;1;10.${mm}.2025;K2;Beta;300,00;200,00`);
  }
  if (bad) lines.splice(4, 0, 'FV/2025/99;1;31.02.2025;K3;Gamma;50,00;30,00');
  return `${lines.join('\r\n')}\r\n`;
}

function multipart(fields: Record<string, string>, file: { name: string; content: Buffer }): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----kamerton-preview-boundary';
  const parts: Buffer[] = Object.entries(fields).map(([name, value]) =>
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`));
  parts.push(file.content, Buffer.from(`\r\n--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describeDatabases('the import preview', (get) => {
  let app: FastifyInstance;
  const signed = {} as Record<Role, Signed>;
  const dir = mkdtempSync(join(tmpdir(), 'kamerton-preview-'));

  beforeAll(async () => {
    const database = get();
    app = await buildApp({ database, config: await loadConfig({}) });
    await app.ready();
    for (const role of ['admin', 'director', 'kam'] as const) {
      const [row] = await database.db.insert(users).values({ email: `${role}@example.com`, name: role, role, passwordHash: 'unused' }).returning();
      if (row === undefined) throw new Error('no user');
      const { token, session } = await createSession(database.db, toUserView(row), { hours: 1 });
      signed[role] = { token, csrf: session.csrfToken, id: row.id };
    }
  });

  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function call(who: Signed, method: 'GET' | 'POST', url: string, body?: { payload: Buffer; headers: Record<string, string> }) {
    return app.inject({
      method,
      url: `/api/v1${url}`,
      cookies: { [SESSION_COOKIE]: who.token },
      headers: { 'x-csrf-token': who.csrf, ...body?.headers },
      ...(body === undefined ? {} : { payload: body.payload }),
    });
  }

  function preview(content: string | Buffer, fields: Record<string, string> = {}, name = 'sprzedaz.csv', who = signed.director) {
    return call(who, 'POST', '/imports/preview', multipart(fields, { name, content: typeof content === 'string' ? Buffer.from(content) : content }));
  }

  async function imported(content: string, fields: Record<string, string>) {
    const started = await call(signed.director, 'POST', '/imports', multipart(fields, { name: 'sprzedaz.csv', content: Buffer.from(content) }));
    expect(started.statusCode, started.body).toBe(202);
    for (let i = 0; i < 200; i++) {
      const job = (await call(signed.director, 'GET', `/imports/jobs/${started.json().id}`)).json();
      if (job.state !== 'running') return job;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('the import job did not finish');
  }

  it('detects a Polish CSV, maps its columns and reports a bad row by its line before importing', async () => {
    const response = await preview(ledger(), { source: 'erp' });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      format: 'csv',
      partial: false,
      detected: { delimiter: ';', encoding: 'utf-8', header: true, decimal: ',', dateFormat: 'DD.MM.YYYY', sheets: null },
      missing: [],
      remembered: null,
    });
    expect(body.columns.map((c: { header: string }) => c.header)).toEqual(HEADER.split(';'));
    expect(body.mapping).toMatchObject({ document: 1, line: 2, date: 3, client: 4, clientName: 5, revenue: 6, cost: 7, margin: null, product: null });
    expect(body.rows).toHaveLength(10);
    expect(body.rows[0]).toMatchObject({
      line: 2,
      cells: ['FV/2025/01/1', '1', '05.01.2025', 'K1', 'Alfa', '1 000,50', '600,00'],
      values: { date: '2025-01-05', client: 'K1', revenue: 1000.5, cost: 600, margin: 400.5, document: 'FV/2025/01/1', line: '1' },
      error: null,
    });
    expect(body.rows[3]).toMatchObject({
      line: 5,
      values: null,
      error: { line: 5, column: 'Data sprzedaży', value: '31.02.2025', message: expect.stringContaining('not a valid date') },
    });
    // The options hand the import an explicit mapping by header text, and nothing is remembered yet.
    expect(body.options.map).toMatchObject({ date: 'Data sprzedaży', client: 'Kod kontrahenta', margin: null });
    expect((await call(signed.director, 'GET', '/imports/sources/erp')).statusCode).toBe(404);
  });

  it('reads a slice of a large file up to its last complete line', async () => {
    const text = ledger(false);
    const slice = text.slice(0, text.indexOf('\r\n', 200) + 5);
    const body = (await preview(slice, { partial: 'true' })).json();
    expect(body.partial).toBe(true);
    const lines = slice.split('\r\n').length - 2;
    expect(body.rows).toHaveLength(lines);
    expect(body.rows.every((row: { error: unknown }) => row.error === null)).toBe(true);
  });

  it('reports the required fields without a column, and reads a file without a header by column numbers', async () => {
    const noHeader = ledger(false).split('\r\n').slice(1).join('\r\n');
    const guessed = (await preview(noHeader)).json();
    expect(guessed.detected.header).toBe(false);
    expect(guessed.missing).toEqual(['date', 'client', 'revenue']);
    expect(guessed.rows[0].values).toBeNull();
    expect(guessed.problems[0]).toMatchObject({ field: 'date' });
    const mapped = (await preview(noHeader, { options: JSON.stringify({ map: { date: 3, client: 4, revenue: 6 } }) })).json();
    expect(mapped.missing).toEqual([]);
    expect(mapped.rows[0]).toMatchObject({ line: 1, values: { date: '2025-01-05', client: 'K1', revenue: 1000.5 } });
    expect(mapped.options.map).toMatchObject({ date: 3, client: 4, revenue: 6, cost: null });
  });

  it('remembers a corrected mapping for the source and applies it to its next file', async () => {
    // An export whose client column has a name no synonym knows, and whose cost column should be ignored.
    const odd = ledger(false).replace('Kod kontrahenta', 'Płatnik');
    const first = (await preview(odd, { source: 'subiekt' })).json();
    expect(first.missing).toEqual(['client']);
    const corrected = (await preview(odd, { source: 'subiekt', options: JSON.stringify({ map: { client: 'Płatnik', cost: null } }) })).json();
    expect(corrected.missing).toEqual([]);
    expect(corrected.mapping).toMatchObject({ client: 4, cost: null });

    const job = await imported(odd, { source: 'subiekt', options: JSON.stringify(corrected.options) });
    expect(job.error).toBeNull();
    expect(job.record).toMatchObject({ accepted: 12, rejected: 0 });

    const memory = await call(signed.admin, 'GET', '/imports/sources/subiekt');
    expect(memory.statusCode, memory.body).toBe(200);
    expect(memory.json()).toMatchObject({ source: 'subiekt', importId: job.record.id, userId: signed.director.id, options: { map: { client: 'Płatnik', cost: null } } });

    // The next file of that source, without any options: the remembered mapping is applied.
    const next = (await preview(odd, { source: 'subiekt' })).json();
    expect(next.remembered).toMatchObject({ importId: job.record.id });
    expect(next.missing).toEqual([]);
    expect(next.mapping).toMatchObject({ client: 4, cost: null });
    expect(next.rows[0].values).toMatchObject({ client: 'K1' });
    expect(next.rows[0].values.cost).toBeUndefined();

    // Another source remembers nothing of it; a remembered column missing from a file is dropped with a word.
    expect((await preview(odd, { source: 'other' })).json().missing).toEqual(['client']);
    const moved = (await preview(ledger(false), { source: 'subiekt' })).json();
    expect(moved.mapping.client).toBe(4);
    expect(moved.problems).toEqual([expect.objectContaining({ field: 'client', message: expect.stringContaining('remembered column "Płatnik"') })]);
  });

  it('previews a workbook: its sheets, the chosen one, the rows as read', async () => {
    const book = new ExcelJS.Workbook();
    book.addWorksheet('Notes').addRow(['nothing here']);
    const sheet = book.addWorksheet('Sprzedaż');
    sheet.addRow(['Data', 'Kontrahent', 'Wartość netto']);
    sheet.addRow([new Date(Date.UTC(2025, 0, 5)), 'K1', 1000.5]);
    sheet.addRow(['nie data', 'K2', 10]);
    for (let i = 0; i < 20; i++) sheet.addRow([new Date(Date.UTC(2025, 1, 1 + i)), 'K3', 5]);
    const path = join(dir, 'book.xlsx');
    await book.xlsx.writeFile(path);
    const content = readFileSync(path);

    const first = (await preview(content, {}, 'book.xlsx')).json();
    expect(first.detected).toMatchObject({ sheets: ['Notes', 'Sprzedaż'], sheet: 'Notes', delimiter: null });
    expect(first.missing).toEqual(['date', 'client', 'revenue']);

    const response = await preview(content, { options: JSON.stringify({ sheet: 'Sprzedaż' }) }, 'book.xlsx');
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ format: 'xlsx', detected: { sheet: 'Sprzedaż', header: true }, missing: [] });
    expect(body.rows).toHaveLength(10);
    expect(body.rows[0]).toMatchObject({ line: 2, cells: ['2025-01-05', 'K1', '1000.5'], values: { date: '2025-01-05', client: 'K1', revenue: 1000.5 } });
    expect(body.rows[1]).toMatchObject({ line: 3, values: null, error: { line: 3, column: 'Data', value: 'nie data' } });

    const unknown = await preview(content, { options: JSON.stringify({ sheet: 'Brak' }) }, 'book.xlsx');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ code: 'invalid-input', details: { field: 'sheet' } });
  });

  it('names a failed import by the uploaded file, never by its temporary path, and remembers nothing of it', async () => {
    const bad = ledger(false).replace('05.03.2025', '35.03.2025');
    const job = await imported(bad, { source: 'failing', options: JSON.stringify({ map: { cost: null } }) });
    expect(job.state).toBe('failed');
    expect(job.error.message).toContain('sprzedaz.csv: ');
    expect(job.error.message).not.toContain('kamerton-uploads');
    expect(job.error.details.file).toBe('sprzedaz.csv');
    expect((await call(signed.director, 'GET', '/imports/sources/failing')).statusCode).toBe(404);
  });

  it('turns away a key account manager, a bad options field and an empty file', async () => {
    expect((await preview(ledger(), {}, 'sprzedaz.csv', signed.kam)).statusCode).toBe(403);
    expect((await call(signed.kam, 'GET', '/imports/sources/erp')).statusCode).toBe(403);
    const bad = await preview(ledger(), { options: '{"decimal": ";"}' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details.field).toBe('decimal');
    const empty = await preview('\r\n\r\n');
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toMatchObject({ code: 'invalid-input', details: { field: 'file' } });
    expect((await call(signed.director, 'GET', '/imports/sources/Not%20a%20source')).statusCode).toBe(400);
  });
});
