/**
 * Backup and restore on real databases: a database filled through the use-cases (and a few raw values
 * a JavaScript number or Date could not carry) is backed up, restored into a fresh one and compared
 * table by table, row by row; what a restore refuses (a database that is not empty, another schema
 * version, a damaged file) and that it then leaves the database as it was; --force as a database
 * owner who is no superuser; a large history read in pages; and the CLI's work on embedded data folders.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, setAccountTeam, updateAccount } from '../src/app/accounts.ts';
import { SYSTEM_ACTOR, type Actor } from '../src/app/actor.ts';
import { backupDatabase, restoreDatabase, type BackupHeader } from '../src/app/backup.ts';
import { createAccountCompetitor, createCompetitor } from '../src/app/competitors.ts';
import { createContact, eraseContact } from '../src/app/contacts.ts';
import { importLedger } from '../src/app/import-ledger.ts';
import { runAnalysis } from '../src/app/run-analysis.ts';
import { createTender } from '../src/app/tenders.ts';
import { DEFAULT_ANALYSIS_PARAMS } from '../src/core/types.ts';
import { createUser } from '../src/app/users.ts';
import { runBackup, runRestore, type CommandIo } from '../src/cli/backup.ts';
import { connect, openDatabase, quoteIdentifier, type Database } from '../src/db/client.ts';
import { createTestDatabase, describeDatabases, type TestServer } from './database.ts';
import { rejection } from './fixtures/errors.ts';

/** The server a suite's database lives on, for more databases beside it. */
function serverOf(database: { url: string }): TestServer {
  const url = new URL(database.url);
  url.pathname = '/postgres';
  return { name: 'same server', url: url.toString() };
}

/** The tables of the database (schema public), from the catalogue rather than from the code. */
async function catalogueTables(pool: pg.Pool): Promise<string[]> {
  const result = await pool.query<{ name: string }>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1`,
  );
  return result.rows.map((r) => r.name);
}

async function catalogueColumns(pool: pg.Pool, table: string): Promise<string[]> {
  const result = await pool.query<{ name: string }>(
    `select attname as name from pg_attribute where attrelid = $1::text::regclass and attnum > 0 and not attisdropped
      and attgenerated = '' order by attnum`,
    [quoteIdentifier(table)],
  );
  return result.rows.map((r) => r.name);
}

/** Every row of every table, as to_jsonb text, ordered by the primary key (or by the text, without one). */
async function snapshot(pool: pg.Pool): Promise<Record<string, string[]>> {
  const result: Record<string, string[]> = {};
  for (const table of await catalogueTables(pool)) {
    const keys = await pool.query<{ name: string }>(
      `select a.attname as name from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
        where i.indrelid = $1::text::regclass and i.indisprimary order by array_position(i.indkey::int2[], a.attnum)`,
      [quoteIdentifier(table)],
    );
    // A table without a primary key (the ledger's lines) is compared as a sorted list of its rows.
    const order = keys.rows.length > 0 ? keys.rows.map((k) => `t.${quoteIdentifier(k.name)}`).join(', ') : '1';
    const rows = await pool.query<{ row: string }>(`select to_jsonb(t)::text as row from ${quoteIdentifier(table)} t order by ${order}`);
    result[table] = rows.rows.map((r) => r.row);
  }
  return result;
}

function readLines(file: string): string[] {
  const text = gunzipSync(readFileSync(file)).toString('utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
}

function readHeader(file: string): BackupHeader {
  return JSON.parse(readLines(file)[0] as string) as BackupHeader;
}

function writeLines(file: string, lines: string[]): void {
  writeFileSync(file, gzipSync(`${lines.join('\n')}\n`));
}

/** The line numbers (1-based) of table `name`'s rows in a backup. */
function linesOf(header: BackupHeader, name: string): { first: number; rows: number } {
  let first = 2;
  for (const table of header.tables) {
    if (table.name === name) return { first, rows: table.rows };
    first += table.rows;
  }
  throw new Error(`no table ${name}`);
}

type Filled = { accountId: string; erasedContactId: string };

/**
 * A dossier of every kind through the use-cases, then a few values set in SQL: a numeric with more
 * digits than a double holds, a timestamp with microseconds, jsonb settings including a JSON null and
 * a JSON string, a text with quotes, a backslash, a line break and an emoji, and a contact whose id
 * sorts before that of the contact they report to (so the file holds the child row first).
 */
async function fill(db: Database['db'], pool: pg.Pool): Promise<Filled> {
  const admin = await createUser(db, SYSTEM_ACTOR, { email: 'admin@example.com', name: 'Anna Admin', role: 'admin', password: 'correct horse battery' });
  const director = await createUser(db, SYSTEM_ACTOR, { email: 'dyrektor@example.com', name: 'Dariusz Dyrektor', role: 'director', password: 'correct horse battery' });
  const kam1 = await createUser(db, SYSTEM_ACTOR, { email: 'kam1@example.com', name: 'Katarzyna Kamińska', role: 'kam', password: 'correct horse battery' });
  const kam2 = await createUser(db, SYSTEM_ACTOR, { email: 'kam2@example.com', name: 'Krzysztof Król', role: 'kam', password: 'correct horse battery' });
  const asDirector: Actor = { userId: director.id, role: 'director' };
  const asAdmin: Actor = { userId: admin.id, role: 'admin' };
  const asKam: Actor = { userId: kam1.id, role: 'kam' };

  const account = await createAccount(db, asDirector, {
    name: 'Zakład "Ósemka" \\ sp. z o.o.\nOddział 2 😀',
    codes: ['K001', 'K002'],
    taxId: '526-000-12-46',
    industry: 'Hurtownie',
    region: 'mazowieckie',
    website: 'https://osemka.example.pl',
    employees: 250,
    description: 'Opis',
    ownerId: kam1.id,
    imageMaker: true,
    imageMakerReason: 'Znana marka',
    expert: false,
    annualPotential: 1234567.89,
    cooperationHorizonMonths: 36,
    reputationInfluence: 4,
    paymentDaysLate: 12.5,
    privateNotes: 'Prywatne',
    status: 'active',
  });
  await setAccountTeam(db, asDirector, account.id, [kam2.id], account.version);
  const bare = await createAccount(db, asKam, { name: 'Prospekt bez danych' });
  await updateAccount(db, asKam, bare.id, { region: 'pomorskie', paymentDaysLate: -3.5 }, bare.version);

  const boss = await createContact(db, asKam, account.id, { name: 'Prezes Nowak', position: 'Prezes', buyingRole: 'decision-maker', influence: 5 });
  const manager = await createContact(db, asKam, account.id, { name: 'Jan Kowalski', reportsToId: boss.id, attitude: 'supporter', email: 'jan@osemka.example.pl' });
  await createContact(db, asKam, account.id, { name: 'Ewa Wiśniewska', reportsToId: manager.id, relationship: 'in-depth', leftCompany: true });
  const erased = await createContact(db, asKam, account.id, { name: 'Do usunięcia', phone: '+48 600 000 000', reportsToId: manager.id });
  await eraseContact(db, asAdmin, erased.id);

  const rival = await createCompetitor(db, asDirector, { name: 'Konkurent SA', website: 'https://konkurent.example.pl' });
  await createCompetitor(db, asDirector, { name: 'Drugi konkurent' });
  await createAccountCompetitor(db, asKam, account.id, { competitorId: rival.id, shareOfWallet: 33.33, strengths: 'Cena' });
  await createTender(db, asKam, account.id, { title: 'Dostawa 2024', date: '2024-02-29', value: 150000.5, outcome: 'lost', reason: 'Cena', winningCompetitorId: rival.id });
  await createTender(db, asKam, account.id, { title: 'Oferta', date: '1900-01-01' });

  await pool.query(`update accounts set annual_potential = 99999999999999.99, created_at = '2001-02-03 04:05:06.789012+00' where id = $1`, [bare.id]);
  await pool.query(
    `insert into contacts (id, account_id, name, reports_to_id) values
       ('ffffffff-0000-4000-8000-000000000001', $1, 'Rodzic', null),
       ('00000000-0000-4000-8000-000000000002', $1, 'Dziecko', 'ffffffff-0000-4000-8000-000000000001')`,
    [account.id],
  );
  await pool.query(
    `insert into settings (key, value, updated_by) values
       ('company', '{"name": "Firma", "margin": 0.125, "list": [1, 2.50, null, "a\\"b"]}', $1),
       ('json-null', 'null', null),
       ('json-string', '"tekst"', null)`,
    [admin.id],
  );
  await pool.query(`insert into sessions (id, user_id, csrf_token, expires_at) values ('abc123', $1, 'csrf', now() + interval '1 hour')`, [admin.id]);
  // A ledger with a rejected line, a new account and an analysis run: every ledger table holds rows.
  const ledger = join(mkdtempSync(join(tmpdir(), 'kamerton-backup-ledger-')), 'sprzedaz.csv');
  writeFileSync(ledger, 'Nr dokumentu;Lp;Data;Kontrahent;Wartość netto;Koszt\nFV/1;1;02.01.2025;K001;100,50;60,00\n' +
    'FV/2;1;03.01.2025;K777;10,00;\nFV/3;1;32.01.2025;K001;1,00;0\n' + 'FV/4;1;04.01.2025;K002;2,00;1,00\n' +
    Array.from({ length: 20 }, (_, i) => `FV/${10 + i};1;${String(5 + i).padStart(2, '0')}.01.2025;K001;${i},25;0,10`).join('\n') + '\n');
  await importLedger(pool, asDirector, { path: ledger });
  await runAnalysis(pool, asDirector, DEFAULT_ANALYSIS_PARAMS);
  return { accountId: account.id, erasedContactId: erased.id };
}

describeDatabases('backup and restore', (get) => {
  let dir: string;
  let file: string;
  let filled: Filled;
  let source: Record<string, string[]>;
  const extra: { drop(): Promise<void> }[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kamerton-backup-'));
    file = join(dir, 'kamerton.jsonl.gz');
    filled = await fill(get().db, get().pool);
    source = await snapshot(get().pool);
  });

  afterAll(async () => {
    for (const database of extra) await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function freshDatabase() {
    const database = await createTestDatabase(serverOf(get()));
    extra.push(database);
    return database;
  }

  it('writes a gzip-compressed file, readable by its owner only, whose header names the schema and every table but sessions', async () => {
    const summary = await backupDatabase(get().pool, file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(summary.bytes).toBe(statSync(file).size);
    // No temporary file is left beside it.
    expect(await readdir(dir)).toEqual(['kamerton.jsonl.gz']);
    const header = readHeader(file);
    expect(header).toMatchObject({ format: 'kamerton-backup', formatVersion: 1, createdAt: summary.createdAt });
    expect(header.kamerton).toMatch(/^\d+\.\d+\.\d+/);
    const applied = await get().pool.query<{ hash: string; created_at: string }>(
      'select hash, created_at::text as created_at from drizzle.__drizzle_migrations order by created_at',
    );
    expect(header.migrations).toEqual(applied.rows.map((r) => ({ hash: r.hash, createdAt: r.created_at })));
    // Every table the database has, from the catalogue: a table added to the schema and left out of
    // backups would fail here. Sessions are left out on purpose.
    const tables = await catalogueTables(get().pool);
    expect(header.tables.map((t) => t.name).sort()).toEqual(tables.filter((t) => t !== 'sessions'));
    for (const table of header.tables) {
      expect([...table.columns].sort(), table.name).toEqual((await catalogueColumns(get().pool, table.name)).sort());
      expect(table.rows, table.name).toBe(source[table.name]?.length);
    }
    expect(summary.tables).toEqual(header.tables.map((t) => ({ name: t.name, rows: t.rows })));
    // Referenced tables come first.
    const order = header.tables.map((t) => t.name);
    expect(order.indexOf('users')).toBeLessThan(order.indexOf('accounts'));
    expect(order.indexOf('accounts')).toBeLessThan(order.indexOf('contacts'));
    expect(order.indexOf('competitors')).toBeLessThan(order.indexOf('tenders'));
    expect(readLines(file)).toHaveLength(1 + summary.rows);
    // Values are kept as PostgreSQL's text: the numeric keeps all its digits.
    expect(readLines(file).some((line) => line.includes('"99999999999999.99"'))).toBe(true);

    // A stream gets the same rows (and is ended).
    const chunks: Buffer[] = [];
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    const streamed = await backupDatabase(get().pool, stream);
    expect(stream.writableEnded).toBe(true);
    expect(streamed.bytes).toBe(Buffer.concat(chunks).length);
    expect(gunzipSync(Buffer.concat(chunks)).toString('utf8').split('\n').slice(1)).toEqual(readLines(file).slice(1).concat(''));
  });

  it('restores into a fresh database with every table identical, row by row, and sessions left out', async () => {
    const target = await freshDatabase();
    const summary = await restoreDatabase(target.pool, file);
    expect(summary.replaced).toEqual([]);
    expect(summary.rows).toBe(readHeader(file).tables.reduce((sum, t) => sum + t.rows, 0));
    const restored = await snapshot(target.pool);
    const { sessions: sourceSessions, ...sourceRest } = source;
    const { sessions: restoredSessions, ...restoredRest } = restored;
    expect(restoredRest).toEqual(sourceRest);
    expect(sourceSessions).toHaveLength(1);
    expect(restoredSessions).toEqual([]);
    // The pieces that a lossy copy would break, checked by name as well.
    const account = await target.pool.query<{ p: string; c: string }>(
      `select annual_potential::text as p, created_at::text as c from accounts where name = 'Prospekt bez danych'`,
    );
    expect(account.rows[0]).toEqual({ p: '99999999999999.99', c: expect.stringMatching(/^2001-02-03 0\d:05:06\.789012/) as unknown });
    const child = await target.pool.query<{ boss: string }>(`select reports_to_id::text as boss from contacts where name = 'Dziecko'`);
    expect(child.rows[0]?.boss).toBe('ffffffff-0000-4000-8000-000000000001');
    const jsonNull = await target.pool.query<{ isNull: boolean; text: string }>(
      `select value is null as "isNull", value::text as text from settings where key = 'json-null'`,
    );
    expect(jsonNull.rows[0]).toEqual({ isNull: false, text: 'null' });
    const erased = await target.pool.query<{ n: string }>(
      `select count(*) as n from history where entity_id = $1 and action = 'erase'`,
      [filled.erasedContactId],
    );
    expect(Number(erased.rows[0]?.n)).toBe(1);
    // The history's sequence goes on after the restored ids, and the history is still append-only.
    const max = await get().pool.query<{ m: string }>('select max(id)::text as m from history');
    const next = await target.pool.query<{ id: string }>(
      `insert into history (entity, entity_id, action) values ('account', $1, 'update') returning id::text as id`,
      [filled.accountId],
    );
    expect(BigInt(next.rows[0]?.id ?? '0')).toBe(BigInt(max.rows[0]?.m ?? '0') + 1n);
    await expect(target.pool.query('delete from history')).rejects.toThrow(/append-only/);
  });

  it('refuses to restore into a database that is not empty, and changes nothing in it', async () => {
    const error = await rejection(restoreDatabase(get().pool, file));
    expect(error.code).toBe('conflict');
    expect(error.message).toMatch(/not empty.*users.*--force/);
    expect(await snapshot(get().pool)).toEqual(source);
  });

  it('refuses a backup of a newer, an older or a changed schema, naming what to do', async () => {
    const lines = readLines(file);
    const header = readHeader(file);
    const variant = async (name: string, migrations: BackupHeader['migrations']) => {
      const path = join(dir, name);
      writeLines(path, [JSON.stringify({ ...header, migrations }), ...lines.slice(1)]);
      const target = await freshDatabase();
      const error = await rejection(restoreDatabase(target.pool, path));
      expect(await catalogueRowCount(target.pool)).toBe(0);
      return error;
    };
    const newer = await variant('newer.jsonl.gz', [...header.migrations, { hash: 'f'.repeat(64), createdAt: '1999999999999' }]);
    expect(newer.code).toBe('conflict');
    expect(newer.message).toMatch(/newer database schema.*Upgrade Kamerton/);
    const older = await variant('older.jsonl.gz', header.migrations.slice(0, -1));
    expect(older.code).toBe('conflict');
    expect(older.message).toMatch(/older database schema.*restore it with Kamerton .* then upgrade/);
    const changed = await variant('changed.jsonl.gz', header.migrations.map((m, i) => (i === 0 ? { ...m, hash: '0'.repeat(64) } : m)));
    expect(changed.code).toBe('conflict');
    expect(changed.message).toMatch(/differs/);

    const future = join(dir, 'future.jsonl.gz');
    writeLines(future, [JSON.stringify({ ...header, formatVersion: 2 }), ...lines.slice(1)]);
    const format = await rejection(restoreDatabase((await freshDatabase()).pool, future));
    expect(format.code).toBe('conflict');
    expect(format.message).toMatch(/newer Kamerton .*backup format 2.*upgrade Kamerton/);
  });

  it('names the line of a garbled row, and a failed restore leaves the database empty', async () => {
    const lines = readLines(file);
    const header = readHeader(file);
    // A row of the history, which comes after the users, accounts and contacts: their rows were inserted already.
    const { first } = linesOf(header, 'history');
    const garbled = [...lines];
    garbled[first] = '["1", "2024-01-01 00:00:00+00", {broken';
    const path = join(dir, 'garbled.jsonl.gz');
    writeLines(path, garbled);
    const target = await freshDatabase();
    const error = await rejection(restoreDatabase(target.pool, path));
    expect(error.code).toBe('invalid-input');
    expect(error.details).toMatchObject({ file: path, line: first + 1 });
    expect(error.message).toContain(`${path}, line ${first + 1}: not a valid JSON line`);
    expect(await catalogueRowCount(target.pool)).toBe(0);

    // A row with the wrong number of values.
    const short = [...lines];
    short[first] = '["1"]';
    writeLines(path, short);
    const shortError = await rejection(restoreDatabase(target.pool, path));
    expect(shortError.details.line).toBe(first + 1);
    expect(shortError.message).toMatch(/table history has \d+ values, and this one has 1/);

    // A value the database refuses is named by the lines of its batch.
    const { first: firstAccount } = linesOf(header, 'accounts');
    const badValue = [...lines];
    const row = JSON.parse(badValue[firstAccount - 1] as string) as (string | null)[];
    row[0] = 'not-a-uuid';
    badValue[firstAccount - 1] = JSON.stringify(row);
    writeLines(path, badValue);
    const valueError = await rejection(restoreDatabase(target.pool, path));
    expect(valueError.code).toBe('invalid-input');
    expect(valueError.message).toMatch(/line(s)? \d+.*refuses a row of table accounts.*uuid/);
    expect(await catalogueRowCount(target.pool)).toBe(0);
  });

  it('names a truncated file, whether it is cut inside the compressed data or after a whole line', async () => {
    const target = await freshDatabase();
    const bytes = readFileSync(file);
    const cut = join(dir, 'cut.jsonl.gz');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const error = await rejection(restoreDatabase(target.pool, cut));
    expect(error.code).toBe('invalid-input');
    expect(error.message).toMatch(new RegExp(`^${escape(cut)} is truncated: its compressed data ends early, after line \\d+\\.$`));

    const lines = readLines(file);
    // The last line holds a row of the last table that has rows: the tables after it (if any) are empty.
    const last = readHeader(file).tables.filter((t) => t.rows > 0).at(-1);
    writeLines(cut, lines.slice(0, -1));
    const early = await rejection(restoreDatabase(target.pool, cut));
    expect(early.message).toBe(
      `${cut} is truncated: it ends at line ${lines.length - 1}, in table ${last?.name}, of which the header announces ` +
        `${last?.rows} rows and the file holds ${(last?.rows ?? 0) - 1}.`,
    );
    expect(early.details.line).toBe(lines.length - 1);

    writeLines(cut, [...lines, '["extra"]']);
    const longer = await rejection(restoreDatabase(target.pool, cut));
    expect(longer.message).toMatch(new RegExp(`line ${lines.length + 1}: the header announces .* but the file goes on`));
    expect(await catalogueRowCount(target.pool)).toBe(0);
  });

  it('refuses a file that is not a backup, and a file that is not there, naming it', async () => {
    const target = await freshDatabase();
    const plain = join(dir, 'plain.csv');
    writeFileSync(plain, 'Data;Kontrahent\n2024-01-01;K1\n');
    const notGzip = await rejection(restoreDatabase(target.pool, plain));
    expect(notGzip).toMatchObject({ code: 'invalid-input', message: `${plain} is not a Kamerton backup: it is not gzip-compressed.` });

    const csvGz = join(dir, 'plain.csv.gz');
    writeFileSync(csvGz, gzipSync('Data;Kontrahent\n'));
    const notHeader = await rejection(restoreDatabase(target.pool, csvGz));
    expect(notHeader.message).toBe(`${csvGz} is not a Kamerton backup: its first line is not a backup header.`);
    expect(notHeader.details).toMatchObject({ file: csvGz, line: 1 });

    const empty = join(dir, 'empty.gz');
    writeFileSync(empty, gzipSync(''));
    expect((await rejection(restoreDatabase(target.pool, empty))).message).toBe(`${empty} is not a Kamerton backup: it is empty.`);

    const missing = join(dir, 'missing.jsonl.gz');
    const notThere = await rejection(restoreDatabase(target.pool, missing));
    expect(notThere).toMatchObject({ code: 'invalid-input', message: `Cannot read ${missing}: no such file.` });

    const noFolder = await rejection(backupDatabase(get().pool, join(dir, 'no-such-folder', 'b.jsonl.gz')));
    expect(noFolder.message).toBe(`Cannot write ${join(dir, 'no-such-folder', 'b.jsonl.gz')}: its folder does not exist.`);
  });

  it('with force replaces everything, history included, as a database owner who is no superuser; the history stays append-only', async () => {
    const server = serverOf(get());
    const suffix = randomBytes(6).toString('hex');
    const role = `kamerton_owner_${suffix}`;
    const name = `kamerton_test_owned_${suffix}`;
    const password = randomBytes(12).toString('hex');
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    let owned: Database | null = null;
    try {
      await admin.query(`create role ${role} login nosuperuser nocreatedb nocreaterole password '${password}'`);
      await admin.query(`create database ${name} owner ${role}`);
      const url = new URL(server.url);
      url.username = role;
      url.password = password;
      url.pathname = `/${name}`;
      owned = await connect(url.toString(), null, { poolSize: 3 });
      // Something to replace, with history rows the trigger protects.
      const director = await createUser(owned.db, SYSTEM_ACTOR, { email: 'inny@example.com', name: 'Inny', role: 'director', password: 'correct horse battery' });
      await createAccount(owned.db, { userId: director.id, role: 'director' }, { name: 'Stare konto' });
      await expect(owned.pool.query('truncate history')).rejects.toThrow(/append-only/);

      const summary = await restoreDatabase(owned.pool, file, { force: true });
      expect(summary.replaced).toEqual(expect.arrayContaining([{ name: 'users', rows: 1 }, { name: 'accounts', rows: 1 }, { name: 'history', rows: 1 }]));
      const { sessions: _sourceSessions, ...sourceRest } = source;
      const { sessions: restoredSessions, ...restoredRest } = await snapshot(owned.pool);
      expect(restoredRest).toEqual(sourceRest);
      expect(restoredSessions).toEqual([]);
      // The trigger is back on.
      await expect(owned.pool.query('truncate history')).rejects.toThrow(/append-only/);
      await expect(owned.pool.query('delete from history')).rejects.toThrow(/append-only/);
    } finally {
      await owned?.close();
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.query(`drop role if exists ${role}`);
      await admin.end();
    }
  });

  it('restores nothing and refuses with a schema check before touching a database of another schema', async () => {
    const target = await freshDatabase();
    // A database whose last migration was not applied (as if an older Kamerton had made it).
    await target.pool.query(`delete from drizzle.__drizzle_migrations where created_at = (select max(created_at) from drizzle.__drizzle_migrations)`);
    const error = await rejection(restoreDatabase(target.pool, file));
    expect(error.code).toBe('conflict');
    expect(error.message).toMatch(/schema .* is not the backup's/);
  });
});

async function catalogueRowCount(pool: pg.Pool): Promise<number> {
  let total = 0;
  for (const table of await catalogueTables(pool)) {
    const result = await pool.query<{ n: string }>(`select count(*) as n from ${quoteIdentifier(table)}`);
    total += Number(result.rows[0]?.n);
  }
  return total;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describeDatabases('backup of a large history', (get) => {
  let dir: string;
  const ROWS = 20_000;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kamerton-backup-large-'));
    await get().db.execute(sql`
      insert into history (at, entity, entity_id, action, field, old_value, new_value)
      select now() - make_interval(secs => n), 'account', gen_random_uuid(), 'update', 'name', 'stara nazwa ' || n, 'nowa nazwa ' || n
      from generate_series(1, ${ROWS}) as n`);
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads and writes the rows a page at a time, never the whole table at once', async () => {
    // Memory follows the page, not the table: the rows are fetched through a cursor, a page per round
    // trip, and each page is handed to gzip before the next is fetched (the progress calls show the pages).
    const file = join(dir, 'large.jsonl.gz');
    const steps: number[] = [];
    const summary = await backupDatabase(get().pool, file, { pageSize: 1000, onProgress: (done) => steps.push(done) });
    expect(summary.rows).toBe(ROWS);
    expect(steps).toHaveLength(ROWS / 1000);
    expect(steps.every((done, i) => done === (i + 1) * 1000)).toBe(true);

    const target = await createTestDatabase(serverOf(get()));
    try {
      const restoredSteps: number[] = [];
      const restored = await restoreDatabase(target.pool, file, { batchSize: 2000, onProgress: (done) => restoredSteps.push(done) });
      expect(restored.rows).toBe(ROWS);
      expect(restoredSteps).toHaveLength(ROWS / 2000);
      const compare = `select md5(string_agg(to_jsonb(h)::text, ',' order by id)) as digest, count(*)::int as n from history h`;
      const [a, b] = await Promise.all([get().pool.query(compare), target.pool.query(compare)]);
      expect(b.rows[0]).toEqual(a.rows[0]);
    } finally {
      await target.drop();
    }
  });
});

describe('kamerton backup and restore on embedded data folders (the CLI\'s work, in process)', () => {
  let dir: string;
  let dataA: string;
  let dataB: string;
  let a: Database;
  let before: Record<string, string[]>;

  function io(dataDir: string): CommandIo & { out: () => string } {
    let out = '';
    return {
      env: { KAMERTON_DATA_DIR: dataDir },
      stdout: { write: (text: string) => ((out += text), true) },
      stderr: { isTTY: false, write: () => true },
      out: () => out,
    };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kamerton-backup-cli-'));
    // As root, PostgreSQL runs as the postgres user, who must be able to enter the data folders.
    chmodSync(dir, 0o755);
    dataA = join(dir, 'a');
    dataB = join(dir, 'b');
    a = await openDatabase({ databaseUrl: null, dataDir: dataA });
    await fill(a.db, a.pool);
    before = await snapshot(a.pool);
  });

  afterAll(async () => {
    await a?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('backs up a running server\'s database and restores it into another data folder', async () => {
    const file = join(dir, 'kamerton.jsonl.gz');
    // The database of data folder A is running (opened above): the command uses it through server.json.
    const backupIo = io(dataA);
    await runBackup(file, backupIo);
    expect(backupIo.out()).toMatch(new RegExp(`^Backed up \\d+ rows of 26 tables from the embedded PostgreSQL in ${escape(dataA)} to ${escape(file)} \\(`));
    expect(backupIo.out()).toMatch(/^ {2}history +\d+$/m);

    const restoreIo = io(dataB);
    await runRestore(file, {}, restoreIo);
    expect(restoreIo.out()).toMatch(new RegExp(`^Restored \\d+ rows of 26 tables into the embedded PostgreSQL in ${escape(dataB)} from ${escape(file)}`));
    expect(restoreIo.out()).toContain('everyone signs in again');

    const again = await rejection(runRestore(file, {}, io(dataB)));
    expect(again.code).toBe('conflict');

    const b = await openDatabase({ databaseUrl: null, dataDir: dataB });
    try {
      const { sessions: _s, ...expected } = before;
      const { sessions, ...restored } = await snapshot(b.pool);
      expect(restored).toEqual(expected);
      expect(sessions).toEqual([]);
    } finally {
      await b.close();
    }
  });
});
