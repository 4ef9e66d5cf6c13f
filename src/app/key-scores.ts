/**
 * The key-client score of the accounts in an analysis run (src/core/key-score.ts defines it; the
 * definitions are in docs/analysis.md): the weights the director set, the run's figures (profit,
 * growth, payment delays and product groups from the ledger), and what the dossiers say now (plans,
 * horizon, reputation, a payment delay entered by hand where the ledger has no due dates).
 *
 * Scores are computed when asked for, over every account of the run at once, because the profit
 * criterion ranks an account among all of them; a change of weights or of a dossier shows at once.
 */
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { KamertonError } from '../core/errors.ts';
import {
  DEFAULT_KEY_SCORE_WEIGHTS, KEY_CRITERIA, scoreKeyClients, validateKeyScoreWeights,
  type KeyScore, type KeyScoreInput, type KeyScoreWeights,
} from '../core/key-score.ts';
import type { Db } from '../db/client.ts';
import { analysisRuns, settings } from '../db/schema/index.ts';
import { loadAccessibleAccount } from './access.ts';
import { assertManagesAccounts, seesFinancialFields } from './roles.ts';
import type { Actor } from './actor.ts';
import { parseInput } from './input.ts';

const WEIGHTS_KEY = 'key-score-weights';

export const keyScoreWeightsSchema = z.strictObject(
  Object.fromEntries(KEY_CRITERIA.map((criterion) => [criterion, z.number().min(0).max(1000)])) as Record<(typeof KEY_CRITERIA)[number], z.ZodNumber>,
).describe('A weight per criterion, zero or more; only their ratios matter.');

export type WeightsView = { weights: KeyScoreWeights; updatedAt: string | null; updatedBy: string | null };

export async function getKeyScoreWeights(db: Db): Promise<WeightsView> {
  const [row] = await db.select().from(settings).where(eq(settings.key, WEIGHTS_KEY));
  if (row === undefined) return { weights: { ...DEFAULT_KEY_SCORE_WEIGHTS }, updatedAt: null, updatedBy: null };
  return { weights: row.value as KeyScoreWeights, updatedAt: row.updatedAt.toISOString(), updatedBy: row.updatedBy };
}

/** Sets the weights (the director or the administrator). */
export async function setKeyScoreWeights(db: Db, actor: Actor, input: unknown): Promise<WeightsView> {
  assertManagesAccounts(actor, 'set the key-score weights');
  const weights = parseInput(keyScoreWeightsSchema, input) as KeyScoreWeights;
  validateKeyScoreWeights(weights);
  await db.insert(settings).values({ key: WEIGHTS_KEY, value: weights, updatedBy: actor.userId })
    .onConflictDoUpdate({ target: settings.key, set: { value: weights, updatedBy: actor.userId, updatedAt: sql`now()` } });
  return getKeyScoreWeights(db);
}

type InputRow = {
  account_id: string; revenue: number; margin: number | null; growth: number | null; payment_days_late: number | null;
  product_groups: number | null; entered_days_late: number | null; horizon: number | null; plans: boolean; reputation: number | null;
};

/** Every account's score in run `runId`, by account id. */
export async function scoreRun(db: Db, runId: number): Promise<{ weights: KeyScoreWeights; scores: Map<string, KeyScore> }> {
  const [run] = await db.select().from(analysisRuns).where(eq(analysisRuns.id, runId));
  if (run === undefined) throw new KamertonError('not-found', 'Analysis run not found.', { field: 'runId', value: String(runId) });
  const { weights } = await getKeyScoreWeights(db);
  const withMargin = (run.summary as { totals: { margin: number | null } }).totals.margin !== null;
  const { rows } = await db.execute<InputRow>(sql`
    select r.account_id, r.revenue::float8 as revenue, r.margin::float8 as margin, r.growth, r.payment_days_late, r.product_groups,
           a.payment_days_late::float8 as entered_days_late, a.cooperation_horizon_months as horizon,
           coalesce(btrim(a.long_term_plans), '') <> '' as plans, a.reputation_influence as reputation
      from analysis_results r join accounts a on a.id = r.account_id where r.run_id = ${runId}`);
  const inputs: KeyScoreInput[] = rows.map((row) => ({
    account: row.account_id,
    profit: withMargin ? row.margin : row.revenue,
    paymentDaysLate: row.payment_days_late ?? row.entered_days_late,
    cooperationHorizonMonths: row.horizon,
    hasLongTermPlans: row.plans,
    growth: row.growth,
    productGroups: row.product_groups,
    reputationInfluence: row.reputation,
  }));
  const scores = scoreKeyClients(inputs, weights, { productGroups: run.productGroups ?? 0 });
  return { weights, scores: new Map(scores.map((score) => [score.account, score])) };
}

/** What a role sees of a score: marketing the points and the normalised criteria, not the money behind them. */
export function viewScore(actor: Actor, score: KeyScore): KeyScore {
  if (seesFinancialFields(actor)) return score;
  return {
    ...score,
    criteria: score.criteria.map((c) => (c.criterion === 'profit' || c.criterion === 'growth' || c.criterion === 'reliability' ? { ...c, value: null } : c)),
  };
}

export type AccountKeyScore = KeyScore & { runId: number; weights: KeyScoreWeights };

/** The account's score in the latest run that included it; not-found when none did. */
export async function getAccountKeyScore(db: Db, actor: Actor, accountId: string): Promise<AccountKeyScore> {
  await loadAccessibleAccount(db, actor, accountId, 'read');
  const { rows: [latest] } = await db.execute<{ run_id: string | null }>(
    sql`select max(run_id) as run_id from analysis_results where account_id = ${accountId}`,
  );
  if (latest?.run_id === null || latest === undefined) {
    throw new KamertonError('not-found', 'No analysis run has included this account yet.', { field: 'accountId', value: accountId });
  }
  const runId = Number(latest.run_id);
  const { weights, scores } = await scoreRun(db, runId);
  const score = scores.get(accountId);
  if (score === undefined) throw new KamertonError('not-found', 'No analysis run has included this account yet.', { field: 'accountId', value: accountId });
  return { ...viewScore(actor, score), runId, weights };
}
