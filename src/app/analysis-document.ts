/**
 * The published result of `kamerton analyze --format json` (schema: docs/analysis-result.schema.json).
 * The server's analysis runs print the same shape, so that a run over the stored ledger can be
 * compared line for line with the file's analysis.
 */
import type { AnalysisResult } from '../core/types.ts';
import type { RowError } from '../ingest/types.ts';

export type AnalysisDocument = {
  window: AnalysisResult['window'];
  totals: {
    /** Data lines read, the header not counted, good and bad. */
    lines: number;
    rejectedLines: number;
    linesOutsideWindow: number;
    clients: number;
    revenue: number;
    margin: number | null;
  };
  matrix: AnalysisResult['matrix'];
  keyClients: AnalysisResult['keyClients'];
  clients: AnalysisResult['clients'];
  /** The first 1,000 rejected lines, in line order. */
  errors: RowError[];
};
