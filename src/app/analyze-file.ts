/**
 * The `analyze` use-case: read a sales ledger file and analyse it. The reader folds the file straight
 * into the per-client, per-day rollup, so memory grows with clients and their purchase days, never
 * with lines; the result is the published document plus how the file was read.
 */
import { analyzeLedger } from '../core/analysis.ts';
import { KamertonError } from '../core/errors.ts';
import type { AnalysisParams } from '../core/types.ts';
import { releaseDailyLedger } from '../ingest/client-day-table.ts';
import { readDailyLedger } from '../ingest/read-ledger.ts';
import type { ReadInfo, ReadOptions } from '../ingest/types.ts';
import { toDocument, type AnalysisDocument } from './analysis-document.ts';

export type AnalyzedFile = AnalysisDocument & { info: ReadInfo };

export async function analyzeFile(path: string, read: ReadOptions, params: AnalysisParams): Promise<AnalyzedFile> {
  // The rollup is dropped once analysed, its memory freed at once: `info` keeps only what describes
  // the reading.
  const { ledger, ...info } = await readDailyLedger(path, read);
  // A header and nothing else reads without a bad line, yet there is nothing to analyse; said here,
  // where the file's name is known, rather than by the core's anonymous "no usable lines".
  if (ledger.clients.length === 0 && info.rejectedLines === 0) {
    throw new KamertonError('invalid-input', `${path}: the ledger has no data lines`, { file: path });
  }
  const result = analyzeLedger(ledger, params);
  await releaseDailyLedger(ledger);
  return {
    ...toDocument(result, info),
    info,
  };
}

/** The published document alone, in its fixed key order (what `--format json` prints). */
export function toAnalysisDocument(analyzed: AnalyzedFile): AnalysisDocument {
  return {
    window: analyzed.window,
    totals: analyzed.totals,
    matrix: analyzed.matrix,
    keyClients: analyzed.keyClients,
    clients: analyzed.clients,
    errors: analyzed.errors,
  };
}
