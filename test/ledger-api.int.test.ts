/**
 * The ledger over HTTP: an upload imported as a polled job, the import records and their rejected
 * lines as formula-safe CSV, the size limit, analysis runs with what each role sees of them, the
 * accounts list filtered by the latest run, and the comparison of two runs.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../src/api/app.ts';
import { SESSION_COOKIE } from '../src/api/plugins/auth.plugin.ts';
import { createSession } from '../src/app/sessions.ts';
import { toUserView } from '../src/app/users.ts';
import { loadConfig } from '../src/config.ts';
import { accounts, users, type Role } from '../src/db/schema/index.ts';
import { eq, sql } from 'drizzle-orm';
import { describeDatabases } from './database.ts';

type Signed = { token: string; csrf: string; id: string };

const HEADER = 'Nr dokumentu;Lp;Data sprzedaży;Kod kontrahenta;Nazwa kontrahenta;Wartość netto;Koszt zakupu';

/**
 * Monthly invoices of `months` months of `year`: K1 large and regular, K2 middling and regular (when
 * `k2`), K3 small, every sixth month; and one bad line (when `bad`). Invoices are numbered by client and month, as an
 * ERP numbers them once and for all.
 */
function ledger(year: number, months: number, k2 = true, bad = true): string {
  const lines = [HEADER];
  for (let m = 1; m <= months; m++) {
    const mm = String(m).padStart(2, '0');
    lines.push(`FV/${year}/${mm}/1;1;05.${mm}.${year};K1;Alfa;1000,00;600,00`);
    if (k2) lines.push(`FV/${year}/${mm}/2;1;10.${mm}.${year};K2;Beta;300,00;200,00`);
    if (m % 6 === 0) lines.push(`FV/${year}/${mm}/3;1;15.${mm}.${year};K3;Gamma;50,00;30,00`);
  }
  if (bad) lines.push(`FV/${year}/99;1;31.02.${year};K3;Gamma;=HYPERLINK("x");0`);
  return `${lines.join('\r\n')}\r\n`;
}

function multipart(fields: Record<string, string>, file: { name: string; content: string }): { payload: string; headers: Record<string, string> } {
  const boundary = '----kamerton-test-boundary';
  const parts = Object.entries(fields).map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n${file.content}\r\n`);
  return { payload: `${parts.join('')}--${boundary}--\r\n`, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describeDatabases('the ledger over HTTP', (get) => {
  let app: FastifyInstance;
  const signed = {} as Record<Role, Signed>;

  beforeAll(async () => {
    const database = get();
    app = await buildApp({ database, config: { ...(await loadConfig({})), uploadMaxBytes: 64 * 1024 } });
    await app.ready();
    for (const role of ['admin', 'director', 'kam', 'marketing'] as const) {
      const [row] = await database.db.insert(users).values({ email: `${role}@example.com`, name: role, role, passwordHash: 'unused' }).returning();
      if (row === undefined) throw new Error('no user');
      const { token, session } = await createSession(database.db, toUserView(row), { hours: 1 });
      signed[role] = { token, csrf: session.csrfToken, id: row.id };
    }
  });

  afterAll(async () => {
    await app.close();
  });

  function call(who: Signed, method: 'GET' | 'POST', url: string, body?: { payload: string | object; headers?: Record<string, string> }) {
    return app.inject({
      method,
      url: `/api/v1${url}`,
      cookies: { [SESSION_COOKIE]: who.token },
      headers: { 'x-csrf-token': who.csrf, ...body?.headers },
      ...(body === undefined ? {} : { payload: body.payload }),
    });
  }

  async function upload(who: Signed, content: string, fields: Record<string, string> = {}) {
    return call(who, 'POST', '/imports', multipart(fields, { name: 'sprzedaz.csv', content }));
  }

  async function finished(jobId: string) {
    for (let i = 0; i < 200; i++) {
      const job = (await call(signed.director, 'GET', `/imports/jobs/${jobId}`)).json();
      if (job.state !== 'running') return job;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('the import job did not finish');
  }

  it('imports an upload as a job, keeps its record and serves its rejected lines as formula-safe CSV', async () => {
    const started = await upload(signed.director, ledger(2025, 12), { source: 'erp' });
    expect(started.statusCode, started.body).toBe(202);
    expect(started.json()).toMatchObject({ state: 'running', fileName: 'sprzedaz.csv' });
    const job = await finished(started.json().id);
    expect(job.error).toBeNull();
    expect(job.record).toMatchObject({ fileName: 'sprzedaz.csv', source: 'erp', accepted: 26, rejected: 1, added: 26, matchedBy: 'document-line' });
    expect(job.record.newAccounts.map((a: { code: string }) => a.code)).toEqual(['K1', 'K2', 'K3']);

    const list = (await call(signed.admin, 'GET', '/imports')).json();
    expect(list.items[0]).toMatchObject({ id: job.record.id, newAccounts: 3, rejected: 1 });
    const record = (await call(signed.director, 'GET', `/imports/${job.record.id}`)).json();
    expect(record.errors).toEqual([expect.objectContaining({ line: 28, column: 'Data sprzedaży', value: '31.02.2025' })]);

    const csv = await call(signed.director, 'GET', `/imports/${job.record.id}/rejects.csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.body.startsWith('\uFEFFline;column;value;message\r\n28;Data sprzedaży;31.02.2025;')).toBe(true);

    // The same file again changes nothing; the job says so.
    const again = await finished((await upload(signed.director, ledger(2025, 12))).json().id);
    expect(again.record).toMatchObject({ unchanged: 26, added: 0, removed: 0 });
  });

  it('turns away a key account manager and marketing, a file over the size limit and a bad options field', async () => {
    expect((await upload(signed.kam, ledger(2025, 12))).statusCode).toBe(403);
    expect((await upload(signed.marketing, ledger(2025, 12))).statusCode).toBe(403);
    const big = await upload(signed.director, `${HEADER}\r\n${'FV/1;1;01.01.2025;K9;X;1,00;0\r\n'.repeat(3000)}`);
    expect(big.statusCode).toBe(413);
    expect(big.json().code).toBe('too-large');
    const bad = await upload(signed.director, ledger(2025, 12), { options: '{"decimal": ";"}' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'invalid-input' });
    const failed = await finished((await upload(signed.director, 'nothing;useful\r\n1;2\r\n')).json().id);
    expect(failed).toMatchObject({ state: 'failed', error: { code: 'invalid-input' } });
    expect(failed.error.message).toContain('no column for the required fields');
  });

  it('runs an analysis, shows each role what it may see, filters the accounts by it and compares two runs', async () => {
    const { db } = get();
    const rows = await db.select({ id: accounts.id }).from(accounts).innerJoin(sql`account_codes c`, sql`c.account_id = ${accounts.id}`)
      .where(sql`c.code = 'K1'`);
    const k1 = rows[0]!.id;
    await db.update(accounts).set({ ownerId: signed.kam.id }).where(eq(accounts.id, k1));

    const first = await call(signed.director, 'POST', '/analysis-runs', { payload: {} });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ params: { period: 'month', abc: [80, 95] }, window: { from: '2025-01-01', periods: 12 } });
    expect(first.json().totals).toMatchObject({ clients: 3, revenue: 15700 });
    expect((await call(signed.kam, 'POST', '/analysis-runs', { payload: {} })).statusCode).toBe(403);
    expect((await call(signed.director, 'POST', '/analysis-runs', { payload: { period: 'year' } })).statusCode).toBe(400);

    const forKam = (await call(signed.kam, 'GET', `/analysis-runs/${first.json().id}`)).json();
    expect(forKam.totals).toBeUndefined();
    expect(forKam.segments.AX).toEqual({ clients: 2 });
    const kamResults = (await call(signed.kam, 'GET', `/analysis-runs/${first.json().id}/results`)).json();
    expect(kamResults.items.map((r: { client: string }) => r.client)).toEqual(['K1']);
    expect(kamResults.items[0]).toMatchObject({ segment: 'AX', types: ['breadwinner'], isKey: true, revenue: 12000 });
    const marketing = (await call(signed.marketing, 'GET', `/analysis-runs/${first.json().id}/results`)).json();
    expect(marketing.items).toHaveLength(3);
    for (const hidden of ['revenue', 'margin', 'share', 'growth']) expect(marketing.items[0]).not.toHaveProperty(hidden);

    const ax = (await call(signed.director, 'GET', '/accounts?segment=AX')).json();
    expect(ax.items.map((a: { codes: string[] }) => a.codes)).toEqual([['K1'], ['K2']]);
    expect(ax.items[0].analysis).toMatchObject({ segment: 'AX', isKey: true, revenue: 12000 });
    expect((await call(signed.director, 'GET', '/accounts?type=breadwinner')).json().total).toBe(2);
    const forMarketing = (await call(signed.marketing, 'GET', `/accounts/${k1}`)).json();
    expect(forMarketing.analysis).toMatchObject({ segment: 'AX' });
    expect(forMarketing.analysis).not.toHaveProperty('revenue');

    // K2 buys nothing in the first half of 2026: the second run, over 18 months, moves it out of X.
    const half = await finished((await upload(signed.director, ledger(2026, 6, false, false))).json().id);
    expect(half.record).toMatchObject({ added: 7, removed: 0 });
    const second = (await call(signed.director, 'POST', '/analysis-runs', { payload: {} })).json();
    const comparison = (await call(signed.director, 'GET', '/analysis-runs/compare')).json();
    expect(comparison).toMatchObject({ from: first.json().id, to: second.id, stayed: 2, moved: 1 });
    const k2 = comparison.movers.find((m: { from: string }) => m.from !== null);
    expect(k2).toMatchObject({ from: 'AX', to: 'BY', revenueBefore: 3600, revenueAfter: 3600, revenueChange: 0, frequencyBefore: 1 });
    expect(k2.frequencyAfter).toBeCloseTo(12 / 18, 12);
    const kamComparison = (await call(signed.kam, 'GET', '/analysis-runs/compare')).json();
    expect(kamComparison.movers).toEqual([]);
    expect(kamComparison.stayed).toBe(1);
  });
});
