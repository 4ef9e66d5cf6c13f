/**
 * The ledger import on a real database: what a first import stores, that importing a file again
 * changes nothing, that a corrected export replaces exactly the documents it holds (and a line deleted
 * in the ERP disappears), that the rollup always equals the rollup of the stored lines, and that a
 * failure half-way leaves the database as it was.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';
import { createRandom, generateLedger } from '../bench/generate-ledger.ts';
import type { Actor } from '../src/app/actor.ts';
import { SYSTEM_ACTOR } from '../src/app/actor.ts';
import { importLedger, type ImportRecord } from '../src/app/import-ledger.ts';
import type { Database } from '../src/db/client.ts';
import { describeDatabases } from './database.ts';
import { rejection } from './fixtures/errors.ts';
import { windows1250 } from './fixtures/windows-1250.ts';

const dir = mkdtempSync(join(tmpdir(), 'kamerton-import-'));
const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

function ledgerFile(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const HEADER = 'Nr dokumentu;Lp;Data sprzedaży;Kod kontrahenta;Nazwa kontrahenta;Indeks;Grupa towarowa;Ilość;Wartość netto;Koszt zakupu;Termin płatności;Data zapłaty';

/** Three invoices of two clients. */
const JANUARY = [
  HEADER,
  'FV/1;1;03.01.2025;K001;Alfa sp. z o.o.;P-1;Opakowania;10;100,00;60,00;17.01.2025;16.01.2025',
  'FV/1;2;03.01.2025;K001;Alfa sp. z o.o.;P-2;Chemia;1;50,50;20,00;17.01.2025;16.01.2025',
  'FV/2;1;10.01.2025;K002;Beta S.A.;P-1;Opakowania;5;50,00;30,00;24.01.2025;',
  'FV/3;1;20.01.2025;K001;Alfa sp. z o.o.;P-3;BHP;2;80,00;50,00;03.02.2025;10.02.2025',
];

type Snapshot = { lines: string[]; days: string[] };

/** The stored ledger of every source, in a stable order: the rows' values without the import that wrote them. */
async function snapshot(database: Database): Promise<Snapshot> {
  const lines = await database.pool.query<{ row: string }>(
    `select concat_ws('|', source, client_code, sale_date, document, document_line, product, product_group, quantity,
                      revenue, cost, margin, due_date, paid_date) as row from ledger_lines order by 1`,
  );
  const days = await database.pool.query<{ row: string }>(
    `select concat_ws('|', c.code, d.day, d.revenue, d.margin, d.margin_lines, d.lines, d.purchase_lines) as row
       from ledger_days d join account_codes c on c.account_id = d.account_id order by 1`,
  );
  return { lines: lines.rows.map((r) => r.row), days: days.rows.map((r) => r.row) };
}

/**
 * The packed rollup's rows that differ from the days packed again: none when every import kept
 * `ledger_packs` with `ledger_days`, as src/db/schema/ledger.ts defines it.
 */
async function stalePacks(database: Database): Promise<string[]> {
  const { rows } = await database.pool.query<{ account_id: string }>(
    `select coalesce(p.account_id, d.account_id)::text as account_id
       from ledger_packs p
       full join (select account_id, bool_or(margin_lines <> 0) as has_margin,
                         string_agg(int4send(day - date '1970-01-01') || int8send(revenue) || int8send(margin)
                                    || int4send(lines) || int4send(purchase_lines), ''::bytea order by day) as days
                    from ledger_days group by account_id) d using (account_id)
      where p.days is distinct from d.days or p.has_margin is distinct from d.has_margin`,
  );
  return rows.map((r) => r.account_id);
}

/** The rollup as it should be: recomputed from the stored lines (and the packed rollup checked against the days on the way). */
async function rollupOfLines(database: Database): Promise<string[]> {
  expect(await stalePacks(database)).toEqual([]);
  const { rows } = await database.pool.query<{ row: string }>(
    `select concat_ws('|', code, day, revenue, margin, margin_lines, lines, purchase_lines) as row from (
       select c.code, l.sale_date as day, sum(l.revenue) as revenue, sum(coalesce(l.margin, 0)) as margin,
              count(l.margin) as margin_lines, count(*) as lines, count(*) filter (where l.revenue >= 0) as purchase_lines
         from ledger_lines l join account_codes c on c.account_id = l.account_id
        group by c.code, l.sale_date) as x order by 1`,
  );
  return rows.map((r) => r.row);
}

async function counts(database: Database): Promise<Record<string, number>> {
  const { rows: [row] } = await database.pool.query<Record<string, string>>(
    `select (select count(*) from ledger_lines) as lines, (select count(*) from ledger_days) as days,
            (select count(*) from imports) as imports, (select count(*) from accounts) as accounts,
            (select count(*) from account_codes) as codes, (select count(*) from history) as history,
            (select count(*) from import_rejects) as rejects`,
  );
  return Object.fromEntries(Object.entries(row!).map(([k, v]) => [k, Number(v)]));
}

function figures(record: ImportRecord) {
  const { lines, accepted, rejected, unchanged, added, removed } = record;
  return { lines, accepted, rejected, unchanged, added, removed, newAccounts: record.newAccounts.map((a) => a.code) };
}

describeDatabases('importLedger', (get) => {
  const kam: Actor = { userId: '00000000-0000-4000-8000-000000000001', role: 'kam' };

  beforeAll(async () => {
    await get().pool.query('truncate ledger_lines, ledger_days, imports cascade');
  });

  it('stores every line of a first import, creates an unassigned account per new client code and keeps the rollup', async () => {
    const database = get();
    const record = await importLedger(database.pool, SYSTEM_ACTOR, { path: ledgerFile('january.csv', JANUARY) });
    expect(figures(record)).toEqual({ lines: 4, accepted: 4, rejected: 0, unchanged: 0, added: 4, removed: 0, newAccounts: ['K001', 'K002'] });
    expect(record).toMatchObject({ source: 'erp', fileName: 'january.csv', format: 'csv', matchedBy: 'document-line', documents: 3 });
    expect(record).toMatchObject({ firstDay: '2025-01-03', lastDay: '2025-01-20' });
    expect(record.sha256).toMatch(/^[0-9a-f]{64}$/);
    const snap = await snapshot(database);
    expect(snap.lines).toContain('erp|K001|2025-01-03|FV/1|2|P-2|Chemia|1|5050|2000|3050|2025-01-17|2025-01-16');
    expect(snap.lines).toContain('erp|K002|2025-01-10|FV/2|1|P-1|Opakowania|5|5000|3000|2000|2025-01-24');
    expect(snap.days).toEqual(await rollupOfLines(database));
    expect(snap.days).toContain('K001|2025-01-03|15050|7050|2|2|2');
    const { rows: named } = await database.pool.query(
      `select a.name, a.owner_id, c.ledger_name from accounts a join account_codes c on c.account_id = a.id where c.code = 'K002'`,
    );
    expect(named).toEqual([{ name: 'Beta S.A.', owner_id: null, ledger_name: 'Beta S.A.' }]);
  });

  it('changes nothing when the same file is imported again', async () => {
    const database = get();
    const before = await snapshot(database);
    const countsBefore = await counts(database);
    const record = await importLedger(database.pool, SYSTEM_ACTOR, { path: ledgerFile('january-again.csv', JANUARY) });
    expect(figures(record)).toEqual({ lines: 4, accepted: 4, rejected: 0, unchanged: 4, added: 0, removed: 0, newAccounts: [] });
    expect(await snapshot(database)).toEqual(before);
    expect(await counts(database)).toEqual({ ...countsBefore, imports: countsBefore.imports! + 1 });
  });

  it('replaces exactly the documents of a corrected export: a changed line, a deleted line, an untouched document', async () => {
    const database = get();
    const corrected = ledgerFile('corrected.csv', [
      HEADER,
      // FV/1 line 2 was deleted in the ERP; FV/2 got a new price; FV/3 is not in this file.
      'FV/1;1;03.01.2025;K001;Alfa sp. z o.o.;P-1;Opakowania;10;100,00;60,00;17.01.2025;16.01.2025',
      'FV/2;1;10.01.2025;K002;Beta S.A.;P-1;Opakowania;5;45,00;30,00;24.01.2025;31.01.2025',
      'FV/4;1;05.02.2025;K003;;P-2;Chemia;3;150,00;;19.02.2025;',
    ]);
    const record = await importLedger(database.pool, SYSTEM_ACTOR, { path: corrected });
    expect(figures(record)).toEqual({ lines: 3, accepted: 3, rejected: 0, unchanged: 1, added: 2, removed: 2, newAccounts: ['K003'] });
    const snap = await snapshot(database);
    expect(snap.lines).toHaveLength(4);
    expect(snap.lines.some((line) => line.includes('|FV/1|2|'))).toBe(false);
    expect(snap.lines).toContain('erp|K002|2025-01-10|FV/2|1|P-1|Opakowania|5|4500|3000|1500|2025-01-24|2025-01-31');
    expect(snap.lines).toContain('erp|K001|2025-01-20|FV/3|1|P-3|BHP|2|8000|5000|3000|2025-02-03|2025-02-10');
    // An empty cost cell is zero cost, as the analysis reads it.
    expect(snap.lines).toContain('erp|K003|2025-02-05|FV/4|1|P-2|Chemia|3|15000|0|15000|2025-02-19');
    expect(snap.days).toEqual(await rollupOfLines(database));
    const { rows } = await database.pool.query(`select name from accounts a join account_codes c on c.account_id = a.id where c.code = 'K003'`);
    expect(rows).toEqual([{ name: 'K003' }]);
  });

  it('fingerprints values with Polish letters, emoji, quotes, tabs and backslashes the same way each time', async () => {
    const database = get();
    const path = ledgerFile('unicode.csv', [
      HEADER,
      'FV/U;1;03.01.2025;KŻ1;Łódź;"Rękawice; zimowe \\ ż";Środki "BHP";1,5;10,00;5,00;;',
      'FV/U;2;03.01.2025;KŻ1;Łódź;Kask 🚧\tniebieski;BHP;2;20,00;15,00;;',
    ]);
    const first = await importLedger(database.pool, SYSTEM_ACTOR, { path, source: 'unicode' });
    expect(figures(first)).toMatchObject({ accepted: 2, added: 2 });
    const again = await importLedger(database.pool, SYSTEM_ACTOR, { path, source: 'unicode' });
    expect(figures(again)).toMatchObject({ accepted: 2, unchanged: 2, added: 0, removed: 0 });
    const { rows } = await database.pool.query(`select product, product_group from ledger_lines where source = 'unicode' order by document_line`);
    expect(rows).toEqual([
      { product: 'Rękawice; zimowe \\ ż', product_group: 'Środki "BHP"' },
      { product: 'Kask 🚧\tniebieski', product_group: 'BHP' },
    ]);
  });

  it('finds every line unchanged when the same export comes again in Windows-1250 and as an XLSX workbook', async () => {
    const database = get();
    const rows = [
      ['FV/P/1', 1, '07.01.2025', 'KŁ1', 'Łódź Żywność sp. z o.o.', 'Rękawice', 'Środki BHP', 12, '120,50', '80,25', '21.01.2025', '20.01.2025'],
      ['FV/P/1', 2, '07.01.2025', 'KŁ1', 'Łódź Żywność sp. z o.o.', 'Kask ąęść', 'Środki BHP', 1, '99,99', '', '21.01.2025', ''],
      ['FV/P/2', 1, '08.01.2025', 'KŚ2', '', 'Ręcznik', 'Higiena', 3, '-15,00', '-10,00', '', ''],
    ] as const;
    const text = [HEADER, ...rows.map((row) => row.join(';'))].join('\n') + '\n';
    const utf8 = ledgerFile('polish-utf8.csv', text.trimEnd().split('\n'));
    const windowsPath = join(dir, 'polish-1250.csv');
    writeFileSync(windowsPath, windows1250(text));
    const ExcelJS = (await import('exceljs')).default;
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Sprzedaż');
    sheet.addRow(HEADER.split(';'));
    const date = (dmy: string) => {
      if (dmy === '') return null;
      const [d, m, y] = dmy.split('.').map(Number);
      return new Date(Date.UTC(y!, m! - 1, d!));
    };
    const money = (value: string) => (value === '' ? null : Number(value.replace(',', '.')));
    for (const [document, line, day, code, name, product, group, quantity, revenue, cost, due, paid] of rows) {
      sheet.addRow([document, line, date(day), code, name === '' ? null : name, product, group, quantity, money(revenue), money(cost), date(due), date(paid)]);
    }
    const xlsxPath = join(dir, 'polish.xlsx');
    await workbook.xlsx.writeFile(xlsxPath);

    const first = await importLedger(database.pool, SYSTEM_ACTOR, { path: utf8, source: 'formats' });
    expect(figures(first)).toMatchObject({ accepted: 3, added: 3, newAccounts: ['KŁ1', 'KŚ2'] });
    const stored = await snapshot(database);
    const windows = await importLedger(database.pool, SYSTEM_ACTOR, { path: windowsPath, source: 'formats' });
    expect(windows.format).toBe('csv');
    expect(figures(windows)).toMatchObject({ accepted: 3, unchanged: 3, added: 0, removed: 0, newAccounts: [] });
    const xlsx = await importLedger(database.pool, SYSTEM_ACTOR, { path: xlsxPath, source: 'formats' });
    expect(xlsx.format).toBe('xlsx');
    expect(figures(xlsx)).toMatchObject({ accepted: 3, unchanged: 3, added: 0, removed: 0, newAccounts: [] });
    expect(await snapshot(database)).toEqual(stored);
    const { rows: named } = await database.pool.query(
      `select c.code, a.name from accounts a join account_codes c on c.account_id = a.id where c.code in ('KŁ1', 'KŚ2') order by c.code`,
    );
    expect(named).toEqual([{ code: 'KŁ1', name: 'Łódź Żywność sp. z o.o.' }, { code: 'KŚ2', name: 'KŚ2' }]);
  });

  it('keeps thousands of client codes apart, with each client\'s days in any order, and the rollup exact', async () => {
    const database = get();
    const random = createRandom(7);
    const lines = ['data;klient;wartość;koszt'];
    for (let i = 0; i < 20_000; i++) {
      const client = `M${Math.floor(random() * 5000)}`;
      const day = 1 + Math.floor(random() * 28);
      lines.push(`${String(day).padStart(2, '0')}.03.2025;${client};${(random() * 1000 - 100).toFixed(2).replace('.', ',')};1,00`);
    }
    const path = ledgerFile('many.csv', lines);
    const record = await importLedger(database.pool, SYSTEM_ACTOR, { path, source: 'many' });
    const clients = new Set(lines.slice(1).map((line) => line.split(';')[1]));
    expect(record).toMatchObject({ accepted: 20_000, added: 20_000 });
    expect(new Set(record.newAccounts.map((a) => a.code))).toEqual(clients);
    const { rows: [stored] } = await database.pool.query<{ n: string }>(
      `select count(distinct account_id) as n from ledger_lines where source = 'many'`,
    );
    expect(Number(stored!.n)).toBe(clients.size);
    expect((await snapshot(database)).days).toEqual(await rollupOfLines(database));
    const again = await importLedger(database.pool, SYSTEM_ACTOR, { path, source: 'many' });
    expect(figures(again)).toMatchObject({ unchanged: 20_000, added: 0, removed: 0, newAccounts: [] });
  });

  it('keeps sources apart: another source\'s file adds its lines and replaces none of the ERP\'s', async () => {
    const database = get();
    const before = await snapshot(database);
    const record = await importLedger(database.pool, SYSTEM_ACTOR, { path: ledgerFile('shop.csv', JANUARY.slice(0, 2)), source: 'shop' });
    expect(figures(record)).toMatchObject({ unchanged: 0, added: 1, removed: 0 });
    const after = await snapshot(database);
    const erp = (lines: string[]) => lines.filter((line) => line.startsWith('erp|'));
    expect(erp(after.lines)).toEqual(erp(before.lines));
    expect(after.lines.length).toBe(before.lines.length + 1);
    expect(after.days).toEqual(await rollupOfLines(database));
  });

  it('matches lines without documents by their values, repeated lines counted, within the file\'s dates', async () => {
    const database = get();
    const plain = (lines: string[]) => ['date;client;revenue', ...lines];
    const first = await importLedger(database.pool, SYSTEM_ACTOR, {
      source: 'pos',
      path: ledgerFile('pos-1.csv', plain(['2025-03-01;K010;10,00', '2025-03-01;K010;10,00', '2025-03-02;K010;5,00', '2025-04-01;K010;7,00'])),
    });
    expect(figures(first)).toMatchObject({ added: 4, removed: 0, unchanged: 0, newAccounts: ['K010'] });
    expect(first.matchedBy).toBe('values');
    // One of the two equal lines is gone, one line is new; April lies outside the file's dates and stays.
    const second = await importLedger(database.pool, SYSTEM_ACTOR, {
      source: 'pos',
      path: ledgerFile('pos-2.csv', plain(['2025-03-01;K010;10,00', '2025-03-02;K010;5,00', '2025-03-03;K010;1,00'])),
    });
    expect(figures(second)).toMatchObject({ unchanged: 2, added: 1, removed: 1 });
    const { rows } = await database.pool.query(
      `select sale_date::text as day, revenue from ledger_lines where source = 'pos' order by sale_date, revenue`,
    );
    expect(rows).toEqual([
      { day: '2025-03-01', revenue: '1000' },
      { day: '2025-03-02', revenue: '500' },
      { day: '2025-03-03', revenue: '100' },
      { day: '2025-04-01', revenue: '700' },
    ]);
    expect((await snapshot(database)).days).toEqual(await rollupOfLines(database));
  });

  it('stores every rejected line with its line, column, value and reason', async () => {
    const database = get();
    const lines = ['date;client;revenue'];
    for (let i = 1; i <= 40; i++) lines.push(`2025-05-${String((i % 28) + 1).padStart(2, '0')};K020;${i},00`);
    lines.push('2025-05-31;K020;dziesięć', '2025-02-30;K020;1,00');
    const record = await importLedger(database.pool, SYSTEM_ACTOR, { source: 'rejects', path: ledgerFile('rejects.csv', lines) });
    expect(record).toMatchObject({ lines: 42, accepted: 40, rejected: 2 });
    const { rows } = await database.pool.query(
      `select line, "column", value from import_rejects where import_id = $1 order by line`,
      [record.id],
    );
    expect(rows).toEqual([
      { line: 42, column: 'revenue', value: 'dziesięć' },
      { line: 43, column: 'date', value: '2025-02-30' },
    ]);
  });

  it('refuses a file that holds a document line twice, naming both lines, and stores nothing', async () => {
    const database = get();
    const before = await counts(database);
    const path = ledgerFile('twice.csv', [...JANUARY, 'FV/2;1;10.01.2025;K002;Beta S.A.;P-9;Opakowania;1;1,00;;;']);
    const error = await rejection(importLedger(database.pool, SYSTEM_ACTOR, { path }));
    expect(error).toMatchObject({ code: 'invalid-input', details: { line: 6 } });
    expect(String(error)).toContain('line 6 repeats document FV/2 line 1 of line 4');
    expect(await counts(database)).toEqual(before);
    // A source's first import goes straight into the ledger, where the unique index finds the line.
    const first = await rejection(importLedger(database.pool, SYSTEM_ACTOR, { path, source: 'fresh' }));
    expect(first).toMatchObject({ code: 'invalid-input', details: { line: 6 } });
    expect(String(first)).toContain('line 6 repeats document FV/2 line 1;');
    expect(await counts(database)).toEqual(before);
  });

  it('leaves the database as it was when a strict import meets a bad line after thousands of good ones', async () => {
    const database = get();
    const before = await snapshot(database);
    const countsBefore = await counts(database);
    const lines = ['date;client;revenue'];
    for (let i = 0; i < 20_000; i++) lines.push(`2025-06-${String((i % 28) + 1).padStart(2, '0')};N${i % 500};${i},00`);
    lines.push('2025-06-30;N1;bad');
    const error = await rejection(importLedger(database.pool, SYSTEM_ACTOR, { source: 'strict', path: ledgerFile('strict.csv', lines), read: { strict: true } }));
    expect(error).toMatchObject({ code: 'invalid-input', details: { line: 20_002 } });
    expect(await snapshot(database)).toEqual(before);
    expect(await counts(database)).toEqual(countsBefore);
  });

  it('leaves the database as it was when the database fails after the lines are written', async () => {
    const database = get();
    const before = await snapshot(database);
    const countsBefore = await counts(database);
    // The rollup is written last: a trigger that refuses it fails the import after every other write.
    await database.pool.query(`create function refuse_rollup() returns trigger language plpgsql as
      $$ begin raise exception 'injected failure'; end $$`);
    await database.pool.query('create trigger refuse_rollup before insert on ledger_days for each row execute function refuse_rollup()');
    try {
      const path = ledgerFile('failing.csv', [HEADER, 'FV/9;1;01.07.2025;K030;Gamma;P-1;Opakowania;1;10,00;5,00;;']);
      await expect(importLedger(database.pool, SYSTEM_ACTOR, { path })).rejects.toThrow('injected failure');
    } finally {
      await database.pool.query('drop trigger refuse_rollup on ledger_days');
      await database.pool.query('drop function refuse_rollup()');
    }
    expect(await snapshot(database)).toEqual(before);
    expect(await counts(database)).toEqual(countsBefore);
  });

  it('leaves the database as it was when the import process is killed mid-way, and a re-run completes it', async () => {
    const database = get();
    const path = join(dir, 'killed.csv');
    generateLedger(path, { lines: 400_000, clients: 3000, seed: 11, from: '2024-01-01', to: '2025-12-31' });
    const before = await snapshot(database);
    const countsBefore = await counts(database);
    const child = spawn(process.execPath, [join(repo, 'bin', 'kamerton.js'), 'import', path, '--source', 'killed'], {
      env: { ...process.env, DATABASE_URL: database.url },
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    // Killed once its COPY is running: lines are on their way into the ledger, nothing is committed.
    let copying = false;
    for (let i = 0; i < 600 && !copying; i++) {
      const { rows } = await database.pool.query(
        `select 1 from pg_stat_activity where datname = current_database() and query ilike 'copy ledger_lines%' and state = 'active'`,
      );
      copying = rows.length > 0;
      if (!copying) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(copying).toBe(true);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    // The server ends the dead client's transaction when it sees the connection close.
    for (let i = 0; i < 200; i++) {
      const { rows } = await database.pool.query(
        `select 1 from pg_stat_activity where datname = current_database() and query ilike 'copy ledger_lines%'`,
      );
      if (rows.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(await snapshot(database)).toEqual(before);
    expect(await counts(database)).toEqual(countsBefore);

    const record = await importLedger(database.pool, SYSTEM_ACTOR, { path, source: 'killed' });
    expect(record).toMatchObject({ accepted: 400_000, added: 400_000, removed: 0, unchanged: 0 });
    expect((await snapshot(database)).days).toEqual(await rollupOfLines(database));
  });

  it('packs the days of a ledger stored before the packed rollup, in migration 0004, as imports pack them', async () => {
    const database = get();
    const migration = readFileSync(join(repo, 'src/db/migrations/0004_ledger_bulk_load.sql'), 'utf8');
    const backfill = migration.split('--> statement-breakpoint').find((statement) => statement.includes('INSERT INTO "ledger_packs"'));
    expect(backfill).toBeDefined();
    const { rows: [stored] } = await database.pool.query<{ n: string }>('select count(*) as n from ledger_packs');
    expect(Number(stored!.n)).toBeGreaterThan(1000);
    const client = await database.pool.connect();
    try {
      await client.query('begin');
      await client.query('create temp table packs_kept on commit drop as select * from ledger_packs');
      await client.query('delete from ledger_packs');
      await client.query(backfill!);
      const { rows: [differ] } = await client.query<{ n: string }>(
        `select count(*) as n from ledger_packs p full join packs_kept k using (account_id)
          where p.days is distinct from k.days or p.has_margin is distinct from k.has_margin`,
      );
      expect(Number(differ!.n)).toBe(0);
    } finally {
      await client.query('rollback');
      client.release();
    }
  });

  it('lets only a director or an administrator import', async () => {
    const error = await rejection(importLedger(get().pool, kam, { path: ledgerFile('kam.csv', JANUARY) }));
    expect(error).toMatchObject({ code: 'forbidden' });
  });
});
