/**
 * The `analysis run` use-case: the analysis of the stored ledger, kept. The aggregation is the
 * database's (the per-account, per-day rollup every import keeps), the classification is
 * `src/core`'s, unchanged, so a run over the stored ledger gives what `kamerton analyze` gives on the
 * same lines; the run and every account's result are stored with the parameters that made them.
 */
import { formatDay } from '../core/calendar.ts';
import { analyzeLedger } from '../core/analysis.ts';
import { KamertonError } from '../core/errors.ts';
import type { AnalysisParams, ClientResult } from '../core/types.ts';
import { readStoredLedger } from '../db/analysis-store.ts';
import type pg from 'pg';
import type { Actor } from './actor.ts';
import type { AnalysisDocument } from './analysis-document.ts';

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

export function storedParams(params: AnalysisParams): StoredParams {
  return { ...params, asOf: params.asOf === null ? null : formatDay(params.asOf), from: params.from === null ? null : formatDay(params.from) };
}

/** Who may run an analysis: it is the company's, so the director and the administrator. */
export function assertMayRunAnalysis(actor: Actor): void {
  if (actor.role !== 'director' && actor.role !== 'admin' && actor.role !== 'system') {
    throw new KamertonError('forbidden', 'Only a director or an administrator runs an analysis of the whole ledger.');
  }
}

export async function runAnalysis(pool: pg.Pool, actor: Actor, params: AnalysisParams): Promise<AnalysisRun> {
  assertMayRunAnalysis(actor);
  const client = await pool.connect();
  let failed = false;
  try {
    // One snapshot for the reading and the writing: an import committed meanwhile is not half-seen.
    await client.query('begin isolation level repeatable read');
    const stored = await readStoredLedger(client);
    if (stored.ledger.clients.length === 0) {
      throw new KamertonError('invalid-input', 'The stored ledger is empty: import a ledger first (kamerton import FILE).');
    }
    const result = analyzeLedger(stored.ledger, params);
    const accountOf = new Map(stored.accounts.map((account) => [account.code, account.accountId]));
    const kept = storedParams(params);
    const summary = {
      window: result.window,
      totals: { ...result.totals, lines: stored.lines },
      matrix: result.matrix,
      keyClients: result.keyClients,
    };
    const { rows: [run] } = await client.query<{ id: string; created_at: Date }>(
      `insert into analysis_runs (user_id, params, summary, import_id) values ($1, $2, $3, $4) returning id, created_at`,
      [actor.userId, JSON.stringify(kept), JSON.stringify(summary), stored.importId],
    );
    const runId = Number(run!.id);
    await storeResults(client, runId, result.clients, accountOf);
    await client.query('commit');
    return {
      id: runId,
      createdAt: run!.created_at.toISOString(),
      userId: actor.userId,
      importId: stored.importId,
      params: kept,
      document: {
        window: result.window,
        totals: {
          lines: stored.lines,
          rejectedLines: 0,
          linesOutsideWindow: result.totals.linesOutsideWindow,
          clients: result.totals.clients,
          revenue: result.totals.revenue,
          margin: result.totals.margin,
        },
        matrix: result.matrix,
        keyClients: result.keyClients,
        clients: result.clients,
        errors: [],
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

/** How many results go into one INSERT: 20 arrays of this length stay well within a message. */
const RESULTS_PER_INSERT = 5000;

async function storeResults(client: pg.ClientBase, runId: number, clients: readonly ClientResult[], accountOf: ReadonlyMap<string, string>): Promise<void> {
  for (let i = 0; i < clients.length; i += RESULTS_PER_INSERT) {
    const part = clients.slice(i, i + RESULTS_PER_INSERT);
    const column = <T>(pick: (c: ClientResult, rank: number) => T): T[] => part.map((c, k) => pick(c, i + k + 1));
    await client.query(
      `insert into analysis_results (run_id, account_id, client, rank, segment, abc, xyz, types, is_key, activity, revenue, margin,
                                     share, cumulative_share, cv, active_periods, first_purchase, last_purchase,
                                     days_since_last_purchase, growth)
       select $1, r.account_id, r.client, r.rank, r.segment, r.abc, r.xyz, coalesce(string_to_array(nullif(r.types, ''), ','), '{}'), r.is_key,
              r.activity, r.revenue, r.margin, r.share, r.cumulative_share, r.cv, r.active_periods, r.first_purchase,
              r.last_purchase, r.days_since, r.growth
         from unnest($2::uuid[], $3::text[], $4::integer[], $5::text[], $6::text[], $7::text[], $8::text[], $9::boolean[],
                     $10::text[], $11::numeric[], $12::numeric[], $13::float8[], $14::float8[], $15::float8[], $16::integer[],
                     $17::date[], $18::date[], $19::integer[], $20::float8[])
           as r(account_id, client, rank, segment, abc, xyz, types, is_key, activity, revenue, margin, share, cumulative_share,
                cv, active_periods, first_purchase, last_purchase, days_since, growth)`,
      [
        runId,
        column((c) => accountOf.get(c.client)),
        column((c) => c.client),
        column((_, rank) => rank),
        column((c) => c.segment),
        column((c) => c.abc),
        column((c) => c.xyz),
        column((c) => c.types.join(',')),
        column((c) => c.isKey),
        column((c) => c.activity),
        column((c) => c.revenue),
        column((c) => c.margin),
        column((c) => c.share),
        column((c) => c.cumulativeShare),
        column((c) => c.cv),
        column((c) => c.activePeriods),
        column((c) => c.firstPurchase),
        column((c) => c.lastPurchase),
        column((c) => c.daysSinceLastPurchase),
        column((c) => c.growth),
      ],
    );
  }
}
