/**
 * Analysis runs over HTTP for the web page: the parameters' defaults, a run's workbook (the same as
 * `kamerton analyze --out FILE.xlsx` writes for the same ledger and parameters, and only for those who
 * manage every account), and the comparison's movers narrowed to one cell of the matrix and paged.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/api/app.ts';
import { SESSION_COOKIE } from '../src/api/plugins/auth.plugin.ts';
import { SYSTEM_ACTOR } from '../src/app/actor.ts';
import { analyzeFile, toAnalysisDocument } from '../src/app/analyze-file.ts';
import { importLedger } from '../src/app/import-ledger.ts';
import { writeXlsxReport } from '../src/app/report-xlsx.ts';
import { createSession } from '../src/app/sessions.ts';
import { toUserView } from '../src/app/users.ts';
import { loadConfig } from '../src/config.ts';
import { DEFAULT_ANALYSIS_PARAMS, type AnalysisParams } from '../src/core/types.ts';
import { accounts, users, type Role } from '../src/db/schema/index.ts';
import { describeDatabases } from './database.ts';

type Signed = { token: string; csrf: string; id: string };

type Mover = { account: string; accountName: string; from: string | null; to: string | null; revenueChange: number | null };

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * Two years of monthly invoices for 40 clients of falling size, each buying every `1 + i % 4`-th month
 * (so the XYZ classes differ), and the last five stopping half-way (slipping or lost); one client's
 * name looks like a formula, to be neutralised in the workbook.
 */
function ledger(): string {
  const lines = ['Nr dokumentu;Lp;Data sprzedaży;Kod kontrahenta;Nazwa kontrahenta;Wartość netto;Koszt zakupu'];
  for (let i = 0; i < 40; i++) {
    const code = `K${String(i + 1).padStart(2, '0')}`;
    const name = i === 3 ? '=HYPERLINK("http://example.com")' : `Firma ${i + 1}`;
    const value = Math.round(100_000 / (i + 1)) / 100;
    for (let m = 0; m < 24; m++) {
      if (m % (1 + (i % 4)) !== 0) continue;
      if (i >= 35 && m >= 12 + (i - 35) * 2) continue;
      const year = 2024 + Math.floor(m / 12);
      const month = String((m % 12) + 1).padStart(2, '0');
      const amount = (value * (1 + (m % 3) / 10)).toFixed(2).replace('.', ',');
      const cost = (value * 0.6).toFixed(2).replace('.', ',');
      lines.push(`FV/${code}/${year}/${month};1;1${i % 9}.${month}.${year};${code};${name};${amount};${cost}`);
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** Every sheet's rows as plain values (dates as ISO text), to compare two workbooks cell by cell. */
async function sheets(buffer: Buffer): Promise<Map<string, unknown[][]>> {
  const workbook = new ExcelJS.Workbook();
  // ExcelJS's typings want its own Buffer type; a Node Buffer is what it reads.
  await workbook.xlsx.load(buffer as unknown as ExcelJS.Buffer);
  const out = new Map<string, unknown[][]>();
  workbook.eachSheet((sheet) => {
    const rows: unknown[][] = [];
    sheet.eachRow({ includeEmpty: true }, (row) => {
      const values = (row.values as unknown[]).slice(1).map((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v));
      rows.push(values);
    });
    out.set(sheet.name, rows);
  });
  return out;
}

describeDatabases('analysis runs for the web page', (get) => {
  let app: FastifyInstance;
  const signed = {} as Record<Role, Signed>;
  const path = join(mkdtempSync(join(tmpdir(), 'kamerton-runs-api-')), 'sprzedaz.csv');
  let kamAccounts: string[] = [];

  beforeAll(async () => {
    const database = get();
    app = await buildApp({ database, config: await loadConfig({}) });
    await app.ready();
    for (const role of ['admin', 'director', 'kam', 'marketing'] as const) {
      const [row] = await database.db.insert(users).values({ email: `${role}@example.com`, name: `The ${role}`, role, passwordHash: 'unused' }).returning();
      if (row === undefined) throw new Error('no user');
      const { token, session } = await createSession(database.db, toUserView(row), { hours: 1 });
      signed[role] = { token, csrf: session.csrfToken, id: row.id };
    }
    writeFileSync(path, ledger());
    const record = await importLedger(database.pool, SYSTEM_ACTOR, { path });
    expect(record.rejected).toBe(0);
    // The key account manager owns every fourth account.
    const rows = await database.db.select({ id: accounts.id }).from(accounts).innerJoin(sql`account_codes c`, sql`c.account_id = ${accounts.id}`)
      .where(sql`right(c.code, 1) in ('1', '5', '9')`);
    kamAccounts = rows.map((r) => r.id);
    await database.db.update(accounts).set({ ownerId: signed.kam.id }).where(inArray(accounts.id, kamAccounts));
  });

  afterAll(async () => {
    await app.close();
  });

  function call(who: Signed, method: 'GET' | 'POST', url: string, payload?: object) {
    return app.inject({
      method,
      url: `/api/v1${url}`,
      cookies: { [SESSION_COOKIE]: who.token },
      headers: { 'x-csrf-token': who.csrf },
      ...(payload === undefined ? {} : { payload }),
    });
  }

  it('gives the parameters\' defaults, those of kamerton analyze, and the choices, to every role', async () => {
    for (const role of ['director', 'kam', 'marketing'] as const) {
      const answer = await call(signed[role], 'GET', '/analysis-runs/defaults');
      expect(answer.statusCode, answer.body).toBe(200);
      const { params, options } = answer.json();
      expect(params).toEqual({ ...DEFAULT_ANALYSIS_PARAMS, asOf: null, from: null });
      expect(options).toEqual({
        period: ['week', 'month', 'quarter'],
        metric: ['revenue', 'margin'],
        xyzMode: ['frequency', 'cv'],
        keySegments: ['AX', 'AY', 'AZ', 'BX', 'BY', 'BZ', 'CX', 'CY', 'CZ'],
      });
    }
  });

  describe('two runs', () => {
    let first = 0;
    let second = 0;
    let asOf = '';
    const params: AnalysisParams = { ...DEFAULT_ANALYSIS_PARAMS, abc: [50, 80] };

    beforeAll(async () => {
      const a = await call(signed.director, 'POST', '/analysis-runs', {});
      expect(a.statusCode, a.body).toBe(201);
      first = a.json().id;
      const b = await call(signed.admin, 'POST', '/analysis-runs', { abc: [50, 80] });
      expect(b.statusCode, b.body).toBe(201);
      second = b.json().id;
      asOf = b.json().window.asOf;
      expect(asOf).toBe('2025-12-18');
      expect(b.json()).toMatchObject({ userName: 'The admin', params: { abc: [50, 80] } });
    });

    it('lists the runs with who ran them', async () => {
      const list = (await call(signed.marketing, 'GET', '/analysis-runs')).json();
      expect(list.items.map((r: { id: number; userName: string }) => [r.id, r.userName])).toEqual([[second, 'The admin'], [first, 'The director']]);
      expect(list.items[0].totals).toBeUndefined();
    });

    it('serves a run\'s workbook to the director and the administrator, as kamerton analyze writes it', async () => {
      const answer = await call(signed.director, 'GET', `/analysis-runs/${second}/report.xlsx`);
      expect(answer.statusCode, answer.body.slice(0, 200)).toBe(200);
      expect(answer.headers['content-type']).toBe(XLSX);
      expect(answer.headers['content-disposition']).toBe(`attachment; filename="kamerton-analysis-${second}-${asOf}.xlsx"`);
      expect((await call(signed.admin, 'GET', `/analysis-runs/${first}/report.xlsx`)).statusCode).toBe(200);

      const cliPath = join(mkdtempSync(join(tmpdir(), 'kamerton-cli-report-')), 'raport.xlsx');
      const doc = toAnalysisDocument(await analyzeFile(path, {}, params));
      await writeXlsxReport(cliPath, doc, { file: path, params, generatedOn: '2026-01-01' });
      const server = await sheets(answer.rawPayload);
      const cli = await sheets(await readFile(cliPath));

      expect([...server.keys()]).toEqual(['Summary', 'Clients', 'Lost and slipping', 'Rejected lines']);
      expect([...server.keys()]).toEqual([...cli.keys()]);
      expect(server.get('Clients')).toHaveLength(41);
      expect(server.get('Clients')).toEqual(cli.get('Clients'));
      expect(server.get('Lost and slipping')).toEqual(cli.get('Lost and slipping'));
      expect(server.get('Rejected lines')).toEqual(cli.get('Rejected lines'));
      // The summary differs only in the date it was made and the ledger it names.
      const differing = new Set(['Generated on', 'Ledger file']);
      const summary = (rows: unknown[][] | undefined) => (rows ?? []).filter((row) => !differing.has(String(row[0])));
      expect(summary(server.get('Summary'))).toEqual(summary(cli.get('Summary')));
      expect(server.get('Summary')?.find((row) => row[0] === 'Ledger file')?.[1]).toMatch(/^the stored ledger as of import \d+ \(sprzedaz\.csv\)/);

      // The client whose name looks like a formula is shown as text.
      const names = (server.get('Clients') ?? []).map((row) => String(row[2]));
      expect(names).toContain('\'=HYPERLINK("http://example.com")');
    });

    it('turns away a key account manager and marketing from the workbook, and names a missing run', async () => {
      expect((await call(signed.kam, 'GET', `/analysis-runs/${second}/report.xlsx`)).statusCode).toBe(403);
      expect((await call(signed.marketing, 'GET', `/analysis-runs/${second}/report.xlsx`)).statusCode).toBe(403);
      const missing = await call(signed.director, 'GET', '/analysis-runs/999999/report.xlsx');
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toMatchObject({ code: 'not-found' });
    });

    it('compares with every mover and its name by default, and narrows the movers to one cell, paged', async () => {
      const all = (await call(signed.director, 'GET', `/analysis-runs/compare?from=${first}&to=${second}`)).json();
      expect(all.moved).toBeGreaterThan(2);
      expect(all.movers).toHaveLength(all.moved);
      expect(all.moversTotal).toBe(all.moved);
      const { db } = get();
      const named = await db.select({ id: accounts.id, name: accounts.name }).from(accounts).where(eq(accounts.id, all.movers[0].account));
      expect(all.movers[0].accountName).toBe(named[0]?.name);

      // Narrower A: the accounts move from A down to B (and from B down to C).
      const cell = all.movers[0] as Mover;
      const count = all.matrix[cell.from!][cell.to!] as number;
      const inCell = all.movers.filter((m: Mover) => m.from === cell.from && m.to === cell.to);
      const filtered = (await call(signed.director, 'GET', `/analysis-runs/compare?from=${first}&to=${second}&fromSegment=${cell.from}&toSegment=${cell.to}`)).json();
      expect(filtered.moversTotal).toBe(count);
      expect(filtered.movers).toEqual(inCell);
      expect(filtered.matrix).toEqual(all.matrix);

      const page = (await call(signed.director, 'GET', `/analysis-runs/compare?from=${first}&to=${second}&fromSegment=${cell.from}&moversOffset=1&moversLimit=1`)).json();
      const fromCell = all.movers.filter((m: Mover) => m.from === cell.from);
      expect(page.moversTotal).toBe(fromCell.length);
      expect(page.movers).toEqual(fromCell.slice(1, 2));

      const entered = (await call(signed.director, 'GET', `/analysis-runs/compare?from=${first}&to=${second}&fromSegment=none`)).json();
      expect(entered).toMatchObject({ moversTotal: 0, movers: [] });

      const bad = await call(signed.director, 'GET', '/analysis-runs/compare?fromSegment=AQ');
      expect(bad.statusCode).toBe(400);
      expect(bad.json().message).toContain('fromSegment');
      expect((await call(signed.director, 'GET', '/analysis-runs/compare?moversLimit=0')).statusCode).toBe(400);
    });

    it('shows a key account manager only the movers among their accounts, and marketing no money', async () => {
      const kam = (await call(signed.kam, 'GET', `/analysis-runs/compare?from=${first}&to=${second}`)).json();
      expect(kam.movers.length).toBeGreaterThan(0);
      for (const m of kam.movers as Mover[]) expect(kamAccounts).toContain(m.account);
      const marketing = (await call(signed.marketing, 'GET', `/analysis-runs/compare?from=${first}&to=${second}&moversLimit=5`)).json();
      expect(marketing.movers).toHaveLength(5);
      for (const m of marketing.movers as Mover[]) {
        expect(m.revenueChange).toBeNull();
        expect(m.accountName).toMatch(/^(Firma \d+|=HYPERLINK)/);
      }
    });
  });
});
