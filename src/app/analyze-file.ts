/**
 * The `analyze` use-case: read a sales ledger file and analyse it. The reader folds the file straight
 * into the per-client, per-day rollup, so memory grows with clients and their purchase days, never
 * with lines; the result is the published document plus how the file was read.
 */
import { DEFAULT_ACTIVITY_RULES, judgeActivity, type ActivityRules } from '../core/activity.ts';
import { analyzeLedger } from '../core/analysis.ts';
import { parseIsoDay } from '../core/calendar.ts';
import { fitCustomerAlive, type ModelOptions } from '../core/customer-alive.ts';
import { KamertonError } from '../core/errors.ts';
import type { AnalysisParams } from '../core/types.ts';
import { releaseDailyLedger } from '../ingest/client-day-table.ts';
import { readDailyLedger } from '../ingest/read-ledger.ts';
import type { ReadInfo, ReadOptions } from '../ingest/types.ts';
import { toDocument, withModel, type AnalysisDocument } from './analysis-document.ts';

export type AnalyzedFile = AnalysisDocument & { info: ReadInfo };

/**
 * `model`, when given, also fits the customer-alive model (BG/NBD with Gamma-Gamma) on the same
 * rollup, up to the analysis's as-of date: the model's as-of date is the end of its calibration.
 */
export async function analyzeFile(
  path: string,
  read: ReadOptions,
  params: AnalysisParams,
  model: ModelOptions | null = null,
): Promise<AnalyzedFile> {
  // The rollup is dropped once analysed, its memory freed at once: `info` keeps only what describes
  // the reading.
  const { ledger, ...info } = await readDailyLedger(path, read);
  // A header and nothing else reads without a bad line, yet there is nothing to analyse; said here,
  // where the file's name is known, rather than by the core's anonymous "no usable lines".
  if (ledger.clients.length === 0 && info.rejectedLines === 0) {
    throw new KamertonError('invalid-input', `${path}: the ledger has no data lines`, { file: path });
  }
  const result = analyzeLedger(ledger, params);
  let doc = toDocument(result, info);
  if (model !== null) {
    // The window's as-of date is --as-of or the ledger's last date, already checked by the analysis.
    const asOf = parseIsoDay(result.window.asOf);
    if (asOf === null) throw new Error(`The analysis returned an invalid as-of date: ${result.window.asOf}`);
    const fitted = fitCustomerAlive(ledger, asOf, model);
    doc = withModel(doc, fitted.summary, ledger.clients, fitted.clients);
    // With the model, activity follows the activity rules as a server run applies them (their
    // default thresholds, the --lost-days given), so that the file's analysis and a first run over
    // the same stored lines agree; a file has no previous run, so the rule on a fall of the
    // probability between runs never applies here.
    const rules: ActivityRules = { ...DEFAULT_ACTIVITY_RULES, lostDays: params.lostDays, timeUnit: model.timeUnit, horizon: model.horizon };
    doc = {
      ...doc,
      clients: doc.clients.map((c) => {
        const { activity } = judgeActivity({
          analysisActivity: c.activity,
          daysSinceLastPurchase: c.daysSinceLastPurchase,
          repeatPurchases: c.repeatPurchases ?? null,
          pAlive: c.pAlive ?? null,
          previousPAlive: null,
        }, rules);
        return activity === c.activity ? c : { ...c, activity };
      }),
    };
  }
  await releaseDailyLedger(ledger);
  return { ...doc, info };
}

/** The published document alone, in its fixed key order (what `--format json` prints). */
export function toAnalysisDocument(analyzed: AnalyzedFile): AnalysisDocument {
  return {
    window: analyzed.window,
    totals: analyzed.totals,
    matrix: analyzed.matrix,
    keyClients: analyzed.keyClients,
    ...(analyzed.model === undefined ? {} : { model: analyzed.model }),
    clients: analyzed.clients,
    errors: analyzed.errors,
  };
}
