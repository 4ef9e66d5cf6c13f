/**
 * The `analysis run` use-case: the analysis of the stored ledger, kept. The aggregation is the
 * database's (the per-account, per-day rollup every import keeps), the classification is
 * `src/core`'s, unchanged, so a run over the stored ledger gives what `kamerton analyze` gives on the
 * same lines; the run and every account's result are stored with the parameters that made them.
 */
import { formatDay } from '../core/calendar.ts';
import { analyzeLedger } from '../core/analysis.ts';
import { KamertonError } from '../core/errors.ts';
import type { AnalysisParams, AnalysisResult, ClientResult, DossierFacts } from '../core/types.ts';
import { readStoredLedger, type RollupAccount, type StoredLedger } from '../db/analysis-store.ts';
import { BinaryCopyWriter } from '../db/binary-copy.ts';
import { copyRows } from '../db/copy.ts';
import type pg from 'pg';
import { assertManagesAccounts } from './roles.ts';
import type { Actor } from './actor.ts';
import { toDocument, withModel, type AnalysisDocument } from './analysis-document.ts';
import { judgeRunActivity, readRulesInForce, recordRunActivity, type ClientActivity } from './run-activity.ts';
import { refreshWinBackLists } from './win-back-refresh.ts';

export type AnalysisRun = {
  id: number;
  createdAt: string;
  userId: string | null;
  /** The last import the run saw. */
  importId: number | null;
  params: StoredParams;
  /** The result in `kamerton analyze`'s JSON shape, clients named by their ERP code; lines are the stored ones. */
  document: AnalysisDocument;
};

/** The parameters as a run keeps them: days as ISO dates. */
export type StoredParams = Omit<AnalysisParams, 'asOf' | 'from'> & { asOf: string | null; from: string | null };

/**
 * The parameters of a run: an analysis's, except that lostDays may be left out, and the activity
 * rules' lostDays then applies (the director sets it with the other rules).
 */
export type RunParams = Omit<AnalysisParams, 'lostDays'> & { lostDays?: number | undefined };

export function storedParams(params: AnalysisParams): StoredParams {
  return { ...params, asOf: params.asOf === null ? null : formatDay(params.asOf), from: params.from === null ? null : formatDay(params.from) };
}

/** Who may run an analysis: it is the company's, so those who manage every account. */
export function assertMayRunAnalysis(actor: Actor): void {
  assertManagesAccounts(actor, 'run an analysis of the whole ledger');
}

export async function runAnalysis(pool: pg.Pool, actor: Actor, params: RunParams): Promise<AnalysisRun> {
  assertMayRunAnalysis(actor);
  const client = await pool.connect();
  let failed = false;
  try {
    // One snapshot for the reading and the writing: an import committed meanwhile is not half-seen.
    await client.query('begin isolation level repeatable read');
    const stored = await readInParallel(pool, client);
    if (stored.ledger.clients.length === 0) {
      throw new KamertonError('invalid-input', 'The stored ledger is empty: import a ledger first (kamerton import FILE).');
    }
    const dossier = await readDossierFacts(client, stored.accounts);
    // The director's activity rules decide who is lost (src/app/run-activity.ts); a run that names
    // its own lostDays applies that instead of the rules' (and keeps it in its parameters).
    const rules = await readRulesInForce(client);
    const lostDays = params.lostDays ?? rules.rules.lostDays;
    const applied: AnalysisParams = { ...params, lostDays };
    const analysed = analyzeLedger(stored.ledger, applied, dossier.facts);
    const judged = await judgeRunActivity(client, stored, analysed, { ...rules.rules, lostDays });
    const result: AnalysisResult = { ...analysed, clients: judged.clients };
    const inputs = await readKeyScoreInputs(client, result.window.from, result.window.asOf);
    const kept = storedParams(applied);
    const summary = {
      window: result.window,
      totals: { ...result.totals, lines: stored.lines },
      matrix: result.matrix,
      keyClients: result.keyClients,
    };
    const { rows: [run] } = await client.query<{ id: string; created_at: Date }>(
      `insert into analysis_runs (user_id, params, summary, import_id, product_groups, model, rules_id)
       values ($1, $2, $3, $4, $5, $6, $7) returning id, created_at`,
      [
        actor.userId, JSON.stringify(kept), JSON.stringify(summary), stored.importId, inputs?.productGroups ?? null,
        judged.model === null ? null : JSON.stringify(judged.model), rules.id,
      ],
    );
    const runId = Number(run!.id);
    await storeResults(client, runId, result.clients, stored.accounts, judged.activity);
    await recordRunActivity(client, runId, result.window.asOf, judged.changes);
    await storeProspects(client, runId, result.prospects, dossier.codes);
    if (inputs !== null) await storeKeyScoreInputs(client, runId, inputs.accounts);
    await refreshWinBackLists(client, runId);
    await client.query('commit');
    const document = toDocument(result, { lines: stored.lines, rejectedLines: 0, errors: [] });
    let withFigures: AnalysisDocument | null = null;
    return {
      id: runId,
      createdAt: run!.created_at.toISOString(),
      userId: actor.userId,
      importId: stored.importId,
      params: kept,
      // Built when asked for: the web app's run reads the stored run instead, and adding the model's
      // figures to 100,000 clients took 1.4 s of a 5.4 s run (10M lines, 100,000 accounts).
      get document(): AnalysisDocument {
        withFigures ??= judged.model === null ? document : withModel(document, judged.model, stored.ledger.clients, judged.fitted);
        return withFigures;
      },
    };
  } catch (error) {
    failed = true;
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    // A connection whose transaction failed in an unknown state is not given back to the pool.
    client.release(failed);
  }
}

/**
 * The stored ledger, read by `client` (in its repeatable-read transaction) and, when the pool has a
 * connection to spare, a second connection in the same snapshot, each reading half of the accounts:
 * the server packs the rollup in two processes at once (10M lines on a busy two-core machine: 1.6-2.1 s
 * against 2.1-2.7 s over one connection; less gain on an idle one, where PostgreSQL's own parallel
 * workers already keep both cores busy). Without a spare connection (a busy server) one reads it all,
 * rather than waiting for one, which runs holding their first connection could otherwise wait for
 * each other.
 */
async function readInParallel(pool: pg.Pool, client: pg.PoolClient): Promise<StoredLedger> {
  if (pool.idleCount === 0 && pool.totalCount >= pool.options.max) return readStoredLedger([client]);
  const { rows: [exported] } = await client.query<{ snapshot: string }>('select pg_export_snapshot() as snapshot');
  const second = await pool.connect();
  let failed = false;
  try {
    await second.query('begin isolation level repeatable read');
    // SET TRANSACTION takes no parameters; the snapshot's name is PostgreSQL's own (hex digits and dashes).
    await second.query(`set transaction snapshot '${exported!.snapshot.replaceAll("'", "''")}'`);
    const stored = await readStoredLedger([client, second]);
    await second.query('commit');
    return stored;
  } catch (error) {
    failed = true;
    await second.query('rollback').catch(() => {});
    throw error;
  } finally {
    second.release(failed);
  }
}

/**
 * The dossier facts the analysis adds types from (image-maker, expert, a budget for the promising
 * rule), keyed as the analysis names clients: an account in the ledger by its code, any other by its
 * id. Lost accounts bring no budget: they are not new.
 */
async function readDossierFacts(
  client: pg.ClientBase,
  inLedger: readonly RollupAccount[],
): Promise<{ facts: Map<string, DossierFacts>; codes: Map<string, string | null> }> {
  const codeOf = new Map(inLedger.map((account) => [account.accountId, account.code]));
  const { rows } = await client.query<{ id: string; image_maker: boolean; expert: boolean; budget: string | null; code: string | null }>(
    `select a.id, a.image_maker, a.expert,
            case when a.status <> 'lost' then round(a.annual_potential * 100)::text end as budget,
            (select min(c.code collate "C") from account_codes c where c.account_id = a.id) as code
       from accounts a
      where a.image_maker or a.expert or (a.annual_potential is not null and a.status <> 'lost')`,
  );
  const facts = new Map<string, DossierFacts>();
  const codes = new Map<string, string | null>();
  for (const row of rows) {
    const key = codeOf.get(row.id) ?? row.id;
    facts.set(key, { imageMaker: row.image_maker, expert: row.expert, budget: row.budget === null ? null : Number(row.budget) });
    codes.set(row.id, row.code);
  }
  return { facts, codes };
}

/** Accounts without purchases that the dossier gives a key-client type: rows without rank or segment. */
async function storeProspects(
  client: pg.ClientBase,
  runId: number,
  prospects: AnalysisResult['prospects'],
  codes: ReadonlyMap<string, string | null>,
): Promise<void> {
  for (let i = 0; i < prospects.length; i += RESULTS_PER_INSERT) {
    const part = prospects.slice(i, i + RESULTS_PER_INSERT);
    await client.query(
      `insert into analysis_results (run_id, account_id, client, types, is_key, revenue, share, active_periods)
       select $1, p.account_id, p.client, string_to_array(p.types, ','), true, 0, 0, 0
         from unnest($2::uuid[], $3::text[], $4::text[]) as p(account_id, client, types)`,
      [runId, part.map((p) => p.client), part.map((p) => codes.get(p.client) ?? null), part.map((p) => p.types.join(','))],
    );
  }
}

type KeyScoreInputs = { productGroups: number | null; accounts: { accountId: string; daysLate: number | null; groups: number | null }[] };

/**
 * The key score's inputs that only the ledger's lines hold, over the run's window: per account the
 * revenue-weighted average days paid late (a paid line: paid - due, at least 0; an unpaid line past
 * its due date: as-of - due; an unpaid line not yet due does not count) and the product groups bought;
 * and the product groups sold to anyone. Read only when some import brought due dates or groups
 * (the imports record their columns), so a ledger without them costs no scan of its lines.
 */
async function readKeyScoreInputs(client: pg.ClientBase, from: string, asOf: string): Promise<KeyScoreInputs | null> {
  const { rows: [has] } = await client.query<{ due: boolean; groups: boolean }>(
    `select coalesce(bool_or(columns ? 'dueDate'), false) as due, coalesce(bool_or(columns ? 'group'), false) as groups from imports`,
  );
  if (!has!.due && !has!.groups) return null;
  const { rows } = await client.query<{ account_id: string; days_late: number | null; groups: number }>(
    `select account_id,
            sum(revenue::float8 * greatest(0, coalesce(paid_date, $2::date) - due_date))
              filter (where revenue > 0 and due_date is not null and (paid_date is not null or due_date < $2::date))
              / nullif(sum(revenue::float8) filter (where revenue > 0 and due_date is not null and (paid_date is not null or due_date < $2::date)), 0)
              as days_late,
            count(distinct product_group)::integer as groups
       from ledger_lines where sale_date between $1::date and $2::date group by account_id`,
    [from, asOf],
  );
  const { rows: [all] } = await client.query<{ groups: number }>(
    'select count(distinct product_group)::integer as groups from ledger_lines where sale_date between $1::date and $2::date',
    [from, asOf],
  );
  return {
    productGroups: has!.groups ? all!.groups : null,
    accounts: rows.map((row) => ({
      accountId: row.account_id,
      daysLate: has!.due ? row.days_late : null,
      groups: has!.groups ? row.groups : null,
    })),
  };
}

async function storeKeyScoreInputs(client: pg.ClientBase, runId: number, accounts: KeyScoreInputs['accounts']): Promise<void> {
  for (let i = 0; i < accounts.length; i += RESULTS_PER_INSERT) {
    const part = accounts.slice(i, i + RESULTS_PER_INSERT);
    await client.query(
      `update analysis_results r set payment_days_late = x.days_late, product_groups = x.groups
         from unnest($2::uuid[], $3::float8[], $4::integer[]) as x(account_id, days_late, groups)
        where r.run_id = $1 and r.account_id = x.account_id`,
      [runId, part.map((a) => a.accountId), part.map((a) => a.daysLate), part.map((a) => a.groups)],
    );
  }
}

/** How many results go into one INSERT: 20 arrays of this length stay well within a message. */
const RESULTS_PER_INSERT = 5000;

async function storeResults(
  client: pg.ClientBase, runId: number, clients: readonly ClientResult[], accounts: readonly RollupAccount[], activity: readonly ClientActivity[],
): Promise<void> {
  // COPY rather than INSERTs, in account order so that the primary key (run, account) grows at its
  // end, and in the binary format, which spares the server parsing every number and id: 100,000
  // results take a fraction of a second this way. The stored ledger lists its accounts in id order,
  // so each result goes to its account's place there, without sorting 100,000 ids as strings.
  const slotOf = new Map(accounts.map((account, slot) => [account.code, slot]));
  const resultAt = new Int32Array(accounts.length).fill(-1);
  clients.forEach((c, i) => {
    const slot = slotOf.get(c.client);
    if (slot === undefined) throw new Error(`analysis result for ${c.client}, which is no account of the stored ledger`);
    resultAt[slot] = i;
  });
  const rows = function* (): Generator<Buffer> {
    const out = new BinaryCopyWriter();
    for (let slot = 0; slot < accounts.length; slot++) {
      const i = resultAt[slot]!;
      if (i < 0) continue;
      const c = clients[i]!;
      const accountId = accounts[slot]!.accountId;
      const a = activity[i]!;
      out.row(25);
      out.int8(runId);
      out.uuid(accountId);
      out.text(c.client);
      out.int4(i + 1);
      out.text(c.segment);
      out.text(c.abc);
      out.text(c.xyz);
      out.textArray(c.types);
      out.bool(c.isKey);
      out.text(c.activity);
      out.numeric(c.revenue);
      out.numeric(c.margin);
      out.float8(c.share);
      out.float8(c.cumulativeShare);
      out.float8(c.cv);
      out.int4(c.activePeriods);
      out.isoDate(c.firstPurchase);
      out.isoDate(c.lastPurchase);
      out.int4(c.daysSinceLastPurchase);
      out.float8(c.growth);
      out.int4(a.repeatPurchases);
      out.float8(a.pAlive);
      out.float8(a.expectedPurchases);
      out.numeric(a.expectedRevenue);
      out.textArray(a.reasons);
      if (out.full) yield out.take();
    }
    yield out.end();
  };
  await copyRows(
    client,
    `copy analysis_results (run_id, account_id, client, rank, segment, abc, xyz, types, is_key, activity, revenue, margin, share,
       cumulative_share, cv, active_periods, first_purchase, last_purchase, days_since_last_purchase, growth,
       repeat_purchases, p_alive, expected_purchases, expected_revenue, activity_reasons) from stdin with (format binary)`,
    rows(),
  );
}
